"""``hud bench``: every speed figure of the project, measured side by side in one run.

Absolute milliseconds on a shared machine are noise; ratios measured in the same run are
not. The only library code that reads a real clock lives here (and in the window runner,
which paces frames).
"""
