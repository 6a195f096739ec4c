"""Webcam proctoring of the 120-minute exam."""

from .analysis import FLAGS, FrameAnalysis, analyze_frame

__all__ = ["FLAGS", "FrameAnalysis", "analyze_frame"]
