"""bot/images.py: input photo checks, scaling, flattening and encoding (PRODUCT.md §2)."""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import zlib
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot import images
from bot.images import ImageRejected, PreparedImage, image_size, prepare_image
from bot.messages import t
from bot.models.qwen_image_edit import NAME as QWEN_EDIT
from bot.models.registry import INPUT_LIMITS
from bot.models.wan25_image_to_image import NAME as IMAGE_TO_IMAGE
from bot.models.wan25_image_to_video import NAME as IMAGE_TO_VIDEO

# (model, min_side, max_side, expected size for a 6000x4000 photo)
MODELS = [
    (IMAGE_TO_IMAGE, 384, 5000, (5000, 3333)),
    (QWEN_EDIT, 384, 3072, (3072, 2048)),
    (IMAGE_TO_VIDEO, 360, 2000, (2000, 1333)),
]
MODEL_IDS = [m[0] for m in MODELS]


def encode(img: Image.Image, fmt: str = "JPEG", **opts: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **opts)
    return buf.getvalue()


def photo(width: int, height: int, fmt: str = "JPEG", mode: str = "L", **opts: object) -> bytes:
    """A solid image: cheap to encode and decode even at 6000x4000."""
    color = 128 if mode in ("L", "P") else (200, 100, 50)
    return encode(Image.new(mode, (width, height), color), fmt, **opts)


def noise(width: int, height: int) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def rejected(data: bytes, model: str, **kwargs: object) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        prepare_image(data, model, **kwargs)  # type: ignore[arg-type]
    return info.value


def decoded(result: PreparedImage) -> Image.Image:
    img = Image.open(io.BytesIO(result.data))
    img.load()
    assert img.size == (result.width, result.height)
    assert img.format == ("PNG" if result.mime_type == "image/png" else "JPEG")
    assert result.filename.endswith(".png" if img.format == "PNG" else ".jpg")
    assert "A" not in img.getbands() and "transparency" not in img.info
    return img


def within_limits(result: PreparedImage, model: str) -> None:
    limits = INPUT_LIMITS[model]
    assert limits.min_side <= min(result.width, result.height)
    assert max(result.width, result.height) <= limits.max_side
    assert len(result.data) <= limits.max_bytes


# --- sides per model -------------------------------------------------------------------


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
def test_exact_minimum_is_accepted(model: str, lo: int, hi: int, big: tuple[int, int]) -> None:
    result = prepare_image(photo(lo, lo + 50), model)
    assert (result.width, result.height) == (lo, lo + 50)
    assert not result.scaled
    within_limits(result, model)


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("portrait", [False, True])
def test_one_below_minimum_is_refused(
    model: str, lo: int, hi: int, big: tuple[int, int], portrait: bool
) -> None:
    w, h = (lo - 1, lo + 100) if portrait else (lo + 100, lo - 1)
    error = rejected(photo(w, h), model, index=2, model_label="Wan")
    assert error.key == "photo_too_small"
    assert error.params == {"index": 2, "width": w, "height": h, "model": "Wan", "min": lo}


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
def test_exact_maximum_is_kept_byte_for_byte(
    model: str, lo: int, hi: int, big: tuple[int, int]
) -> None:
    data = photo(hi, 600)
    result = prepare_image(data, model)
    assert result.data == data
    assert (result.width, result.height, result.scaled) == (hi, 600, False)


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("portrait", [False, True])
def test_one_above_maximum_is_scaled_to_maximum(
    model: str, lo: int, hi: int, big: tuple[int, int], portrait: bool
) -> None:
    w, h = (700, hi + 1) if portrait else (hi + 1, 700)
    result = prepare_image(photo(w, h), model)
    assert max(result.width, result.height) == hi
    assert result.scaled
    assert (result.original_width, result.original_height) == (w, h)
    short = result.width if portrait else result.height
    assert abs(short - 700 * hi / (hi + 1)) <= 1
    within_limits(result, model)
    decoded(result)


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
def test_camera_photo_is_scaled_down(model: str, lo: int, hi: int, big: tuple[int, int]) -> None:
    result = prepare_image(photo(6000, 4000), model)
    assert (result.width, result.height) == big
    assert (result.original_width, result.original_height) == (6000, 4000)
    assert result.scaled and not result.flattened
    assert result.mime_type == "image/jpeg" and result.filename == "input-1.jpg"
    within_limits(result, model)
    decoded(result)


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
def test_small_photo_is_refused_with_numbers(
    model: str, lo: int, hi: int, big: tuple[int, int]
) -> None:
    error = rejected(photo(300, 300), model)
    assert error.key == "photo_too_small"
    assert error.params == {"index": 1, "width": 300, "height": 300, "model": model, "min": lo}
    text = t(error.key, None, **error.params)
    assert "300x300" in text and f"{lo}x{lo}" in text


