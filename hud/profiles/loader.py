"""Display profiles: the optical facts of a pair of AR glasses, as plain data.

A profile is everything the optics emulation needs to know about one device: how wide
its field of view is, how many pixels it spreads over it, how bright it gets, how much
world light its lenses pass, and how strong its waveguide's artefacts are. The built-in
profiles cite their sources in ``SOURCES``; where a maker publishes no figure we say it
is an estimate and how it was derived (see ``docs/profiles.md``).

Angles are in degrees of visual angle. The display is modelled as a flat virtual image,
so pixels are uniform in ``tan(angle)``: the diagonal field of view follows from the
horizontal and vertical ones as ``2·atan(√(tan²(h/2) + tan²(v/2)))``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from hud.errors import HudError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Artefacts:
    """How strongly the waveguide departs from an ideal display (0 = ideal).

    These drive the optics effects; their defaults depend on the waveguide kind because a
    diffractive (surface-relief grating) waveguide shows rainbow colour shifts and world-side
    streaks that a geometric (reflective) one does not.
    """

    #: Luminance fall-off from centre to the FOV corner (fraction lost at the corner).
    falloff: float = 0.25
    #: Amplitude of the per-channel colour non-uniformity across the FOV (0.15 = ±15 %).
    colour_nonuniformity: float = 0.15
    #: Lateral colour shift of red vs. blue at the FOV edge, in degrees (diffractive dispersion).
    rainbow_deg: float = 0.15
    #: Strength of rainbow streaks that bright world light makes through the grating.
    world_streaks: float = 0.5
    #: Intensity of the ghost image (fraction of the main image) and its offset in degrees.
    ghost: float = 0.03
    ghost_offset_deg: tuple[float, float] = (0.6, 0.4)
    #: Image shift per millimetre of pupil offset ("pupil swim"), degrees/mm.
    swim_deg_per_mm: float = 0.08


@dataclass(frozen=True)
class DisplayProfile:
    """One device's display, per eye."""

    name: str
    label: str
    eyes: int
    #: Which eye carries the display for monocular devices ("left" or "right"); "both" if eyes=2.
    eye: str
    width_px: int
    height_px: int
    fov_h_deg: float
    fov_v_deg: float
    peak_nits: float
    refresh_hz: float
    #: Fraction of world light the lens passes (0-1), photopic, lenses in their clear state.
    transmittance: float
    #: Motion-to-photon latency of world-locked content, milliseconds.
    latency_ms: float = 20.0
    #: "rgb" or "mono"; a monochrome display emits only ``mono_rgb``.
    colour: str = "rgb"
    mono_rgb: tuple[float, float, float] = (0.0, 1.0, 0.0)
    waveguide: str = "diffractive"
    #: Where the FOV centre sits relative to straight ahead (x right, y down), degrees.
    center_offset_deg: tuple[float, float] = (0.0, 0.0)
    #: Eyebox width and height, mm: the pupil sees the whole FOV anywhere inside it.
    eyebox_mm: tuple[float, float] = (10.0, 8.0)
    #: Corner radius of the visible FOV and the width of its soft edge, degrees.
    corner_radius_deg: float = 2.0
    edge_softness_deg: float = 0.4
    ipd_mm: float = 63.0
    artefacts: Artefacts = field(default_factory=Artefacts)

    @property
    def fov_diag_deg(self) -> float:
        th = math.tan(math.radians(self.fov_h_deg) / 2)
        tv = math.tan(math.radians(self.fov_v_deg) / 2)
        return math.degrees(2 * math.atan(math.hypot(th, tv)))

    @property
    def ppd(self) -> float:
        """Mean pixels per degree across the horizontal field of view."""
        return self.width_px / self.fov_h_deg

    def summary(self) -> dict[str, Any]:
        """The keys ``hud profiles --json`` promises, plus the rest of the profile."""
        d = asdict(self)
        d["fov_diag_deg"] = round(self.fov_diag_deg, 2)
        d["ppd"] = round(self.ppd, 2)
        d["sources"] = dict(SOURCES.get(self.name, {}))
        return d


