"""Frames in and files out: the first stage of the per-frame flow.

- :mod:`hud.io.sources`: frame sources (camera, video file, image sequence, recorded
  session), each frame with a timestamp taken from the source, never the wall clock.
- :mod:`hud.io.images`: reading world images and writing PNGs atomically, with errors a
  user can act on.
- :mod:`hud.io.session` and :mod:`hud.io.records`: the session file format (what
  ``hud record`` writes and ``hud replay`` reads) and its per-frame records.
"""
