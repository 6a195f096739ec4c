"""Every decision threshold of the frame analysis, in one place.

These were fixed on the *tuning* part of the evaluation set
(``scripts/make_proctoring_eval_set.py``) before the held-out part was scored; change
one only together with a re-run of both parts and an update of
``docs/proctoring-accuracy.md``.
"""

# --- face detection (BlazeFace) ---
# Minimum sigmoid score for a face. MediaPipe ships 0.5; the short-range model then
# fires on a cat's face (skimage's "chelsea"), so faces must score a little higher.
MIN_FACE_SCORE = 0.6
# Boxes overlapping more than this are one face (MediaPipe's value).
NMS_IOU = 0.3
# The short-range model finds faces down to about 1/6 of the frame side; when it
# finds none, or only faces smaller than this fraction of the frame width (the
# candidate sits back, so others in the room are small too), the slower
# full-range model looks again.
FULL_RANGE_BELOW_WIDTH = 0.22

# --- frame quality (luma 0-255 on a 160 px wide thumbnail) ---
DARK_MEAN = 28.0
DARK_P99 = 70.0
UNIFORM_STD = 9.0
FEATURELESS_LAPLACIAN = 6.0
FEATURELESS_STD = 30.0
# Dim frames are brightened before detection.
DIM_MEAN = 70.0
DIM_TARGET_MEAN = 110.0
DIM_MAX_GAIN = 4.0

# --- head pose ---
# Yaw, in degrees, past which the candidate is taken to be looking away.
LOOKING_AWAY_YAW = 35.0

# --- identity (dlib ResNet embeddings, Euclidean distance) ---
# dlib's published operating point is 0.6 on LFW.
IDENTITY_MAX_DISTANCE = 0.6
