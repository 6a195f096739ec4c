"""Turning untrusted upload bytes into a small BGR array, or a refusal with a reason.

Frames come from browsers we do not control, so everything here assumes the bytes
may be hostile: the format and the dimensions are read from the header and checked
before any pixel is decoded, which keeps a decompression bomb from costing more
than a few microseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import cv2
import numpy as np

# A 640x480 webcam JPEG is 20-80 KB; 15 MB leaves room for a raw enrolment photo.
MAX_BYTES = 15 * 1024 * 1024
# Larger than any webcam; anything bigger is refused before decoding.
MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE
# The detectors look at 128-192 px inputs; decoding a frame larger than this only
# burns time, so JPEGs are decoded with libjpeg's DCT scaling down to about this.
ANALYSIS_MIN_SIDE = 320

_REDUCED_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


class UnreadableFrame(Exception):
    """Carries the human-readable reason up to the analyser, which never lets it escape."""


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int
    height: int


def _jpeg_header(data: bytes) -> ImageHeader:
    # Walk the marker segments up to the first start-of-frame; libjpeg would do the
    # same, but only after allocating for whatever the header claims.
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            raise UnreadableFrame("corrupt JPEG: bad marker sequence")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            raise UnreadableFrame("corrupt JPEG: bad segment length")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if pos + 9 > n:
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return ImageHeader("jpeg", width, height)
        if marker == 0xDA:
            break
        pos += 2 + length
    raise UnreadableFrame("truncated JPEG: no frame header")


def _webp_header(data: bytes) -> ImageHeader:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageHeader("webp", width, height)
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return ImageHeader("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return ImageHeader("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    raise UnreadableFrame("corrupt WebP header")


def read_header(data: bytes) -> ImageHeader:
    """Only formats a browser can produce are accepted: OpenCV's others (TIFF, EXR...) are attack surface."""
    if data[:3] == b"\xff\xd8\xff":
        return _jpeg_header(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise UnreadableFrame("truncated PNG: no IHDR chunk")
        width, height = struct.unpack(">II", data[16:24])
        return ImageHeader("png", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) < 10:
            raise UnreadableFrame("truncated GIF header")
        width, height = struct.unpack("<HH", data[6:10])
        return ImageHeader("gif", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_header(data)
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return ImageHeader("bmp", abs(width), abs(height))
    raise UnreadableFrame("not an image: unrecognised format (expected JPEG, PNG, WebP, GIF or BMP)")


def _check_complete(data: bytes, header: ImageHeader) -> None:
    # libjpeg silently fills a truncated frame with grey; analysing that half-frame
    # would produce confident nonsense, so a cut transfer is reported as such.
    if header.format == "jpeg":
        sos = data.find(b"\xff\xda")
        if sos < 0 or data.rfind(b"\xff\xd9") < sos:
            raise UnreadableFrame("truncated JPEG: no end-of-image marker")
    elif header.format == "png" and b"IEND" not in data[-32:]:
        raise UnreadableFrame("truncated PNG: no IEND chunk")


def decode_frame(data: bytes, *, min_side: int = ANALYSIS_MIN_SIDE) -> tuple[np.ndarray, ImageHeader]:
    """Decode at the smallest scale that still leaves ``min_side`` pixels on the long side."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnreadableFrame(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise UnreadableFrame("empty input")
    if len(data) > MAX_BYTES:
        raise UnreadableFrame(f"input too large: {len(data)} bytes (limit {MAX_BYTES})")
    header = read_header(data)
    if header.width <= 0 or header.height <= 0:
        raise UnreadableFrame(f"zero-size image ({header.width}x{header.height})")
    if header.width > MAX_SIDE or header.height > MAX_SIDE or header.width * header.height > MAX_PIXELS:
        raise UnreadableFrame(
            f"image dimensions {header.width}x{header.height} exceed the {MAX_SIDE}x{MAX_SIDE} limit"
        )
    _check_complete(data, header)
    factor = 1
    if header.format == "jpeg":
        long_side = max(header.width, header.height)
        while factor < 8 and long_side // (factor * 2) >= min_side:
            factor *= 2
    buf = np.frombuffer(data, dtype=np.uint8)
    try:
        image = cv2.imdecode(buf, _REDUCED_FLAGS[factor])
    except cv2.error as exc:
        raise UnreadableFrame(f"corrupt {header.format.upper()}: decoder error") from exc
    if image is None or image.size == 0:
        raise UnreadableFrame(f"corrupt {header.format.upper()}: could not be decoded")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
    return image, header
