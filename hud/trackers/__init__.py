"""Trackers: sources of landmarks and tracked objects (hands, faces, markers, boxes)."""