def fov_from_diagonal(diag_deg: float, width_px: int, height_px: int) -> tuple[float, float]:
    """Horizontal and vertical FOV of a flat display with square pixels and this diagonal."""
    t = math.tan(math.radians(diag_deg) / 2)
    d = math.hypot(width_px, height_px)
    h = math.degrees(2 * math.atan(t * width_px / d))
    v = math.degrees(2 * math.atan(t * height_px / d))
    return round(h, 3), round(v, 3)


_DIFFRACTIVE_SIC = Artefacts(
    falloff=0.2, colour_nonuniformity=0.10, rainbow_deg=0.06, world_streaks=0.15, ghost=0.02
)
_DIFFRACTIVE_GLASS = Artefacts(
    falloff=0.3, colour_nonuniformity=0.2, rainbow_deg=0.18, world_streaks=0.6, ghost=0.03
)
_GEOMETRIC = Artefacts(
    falloff=0.15,
    colour_nonuniformity=0.05,
    rainbow_deg=0.0,
    world_streaks=0.0,
    ghost=0.04,
    ghost_offset_deg=(0.0, 0.8),
)
_BIRDBATH = Artefacts(
    falloff=0.12,
    colour_nonuniformity=0.03,
    rainbow_deg=0.0,
    world_streaks=0.0,
    ghost=0.05,
    ghost_offset_deg=(0.0, 1.2),
    swim_deg_per_mm=0.05,
)

_ORION_FOV = fov_from_diagonal(70.0, 800, 600)
_RAYBAN_FOV = fov_from_diagonal(20.0, 600, 600)
_SPECTACLES_FOV = fov_from_diagonal(46.0, 1056, 1408)
_XREAL_FOV = fov_from_diagonal(57.0, 1920, 1080)
_ML2_FOV = fov_from_diagonal(70.0, 1440, 1760)
_EVEN_FOV = fov_from_diagonal(20.0, 640, 200)

