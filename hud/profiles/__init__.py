"""Display profiles: the optical facts of a pair of AR glasses, read by every stage.

A profile is the device, not a stage of the per-frame flow: anchors need its field of
view, layout its pixels per degree, the renderer its resolution and the optics its
brightness and artefacts. The built-in profiles are TOML files in ``builtin/`` with their
cited sources, loaded by the same loader as a user's profile file.

``model`` holds the data (:class:`DisplayProfile`, :class:`Artefacts`); ``loader`` reads
profile files, the built-ins among them, and resolves names and paths.
"""

from hud.profiles.loader import (
    BUILTIN_PROFILES,
    SOURCES,
    ProfileRegistry,
    get_profile,
    list_profiles,
    load_profile_file,
    profile_from_mapping,
)
from hud.profiles.model import Artefacts, DisplayProfile, fov_from_diagonal

__all__ = [
    "BUILTIN_PROFILES",
    "SOURCES",
    "Artefacts",
    "DisplayProfile",
    "ProfileRegistry",
    "fov_from_diagonal",
    "get_profile",
    "list_profiles",
    "load_profile_file",
    "profile_from_mapping",
]
