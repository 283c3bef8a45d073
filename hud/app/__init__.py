"""The app stage: the per-frame pipeline and the ways a host runs it.

- :mod:`hud.app.rerun`: the gesture recognisers re-run on a stored session.
"""