BUILTIN_PROFILES: dict[str, DisplayProfile] = {
    p.name: p
    for p in [
        DisplayProfile(
            name="orion",
            label="Meta Orion (prototype)",
            eyes=2,
            eye="both",
            width_px=800,
            height_px=600,
            fov_h_deg=_ORION_FOV[0],
            fov_v_deg=_ORION_FOV[1],
            peak_nits=1000.0,
            refresh_hz=72.0,
            transmittance=0.80,
            latency_ms=20.0,
            waveguide="diffractive-sic",
            eyebox_mm=(10.0, 8.0),
            corner_radius_deg=6.0,
            artefacts=_DIFFRACTIVE_SIC,
        ),
        DisplayProfile(
            name="rayban-display",
            label="Meta Ray-Ban Display",
            eyes=1,
            eye="right",
            width_px=600,
            height_px=600,
            fov_h_deg=_RAYBAN_FOV[0],
            fov_v_deg=_RAYBAN_FOV[1],
            peak_nits=5000.0,
            refresh_hz=90.0,
            transmittance=0.85,
            latency_ms=30.0,
            waveguide="geometric",
            center_offset_deg=(4.0, 4.0),
            eyebox_mm=(8.0, 6.0),
            corner_radius_deg=1.5,
            artefacts=_GEOMETRIC,
        ),
        DisplayProfile(
            name="hololens2",
            label="Microsoft HoloLens 2",
            eyes=2,
            eye="both",
            width_px=1440,
            height_px=936,
            fov_h_deg=43.0,
            fov_v_deg=29.0,
            peak_nits=500.0,
            refresh_hz=60.0,
            transmittance=0.40,
            latency_ms=16.0,
            waveguide="diffractive",
            eyebox_mm=(12.0, 9.0),
            corner_radius_deg=3.0,
            artefacts=_DIFFRACTIVE_GLASS,
        ),
        DisplayProfile(
            name="magicleap2",
            label="Magic Leap 2",
            eyes=2,
            eye="both",
            width_px=1440,
            height_px=1760,
            fov_h_deg=_ML2_FOV[0],
            fov_v_deg=_ML2_FOV[1],
            peak_nits=2000.0,
            refresh_hz=120.0,
            transmittance=0.22,
            latency_ms=16.0,
            waveguide="diffractive",
            eyebox_mm=(12.0, 10.0),
            corner_radius_deg=5.0,
            artefacts=_DIFFRACTIVE_GLASS,
        ),
        DisplayProfile(
            name="spectacles5",
            label="Snap Spectacles (5th generation)",
            eyes=2,
            eye="both",
            width_px=1056,
            height_px=1408,
            fov_h_deg=_SPECTACLES_FOV[0],
            fov_v_deg=_SPECTACLES_FOV[1],
            peak_nits=2000.0,
            refresh_hz=46.0,
            transmittance=0.45,
            latency_ms=13.0,
            waveguide="diffractive",
            eyebox_mm=(10.0, 8.0),
            corner_radius_deg=3.0,
            artefacts=_DIFFRACTIVE_GLASS,
        ),
        DisplayProfile(
            name="xreal-one-pro",
            label="XREAL One Pro",
            eyes=2,
            eye="both",
            width_px=1920,
            height_px=1080,
            fov_h_deg=_XREAL_FOV[0],
            fov_v_deg=_XREAL_FOV[1],
            peak_nits=700.0,
            refresh_hz=120.0,
            transmittance=0.25,
            latency_ms=3.0,
            waveguide="birdbath",
            eyebox_mm=(12.0, 8.0),
            corner_radius_deg=1.0,
            artefacts=_BIRDBATH,
        ),
        DisplayProfile(
            name="even-g1",
            label="Even Realities G1",
            eyes=2,
            eye="both",
            width_px=640,
            height_px=200,
            fov_h_deg=_EVEN_FOV[0],
            fov_v_deg=_EVEN_FOV[1],
            peak_nits=1000.0,
            refresh_hz=20.0,
            transmittance=0.90,
            latency_ms=50.0,
            colour="mono",
            mono_rgb=(0.15, 1.0, 0.25),
            waveguide="diffractive",
            center_offset_deg=(0.0, -3.0),
            eyebox_mm=(10.0, 8.0),
            corner_radius_deg=1.0,
            artefacts=_DIFFRACTIVE_GLASS,
        ),
    ]
}

