"""One webcam frame in, the proctoring verdicts out; never an exception for any input.

Decision order, and why:

1. Bytes that are not a sane image become ``unreadable_frame`` with a ``reason``; the
   header is checked before decoding so oversized images cost nothing.
2. Faces are looked for first, even in a dim, flat or blurred frame: a visible face
   beats any statistic. Only a frame that is dark throughout skips detection: what
   the detector finds in amplified sensor noise is not a face.
3. No face *and* a dark, flat or featureless frame is ``camera_blocked``: the camera
   could not see, so absence was not shown, and ``no_face`` is not said. Only a frame
   the camera could see into and that has no face is ``no_face``. The two flags are
   never raised together.
4. ``looking_away`` and ``identity_mismatch`` are judged on the primary face, the
   largest one, which is the person sitting at the webcam.
5. Identity is checked only when a reference photo is given, a face is present, and
   the reference itself shows a face; otherwise ``identity_note`` says why not, and
   no mismatch is claimed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from . import blazeface, identity, pose, quality
from . import thresholds as T
from .decode import UnreadableFrame, decode_frame
from .models import ModelUnavailable

log = logging.getLogger(__name__)

NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
LOOKING_AWAY = "looking_away"
CAMERA_BLOCKED = "camera_blocked"
IDENTITY_MISMATCH = "identity_mismatch"
UNREADABLE_FRAME = "unreadable_frame"
FLAGS = frozenset(
    {NO_FACE, MULTIPLE_FACES, LOOKING_AWAY, CAMERA_BLOCKED, IDENTITY_MISMATCH, UNREADABLE_FRAME}
)

# Reference photos are decoded large enough for a sharp 150 px face chip.
_REFERENCE_MIN_SIDE = 640
# With a reference, the frame is decoded at full size for the same reason.
_IDENTITY_MIN_SIDE = 100_000


@dataclass(frozen=True)
class Face:
    """A detected face in pixels of the submitted image (not of the reduced copy analysed)."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    score: float
    yaw: float  # degrees, positive when the nose points to the image's right


@dataclass(frozen=True)
class FrameAnalysis:
    face_count: int
    flags: frozenset[str]
    faces: tuple[Face, ...] = ()
    width: int = 0
    height: int = 0
    brightness: float | None = None
    contrast: float | None = None
    sharpness: float | None = None
    identity_distance: float | None = None
    identity_note: str | None = None
    reason: str | None = None  # why a frame is unreadable or blocked
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)


def _unreadable(reason: str, started: float) -> FrameAnalysis:
    return FrameAnalysis(
        face_count=0,
        flags=frozenset({UNREADABLE_FRAME}),
        reason=reason,
        timings_ms={"total": (time.perf_counter() - started) * 1000},
    )


def find_faces(image: np.ndarray, thorough: bool) -> list[blazeface.Detection]:
    """Short-range model first; the costlier full-range one only where small faces are plausible."""
    h, w = image.shape[:2]
    found = [blazeface.candidates(blazeface.SHORT, image, T.MIN_SCORE_SHORT)]
    faces = blazeface.merge(found, w, h, T.NMS_IOU)
    if thorough or not faces or faces[0].width < T.FULL_RANGE_BELOW_WIDTH * w:
        found.append(blazeface.candidates(blazeface.FULL, image, T.MIN_SCORE_FULL))
        faces = blazeface.merge(found, w, h, T.NMS_IOU)
    return faces


def _reference_embedding(data: bytes) -> tuple[np.ndarray | None, str | None]:
    try:
        image, _ = decode_frame(data, min_side=_REFERENCE_MIN_SIDE)
    except UnreadableFrame as exc:
        return None, f"reference photo unreadable: {exc}"
    faces = find_faces(image, thorough=True)
    if not faces:
        return None, "no face found in the reference photo"
    return identity.embedding(image, faces[0]), None


def analyze_frame(image: bytes, reference: bytes | None = None, *, thorough: bool = False) -> FrameAnalysis:
    """Analyse one webcam frame; ``reference`` is the candidate's enrolment photo.

    ``thorough`` runs the full-range detector on every frame, which also finds small
    faces behind a close candidate at about twice the cost.
    """
    started = time.perf_counter()
    try:
        return _analyze(image, reference, thorough, started)
    except ModelUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract is: no input raises
        log.exception("frame analysis failed")
        return _unreadable(f"analysis failed: {type(exc).__name__}", started)


def _analyze(data: bytes, reference: bytes | None, thorough: bool, started: float) -> FrameAnalysis:
    timings: dict[str, float] = {}
    mark = started
    min_side = _IDENTITY_MIN_SIDE if reference is not None else None
    try:
        if min_side is None:
            image, header = decode_frame(data)
        else:
            image, header = decode_frame(data, min_side=min_side)
    except UnreadableFrame as exc:
        return _unreadable(str(exc), started)
    now = time.perf_counter()
    timings["decode"], mark = (now - mark) * 1000, now

    frame_quality, _ = quality.measure(image)
    # In a dark frame (99 % of pixels below 40/255) any "face" is the detector
    # hallucinating in amplified noise, so it is not asked.
    faces = [] if frame_quality.dark else find_faces(image, thorough)
    now = time.perf_counter()
    timings["detect"], mark = (now - mark) * 1000, now

    h, w = image.shape[:2]
    # libjpeg applies the EXIF orientation, so a portrait phone photo comes out with
    # width and height swapped relative to its header.
    width, height = header.width, header.height
    if (w > h) != (width > height) and w != h:
        width, height = height, width
    sx, sy = width / w, height / h
    yaws = [pose.yaw_degrees(f.keypoints) for f in faces]
    reported = tuple(
        Face(
            box=(round(f.x0 * sx), round(f.y0 * sy), round(f.x1 * sx), round(f.y1 * sy)),
            score=round(f.score, 3),
            yaw=round(yaw, 1),
        )
        for f, yaw in zip(faces, yaws, strict=True)
    )

    flags: set[str] = set()
    reason = None
    if not faces:
        if frame_quality.blocked_if_no_face:
            flags.add(CAMERA_BLOCKED)
            why = [
                name
                for name, hit in (
                    ("dark", frame_quality.dark),
                    ("uniform", frame_quality.uniform),
                    ("featureless", frame_quality.featureless),
                )
                if hit
            ]
            reason = "camera sees nothing usable: " + ", ".join(why)
        else:
            flags.add(NO_FACE)
    if len(faces) > 1:
        flags.add(MULTIPLE_FACES)
    if faces and abs(yaws[0]) > T.LOOKING_AWAY_YAW:
        flags.add(LOOKING_AWAY)

    distance = None
    note = None
    if reference is not None:
        if not faces:
            note = "no face in the frame to compare"
        else:
            ref_vec, note = identity.cached_reference(bytes(reference), _reference_embedding)
            if ref_vec is not None:
                distance = identity.distance(identity.embedding(image, faces[0]), ref_vec)
                if distance > T.IDENTITY_MAX_DISTANCE:
                    flags.add(IDENTITY_MISMATCH)
        now = time.perf_counter()
        timings["identity"] = (now - mark) * 1000

    timings["total"] = (time.perf_counter() - started) * 1000
    return FrameAnalysis(
        face_count=len(faces),
        flags=frozenset(flags),
        faces=reported,
        width=width,
        height=height,
        brightness=round(frame_quality.brightness, 1),
        contrast=round(frame_quality.contrast, 1),
        sharpness=round(frame_quality.sharpness, 1),
        identity_distance=None if distance is None else round(distance, 4),
        identity_note=note,
        reason=reason,
        timings_ms=timings,
    )
