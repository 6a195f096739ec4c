"""Webcam clips for Chromium's fake capture device, made from photos shipped in scikit-image."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_y4m(path: Path, image_bgr: np.ndarray, frames: int = 10, size: tuple[int, int] = (640, 480)) -> Path:
    """A still image as a YUV4MPEG2 (4:2:0) clip; Chromium loops it as the camera picture."""
    width, height = size
    frame = cv2.resize(image_bgr, (width, height))
    yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n")
            fh.write(yuv.tobytes())
    return path


def face_clip(folder: Path) -> Path:
    import skimage.data

    return write_y4m(folder / "face.y4m", cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))


def empty_room_clip(folder: Path) -> Path:
    import skimage.data

    return write_y4m(folder / "empty.y4m", cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR))
