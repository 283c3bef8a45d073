"""보고 묻기 — the Korean walkthrough of demo 1 (``demos/look_and_ask.py --lang ko``).

The same app, world and wearer as :mod:`look_and_ask`, with every string in Korean: the
window's title, the question the pinch asks (the script's ``"ko"`` one, 「이게 뭐야?」), the
cards' titles and answers (``assets/look_and_ask_ko.toml``) and the lines it prints.
The cards are drawn with the bundled NanumSquareRound, which has the Hangul syllables.

    python demos/look_and_ask_ko.py                                     # 창 (디스플레이 필요)
    python demos/look_and_ask_ko.py --script --out-dir out/look_and_ask_ko   # 헤드리스, 스크립트

Every option of :mod:`look_and_ask` works here too (``--knowledge``, ``--input-script``,
``--headless --frames N --out DIR|FILE.mp4``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from look_and_ask import main as look_and_ask_main


def main(argv: list[str] | None = None) -> int:
    """Demo 1 in Korean (``--lang ko`` is the default here)."""
    args = sys.argv[1:] if argv is None else list(argv)
    return look_and_ask_main(args, lang="ko")


if __name__ == "__main__":
    raise SystemExit(main())
