"""Reading display profiles: TOML/JSON files, the built-ins, the registry.

The built-in profiles are TOML files in ``builtin/`` (one per device, listed in order by
``builtin/index.toml``) and go through :func:`load_profile_file` exactly as a user's file
does: one code path, the same validation. :func:`get_profile` takes a built-in name or
the path of a profile file; :func:`list_profiles` gives the built-ins in order.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from hud.errors import HudError, check_regular_file, quote
from hud.profiles.model import PIXEL_FORMATS, DisplayProfile, fov_from_diagonal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: The built-in profiles' files, and the file giving their order.
BUILTIN_DIR = Path(__file__).resolve().with_name("builtin")
_INDEX = "index.toml"

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
#: loads back as input, and ignored (``fov_diag_deg`` is an input and is checked, and so is
#: ``sources``, a field).
_IGNORED = frozenset({"ppd"})


def profile_from_mapping(data: Mapping[str, Any], origin: str) -> DisplayProfile:
    """Build a profile from a user's TOML/JSON table, with errors that name the bad key.

    A user gives ``fov_h_deg`` and ``fov_v_deg``, or ``fov_diag_deg`` (the split then follows
    the pixel aspect ratio), or all three (the diagonal is then ignored); ``sources`` is an
    optional table of strings citing where the figures come from. Unknown keys are an
    error, so a typo is not silently dropped. Every value is checked against the type of its
    field (and, for tuples, its length) before anything is built, so a bad value is a
    :class:`HudError` naming the file and key, never a traceback here or at render time.
    """
    hints = {**_field_types(DisplayProfile), "fov_diag_deg": float}
    known = set(hints) | _IGNORED
    # Nothing of a table is echoed until it is recognised as a profile (it has every
    # required key): a file of secrets named as a profile gets "missing 'name'", never
    # its own key names or values.
    for key in _REQUIRED:
        if key not in data:
            raise HudError(f"{origin}: profile is missing '{key}'")
    for key in data:
        if key not in known:
            raise HudError(
                f"{origin}: unknown profile key {quote(key)} (known: {', '.join(sorted(known))})"
            )
    values = {k: _check_value(data[k], hint, origin, k) for k, hint in hints.items() if k in data}
    name = values["name"]
    if not name.strip():
        raise HudError(f"{origin}: 'name' must be a non-empty string")
    for key in ("name", "label"):
        if key in values and not values[key].isprintable():
            # Names are printed in summaries: no escape sequence may reach a terminal.
            raise HudError(f"{origin}: '{key}' must be printable text, got {quote(values[key])}")
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
    if values.get("pixel_format", "") not in ("", *PIXEL_FORMATS):
        raise HudError(f"{origin}: 'pixel_format' must be one of {', '.join(PIXEL_FORMATS)}")
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
    """A value of a recognised profile, echoed quoted and shortened (:func:`quote`)."""
    return quote(value)


def _step(key: Any) -> str:
    """A key of a user's table as a step of a key path: a plain name as it is, else quoted."""
    plain = isinstance(key, str) and key.isidentifier() and len(key) <= 40
    return key if plain else quote(key)


def _check_value(value: Any, hint: Any, origin: str, key: str) -> Any:
    """``value`` checked against the field type ``hint`` and converted to it.

    Bools must be bools; ints whole numbers (``2`` or ``2.0``, not ``1.5`` or ``true``);
    floats finite numbers; ``tuple[float, ...]`` a list of exactly that many finite numbers;
    strings strings; ``dict[str, str]`` a table of strings; a nested dataclass a table whose
    keys are checked the same way (errors in a table name ``parent.key``). Keys in
    ``_NUMERIC_RANGES`` must also lie in their range.
    """
    if is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, Mapping):
            raise HudError(f"{origin}: '{key}' must be a table, got {_show(value)}")
        sub = _field_types(hint)
        for k in value:
            if k not in sub:
                raise HudError(f"{origin}: unknown key {quote(f'{key}.{k}')}")
        return hint(**{k: _check_value(value[k], sub[k], origin, f"{key}.{k}") for k in value})
    if get_origin(hint) is dict:
        if not isinstance(value, Mapping):
            raise HudError(f"{origin}: '{key}' must be a table, got {_show(value)}")
        item = get_args(hint)[1]
        return {
            str(k): _check_value(v, item, origin, f"{key}.{_step(k)}") for k, v in value.items()
        }
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
    check_regular_file(p, "profile file")
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise HudError(f"cannot read profile file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise HudError(f"{p}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    kind = p.suffix.lstrip(".").upper() or "JSON"
    try:
        if p.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise HudError(f"{p}: not valid {kind}: {exc}") from None
    except RecursionError:
        raise HudError(f"{p}: {kind} nested too deeply to be a profile") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise HudError(f"{p}: not a usable {kind} document ({exc})") from None
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


def _load_builtins() -> dict[str, DisplayProfile]:
    """The profiles named in ``builtin/index.toml``, in its order, each from its own file."""
    index = BUILTIN_DIR / _INDEX
    try:
        order = tomllib.loads(index.read_text(encoding="utf-8")).get("order")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HudError(f"cannot read the built-in profile index {index}: {exc}") from None
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise HudError(f"{index}: 'order' must be a list of profile names")
    out: dict[str, DisplayProfile] = {}
    for name in order:
        path = BUILTIN_DIR / f"{name}.toml"
        loaded = load_profile_file(path)
        if [p.name for p in loaded] != [name]:
            raise HudError(f"{path}: must hold exactly one profile, named '{name}'")
        out[name] = loaded[0]
    return out


#: The built-in profiles by name, in listing order.
BUILTIN_PROFILES: dict[str, DisplayProfile] = _load_builtins()

#: Where each built-in figure comes from, by profile name (each profile's ``sources``).
SOURCES: dict[str, dict[str, str]] = {name: dict(p.sources) for name, p in BUILTIN_PROFILES.items()}


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


def _is_profile_path(name_or_path: str | Path) -> bool:
    """Whether :func:`get_profile` reads this as a file: a ``Path``, or a ``.toml``/``.json`` name."""
    return isinstance(name_or_path, Path) or name_or_path.lower().endswith((".toml", ".json"))


def get_profile(
    name_or_path: str | Path,
    *,
    base_dir: str | Path | None = None,
    registry: ProfileRegistry | None = None,
) -> DisplayProfile:
    """A profile by name, or the first profile of a ``.toml``/``.json`` profile file.

    A name is looked up in ``registry`` (the built-ins when none is given); an unknown
    name is a :class:`HudError` listing the known ones. A path (a :class:`~pathlib.Path`,
    or a string ending ``.toml`` or ``.json``) is read by :func:`load_profile_file`; a
    relative one is taken relative to ``base_dir`` (a scene file's folder, say) when given,
    else to the working directory. Reading a file does not add its profiles to ``registry``.
    """
    if _is_profile_path(name_or_path):
        path = Path(name_or_path)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        loaded = load_profile_file(path)
        if not loaded:
            raise HudError(f"{path}: the file holds no profile")
        return loaded[0]
    return (registry if registry is not None else ProfileRegistry()).get(str(name_or_path))


def list_profiles() -> list[DisplayProfile]:
    """The built-in profiles, in their listing order."""
    return list(BUILTIN_PROFILES.values())
