"""Privacy by design: bystanders' faces are hidden in everything saved or sent.

The people around the wearer did not agree to be recorded. :class:`FaceRedactor`
(:mod:`hud.privacy.redact`) blurs every face it finds — keeping the wearer's own hands
sharp — and is what ``hud record`` runs on stored frames and ``hud redact`` on images,
videos and sessions. Call it on anything else that leaves the pipeline: screenshots,
MP4s, crops sent to an answer source (redact the whole frame, then crop).
"""

from hud.privacy.redact import (
    FaceRedactor,
    RedactOptions,
    RedactResult,
    describe_redaction,
    hand_boxes,
)

__all__ = ["FaceRedactor", "RedactOptions", "RedactResult", "describe_redaction", "hand_boxes"]