#: Where each figure comes from. "estimate: ..." says how a figure was derived when no
#: maker figure exists. Detailed notes are in docs/profiles.md.
SOURCES: dict[str, dict[str, str]] = {
    "orion": {
        "fov": "Meta, Orion reveal at Connect 2024: 70° field of view (diagonal); reported by "
        "Ars Technica, 'Meta's new lightweight AR prototype...' (Sept 2024).",
        "resolution": "estimate: Meta publishes no pixel count; a hands-on (TechRadar-syndicated, "
        "https://techrdry.pages.dev/posts/meta-orion-hands-on-if-this-is-a-prototype-the-"
        "finished-product-is-going-to-be-incredible) reports 13 ppd; 800×600 at 4:3 over a "
        "70° diagonal gives 13.7 ppd.",
        "peak_nits": "estimate: unpublished; microLED projectors through SiC waveguides, "
        "and Display Daily reports Meta struggled with microLED brightness in normal lighting "
        "(displaydaily.com/constraints-of-microled-technology-deprecate-metas-ambitions-for-"
        "ar-vr); 1,000 nits assumed.",
        "refresh_hz": "estimate: unpublished; 72 Hz assumed (Quest-class timing).",
        "transmittance": "estimate: unpublished; clear silicon-carbide waveguide stack, no "
        "tint; 0.80. KGOnTech, 'Meta Orion (Pt. 3 Response to Meta CTO on Eye Glow and "
        "Transparency)' (29 Oct 2024) discusses it but no figure was retrieved.",
        "latency": "estimate: unpublished; 20 ms, a typical world-locked AR pipeline.",
        "eyes": "Meta: binocular; projectors in both arms feed waveguides in both lenses (Ars "
        "Technica, above).",
    },
    "rayban-display": {
        "fov": "Meta, Ray-Ban Display launch (Sept 2025): about 20° field of view; reported by "
        "a hands-on report (https://www.efritool.com/2025/09/neural-wristband-feels-like-"
        "beginning.html) and Rethink Research (https://rethinkresearch.biz/?p=60737).",
        "resolution": "Meta: 600×600 px, 42 pixels per degree (same sources); iFixit teardown "
        "confirms a 600×600 Omnivision LCoS projector (https://particle.news/story/ifixit-"
        "teardown-reveals-rayban-displays-reflective-waveguide-optics-flags-poor-repairability).",
        "peak_nits": "Meta: up to 5,000 nits (TIMEWELL, https://timewell.jp/en/columns/"
        "ray-ban-display).",
        "refresh_hz": "Meta launch figure 90 Hz (content 30 Hz), as given in the issue; no "
        "public page stating it was found in this check.",
        "transmittance": "estimate: geometric reflective (Lumus-type) waveguide and "
        "Transitions Gen 8 lenses in their clear state pass about 85 %.",
        "latency": "estimate: unpublished; 30 ms, content is head-locked and drawn at 30 Hz.",
        "eyes": "Meta: monocular, right eye only (TIMEWELL, above).",
        "center_offset": "estimate: the image sits below and right of the line of sight "
        "(TIMEWELL: 'positioned below and to the right'); 4° each way assumed.",
    },
    "hololens2": {
        "fov": "Microsoft (Alex Kipman): 52° diagonal at 3:2; 43° × 29° is UploadVR's "
        "split of that diagonal (https://mspoweruser.com/controversy-around-hololens-2-field-"
        "of-view-continues/). Microsoft's hardware page (learn.microsoft.com/hololens/"
        "hololens2-hardware) gives no angles.",
        "resolution": "Microsoft hardware page: '2k 3:2 light engines'; Microsoft Mixed Reality "
        "docs, 'Rendering': HoloLens 2 defaults to a 1440×936 render target (about 33 ppd, "
        "MRTK PR #8808).",
        "peak_nits": "estimate: unpublished by Microsoft; about 500 nits as quoted by reviewers "
        "(https://guidantech.com/?p=276222).",
        "refresh_hz": "Microsoft MRTK docs, 'Performance - Getting started': the HoloLens "
        "target frame rate is 60 FPS.",
        "transmittance": "estimate: unpublished; tinted visor, about 40 % assumed.",
        "latency": "estimate: unpublished; 16 ms, one 60 Hz frame with late-stage reprojection.",
        "eyes": "Microsoft: binocular, see-through waveguides for both eyes.",
    },
    "magicleap2": {
        "fov": "Magic Leap developer docs, 'Field of View' "
        "(https://developer-docs.magicleap.cloud/docs/21-Aug-2024/device/hardware/fov): "
        "45°H × 55°V (70°D). The profile keeps the 70° diagonal and splits it by the 1440×1760 "
        "pixel aspect in tan space (47.8° × 56.9°): the published H × V figures are not "
        "consistent with a flat display of that diagonal (they give 65-67°).",
        "resolution": "Magic Leap developer docs, 'Magic Leap 2 Overview': 1440×1760 per eye.",
        "peak_nits": "Magic Leap (Kevin Curtis, SPIE AR/VR/MR 2022): 20-2,000 nits; Road to VR, "
        "https://www.roadtovr.com/magic-leap-2-details-dynamic-dimming-kevin-curtis/.",
        "refresh_hz": "estimate: no display refresh figure found; the segmented dimmer "
        "refreshes at 120 Hz (Road to VR, above) and Magic Leap's Unity plugin offers a "
        "Max_120Hz frame-timing hint; 120 Hz assumed.",
        "transmittance": "Magic Leap (Curtis, SPIE 2022): dimming from 22 % (clear) to 0.3 % "
        "(Road to VR, above; Display Daily, 'Karl Guttag digs deep into Magic Leap "
        "presentation').",
        "latency": "estimate: unpublished; 16 ms, hardware time-warp (Magic Leap 2 Overview).",
        "eyes": "Magic Leap: binocular.",
    },
    "spectacles5": {
        "fov": "Snap, Spectacles (2024) announcement: 46° diagonal field of view "
        "(Voices of VR #1464, https://voicesofvr.com/1464-snaps-head-of-spectacles-software-"
        "engineering-shares-technical-break-down-of-design-tradeoffs/; gizmogo.com).",
        "resolution": "Snap: 37 pixels per degree; estimate: Snap gives no pixel count, so "
        "1056×1408 (3:4 portrait, assumed) gives 37 ppd across a 46° diagonal.",
        "peak_nits": "estimate: unpublished for 2024; 2,000 nits was Snap's figure for the "
        "2021 Spectacles (XDA, https://www.xda-developers.com/snaps-spectacles-ar-glasses/).",
        "refresh_hz": "estimate: no published figure found; 46 Hz is kept from the original "
        "profile and is unverified.",
        "latency": "Snap (Daniel Wagner, Lens Fest 2024): 13 ms motion-to-photon "
        "(Voices of VR #1464, above).",
        "transmittance": "estimate: automatically tinting lenses; 45 % assumed (clear state).",
        "eyes": "Snap: binocular, stereo waveguide display with LCoS projectors "
        "(https://spectaclesdocs.com/task/blog/ar-glasses-optical-waveguide-displays).",
    },
    "xreal-one-pro": {
        "fov": "XREAL: One Pro 57° field of view (diagonal), One 50°; reported at launch "
        "(technianews.com, Arabic reprint of a Xreal One / One Pro hands-on).",
        "resolution": "1920×1080 per eye micro-OLED, kept; not re-found for the One Pro itself. "
        "The ROG XREAL R1, with the same 57° FOV, is specified at 1920×1080 on a 0.55-inch "
        "Sony micro-OLED (https://remiam.co.uk/notes/ar-glasses-as-a-monitor).",
        "peak_nits": "700 nits, kept; stated for the ROG XREAL R1 with the same "
        "57° optics, above); not re-found for the One Pro itself.",
        "refresh_hz": "XREAL: up to 120 Hz; measured on the XREAL One with TestUFO "
        "(https://blog.8796.jp/, Jan 2025); 60 Hz in wide-screen mode.",
        "latency": "XREAL: 3 ms motion-to-photon for the X1 chip's 3DoF screen anchoring "
        "(technianews, above).",
        "transmittance": "estimate: unpublished; birdbath-class combiners pass roughly a "
        "quarter of world light; with the electrochromic dimmer clear, about 25 %.",
        "eyes": "XREAL: binocular, one micro-OLED per eye.",
    },
    "even-g1": {
        "fov": "estimate: about 20° (taken as diagonal) from developers' descriptions "
        "(https://feedback-loupe.com/?p=131); Even publishes none.",
        "resolution": "640×200 px as given in the issue; Even Realities' own EvenDemoApp "
        "(github.com/even-realities/EvenDemoApp) sends 576×136 1-bit images and lays text "
        "out 488 px wide, so the addressable area is smaller than the panel.",
        "peak_nits": "estimate: the commonly quoted 1,000 nits; no Even Realities page for "
        "it was found in this check.",
        "refresh_hz": "estimate: 20 Hz, a low-power text display fed over BLE.",
        "latency": "estimate: 50 ms; content is sent over two BLE links, left then right "
        "(EvenDemoApp README).",
        "colour": "Even Realities: monochrome green micro-LED (EvenDemoApp; "
        "https://feedback-loupe.com/?p=131).",
        "transmittance": "estimate: clear prescription-style lenses, 90 %.",
        "eyes": "Even Realities: binocular, one display per lens, each arm a separate BLE "
        "connection (EvenDemoApp README).",
    },
}


