"""Hostile pictures are refused from the header, and nothing but pixels leaves the bot
(bot/images.py, bot/metadata.py; issue 10: decompression bombs and location leaks)."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image, JpegImagePlugin, PngImagePlugin

from bot.images import ImageRejected, prepare_image
from bot.metadata import strip_jpeg, strip_png
from bot.models.wan25_image_to_image import NAME as IMAGE_TO_IMAGE
from bot.models.wan25_image_to_video import NAME as IMAGE_TO_VIDEO

ICC = b"fake-icc-profile" * 8
XMP = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>52,22N</x:xmpmeta>"
IPTC = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0cCity: Warsaw"
SECRETS = (b"GPSLatitude", b"Warsaw", b"secret comment", b"appended", b"52,22N", b"Camera maker")


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make: an IFD with only GPS may be left out
    exif.get_ifd(0x8825)[2] = (52.0, 22.0, 0.0)  # GPSLatitude
    return exif


def tagged_jpeg(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A noisy JPEG carrying EXIF GPS, XMP, IPTC, a comment, an ICC profile and a tail."""
    img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=gps_exif(), icc_profile=ICC, progressive=progressive)
    data = buf.getvalue()
    extra = segment(0xE1, XMP) + segment(0xED, IPTC) + segment(0xFE, b"secret comment")
    return data[:2] + extra + data[2:] + b"appended zip file"


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB").tobytes()


def assert_clean(data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data, secret
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif().get_ifd(0x8825)
        assert "xmp" not in img.info and "comment" not in img.info


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_metadata_is_cut_out_losslessly(progressive: bool) -> None:
    data = tagged_jpeg(600, 500, progressive=progressive)
    assert b"GPSLatitude" in data or b"Exif" in data
    clean = strip_jpeg(data)
    assert_clean(clean)
    assert pixels(clean) == pixels(data)  # the same scan bytes: not a pixel changed
    with Image.open(io.BytesIO(clean)) as img:
        assert img.info.get("icc_profile") == ICC  # colour kept


def test_a_photo_passed_through_still_loses_its_metadata() -> None:
    data = tagged_jpeg(800, 600)
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert not result.scaled and result.mime_type == "image/jpeg"
    assert_clean(result.data)
    assert pixels(result.data) == pixels(data)


def test_a_re_encoded_photo_has_no_metadata() -> None:
    result = prepare_image(tagged_jpeg(2400, 1800), IMAGE_TO_VIDEO)  # scaled to 2000
    assert result.scaled
    assert_clean(result.data)


def test_png_text_and_exif_chunks_are_cut_out() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret comment")
    info.add_text("Location", "Warsaw", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPSLatitude</x:xmpmeta>")
    buf = io.BytesIO()
    img = Image.frombytes("RGB", (500, 400), os.urandom(500 * 400 * 3))
    img.save(buf, "PNG", pnginfo=info, exif=gps_exif(), icc_profile=ICC)
    signed = buf.getvalue()
    # A private chunk after IHDR, as C2PA content credentials are stored (caBX).
    body = b"caBX" + b"Warsaw"
    private = struct.pack(">I", 6) + body + struct.pack(">I", zlib.crc32(body))
    data = signed[:33] + private + signed[33:] + b"appended"
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk in data
    result = prepare_image(data, IMAGE_TO_VIDEO)
    assert result.mime_type == "image/png" and not result.scaled
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"caBX"):
        assert chunk not in result.data
    assert_clean(result.data)
    assert pixels(result.data) == pixels(data)
    assert strip_png(result.data) == result.data
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.info.get("icc_profile") == ICC


@pytest.mark.parametrize("broken", [b"\xff\xd8\xff\xe1\x00", b"\xff\xd8\x00\x00", b"\xff\xd8"])
def test_a_jpeg_that_cannot_be_walked_is_refused_by_the_stripper(broken: bytes) -> None:
    with pytest.raises(ValueError):
        strip_jpeg(broken)


def flat_png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


def test_a_png_bomb_is_refused_before_any_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's 250 KB 7745x7745 PNG cost 2.3 s of CPU and 0.7 GB: now refused from its
    header with a message saying why."""
    bomb = flat_png(7745, 7745)
    assert len(bomb) < 300_000

    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
    with pytest.raises(ImageRejected) as refused:
        prepare_image(bomb, IMAGE_TO_IMAGE, index=2)
    assert refused.value.key == "photo_too_many_pixels"
    assert refused.value.params == {"index": 2, "width": 7745, "height": 7745, "max_mp": 16}


def test_a_large_jpeg_is_decoded_reduced(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[tuple[int, int]] = []
    load = JpegImagePlugin.JpegImageFile.load

    def recording(self: JpegImagePlugin.JpegImageFile) -> object:
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", recording)
    buf = io.BytesIO()
    Image.new("RGB", (8000, 6000), (9, 9, 9)).save(buf, "JPEG")
    result = prepare_image(buf.getvalue(), IMAGE_TO_VIDEO)  # at most 2000 a side
    assert decoded[0] == (2000, 1500)  # 1/4 scale: not 48 MP
    assert (result.original_width, result.original_height) == (8000, 6000)
    assert (result.width, result.height, result.scaled) == (2000, 1500, True)


def test_a_huge_nearly_empty_jpeg_is_refused() -> None:
    """The model keeps 5000 a side, so 7745x7745 can't be decoded reduced; a flat one of a
    few hundred KB is no photo."""
    buf = io.BytesIO()
    Image.new("L", (7745, 7745), 0).save(buf, "JPEG", quality=10)
    with pytest.raises(ImageRejected) as refused:
        prepare_image(buf.getvalue(), IMAGE_TO_IMAGE)
    assert refused.value.key == "photo_too_many_pixels"
