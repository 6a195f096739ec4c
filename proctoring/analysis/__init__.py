"""Server-side analysis of proctoring webcam frames (faces, gaze direction, camera state, identity)."""

from .analyze import FLAGS, Face, FrameAnalysis, analyze_frame

__all__ = ["FLAGS", "Face", "FrameAnalysis", "analyze_frame"]
