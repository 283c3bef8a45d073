"""Trackers: sources of landmarks and tracked objects (hands, faces, markers, boxes).

The face detector (boxes of every face, near or a few metres away: what privacy
redaction hides) is exported here; the other trackers are imported from their modules.
"""

from hud.trackers.face_detection import FaceDetector, FaceDetectorOptions
from hud.trackers.results import FaceDetection

__all__ = ["FaceDetection", "FaceDetector", "FaceDetectorOptions"]
