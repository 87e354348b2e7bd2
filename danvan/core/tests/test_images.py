"""danvan.core.images with real files: what is kept of a photo carries no
metadata (no EXIF, no GPS, no comment), fits its size and is upright and
opaque; what is refused (a decompression bomb before a pixel is decoded, a
truncated or lying file, a GIF, an animated picture, an empty or too large
file) is refused with a Vietnamese message naming the file."""

from __future__ import annotations

import io
import os
import struct
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from danvan.core import images
from danvan.core.tests.factories import picture_bytes, upload

NOT_IMAGE = "Ảnh không phải ảnh JPG, PNG hoặc WebP, hoặc bị hỏng."
ANIMATED = "Ảnh là ảnh động; hãy gửi ảnh tĩnh."
BOMB = "Ảnh có kích thước điểm ảnh quá lớn."
GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="9,47.2N" exif:GPSLongitude="105,43.1E"/></rdf:RDF></x:xmpmeta>'
)


def saved(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def made(data: bytes) -> dict[str, images.Rendition]:
    return {r.name: r for r in images.renditions(data)}


def refusal(data: bytes, name: str = "anh.jpg", content_type: str = "image/jpeg") -> str:
    with pytest.raises(ValidationError) as caught:
        images.check_image(upload(name, data, content_type))
    assert len(caught.value.messages) == 1
    return caught.value.messages[0]


def png_bomb(width: int, height: int) -> bytes:
    """A real PNG of width × height black pixels, one bit each, written by hand:
    the rows of zeros compress a thousand to one."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, grey
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the row
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), chunk(b"IDAT", body), chunk(b"IEND", b""))
    )


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding pixels fails the test: a refusal must come from the header."""

    def load(self: Any) -> Any:
        raise AssertionError(f"{self.size} pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --- What is kept -----------------------------------------------------------------------


@pytest.mark.parametrize("width, height", [(1600, 1200), (900, 3000), (300, 200)])
def test_the_sizes_carry_no_metadata_and_fit(width: int, height: int) -> None:
    original = picture_bytes(width, height, gps=True, comment=b"Nha ong Tu, ap 3", xmp=XMP)
    source = opened(original)
    assert source.getexif().get_ifd(GPS_IFD)  # the camera's position is there to remove
    assert b"DanvanCam" in original and b"GPSLatitude" in original and b"Nha ong Tu" in original

    checked = images.check_image(upload("ruong.jpg", original))
    assert (checked.format, checked.extension) == ("JPEG", "jpg")
    assert (checked.width, checked.height) == (width, height)
    sizes = made(checked.data)
    assert list(sizes) == [size.name for size in images.SIZES]
    for size in images.SIZES:
        rendition = sizes[size.name]
        picture = opened(rendition.data)
        assert picture.format == "JPEG" and picture.mode == "RGB"
        assert not picture.getexif() and not picture.getexif().get_ifd(GPS_IFD)
        for trace in (b"Exif", b"DanvanCam", b"GPS", b"xmpmeta", b"ns.adobe.com", b"Nha ong Tu"):
            assert trace not in rendition.data, (size.name, trace)
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(picture.info)
        assert picture.size == (rendition.width, rendition.height)
        assert rendition.width <= size.width and rendition.height <= size.height
        if size.crop:
            assert picture.size == (size.width, size.height)
        else:  # fitted, never enlarged, the shape kept
            scale = min(size.width / width, size.height / height, 1)
            assert picture.size == (round(width * scale), round(height * scale))
    assert (sizes["share"].width, sizes["share"].height) == (1200, 630)


def test_the_camera_orientation_is_applied() -> None:
    """A photo taken with the phone turned (EXIF orientation 6: turn it a
    quarter clockwise) is stored upright: its top-left corner goes top-right."""
    landscape = Image.new("RGB", (800, 600), (0, 0, 255))
    landscape.paste((255, 0, 0), (0, 0, 100, 100))  # a red top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    sizes = made(images.check_image(upload("doc.jpg", saved(landscape, "JPEG", exif=exif))).data)
    large = opened(sizes["large"].data)
    assert large.size == (600, 800) == (sizes["large"].width, sizes["large"].height)
    red, blue = (255, 0, 0), (0, 0, 255)
    assert large.getpixel((550, 50)) == pytest.approx(red, abs=40)
    assert large.getpixel((50, 50)) == pytest.approx(blue, abs=40)
    assert not large.getexif()  # nothing left to turn it a second time
    assert sizes["card"].height > sizes["card"].width


def _half_clear(mode: str) -> bytes:
    """A PNG or WebP whose left half is transparent (red underneath) and whose
    right half is opaque blue, in `mode`."""
    if mode in ("RGBA", "WEBP"):
        image = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
        image.paste((0, 0, 255, 255), (20, 0, 40, 30))
        return saved(image, "WEBP" if mode == "WEBP" else "PNG", lossless=True)
    if mode == "LA":
        image = Image.new("LA", (40, 30), (0, 0))
        image.paste((200, 255), (20, 0, 40, 30))
        return saved(image, "PNG")
    if mode == "P":  # a palette with a transparent entry (tRNS), as logos are
        image = Image.new("P", (40, 30), 0)
        image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
        image.paste(1, (20, 0, 40, 30))
        return saved(image, "PNG", transparency=0)
    if mode == "L":  # grey with a transparent grey level (tRNS)
        image = Image.new("L", (40, 30), 0)
        image.paste(200, (20, 0, 40, 30))
        return saved(image, "PNG", transparency=0)
    image = Image.new("RGB", (40, 30), (255, 0, 0))  # RGB with a transparent colour (tRNS)
    image.paste((0, 0, 255), (20, 0, 40, 30))
    return saved(image, "PNG", transparency=(255, 0, 0))


@pytest.mark.parametrize("mode", ["RGBA", "WEBP", "LA", "P", "L", "RGB"])
def test_transparency_becomes_white(mode: str) -> None:
    data = _half_clear(mode)
    checked = images.check_image(upload("logo.png", data, "image/png"))
    for rendition in images.renditions(checked.data):
        picture = opened(rendition.data)
        assert picture.mode == "RGB"
        width, height = picture.size
        assert picture.getpixel((2, height // 2)) == pytest.approx((255, 255, 255), abs=8)
        opaque = picture.getpixel((width - 3, height // 2))
        assert opaque == pytest.approx(
            (200, 200, 200) if mode in ("LA", "L") else (0, 0, 255), abs=40
        )


def test_a_camera_jpeg_with_a_second_picture_is_a_photo() -> None:
    """Cameras and phones add pictures after the photo in the same JPEG (MPF: a
    large preview, a depth map); Pillow calls it MPO. It is a still photo."""
    photo = Image.linear_gradient("L").resize((800, 600)).convert("RGB")
    data = saved(photo, "MPO", save_all=True, append_images=[photo.resize((160, 120))])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    checked = images.check_image(upload("DSC0001.JPG", data))
    assert (checked.format, checked.extension, checked.width, checked.height) == (
        "JPEG",
        "jpg",
        800,
        600,
    )
    assert made(checked.data)["large"].width == 800
    assert refusal(data[: len(data) // 3]) == NOT_IMAGE  # its photo cut off: refused


@pytest.mark.parametrize("fmt, extension", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_the_three_formats_are_told_by_content(fmt: str, extension: str) -> None:
    data = picture_bytes(64, 48, fmt)
    checked = images.check_image(upload("ten-sai.gif", data, "image/gif"))  # name, type ignored
    assert (checked.format, checked.extension, checked.data) == (fmt, extension, data)


# --- What is refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    "width, height",
    [
        (20_000, 20_000),  # 400 megapixels: Pillow's own limit refuses it at once
        (10_000, 10_000),  # 100: between Pillow's warning and its limit
        (7_000, 7_000),  # 49: under Pillow's, over IMAGE_MAX_PIXELS (40)
    ],
)
def test_a_decompression_bomb_is_refused_before_decoding(
    width: int, height: int, no_decoding: None
) -> None:
    bomb = png_bomb(width, height)
    assert len(bomb) < 1_000_000
    assert refusal(bomb, "bom.png", "image/png") == BOMB


def test_the_pixel_limit_is_a_setting(settings: Any) -> None:
    settings.IMAGE_MAX_PIXELS = 1_000_000
    assert images.check_image(upload("vua.png", png_bomb(1000, 1000), "image/png")).width == 1000
    assert refusal(png_bomb(1001, 1000), "qua.png", "image/png") == BOMB
    assert refusal(picture_bytes(1200, 900)) == BOMB  # a JPEG too, from its header


def _truncated(fmt: str, **options: Any) -> bytes:
    data = picture_bytes(800, 600, fmt, **options)
    return data[: len(data) // 2]


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue", "green")]
    return saved(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _noise_png() -> bytes:
    return saved(Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)), "PNG")


@pytest.mark.parametrize(
    "name, make, content_type, message",
    [
        ("cat-doi.jpg", lambda: _truncated("JPEG"), "image/jpeg", NOT_IMAGE),
        ("cat-doi-2.jpg", lambda: _truncated("JPEG", progressive=True), "image/jpeg", NOT_IMAGE),
        ("cat-doi.png", lambda: _truncated("PNG"), "image/png", NOT_IMAGE),
        ("cat-doi.webp", lambda: _truncated("WEBP"), "image/webp", NOT_IMAGE),
        (
            "trang.jpg",
            lambda: b"<!doctype html><html><body><script>alert(document.cookie)</script>",
            "image/jpeg",
            NOT_IMAGE,
        ),
        (
            "hinh.png",
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/png",
            NOT_IMAGE,
        ),
        ("dong.gif", lambda: picture_bytes(64, 48, "GIF"), "image/gif", NOT_IMAGE),
        ("anh.bmp", lambda: picture_bytes(64, 48, "BMP"), "image/bmp", NOT_IMAGE),
        ("scan.tif", lambda: picture_bytes(64, 48, "TIFF"), "image/tiff", NOT_IMAGE),
        (
            "giay-to.png",
            lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
            "image/png",
            NOT_IMAGE,
        ),
        ("dong.webp", lambda: _animated("WEBP"), "image/webp", ANIMATED),
        ("dong.png", lambda: _animated("PNG"), "image/png", ANIMATED),  # APNG
        ("rong.jpg", lambda: b"", "image/jpeg", "Ảnh là tệp rỗng."),
    ],
)
def test_broken_lying_and_unwanted_files_are_refused(
    name: str, make: Any, content_type: str, message: str
) -> None:
    assert refusal(make(), name, content_type) == message


def test_the_animated_ones_really_move() -> None:
    """The animated files above are what they claim (else their test proves nothing)."""
    for fmt in ("WEBP", "PNG"):
        assert getattr(Image.open(io.BytesIO(_animated(fmt))), "n_frames", 1) == 3


def test_a_file_over_the_byte_limit_is_refused_without_reading_it_all(settings: Any) -> None:
    settings.IMAGE_MAX_BYTES = 1024 * 1024
    big = _noise_png()
    assert len(big) > 1024 * 1024
    too_large = "Ảnh quá lớn (tối đa 1 MB)."
    assert refusal(big, "to.png", "image/png") == too_large  # its declared size

    class Stream(io.BytesIO):
        """An upload that does not say its size, counting what is read of it."""

        read_bytes = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            self.read_bytes += len(chunk)
            return chunk

    stream = Stream(big)
    with pytest.raises(ValidationError) as caught:
        images.check_image(stream)
    assert caught.value.messages == [too_large]
    assert stream.read_bytes == 1024 * 1024 + 1

    # Exactly at the limit is accepted (bytes after a JPEG's end are ignored).
    jpeg = picture_bytes(64, 48)
    padded = jpeg + b"\x00" * (1024 * 1024 - len(jpeg))
    assert images.check_image(upload("vua.jpg", padded)).width == 64
    assert refusal(padded + b"\x00") == too_large


def test_several_photos_name_each_one_refused() -> None:
    good = picture_bytes(64, 48)
    uploads = [
        upload("a.jpg", good),
        upload("x.png", b"not an image", "image/png"),
        upload("b.webp", picture_bytes(64, 48, "WEBP"), "image/webp"),
        upload("rong.jpg", b""),
        upload("dong.webp", _animated("WEBP"), "image/webp"),
    ]
    with pytest.raises(ValidationError) as caught:
        images.check_images(uploads)
    assert caught.value.messages == [
        "Ảnh 2 (x.png) không phải ảnh JPG, PNG hoặc WebP, hoặc bị hỏng.",
        "Ảnh 4 (rong.jpg) là tệp rỗng.",
        "Ảnh 5 (dong.webp) là ảnh động; hãy gửi ảnh tĩnh.",
    ]
    checked = images.check_images(
        [upload("a.jpg", good), upload("c.png", picture_bytes(32, 24, "PNG"))]
    )
    assert [(c.format, c.width) for c in checked] == [("JPEG", 64), ("PNG", 32)]
    long_name = "anh-" + "rat-dai-" * 20 + ".png"
    with pytest.raises(ValidationError) as caught:
        images.check_images([upload(long_name, b"?", "image/png")])
    assert caught.value.messages == [f"Ảnh 1 ({long_name[:60]}) {NOT_IMAGE.removeprefix('Ảnh ')}"]
