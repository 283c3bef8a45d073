"""World frames for the emulator's benchmarks, shared by the loop and answer figures."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hud.io.sources import Frame


def cycled(frames: Sequence[Frame], count: int, fps: float) -> Iterator[Frame]:
    """``count`` frames from ``frames`` over and over, their times rising at ``fps``
    (the pixels are shared, not copied)."""
    for i in range(count):
        yield Frame(i, round(i * 1000 / fps), frames[i % len(frames)].rgb)


__all__ = ["cycled"]