_REQUIRED = ("name", "width_px", "height_px", "peak_nits", "transmittance")
_NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "width_px": (16, 16384),
    "height_px": (16, 16384),
    "fov_h_deg": (1.0, 170.0),
    "fov_v_deg": (1.0, 170.0),
    "fov_diag_deg": (1.0, 175.0),
    "peak_nits": (1.0, 1e6),
    "refresh_hz": (1.0, 1000.0),
    "transmittance": (0.0, 1.0),
    "latency_ms": (0.0, 1000.0),
    "eyes": (1, 2),
}
#: Keys ``hud profiles --json`` writes besides the fields; they are accepted, so its output
#: loads back as input, and ignored (``fov_diag_deg`` is an input and is checked).
_IGNORED = frozenset({"ppd", "sources"})


def profile_from_mapping(data: Mapping[str, Any], origin: str) -> DisplayProfile:
    """Build a profile from a user's TOML/JSON table, with errors that name the bad key.

    A user gives ``fov_h_deg`` and ``fov_v_deg``, or ``fov_diag_deg`` (the split then follows
    the pixel aspect ratio), or all three (the diagonal is then ignored). Unknown keys are an
    error, so a typo is not silently dropped. Every value is checked against the type of its
    field (and, for tuples, its length) before anything is built, so a bad value is a
    :class:`HudError` naming the file and key, never a traceback here or at render time.
    """
    hints = {**_field_types(DisplayProfile), "fov_diag_deg": float}
    known = set(hints) | _IGNORED
    for key in data:
        if key not in known:
            raise HudError(
                f"{origin}: unknown profile key '{key}' (known: {', '.join(sorted(known))})"
            )
    for key in _REQUIRED:
        if key not in data:
            raise HudError(f"{origin}: profile is missing '{key}'")
    values = {k: _check_value(data[k], hint, origin, k) for k, hint in hints.items() if k in data}
    name = values["name"]
    if not name.strip():
        raise HudError(f"{origin}: 'name' must be a non-empty string")
    w, h = values["width_px"], values["height_px"]
    if "fov_h_deg" in values and "fov_v_deg" in values:
        fh, fv = values["fov_h_deg"], values["fov_v_deg"]
    elif "fov_diag_deg" in values:
        fh, fv = fov_from_diagonal(values["fov_diag_deg"], w, h)
    else:
        raise HudError(f"{origin}: give 'fov_h_deg' and 'fov_v_deg', or 'fov_diag_deg'")
    eyes = values.get("eyes", 2)
    eye = values.get("eye", "both" if eyes == 2 else "right")
    if eyes == 1 and eye not in ("left", "right"):
        raise HudError(f"{origin}: 'eye' must be 'left' or 'right' for a monocular profile")
    if values.get("colour", "rgb") not in ("rgb", "mono"):
        raise HudError(f"{origin}: 'colour' must be 'rgb' or 'mono'")
    values.pop("fov_diag_deg", None)
    values.update(
        name=name.strip(),
        label=values.get("label", name),
        eyes=eyes,
        eye=eye if eyes == 1 else "both",
        fov_h_deg=fh,
        fov_v_deg=fv,
        refresh_hz=values.get("refresh_hz", 60.0),
    )
    return DisplayProfile(**values)