@pytest.mark.parametrize(("model", "lo", "hi", "big"), MODELS, ids=MODEL_IDS)
def test_extreme_strip_is_refused_as_shape(
    model: str, lo: int, hi: int, big: tuple[int, int]
) -> None:
    error = rejected(photo(10000, 300), model, index=3)
    assert error.key == "photo_shape"
    assert error.params == {"index": 3, "width": 10000, "height": 300}


def test_shape_boundary_for_video() -> None:
    # 2000/360 is the most extreme aspect i2v can take; 4000x720 scales to exactly that.
    assert (prepare_image(photo(4000, 720), IMAGE_TO_VIDEO).height) == 360
    assert prepare_image(photo(720, 4000), IMAGE_TO_VIDEO).width == 360
    assert rejected(photo(4001, 720), IMAGE_TO_VIDEO).key == "photo_shape"
    # Too thin at any scale, even though it is small: "send a larger photo" would not help.
    assert rejected(photo(1900, 300), IMAGE_TO_VIDEO).key == "photo_shape"


LIMITS_MODEL = "test-model"


@settings(max_examples=60, deadline=None)
@given(width=st.integers(4, 200), height=st.integers(4, 200))
def test_any_size_is_accepted_within_limits_or_refused(width: int, height: int) -> None:
    limits = dataclasses.replace(INPUT_LIMITS[IMAGE_TO_VIDEO], min_side=16, max_side=64)
    with mock.patch.dict(INPUT_LIMITS, {LIMITS_MODEL: limits}):
        try:
            result = prepare_image(photo(width, height), LIMITS_MODEL)
        except ImageRejected as error:
            long, short = max(width, height), min(width, height)
            expected = "photo_shape" if long * 16 > short * 64 else "photo_too_small"
            assert error.key == expected
            assert short < 16 or long > 64
            return
        within_limits(result, LIMITS_MODEL)
        assert result.scaled == (max(width, height) > 64)
        scale = min(1.0, 64 / max(width, height))
        assert abs(result.width - width * scale) <= 1
        assert abs(result.height - height * scale) <= 1


# --- transparency and modes ------------------------------------------------------------


def half_transparent(mode: str) -> Image.Image:
    """Left half fully transparent, right half opaque red (or grey)."""
    img = Image.new("RGBA", (400, 400), (255, 0, 0, 255))
    img.paste((0, 0, 0, 0), (0, 0, 200, 400))
    return img.convert("LA") if mode == "LA" else img


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_transparency_is_flattened_onto_white(mode: str) -> None:
    result = prepare_image(encode(half_transparent(mode), "PNG"), QWEN_EDIT)
    assert result.flattened and not result.scaled
    img = decoded(result).convert("RGB")
    assert img.getpixel((10, 10)) == (255, 255, 255)
    r, g, b = img.getpixel((390, 10))  # type: ignore[misc]
    assert (r, g, b) == ((255, 0, 0) if mode == "RGBA" else (76, 76, 76))
    assert result.mime_type == "image/png" and result.filename == "input-1.png"


