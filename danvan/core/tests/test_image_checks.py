"""Uploaded photos and documents are judged by their content, with real files:
a decompression bomb, a truncated JPEG, a page of HTML named .jpg, a GIF, an
animated picture, an empty file, a program named .pdf, a zip bomb named .docx.
What is kept of a photo carries no EXIF (no GPS)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from danvan.core import documents, images


def picture(width: int = 800, height: int = 600, fmt: str = "JPEG", **save: Any) -> bytes:
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "DanvanCam"
    exif[0x8825] = {1: "N", 2: (9.0, 47.0, 12.0), 3: "E", 4: (105.0, 43.0, 5.0)}
    return picture(exif=exif)


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width: int, height: int) -> bytes:
    """A real PNG of width × height black pixels (1 bit each), compressed to a few KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def refused(data: bytes, name: str = "anh.jpg", content_type: str = "image/jpeg") -> str:
    with pytest.raises(ValidationError) as caught:
        images.check_image(upload(name, data, content_type), "Ảnh")
    return caught.value.messages[0]


# --- Photos -----------------------------------------------------------------------------


def test_the_sizes_carry_no_exif_and_fit() -> None:
    original = with_gps()
    assert b"DanvanCam" in original and Image.open(io.BytesIO(original)).getexif()
    checked = images.check_image(upload("ruong.jpg", original))
    made = {r.name: r for r in images.renditions(checked.data)}
    assert set(made) == {s.name for s in images.SIZES}
    for size in images.SIZES:
        rendition = made[size.name]
        opened = Image.open(io.BytesIO(rendition.data))
        assert opened.format == "JPEG" and not opened.getexif()
        assert b"Exif" not in rendition.data and b"DanvanCam" not in rendition.data
        assert opened.size == (rendition.width, rendition.height)
        assert rendition.width <= size.width and rendition.height <= size.height
    assert (made["share"].width, made["share"].height) == (1200, 630)


def test_the_camera_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: shown rotated 90°
    made = {r.name: r for r in images.renditions(picture(800, 600, exif=exif))}
    assert made["large"].height > made["large"].width == 600


def test_transparency_becomes_white() -> None:
    clear = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    buffer = io.BytesIO()
    clear.save(buffer, "PNG")
    card = images.renditions(images.check_image(upload("a.png", buffer.getvalue())).data)[0]
    assert Image.open(io.BytesIO(card.data)).getpixel((5, 5)) == pytest.approx(
        (255, 255, 255), abs=3
    )


def test_a_decompression_bomb_is_refused_before_decoding(settings: Any) -> None:
    bomb = png_bomb(30_000, 30_000)  # 900 megapixels in a few kilobytes
    assert len(bomb) < 200_000
    assert "kích thước điểm ảnh quá lớn" in refused(bomb, "bom.png", "image/png")
    settings.IMAGE_MAX_PIXELS = 1_000_000
    assert "quá lớn" in refused(picture(1200, 900))


def test_broken_lying_and_unwanted_files_are_refused() -> None:
    jpeg = picture()
    assert "bị hỏng" in refused(jpeg[: len(jpeg) // 2])  # truncated
    html = b"<!doctype html><script>alert(1)</script>"
    assert "không phải ảnh" in refused(html, "anh.jpg")
    assert "không phải ảnh" in refused(picture(fmt="GIF"), "anh.gif", "image/gif")
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
    assert "không phải ảnh" in refused(pdf, "anh.png", "image/png")
    assert "rỗng" in refused(b"")
    frames = [Image.new("RGB", (20, 20), c) for c in ("red", "blue")]
    moving = io.BytesIO()
    frames[0].save(moving, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    assert "ảnh động" in refused(moving.getvalue(), "dong.webp", "image/webp")


def test_a_file_over_the_size_limit_is_refused(settings: Any) -> None:
    settings.IMAGE_MAX_BYTES = 10_000
    assert "quá lớn (tối đa" in refused(picture(1600, 1200))


def test_several_photos_name_the_one_refused() -> None:
    good = upload("a.jpg", picture())
    bad = upload("giay-to.png", b"not an image", "image/png")
    with pytest.raises(ValidationError) as caught:
        images.check_images([good, bad])
    assert caught.value.messages == [
        "Ảnh 2 (giay-to.png) không phải ảnh JPG, PNG hoặc WebP, hoặc bị hỏng."
    ]
    assert len(images.check_images([good, upload("b.webp", picture(fmt="WEBP"))])) == 2


# --- Documents --------------------------------------------------------------------------


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A .docx-shaped archive whose document inflates 200 MB from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return buffer.getvalue()


def test_documents_by_their_content() -> None:
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"
    assert documents.check_document(upload("qd.pdf", pdf)).extension == "pdf"
    assert documents.check_document(upload("bao-cao.docx", docx())).extension == "docx"
    # The name does not decide: a workbook named .pdf is a workbook.
    assert documents.check_document(upload("so-lieu.pdf", xlsx())).extension == "xlsx"


@pytest.mark.parametrize(
    "name, data",
    [
        ("chuong-trinh.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("cat-do.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n"),  # no end: cut off
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),  # old Word
        ("anh.docx", None),  # a zip of photos
        ("bom.docx", None),
    ],
)
def test_other_files_are_refused(name: str, data: bytes | None) -> None:
    if name == "anh.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("anh-1.jpg", picture(40, 30))
        data = buffer.getvalue()
    elif name == "bom.docx":
        data = zip_bomb()
        assert len(data) < 1_000_000
    assert data is not None
    with pytest.raises(ValidationError) as caught:
        documents.check_document(upload(name, data, "application/octet-stream"))
    message = caught.value.messages[0]
    assert message.startswith("Tài liệu")
    if name == "bom.docx":
        assert "khi giải nén quá lớn" in message


def test_a_document_over_the_limit_is_refused(settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="quá lớn"):
        documents.check_document(upload("a.pdf", b"%PDF-" + b"x" * 200 + b"%%EOF"))
