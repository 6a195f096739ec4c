"""Webcam proctoring of the 120-minute exam.

The frame analysis pulls in OpenCV and the detector models; it is loaded on first use
of ``analyze_frame``, ``FrameAnalysis`` or ``FLAGS`` so that importing the package (its
models, services and views) stays cheap for code that never analyses a frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["FLAGS", "FrameAnalysis", "analyze_frame"]

if TYPE_CHECKING:
    from .analysis import FLAGS, FrameAnalysis, analyze_frame


def __getattr__(name: str):
    if name in __all__:
        from . import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