def test_opaque_alpha_channel_is_dropped_but_not_reported_as_flattened() -> None:
    data = encode(Image.new("RGBA", (400, 400), (10, 20, 30, 255)), "PNG")
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert not result.flattened
    decoded(result)


def test_palette_with_transparent_index_is_flattened() -> None:
    img = Image.new("P", (400, 400), 1)
    img.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    img.paste(0, (0, 0, 100, 100))
    for fmt in ("PNG", "GIF"):
        result = prepare_image(encode(img, fmt, transparency=0), IMAGE_TO_VIDEO)
        assert result.flattened
        out = decoded(result).convert("RGB")
        assert all(c >= 250 for c in out.getpixel((10, 10)))  # type: ignore[union-attr]
        assert out.getpixel((300, 300))[2] >= 240  # type: ignore[index]


def test_palette_without_transparency_passes_through() -> None:
    data = photo(400, 400, "PNG", mode="P")
    result = prepare_image(data, QWEN_EDIT)
    assert result.data == data and result.mime_type == "image/png"


def test_cmyk_jpeg_is_converted_to_rgb() -> None:
    data = photo(400, 400, mode="CMYK")
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert result.data != data
    assert decoded(result).mode == "RGB"


def test_sixteen_bit_grey_keeps_its_brightness() -> None:
    data = encode(Image.new("I;16", (400, 400), 32768), "PNG")
    result = prepare_image(data, IMAGE_TO_IMAGE)
    value = decoded(result).convert("L").getpixel((5, 5))
    assert isinstance(value, int) and 120 <= value <= 135


# --- orientation, formats, passthrough -----------------------------------------------------


def test_exif_rotated_jpeg_comes_out_upright() -> None:
    img = Image.new("RGB", (600, 400), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 50, 50))  # red marker at stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    data = encode(img, exif=exif)
    assert image_size(data) == (400, 600)
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert (result.width, result.height) == (400, 600)
    assert (result.original_width, result.original_height) == (400, 600)
    out = decoded(result).convert("RGB")
    assert out.getpixel((375, 25))[0] > 200  # type: ignore[index]  # now top-right
    assert out.getpixel((25, 25))[0] < 50  # type: ignore[index]


def test_plain_jpeg_and_png_pass_through_unchanged() -> None:
    jpeg = photo(1000, 800, mode="RGB", quality=90)
    result = prepare_image(jpeg, IMAGE_TO_IMAGE, index=2)
    assert result.data == jpeg
    assert (result.mime_type, result.filename) == ("image/jpeg", "input-2.jpg")
    assert (result.width, result.height, result.scaled, result.flattened) == (1000, 800, 0, 0)
    png = photo(500, 400, "PNG", mode="RGB")
    result = prepare_image(png, IMAGE_TO_VIDEO)
    assert result.data == png
    assert (result.mime_type, result.filename) == ("image/png", "input-1.png")


def test_jpeg_with_gps_is_re_encoded() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (52.0, 22.0, 0.0)  # GPSLatitude
    data = photo(500, 500, mode="RGB", exif=exif)
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert result.data != data
    assert not decoded(result).getexif().get_ifd(0x8825)


@pytest.mark.parametrize(
    ("fmt", "mode"), [("BMP", "RGB"), ("WEBP", "RGB"), ("GIF", "P"), ("TIFF", "RGB")]
)
def test_other_formats_become_jpeg(fmt: str, mode: str) -> None:
    result = prepare_image(photo(500, 400, fmt, mode=mode), IMAGE_TO_VIDEO)
    assert result.mime_type == "image/jpeg" and result.data[:2] == b"\xff\xd8"
    assert (result.width, result.height) == (500, 400)
    decoded(result)


