"""identity_mismatch: the same person's photo transformed is no mismatch; another person is."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from proctoring import analyze_frame
from proctoring.analysis import identity


def _decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def _jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def _webcam_frame(photo: np.ndarray, *, scale: float, dx: int, brightness: float, mirror: bool) -> bytes:
    """The photo shrunk onto a grey 640x480 canvas, shifted, re-lit and possibly mirrored."""
    canvas = np.full((480, 640, 3), 70, np.uint8)
    small = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    x, y = (640 - w) // 2 + dx, (480 - h) // 2
    canvas[y : y + h, x : x + w] = small
    if mirror:
        canvas = canvas[:, ::-1]
    return _jpeg(np.clip(canvas.astype(np.float32) * brightness, 0, 255).astype(np.uint8), 70)


@pytest.fixture(scope="module")
def astronaut(astronaut_png):
    return _decode(astronaut_png)


@pytest.fixture(scope="module")
def hopper(hopper_jpeg):
    return _decode(hopper_jpeg)


@pytest.mark.parametrize(
    "scale,dx,brightness,mirror",
    [(0.9, 0, 1.0, False), (0.8, -60, 0.6, True), (0.85, 50, 1.3, False)],
)
def test_same_person_transformed_is_no_mismatch(astronaut, astronaut_png, scale, dx, brightness, mirror):
    frame = _webcam_frame(astronaut, scale=scale, dx=dx, brightness=brightness, mirror=mirror)
    result = analyze_frame(frame, reference=astronaut_png)
    assert result.face_count == 1
    assert "identity_mismatch" not in result.flags
    assert result.identity_distance < 0.45


def test_different_people_are_a_mismatch(astronaut, astronaut_png, hopper, hopper_jpeg):
    for photo, reference in ((hopper, astronaut_png), (astronaut, hopper_jpeg)):
        frame = _webcam_frame(photo, scale=0.8, dx=0, brightness=1.0, mirror=False)
        result = analyze_frame(frame, reference=reference)
        assert "identity_mismatch" in result.flags
        assert result.identity_distance > 0.6


def test_identity_is_only_checked_with_a_reference(astronaut_png):
    result = analyze_frame(astronaut_png)
    assert result.identity_distance is None
    assert "identity" not in result.timings_ms


def test_reference_without_a_face_gives_a_note_not_a_flag(astronaut_png):
    blank = _jpeg(np.full((300, 300, 3), 200, np.uint8))
    result = analyze_frame(astronaut_png, reference=blank)
    assert "identity_mismatch" not in result.flags
    assert result.identity_note == "no face found in the reference photo"


def test_frame_without_a_face_is_not_a_mismatch(hopper_jpeg):
    empty = _jpeg(np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8))
    result = analyze_frame(empty, reference=hopper_jpeg)
    assert "identity_mismatch" not in result.flags
    assert result.identity_note == "no face in the frame to compare"


def test_reference_embedding_is_cached(monkeypatch, astronaut_png, hopper_jpeg):
    identity.clear_cache()
    calls = []
    real = identity.embedding

    def counting(image, face):
        calls.append(image.shape)
        return real(image, face)

    monkeypatch.setattr(identity, "embedding", counting)
    analyze_frame(astronaut_png, reference=hopper_jpeg)
    analyze_frame(astronaut_png, reference=hopper_jpeg)
    # First call: reference + frame; second call: the frame only.
    assert len(calls) == 3
