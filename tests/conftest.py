"""Shared test helpers: tiers by folder (unit, gl, e2e), golden images with diffs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from PIL import Image

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
ARTIFACTS = TESTS / "_artifacts"

# Fuzz tiers (hypothesis): ``make test`` runs every fuzz test with a few examples (the
# default profile); ``make fuzz`` runs the ``fuzz``-marked ones with HYPOTHESIS_PROFILE=fuzz,
# thousands of examples each, and keeps failing examples under tests/_artifacts/ to replay.
# A test that sets its own ``max_examples`` keeps it in both.
settings.register_profile(
    "waveglass",
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")),
    deadline=None,
    database=DirectoryBasedExampleDatabase(str(ARTIFACTS / "hypothesis")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "waveglass"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: property-based fuzzing of a parser (longer with `make fuzz`)"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden reference images from the current renderer",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # The tier is the folder under tests/, whatever the clone's own path contains.
        parts = Path(str(item.fspath)).resolve().relative_to(TESTS).parts[:1]
        if "gl" in parts:
            item.add_marker(pytest.mark.gl)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        # Fuzz tests: tests/unit/fuzz/ and every test_fuzz*.py beside a package's tests.
        path = Path(str(item.fspath))
        if "fuzz" in path.parent.name or path.name.startswith("test_fuzz"):
            item.add_marker(pytest.mark.fuzz)


class Golden:
    """Compare an image with tests/data/golden/NAME.png within a per-pixel tolerance.

    On failure writes actual, expected and an amplified difference image under
    tests/_artifacts/ so the change can be looked at; ``--update-golden`` rewrites the
    reference instead.
    """

    def __init__(self, update: bool, artifacts: Path = ARTIFACTS) -> None:
        self.update = update
        self.artifacts = artifacts

    def check(
        self, name: str, actual: np.ndarray, tol: int = 6, max_bad_fraction: float = 0.002
    ) -> None:
        ref_path = DATA / "golden" / f"{name}.png"
        if self.update or not ref_path.exists():
            if not self.update:
                pytest.fail(f"no golden image {ref_path}; run pytest --update-golden to create it")
            ref_path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(actual).save(ref_path)
            return
        expected = np.asarray(Image.open(ref_path).convert("RGB"))
        if expected.shape != actual.shape:
            self._dump(name, actual, expected)
            pytest.fail(f"{name}: size {actual.shape} differs from golden {expected.shape}")
        diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=2)
        bad = float((diff > tol).mean())
        if bad > max_bad_fraction:
            self._dump(name, actual, expected, diff)
            pytest.fail(
                f"{name}: {bad:.2%} of pixels differ by more than {tol}/255 (max {int(diff.max())}); "
                f"see {self.artifacts / name}-*.png"
            )

    def _dump(
        self, name: str, actual: np.ndarray, expected: np.ndarray, diff: np.ndarray | None = None
    ) -> None:
        self.artifacts.mkdir(exist_ok=True)
        Image.fromarray(actual).save(self.artifacts / f"{name}-actual.png")
        Image.fromarray(expected).save(self.artifacts / f"{name}-expected.png")
        if diff is not None:
            Image.fromarray(np.clip(diff.astype(np.int32) * 8, 0, 255).astype(np.uint8)).save(
                self.artifacts / f"{name}-diff.png"
            )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))