def test_animated_gif_uses_first_frame() -> None:
    frames = [Image.new("RGB", (400, 400), c) for c in ((255, 0, 0), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    out = decoded(prepare_image(buf.getvalue(), IMAGE_TO_IMAGE)).convert("RGB")
    r, g, _ = out.getpixel((200, 200))  # type: ignore[misc]
    assert r > 200 and g < 50


# --- unreadable input ------------------------------------------------------------------


def png_header_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size (a decompression bomb's first bytes)."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"definitely not an image",
        b"\xff\xd8\xff\xe0garbage",
        encode(Image.new("L", (800, 600)), "PPM"),  # readable by Pillow but not allowed
    ],
    ids=["empty", "text", "fake-jpeg", "ppm"],
)
def test_unreadable_input(data: bytes) -> None:
    error = rejected(data, QWEN_EDIT, index=2)
    assert (error.key, error.params) == ("photo_unreadable", {"index": 2})


def test_truncated_jpeg_is_unreadable() -> None:
    data = encode(noise(400, 400), quality=90)
    assert image_size(data[: len(data) // 2]) == (400, 400)  # the header alone is fine
    assert rejected(data[: len(data) // 2], IMAGE_TO_VIDEO).key == "photo_unreadable"


def test_pixel_cap_is_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 400 * 400 - 1)
    assert rejected(photo(400, 400), IMAGE_TO_IMAGE).key == "photo_too_many_pixels"


def test_image_size() -> None:
    assert image_size(photo(640, 480)) == (640, 480)
    assert image_size(photo(640, 480, "WEBP")) == (640, 480)
    assert image_size(b"nope") is None
    assert image_size(encode(Image.new("L", (8, 8)), "PPM")) is None


# --- byte limit ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_noisy_photo_is_shrunk_below_byte_limit(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = dataclasses.replace(INPUT_LIMITS[IMAGE_TO_IMAGE], max_bytes=200_000)
    monkeypatch.setitem(INPUT_LIMITS, IMAGE_TO_IMAGE, limits)
    data = encode(noise(900, 700), fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    assert len(data) > 200_000
    result = prepare_image(data, IMAGE_TO_IMAGE)
    assert len(result.data) <= 200_000
    assert result.scaled and result.mime_type == "image/jpeg"
    assert result.width < 900 and abs(result.width / result.height - 900 / 700) < 0.01
    within_limits(result, IMAGE_TO_IMAGE)
    decoded(result)


def test_lower_quality_is_tried_before_shrinking(monkeypatch: pytest.MonkeyPatch) -> None:
    img = noise(500, 500)
    q92, q75 = len(encode(img, quality=92)), len(encode(img, quality=75))
    limits = dataclasses.replace(INPUT_LIMITS[QWEN_EDIT], max_bytes=(q92 + q75) // 2)
    monkeypatch.setitem(INPUT_LIMITS, QWEN_EDIT, limits)
    result = prepare_image(encode(img, "BMP"), QWEN_EDIT)
    assert not result.scaled and (result.width, result.height) == (500, 500)
    assert q75 <= len(result.data) < q92


def test_never_shrinks_below_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = dataclasses.replace(INPUT_LIMITS[IMAGE_TO_VIDEO], max_bytes=1000)
    monkeypatch.setitem(INPUT_LIMITS, IMAGE_TO_VIDEO, limits)
    error = rejected(encode(noise(500, 400), "BMP"), IMAGE_TO_VIDEO)
    assert error.key == "photo_unreadable"


# --- messages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (photo(300, 350), "photo_too_small"),
        (photo(10000, 300), "photo_shape"),
        (b"junk", "photo_unreadable"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_rejection_formats_as_a_message(data: bytes, key: str, lang: str) -> None:
    error = rejected(data, IMAGE_TO_VIDEO, index=7, model_label="Wan 2.5 video")
    assert error.key == key
    text = t(error.key, lang, **error.params)
    assert "7" in text and "{" not in text
    if key != "photo_unreadable":
        assert "300" in text
