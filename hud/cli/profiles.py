"""``hud profiles``: the display profiles, as a table or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hud.cli.common import add_profile_options, registry_from_args

KEYS = (
    "name",
    "fov_h_deg",
    "fov_v_deg",
    "fov_diag_deg",
    "width_px",
    "height_px",
    "ppd",
    "peak_nits",
    "eyes",
    "refresh_hz",
    "transmittance",
)


def register(sub: Any) -> None:
    p = sub.add_parser("profiles", help="list the display profiles (built-in and from files)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per profile")
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reg = registry_from_args(args)
    rows = []
    for prof in reg.all():
        d = prof.summary()
        d["fov_h_deg"] = round(prof.fov_h_deg, 2)
        d["fov_v_deg"] = round(prof.fov_v_deg, 2)
        rows.append(d)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    header = (
        "profile",
        "FOV h×v (diag)",
        "pixels/eye",
        "ppd",
        "peak nits",
        "eyes",
        "Hz",
        "T",
        "device",
    )
    table = [header]
    for d in rows:
        eyes = "2" if d["eyes"] == 2 else f"1 ({d['eye']})"
        table.append(
            (
                d["name"],
                f"{d['fov_h_deg']:.1f}×{d['fov_v_deg']:.1f}° ({d['fov_diag_deg']:.0f}°)",
                f"{d['width_px']}×{d['height_px']}",
                f"{d['ppd']:.1f}",
                f"{d['peak_nits']:,.0f}",
                eyes,
                f"{d['refresh_hz']:g}",
                f"{d['transmittance']:.2f}",
                d["label"],
            )
        )
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0
