"""``hud bench``'s emulator flags: a soak of no length is refused before anything runs."""

from __future__ import annotations

import pytest
from cli_helpers import expect_error


@pytest.mark.parametrize("frames", ["0", "1", "2000000"])
def test_a_soak_length_out_of_range_is_refused(
    capsys: pytest.CaptureFixture[str], frames: str
) -> None:
    err = expect_error(capsys, ["bench", "--soak-frames", frames, "--skip-emulate"])
    assert f"--soak-frames must be 2 to 1,000,000, got {frames}" in err
