from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hud.errors import HudError
from hud.io.images import check_output, load_rgb, save_png


def test_exif_rotation_is_applied(tmp_path: Path) -> None:
    """A phone photo taken in portrait is stored landscape with an EXIF orientation tag."""
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:, :5] = 255  # a white stripe on the stored image's left edge
    im = Image.fromarray(stored)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    im.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    rgb = load_rgb(tmp_path / "phone.jpg")
    assert rgb.shape == (40, 20, 3)
    assert rgb[:5].mean() > 200 and rgb[-5:].mean() < 30  # the stripe is now on top


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16"])
def test_any_pixel_format_becomes_rgb(tmp_path: Path, mode: str) -> None:
    Image.new(mode, (8, 6)).save(tmp_path / "x.png")
    assert load_rgb(tmp_path / "x.png").shape == (6, 8, 3)


def test_unreadable_and_missing(tmp_path: Path) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(HudError, match="cannot read image"):
        load_rgb(tmp_path / "bad.jpg")
    with pytest.raises(HudError, match="image not found"):
        load_rgb(tmp_path / "missing.png")


def test_save_png_is_atomic_and_keeps_existing_file_on_error(tmp_path: Path) -> None:
    out = tmp_path / "o.png"
    out.write_bytes(b"keep me")
    with pytest.raises(HudError):
        save_png(out, np.zeros((2, 2, 7), np.uint8))  # not an image Pillow can write
    assert out.read_bytes() == b"keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".waveglass-")]
    save_png(out, np.zeros((2, 2, 3), np.uint8))
    assert Image.open(out).size == (2, 2)


def test_check_output_refuses_what_cannot_become_a_png(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    cases = [
        (tmp_path, "output path is a folder"),
        (f"{tmp_path / 'new'}/", "output path is a folder"),
        (tmp_path / "shot.jpg", "--screenshot must name a .png file"),
        (tmp_path / "nodir" / "x.png", "output folder does not exist"),
        (tmp_path / "file.txt" / "x.png", "output folder is not a folder"),
    ]
    for path, message in cases:
        with pytest.raises(HudError, match=message):
            check_output(path, "--screenshot")
    assert check_output(tmp_path / "ok.PNG") == tmp_path / "ok.PNG"
    with pytest.raises(HudError, match="output must name a .png file"):
        save_png(tmp_path / "x.jpg", np.zeros((2, 2, 3), np.uint8))
    assert not (tmp_path / "x.jpg").exists()


def test_decompression_bombs_get_the_side_limit_message(tmp_path: Path) -> None:
    """Pillow refuses these before giving their size; any of them is over the side limit
    (its bomb threshold, 89 Mpx, is more than 8192²)."""
    import warnings

    for width, height in [(20000, 10000), (10000, 10000)]:  # Pillow: error, warning
        Image.new("1", (width, height)).save(tmp_path / "big.png")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no DecompressionBombWarning escapes either
            with pytest.raises(HudError, match="too many pixels; the largest side allowed is 8192"):
                load_rgb(tmp_path / "big.png")


def test_several_pngs_are_written_all_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure on the second file (a full disk, say) replaces neither: the user's old
    first file is kept, and no temp file is left behind."""
    import errno

    from PIL import Image as PILImage

    from hud.io import images

    keep = tmp_path / "view.png"
    keep.write_bytes(b"the user's picture")
    real_save = PILImage.Image.save
    calls = {"n": 0}

    def save(self: PILImage.Image, fp: object, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save(self, fp, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PILImage.Image, "save", save)
    frame = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(HudError, match="No space left"):
        images.save_pngs([(keep, frame), (tmp_path / "display.png", frame)])
    assert keep.read_bytes() == b"the user's picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.png"]


def test_a_killed_writes_temp_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    from hud.io import images

    dead = tmp_path / f"{images.TEMP_PREFIX}999999999-abc.png"  # no such process
    dead.write_bytes(b"half a png")
    mine = tmp_path / f"{images.TEMP_PREFIX}{os.getpid()}-xyz.png"
    mine.write_bytes(b"being written")
    images.save_png(tmp_path / "out.png", np.zeros((4, 4, 3), np.uint8))
    assert not dead.exists() and mine.exists()
    assert (tmp_path / "out.png").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
