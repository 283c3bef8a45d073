"""Display profiles: the optical facts of a pair of AR glasses, read by every stage.

A profile is the device, not a stage of the per-frame flow: anchors need its field of
view, layout its pixels per degree, the renderer its resolution and the optics its
brightness and artefacts. The built-in profiles are TOML files in ``builtin/`` with their
cited sources, loaded by the same loader as a user's profile file.
"""

from hud.profiles.loader import (
    BUILTIN_PROFILES,
    SOURCES,
    Artefacts,
    DisplayProfile,
    ProfileRegistry,
    fov_from_diagonal,
    get_profile,
    load_profile_file,
    profile_from_mapping,
)

__all__ = [
    "BUILTIN_PROFILES",
    "SOURCES",
    "Artefacts",
    "DisplayProfile",
    "ProfileRegistry",
    "fov_from_diagonal",
    "get_profile",
    "load_profile_file",
    "profile_from_mapping",
]
