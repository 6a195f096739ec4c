"""Whatever a browser (or an attacker) uploads, analyze_frame answers and never raises."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from proctoring import FLAGS, FrameAnalysis, analyze_frame
from proctoring.analysis.decode import MAX_SIDE


def _encode(ext: str, image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return buf.tobytes()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    # A tiny IDAT and IEND so that only the dimensions are wrong.
    idat = zlib.compress(b"\x00" * 16)
    body += struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    return (
        b"\x89PNG\r\n\x1a\n" + body + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    )


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A real small JPEG whose start-of-frame header is rewritten to claim other dimensions."""
    data = bytearray(_encode(".jpg", np.full((16, 16, 3), 128, np.uint8)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture(scope="module")
def frame_jpeg(astronaut_png) -> bytes:
    image = cv2.imdecode(np.frombuffer(astronaut_png, np.uint8), cv2.IMREAD_COLOR)
    return _encode(".jpg", cv2.resize(image, (640, 480)))


def _unreadable(result: FrameAnalysis) -> None:
    assert result.flags == frozenset({"unreadable_frame"})
    assert result.face_count == 0
    assert result.reason


def test_empty_bytes():
    result = analyze_frame(b"")
    _unreadable(result)
    assert "empty" in result.reason


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is not an image\n",
        "a text string".encode("utf-16"),
        b"%PDF-1.7\n1 0 obj\n",
        b"\x00" * 1000,
        bytes(range(256)) * 4,
    ],
    ids=["text", "utf16", "pdf", "zeros", "bytes"],
)
def test_not_an_image(data):
    result = analyze_frame(data)
    _unreadable(result)
    assert "not an image" in result.reason


def test_random_bytes_never_raise():
    rng = np.random.default_rng(1)
    for size in (1, 2, 3, 10, 100, 5000):
        _unreadable(analyze_frame(rng.integers(0, 256, size, dtype=np.uint8).tobytes()))


def test_random_bytes_behind_a_jpeg_signature():
    rng = np.random.default_rng(2)
    for _ in range(20):
        data = b"\xff\xd8\xff" + rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
        _unreadable(analyze_frame(data))


def test_truncated_jpeg(frame_jpeg):
    for cut in (len(frame_jpeg) // 2, len(frame_jpeg) - 10, 200, 4):
        result = analyze_frame(frame_jpeg[:cut])
        _unreadable(result)
        assert "truncated" in result.reason or "corrupt" in result.reason


def test_corrupt_jpeg_body(frame_jpeg):
    data = bytearray(frame_jpeg)
    sos = data.find(b"\xff\xda")
    rng = np.random.default_rng(3)
    for i in rng.integers(sos + 20, len(data) - 10, 400):
        data[i] = int(rng.integers(0, 256))
    result = analyze_frame(bytes(data))
    # libjpeg decodes what it can of a damaged scan: analysed or refused, never raised.
    assert isinstance(result, FrameAnalysis)
    assert result.flags <= FLAGS


def test_decompression_bomb_header_is_refused():
    for data in (
        _png_header(100_000, 100_000),
        _jpeg_with_size(60_000, 60_000),
        _png_header(MAX_SIDE + 1, 10),
    ):
        result = analyze_frame(data)
        _unreadable(result)
        assert "exceed" in result.reason and str(MAX_SIDE) in result.reason


def test_zero_size_header():
    for data in (_png_header(0, 100), _jpeg_with_size(0, 0)):
        result = analyze_frame(data)
        _unreadable(result)
        assert "zero-size" in result.reason


def test_huge_byte_count_is_refused_before_decoding():
    result = analyze_frame(b"\xff\xd8\xff" + b"\x00" * (16 * 1024 * 1024))
    _unreadable(result)
    assert "too large" in result.reason


def test_png_is_analysed(astronaut_png):
    result = analyze_frame(astronaut_png)
    assert result.face_count == 1
    assert result.flags == frozenset()
    assert (result.width, result.height) == (512, 512)


def test_gif_webp_and_bmp_are_analysed(astronaut_png):
    image = cv2.imdecode(np.frombuffer(astronaut_png, np.uint8), cv2.IMREAD_COLOR)
    buf = io.BytesIO()
    Image.fromarray(image[:, :, ::-1]).save(buf, "GIF")
    for data in (buf.getvalue(), _encode(".webp", image), _encode(".bmp", image)):
        result = analyze_frame(data)
        assert result.face_count == 1, result
        assert "unreadable_frame" not in result.flags


def test_greyscale_and_alpha_images(astronaut_png):
    image = cv2.imdecode(np.frombuffer(astronaut_png, np.uint8), cv2.IMREAD_COLOR)
    grey = _encode(".png", cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    rgba = _encode(".png", cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))
    for data in (grey, rgba):
        assert analyze_frame(data).face_count == 1


def test_tiny_image():
    result = analyze_frame(_encode(".png", np.full((1, 1, 3), 90, np.uint8)))
    assert "unreadable_frame" not in result.flags
    assert result.face_count == 0


@pytest.mark.parametrize("value", [None, "not bytes", 12345, ["a"]])
def test_wrong_types_are_unreadable(value):
    _unreadable(analyze_frame(value))


def test_bytearray_and_memoryview_are_accepted(frame_jpeg):
    assert analyze_frame(bytearray(frame_jpeg)).face_count == 1
    assert analyze_frame(memoryview(frame_jpeg)).face_count == 1


def test_unreadable_reference_does_not_raise_or_flag(frame_jpeg):
    result = analyze_frame(frame_jpeg, reference=b"garbage")
    assert "identity_mismatch" not in result.flags
    assert result.identity_note.startswith("reference photo unreadable")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=4),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 255)), max_size=12),
)
def test_mutated_images_never_raise(frame_jpeg, astronaut_png, cuts, flips):
    for original in (frame_jpeg, astronaut_png[:20_000]):
        data = bytearray(original)
        for pos, value in flips:
            data[pos % len(data)] = value
        for cut in cuts:
            del data[cut % max(len(data), 1) :]
        result = analyze_frame(bytes(data))
        assert result.flags <= FLAGS
        assert ("unreadable_frame" in result.flags) == (result.reason is not None and result.width == 0)
