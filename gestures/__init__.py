"""Hand and gaze input: landmarks in, typed events out.

Every recogniser here is pure numpy on landmarks and takes time from frame
timestamps, so it can be unit-tested and replayed without a camera.
"""
