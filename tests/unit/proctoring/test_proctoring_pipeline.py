"""The pieces under analyze_frame: anchors, suppression, pose, quality, the public contract, threads."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest

import proctoring
from proctoring.analysis import blazeface, pose, quality


def test_public_names():
    assert proctoring.FLAGS == frozenset(
        {
            "no_face",
            "multiple_faces",
            "looking_away",
            "camera_blocked",
            "identity_mismatch",
            "unreadable_frame",
        }
    )
    result = proctoring.analyze_frame(b"")
    assert isinstance(result, proctoring.FrameAnalysis)
    assert isinstance(result.face_count, int)
    assert isinstance(result.flags, frozenset)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.face_count = 3


def test_anchor_layouts_match_the_model_outputs():
    assert blazeface.anchors(blazeface.SHORT).shape == (896, 2)
    assert blazeface.anchors(blazeface.FULL).shape == (2304, 2)
    a = blazeface.anchors(blazeface.SHORT)
    # First cell of the stride-8 grid, twice; first cell of the stride-16 grid, six times.
    np.testing.assert_allclose(a[0], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(a[1], a[0])
    np.testing.assert_allclose(a[512:518], np.tile([0.5 / 8, 0.5 / 8], (6, 1)))


def test_weighted_nms_averages_a_cluster_and_keeps_separate_boxes():
    rows = np.zeros((3, 16), np.float32)
    rows[0, :4] = [0, 0, 10, 10]
    rows[1, :4] = [2, 0, 12, 10]
    rows[2, :4] = [50, 50, 60, 60]
    merged = blazeface.weighted_nms(rows, np.array([0.9, 0.6, 0.8], np.float32), 0.3)
    assert len(merged) == 2
    box, score = merged[0]
    assert score == pytest.approx(0.9)
    assert box[0] == pytest.approx((0 * 0.9 + 2 * 0.6) / 1.5)


def test_nested_duplicate_is_dropped():
    kp = np.zeros((6, 2), np.float32)
    big = blazeface.Detection(0, 0, 100, 100, 0.9, kp)
    inner = blazeface.Detection(30, 30, 70, 70, 0.8, kp)
    other = blazeface.Detection(150, 0, 190, 40, 0.7, kp)
    assert blazeface._drop_nested([big, inner, other]) == [big, other]


def _keypoints(nose_x: float) -> np.ndarray:
    # right eye, left eye, nose, mouth, right ear, left ear (image coordinates, upright face)
    return np.array([[40, 50], [60, 50], [nose_x, 62], [50, 75], [20, 55], [80, 55]], np.float32)


def test_yaw_is_zero_for_a_symmetric_face_and_signed_by_nose_side():
    assert pose.yaw_degrees(_keypoints(50)) == pytest.approx(0.0, abs=1e-4)
    assert pose.yaw_degrees(_keypoints(70)) > 20
    assert pose.yaw_degrees(_keypoints(30)) < -20


def test_yaw_ignores_roll():
    pts = _keypoints(62)
    m = cv2.getRotationMatrix2D((50, 60), 25, 1.0)
    rolled = (np.c_[pts, np.ones(6)] @ m.T).astype(np.float32)
    assert pose.yaw_degrees(rolled) == pytest.approx(pose.yaw_degrees(pts), abs=0.5)


def test_quality_flags():
    rng = np.random.default_rng(0)
    black = np.clip(rng.normal(4, 2, (480, 640, 3)), 0, 255).astype(np.uint8)
    flat = np.full((480, 640, 3), 150, np.uint8)
    texture = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    q_black, _ = quality.measure(black)
    q_flat, _ = quality.measure(flat)
    q_texture, _ = quality.measure(texture)
    assert q_black.dark and q_black.blocked_if_no_face
    assert q_flat.uniform and not q_flat.dark
    assert not q_texture.blocked_if_no_face


def test_black_frame_is_blocked_not_no_face():
    ok, buf = cv2.imencode(".jpg", np.zeros((480, 640, 3), np.uint8))
    result = proctoring.analyze_frame(buf.tobytes())
    assert result.flags == frozenset({"camera_blocked"})
    assert result.face_count == 0
    assert "dark" in result.reason


def test_face_boxes_are_in_submitted_pixels(astronaut_png):
    big = cv2.imdecode(np.frombuffer(astronaut_png, np.uint8), cv2.IMREAD_COLOR)
    ok, buf = cv2.imencode(".jpg", cv2.resize(big, (1024, 1024)))
    result = proctoring.analyze_frame(buf.tobytes())
    (face,) = result.faces
    x0, y0, x1, y1 = face.box
    # skimage's astronaut: the face is around x 177-273, y 78-174 in the 512 px original.
    assert 300 < x0 < 400 and 480 < x1 < 600 and 120 < y0 < 220 and 300 < y1 < 400


def test_threads_get_the_same_answers(eval_dir, eval_labels):
    files = [eval_dir / i["file"] for i in eval_labels["frames"][::9]]
    data = [f.read_bytes() for f in files]
    serial = [proctoring.analyze_frame(d) for d in data]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(proctoring.analyze_frame, data))
    assert [(r.face_count, r.flags) for r in serial] == [(r.face_count, r.flags) for r in parallel]
