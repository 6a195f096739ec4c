"""MediaPipe BlazeFace run through ``cv2.dnn``, with the pre- and post-processing rebuilt here.

The ``.tflite`` graphs end at raw regressors and logits; MediaPipe normally adds the
anchors, the box decoding and the weighted non-maximum suppression in C++ graph
calculators, which are not available without the ``mediapipe`` package. The anchor
layouts below reproduce ``SsdAnchorsCalculator`` for the two published options sets
(``face_detection_short_range_common.pbtxt`` and ``..._full_range_common.pbtxt``):
every anchor has unit size, so only its centre matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import models


@dataclass(frozen=True)
class DetectorSpec:
    model: str
    input_size: int
    # (stride, anchors per cell) once per feature map, after MediaPipe merges the
    # layers that share a stride.
    layout: tuple[tuple[int, int], ...]


SHORT = DetectorSpec(models.SHORT_RANGE, 128, ((8, 2), (16, 6)))
FULL = DetectorSpec(models.FULL_RANGE, 192, ((4, 1),))

# Keypoint order in the model output.
RIGHT_EYE, LEFT_EYE, NOSE, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True)
class Detection:
    """Box and keypoints in pixels of the analysed image; ``score`` is the sigmoid confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    keypoints: np.ndarray  # (6, 2)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(self.width, 0.0) * max(self.height, 0.0)


_anchor_cache: dict[DetectorSpec, np.ndarray] = {}


def anchors(spec: DetectorSpec) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1], in the order the model emits its rows."""
    cached = _anchor_cache.get(spec)
    if cached is not None:
        return cached
    parts = []
    for stride, per_cell in spec.layout:
        cells = spec.input_size // stride
        centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(centres, centres, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        parts.append(np.repeat(grid, per_cell, axis=0))
    result = np.concatenate(parts, axis=0)
    _anchor_cache[spec] = result
    return result


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """Fit into a square without distortion: BlazeFace was trained on undistorted faces."""
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    pad_x, pad_y = (size - nw) // 2, (size - nh) // 2
    boxed = cv2.copyMakeBorder(
        resized, pad_y, size - nh - pad_y, pad_x, size - nw - pad_x, cv2.BORDER_CONSTANT, value=(0, 0, 0)
    )
    return boxed, scale, pad_x, pad_y


def run(spec: DetectorSpec, image: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    """Raw (N, 16) regressions and (N,) logits for a BGR image."""
    boxed, scale, pad_x, pad_y = letterbox(image, spec.input_size)
    blob = cv2.dnn.blobFromImage(boxed, 1.0 / 127.5, None, (127.5, 127.5, 127.5), swapRB=True)
    net, outputs = models.net(spec.model)
    net.setInput(blob)
    out = net.forward(outputs)
    # Output names differ between the two graphs; tell them apart by width.
    regress = next(o for o in out if o.shape[-1] == 16).reshape(-1, 16)
    logits = next(o for o in out if o.shape[-1] == 1).reshape(-1)
    return regress, logits, scale, pad_x, pad_y


def decode(
    spec: DetectorSpec,
    regress: np.ndarray,
    logits: np.ndarray,
    min_score: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes as (M, 16) [cx, cy, w, h, kx0, ky0, ...] in letterbox units and their scores."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80.0, 80.0)))
    keep = scores >= min_score
    if not keep.any():
        return np.empty((0, 16), np.float32), np.empty((0,), np.float32)
    raw = regress[keep] / spec.input_size
    centre = anchors(spec)[keep]
    raw[:, 0:2] += centre
    raw[:, 4:16] += np.tile(centre, 6)
    return raw, scores[keep]


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    ax0, ay0, ax1, ay1 = box
    bx0, by0, bx1, by1 = others[:, 0], others[:, 1], others[:, 2], others[:, 3]
    iw = np.clip(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0.0, None)
    ih = np.clip(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0.0, None)
    inter = iw * ih
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / np.maximum(union, 1e-9)


def weighted_nms(
    corners: np.ndarray, scores: np.ndarray, iou_threshold: float
) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's WEIGHTED suppression: a cluster of overlapping boxes becomes its score-weighted mean.

    ``corners`` is (M, 16): x0, y0, x1, y1, then six keypoints. Averaging rather than
    discarding steadies the box and keypoints, which the pose estimate depends on.
    """
    order = np.argsort(-scores)
    corners, scores = corners[order], scores[order]
    alive = np.ones(len(scores), dtype=bool)
    result = []
    for i in range(len(scores)):
        if not alive[i]:
            continue
        overlap = _iou(corners[i, :4], corners[:, :4]) > iou_threshold
        members = alive & overlap
        members[i] = True
        weights = scores[members]
        merged = (corners[members] * weights[:, None]).sum(axis=0) / weights.sum()
        result.append((merged, float(scores[i])))
        alive &= ~members
    return result


def candidates(spec: DetectorSpec, image: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """One model's boxes above ``min_score`` as (M, 16) corner rows in image pixels, before suppression."""
    regress, logits, scale, pad_x, pad_y = run(spec, image)
    raw, scores = decode(spec, regress, logits, min_score)
    if not len(scores):
        return np.empty((0, 16), np.float32), scores
    pts = raw[:, 4:16].reshape(-1, 6, 2)
    cx, cy, bw, bh = raw[:, 0], raw[:, 1], raw[:, 2], raw[:, 3]
    box = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1).reshape(-1, 2, 2)
    both = np.concatenate([box, pts], axis=1) * spec.input_size
    both[..., 0] = (both[..., 0] - pad_x) / scale
    both[..., 1] = (both[..., 1] - pad_y) / scale
    return both.reshape(-1, 16), scores


def merge(
    found: list[tuple[np.ndarray, np.ndarray]], width: int, height: int, iou_threshold: float
) -> list[Detection]:
    """Suppress duplicates across all models' candidates; faces largest first."""
    corners = [c for c, s in found if len(s)]
    if not corners:
        return []
    scores = np.concatenate([s for _, s in found if len(s)])
    faces: list[Detection] = []
    for c, score in weighted_nms(np.concatenate(corners), scores, iou_threshold):
        x0, y0 = max(float(c[0]), 0.0), max(float(c[1]), 0.0)
        x1, y1 = min(float(c[2]), float(width)), min(float(c[3]), float(height))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        faces.append(Detection(x0, y0, x1, y1, score, c[4:16].reshape(6, 2).astype(np.float32)))
    faces.sort(key=lambda d: d.area, reverse=True)
    return _drop_nested(faces)


def _drop_nested(faces: list[Detection], share: float = 0.6) -> list[Detection]:
    """Drop a box lying mostly inside a larger one.

    The two models (and the two anchor scales of one model) sometimes box the same
    face at two sizes whose IoU stays under the suppression threshold; two real
    faces never overlap like that.
    """
    kept: list[Detection] = []
    for face in faces:  # largest first
        inside = False
        for big in kept:
            iw = min(face.x1, big.x1) - max(face.x0, big.x0)
            ih = min(face.y1, big.y1) - max(face.y0, big.y0)
            if iw > 0 and ih > 0 and iw * ih > share * face.area:
                inside = True
                break
        if not inside:
            kept.append(face)
    return kept


def detect(
    image: np.ndarray,
    specs: tuple[DetectorSpec, ...],
    min_score: float,
    iou_threshold: float,
) -> list[Detection]:
    """Faces found by any of ``specs``, merged across models, largest first."""
    h, w = image.shape[:2]
    return merge([candidates(spec, image, min_score) for spec in specs], w, h, iou_threshold)
