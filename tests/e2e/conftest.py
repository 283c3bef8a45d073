"""Fixtures for the e2e tier: a virtual X server for window tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from xdisplay import virtual_display


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    with virtual_display("1024x768x24") as display:
        yield display
