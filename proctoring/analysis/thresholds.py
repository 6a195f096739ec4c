"""Every decision threshold of the frame analysis, in one place.

These were fixed on the *tuning* part of the evaluation set
(``scripts/make_proctoring_eval_set.py``) before the held-out part was scored; change
one only together with a re-run of both parts and an update of
``docs/proctoring-accuracy.md``.
"""

# --- face detection (BlazeFace) ---
# Minimum sigmoid score for a face, per model. MediaPipe ships 0.5 for both; on the
# tuning part the short-range model then fires on a cat and a coffee cup (0.50-0.56),
# while the full-range model's false boxes all stay below 0.46 and its real small
# faces often score 0.50-0.60.
MIN_SCORE_SHORT = 0.6
MIN_SCORE_FULL = 0.5
# Boxes overlapping more than this are one face (MediaPipe's value).
NMS_IOU = 0.3
# The short-range model finds faces down to about 1/6 of the frame side; when it
# finds none, or only faces smaller than this fraction of the frame width (the
# candidate sits back, so others in the room are small too), the slower
# full-range model looks again.
FULL_RANGE_BELOW_WIDTH = 0.22

# --- frame quality (luma 0-255 on a 160 px wide thumbnail) ---
# Dark: nothing bright anywhere. Tuning part: covered/black frames have a 99th
# percentile of at most 12, the dimmest real scenes 57 and more.
DARK_MEAN = 25.0
DARK_P99 = 40.0
# Uniform: tape or a shutter (standard deviation up to 6.5 on the tuning part).
UNIFORM_STD = 6.0
# Featureless: no edges at 40 px. Covered lenses stay under 80 even with heavy sensor
# noise added; real scenes are above 170.
FEATURELESS_LAPLACIAN = 120.0
FEATURELESS_STD = 40.0
# Brightening dim frames before detection (gain up to 4x below mean 70) was tried and
# dropped: on the tuning part it found one face fewer and one false face more.

# --- head pose ---
# Yaw, in degrees, past which the candidate is taken to be looking away. On the
# tuning part, faces towards the camera measure at most 17.5 and the turned head
# (three-quarter view) 30-44; the threshold sits between them.
LOOKING_AWAY_YAW = 28.0

# --- identity (dlib ResNet embeddings, Euclidean distance) ---
# dlib's published operating point is 0.6 on LFW.
IDENTITY_MAX_DISTANCE = 0.6
