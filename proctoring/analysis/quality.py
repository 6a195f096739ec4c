"""Whole-frame statistics that tell "the camera sees nothing useful" apart from "nobody is there".

A face detector that finds nothing in a black, flat or smeared frame has not shown
that the candidate left; it could not look. These numbers let the analyser say
``camera_blocked`` in that case instead of ``no_face``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import thresholds as T

# Statistics are taken on a thumbnail: the decisions depend on coarse structure and
# a 160 px image costs a tenth of a millisecond.
_STATS_WIDTH = 160
_DETAIL_WIDTH = 40


@dataclass(frozen=True)
class FrameQuality:
    brightness: float  # mean luma, 0-255
    contrast: float  # standard deviation of luma
    sharpness: float  # variance of the Laplacian on a 40 px wide thumbnail
    dark: bool
    uniform: bool
    featureless: bool

    @property
    def blocked_if_no_face(self) -> bool:
        return self.dark or self.uniform or self.featureless


def measure(image: np.ndarray) -> tuple[FrameQuality, np.ndarray]:
    """Statistics of the frame and its grey thumbnail (reused for nothing else but kept cheap)."""
    h, w = image.shape[:2]
    tw = min(_STATS_WIDTH, w)
    th = max(1, round(h * tw / w))
    small = cv2.resize(image, (tw, th), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    mean, std = cv2.meanStdDev(grey)
    brightness, contrast = float(mean[0, 0]), float(std[0, 0])
    # Detail is measured at 40 px: webcam sensor noise in a dark or covered frame
    # averages out there, while real edges (a room, a face) survive.
    tiny = cv2.resize(
        grey, (_DETAIL_WIDTH, max(1, round(th * _DETAIL_WIDTH / tw))), interpolation=cv2.INTER_AREA
    )
    sharpness = float(cv2.Laplacian(tiny, cv2.CV_32F, ksize=3).var())
    # "99th percentile below DARK_P99", counted instead of sorted.
    bright_share = np.count_nonzero(grey >= T.DARK_P99) / max(grey.size, 1)
    dark = brightness < T.DARK_MEAN and bright_share < 0.01
    uniform = contrast < T.UNIFORM_STD
    featureless = sharpness < T.FEATURELESS_LAPLACIAN and contrast < T.FEATURELESS_STD
    return FrameQuality(brightness, contrast, sharpness, dark, uniform, featureless), grey
