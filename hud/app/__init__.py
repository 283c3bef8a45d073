"""The app stage: the per-frame pipeline and the ways a host runs it.

- :mod:`hud.app.pipeline`: :class:`~hud.app.pipeline.HudPipeline`, one method per stage.
- :mod:`hud.app.session`: :class:`~hud.app.session.HudSession`, for hosts without a window.
- :mod:`hud.app.app`: :class:`~hud.app.app.HudApp`, an app run unchanged in a window or
  headless, and :class:`~hud.app.app.AppLoop`, its per-frame work.
- :mod:`hud.app.runners`: the window and headless runners, ``run_app``.
- :mod:`hud.app.scheduler`: timers in frame time (dwell, timeouts, blinking).
- :mod:`hud.app.rerun`: the gesture recognisers re-run on a stored session.
"""
