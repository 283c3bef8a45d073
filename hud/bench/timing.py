"""The one way benchmarks time a frame: warm up, then the median of many runs (ms)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], frames: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds over ``frames`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(frames):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)