def _field_types(cls: type) -> dict[str, Any]:
    """A dataclass's field names and their resolved type annotations, in field order."""
    resolved = get_type_hints(cls)
    return {f.name: resolved[f.name] for f in fields(cls)}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_value(value: Any, hint: Any, origin: str, key: str) -> Any:
    """``value`` checked against the field type ``hint`` and converted to it.

    Bools must be bools; ints whole numbers (``2`` or ``2.0``, not ``1.5`` or ``true``);
    floats finite numbers; ``tuple[float, ...]`` a list of exactly that many finite numbers;
    strings strings; a nested dataclass a table whose keys are checked the same way (its
    errors name ``parent.key``). Keys in ``_NUMERIC_RANGES`` must also lie in their range.
    """
    if is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, Mapping):
            raise HudError(f"{origin}: '{key}' must be a table, got {_show(value)}")
        sub = _field_types(hint)
        for k in value:
            if k not in sub:
                raise HudError(f"{origin}: unknown key '{key}.{k}'")
        return hint(**{k: _check_value(value[k], sub[k], origin, f"{key}.{k}") for k in value})
    if hint is str:
        if not isinstance(value, str):
            raise HudError(f"{origin}: '{key}' must be a string, got {_show(value)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise HudError(f"{origin}: '{key}' must be true or false, got {_show(value)}")
        return value
    if hint is int or hint is float:
        number = _number(value, whole=hint is int)
        lo, hi = _NUMERIC_RANGES.get(key, (-math.inf, math.inf))
        if number is None or not lo <= number <= hi:
            if key in _NUMERIC_RANGES:
                expected = f"{'an integer' if hint is int else 'a number'} in [{lo}, {hi}]"
            else:
                expected = "an integer" if hint is int else "a finite number"
            raise HudError(f"{origin}: '{key}' must be {expected}, got {_show(value)}")
        return number
    if get_origin(hint) is tuple:
        args = get_args(hint)
        items = None
        if isinstance(value, (list, tuple)) and len(value) == len(args):
            items = [_number(v, whole=a is int) for v, a in zip(value, args)]
        if items is None or any(v is None for v in items):
            raise HudError(
                f"{origin}: '{key}' must be a list of {len(args)} numbers, got {_show(value)}"
            )
        return tuple(items)
    raise TypeError(f"profile field '{key}' has an unsupported type {hint!r}")  # pragma: no cover


def _number(value: Any, *, whole: bool) -> float | int | None:
    """``value`` as a finite float (or, if ``whole``, an int); None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        if whole:
            return value
        try:
            return float(value)
        except OverflowError:  # a JSON integer too large for a float
            return None
    if not math.isfinite(value) or (whole and not value.is_integer()):
        return None
    return int(value) if whole else float(value)


def load_profile_file(path: str | Path) -> list[DisplayProfile]:
    """Profiles from a TOML file (``[[profile]]`` tables or one top-level table) or JSON."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise HudError(f"cannot read profile file {p}: {exc.strerror or exc}") from None
    try:
        if p.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise HudError(f"{p}: not valid {p.suffix.lstrip('.').upper() or 'JSON'}: {exc}") from None
    items: list[Any]
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and "profile" in data and isinstance(data["profile"], list):
        items = data["profile"]
    elif isinstance(data, dict):
        items = [data]
    else:
        raise HudError(f"{p}: expected a profile table or a list of them")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise HudError(f"{p}: profile #{i} is not a table")
        out.append(profile_from_mapping(item, f"{p} (profile #{i})"))
    return out


class ProfileRegistry:
    """The built-in profiles plus any a user loaded from files."""

    def __init__(self, extra: Iterable[DisplayProfile] = ()) -> None:
        self._profiles = dict(BUILTIN_PROFILES)
        for prof in extra:
            self._profiles[prof.name] = prof

    def add_file(self, path: str | Path) -> list[DisplayProfile]:
        loaded = load_profile_file(path)
        for prof in loaded:
            self._profiles[prof.name] = prof
        return loaded

    def names(self) -> list[str]:
        return list(self._profiles)

    def get(self, name: str) -> DisplayProfile:
        try:
            return self._profiles[name]
        except KeyError:
            raise HudError(
                f"unknown profile '{name}'; known profiles: {', '.join(self._profiles)}"
            ) from None

    def all(self) -> list[DisplayProfile]:
        return list(self._profiles.values())


def get_profile(name: str) -> DisplayProfile:
    """A built-in profile by name (raises :class:`HudError` listing the known ones)."""
    return ProfileRegistry().get(name)
