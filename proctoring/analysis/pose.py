"""Head yaw from the six BlazeFace keypoints, without a landmark network.

Seen from above, the two ear tragions sit about one head half-width either side of
the head's vertical axis and the nose tip about 1.4 half-widths in front of it. Turning
the head by ``yaw`` moves the projected nose off the tragions' midpoint by
``1.4 * tan(yaw)`` half-widths, whatever the face's size or the camera distance, so
the offset ratio inverts to an angle. Roll is removed first (eyes levelled) so a
tilted head does not read as a turned one.

FaceMesh (468 landmarks) was measured as the alternative; see
``docs/proctoring-accuracy.md`` for why the keypoints are used on every frame.
"""

from __future__ import annotations

import math

import numpy as np

from .blazeface import LEFT_EAR, LEFT_EYE, NOSE, RIGHT_EAR, RIGHT_EYE

# Nose-tip depth in front of the ear axis, in units of half the tragion distance
# (adult anthropometry: tragion breadth about 14 cm, tragion-to-pronasale depth about 10 cm).
NOSE_DEPTH = 1.4


def _levelled(points: np.ndarray) -> np.ndarray:
    eye_r, eye_l = points[RIGHT_EYE], points[LEFT_EYE]
    angle = math.atan2(float(eye_l[1] - eye_r[1]), float(eye_l[0] - eye_r[0]))
    c, s = math.cos(-angle), math.sin(-angle)
    rot = np.array([[c, -s], [s, c]], dtype=np.float32)
    centre = (eye_r + eye_l) / 2
    return (points - centre) @ rot.T


def yaw_degrees(keypoints: np.ndarray) -> float:
    """Signed yaw; positive when the nose points towards the image's right edge."""
    pts = _levelled(np.asarray(keypoints, dtype=np.float32))
    half_span = abs(float(pts[LEFT_EAR, 0] - pts[RIGHT_EAR, 0])) / 2
    eye_span = abs(float(pts[LEFT_EYE, 0] - pts[RIGHT_EYE, 0]))
    # Tragions of a strongly turned head collapse together; never divide by less
    # than the eye span (about 0.45 of the tragion distance on a frontal face).
    half_span = max(half_span, eye_span, 1e-3)
    offset = float(pts[NOSE, 0] - (pts[LEFT_EAR, 0] + pts[RIGHT_EAR, 0]) / 2) / half_span
    return math.degrees(math.atan(offset / NOSE_DEPTH))
