"""Is the face in the frame the enrolled candidate? dlib's 128-d ResNet face embeddings.

One embedding costs about 60 ms, far more than the rest of the frame analysis, so it
is computed only when the caller passes a reference photo, and the reference's own
embedding is cached by the SHA-256 of its bytes: a candidate's enrolment photo is
sent with many frames but embedded once per process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

from . import models
from .blazeface import Detection

# Enrolment photos of the candidates currently sitting an exam on this worker.
_REFERENCE_CACHE_SIZE = 512

_dlib_lock = threading.Lock()
_cache_lock = threading.Lock()
_reference_cache: OrderedDict[str, tuple[np.ndarray | None, str | None]] = OrderedDict()


def embedding(image_bgr: np.ndarray, face: Detection) -> np.ndarray:
    """128-d descriptor of ``face``; dlib aligns the face itself from its 5-point shape model."""
    import dlib

    predictor, recogniser = models.dlib_models()
    rgb = np.ascontiguousarray(image_bgr[:, :, ::-1])
    rect = dlib.rectangle(round(face.x0), round(face.y0), round(face.x1), round(face.y1))
    # dlib's network object keeps scratch buffers; one caller at a time.
    with _dlib_lock:
        shape = predictor(rgb, rect)
        descriptor = recogniser.compute_face_descriptor(rgb, shape, 0)
    return np.asarray(descriptor, dtype=np.float32)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def cached_reference(data: bytes, compute) -> tuple[np.ndarray | None, str | None]:
    """``compute(data)`` -> (embedding or None, reason), memoised by content hash."""
    key = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        hit = _reference_cache.get(key)
        if hit is not None:
            _reference_cache.move_to_end(key)
            return hit
    result = compute(data)
    with _cache_lock:
        _reference_cache[key] = result
        while len(_reference_cache) > _REFERENCE_CACHE_SIZE:
            _reference_cache.popitem(last=False)
    return result


def clear_cache() -> None:
    with _cache_lock:
        _reference_cache.clear()
