"""danvan.core.documents with real files: a PDF, a Word document and a
workbook are told by their content (never by their name), real ones from Word
and Excel included (a chart's workbook inside, printer settings, a main part
named word/document2.xml); a program named .pdf, a cut-off PDF, an old .doc,
a zip of photos and zip bombs named .docx are refused in Vietnamese."""

from __future__ import annotations

import io
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from danvan.core import documents
from danvan.core.tests.factories import picture_bytes, upload

REFUSED = "Tài liệu không phải tệp PDF, Word (.docx) hoặc Excel (.xlsx), hoặc bị hỏng."
ARCHIVE = "Tài liệu khi giải nén quá lớn hoặc có cấu trúc bất thường nên không được nhận."
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
OCTET = "application/octet-stream"


def pdf() -> bytes:
    """A real one-page PDF: objects, a cross-reference table with their offsets, a trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx(main: str = "word/document.xml", parts: dict[str, bytes] | None = None) -> bytes:
    """A Word document as Word writes one: content types, the package's
    relationships, the main part (named `main`), and any other `parts`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.printerSettings"/>'
            f'<Override PartName="/{main}" ContentType="{WORD_MAIN}"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/officeDocument" Target="{main}"/></Relationships>',
        )
        archive.writestr(
            main,
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Báo cáo sơ kết mô hình</w:t></w:r></w:p></w:body>"
            "</w:document>",
        )
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx(parts: dict[str, bytes] | None = None) -> bytes:
    workbook = Workbook()
    workbook.active.append(["Chỉ tiêu", "Kết quả"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if parts:
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return buffer.getvalue()


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb(megabytes: int) -> bytes:
    """A .docx-shaped archive whose document inflates to `megabytes` of zeros,
    written a megabyte at a time (never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{WORD_MAIN}"/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def check(name: str, data: bytes, content_type: str = OCTET) -> documents.CheckedDocument:
    return documents.check_document(upload(name, data, content_type))


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        check(name, data)
    assert len(caught.value.messages) == 1
    return caught.value.messages[0]


# --- Accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make, extension, content_type",
    [
        ("quyet-dinh.pdf", pdf, "pdf", "application/pdf"),
        # A PDF changed after it was made ends with a second %%EOF.
        ("sua.pdf", lambda: pdf() + b"1 0 obj\n<< >>\nendobj\n%%EOF\r\n", "pdf", "application/pdf"),
        ("bao-cao.docx", docx, "docx", documents.KINDS["docx"][0]),
        ("so-lieu.xlsx", xlsx, "xlsx", documents.KINDS["xlsx"][0]),
        # Word for the web and some generators name the main part differently.
        ("web.docx", lambda: docx("word/document2.xml"), "docx", documents.KINDS["docx"][0]),
        # A report with a chart holds the chart's workbook; Word and Excel keep
        # the printer's settings as .bin parts: parts of the document, kept as sent.
        (
            "bieu-do.docx",
            lambda: docx(
                parts={
                    "word/charts/chart1.xml": b"<c:chartSpace/>",
                    "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx(),
                    "word/printerSettings/printerSettings1.bin": b"\x01" * 2000,
                }
            ),
            "docx",
            documents.KINDS["docx"][0],
        ),
        (
            "in.xlsx",
            lambda: xlsx({"xl/printerSettings/printerSettings1.bin": b"\x01" * 2000}),
            "xlsx",
            documents.KINDS["xlsx"][0],
        ),
        # A package declaring no main part is judged by the usual part names.
        (
            "cu.docx",
            lambda: zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            "docx",
            documents.KINDS["docx"][0],
        ),
        # The name does not decide: a workbook named .pdf is a workbook.
        ("nham-ten.pdf", xlsx, "xlsx", documents.KINDS["xlsx"][0]),
        ("nham-ten.xlsx", pdf, "pdf", "application/pdf"),
    ],
)
def test_documents_are_told_by_their_content(
    name: str, make: Any, extension: str, content_type: str
) -> None:
    data = make()
    checked = check(name, data, "application/x-what-the-browser-says")
    assert (checked.extension, checked.content_type, checked.data) == (
        extension,
        content_type,
        data,
    )


# --- Refused ----------------------------------------------------------------------------


def _program() -> bytes:
    """The first 64 KB of the Python interpreter running the tests: a real program."""
    return Path(sys.executable).resolve().read_bytes()[: 64 * 1024]


def _windows_program() -> bytes:
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header[0x3C:0x40] = (64).to_bytes(4, "little")
    return bytes(header) + b"PE\x00\x00" + b"\x00" * 200


def _presentation() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return zipped(
        {
            "[Content_Types].xml": f'<Types><Override PartName="/ppt/presentation.xml" '
            f'ContentType="{main}"/></Types>'.encode(),
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


@pytest.mark.parametrize(
    "name, make",
    [
        ("chuong-trinh.pdf", _program),
        ("setup.pdf", _windows_program),
        ("cat-do.pdf", lambda: pdf()[:-200]),  # cut off: no %%EOF at the end
        ("chi-dau.pdf", lambda: pdf()[:-7]),
        ("cu.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),  # old Word (OLE)
        (
            "anh.docx",
            lambda: zipped({"anh-1.jpg": picture_bytes(64, 48), "anh-2.jpg": picture_bytes()}),
        ),
        ("trinh-chieu.docx", lambda: _presentation()),  # a PowerPoint file
        ("trang.docx", lambda: b"<html><body>Bao cao</body></html>"),
        ("hong.docx", lambda: b"PK\x03\x04" + b"\x00" * 300),  # a zip's start, nothing after
        ("cat-doi.docx", lambda: docx()[:300]),
        ("rong.pdf", lambda: b""),
    ],
)
def test_other_files_are_refused(name: str, make: Any) -> None:
    assert refusal(name, make()) == REFUSED


def test_a_zip_bomb_named_docx_is_refused_from_its_directory() -> None:
    big = bomb(200)  # 200 MB of zeros in a few hundred kilobytes
    assert len(big) < 1_000_000
    assert refusal("bom.docx", big) == ARCHIVE


def test_a_member_inflating_too_much_is_refused(settings: Any) -> None:
    small = bomb(2)  # 2 MB, over the ratio of UPLOAD_MAX_RATIO, under the total limit
    info = zipfile.ZipFile(io.BytesIO(small)).getinfo("word/document.xml")
    assert info.file_size > settings.UPLOAD_MAX_RATIO * info.compress_size
    assert info.file_size < settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
    assert refusal("nen.docx", small) == ARCHIVE
    settings.UPLOAD_MAX_RATIO = 10_000  # the limit is a setting
    assert check("nen.docx", small).extension == "docx"


@pytest.mark.parametrize(
    "parts",
    [
        {"../../etc/cron.d/job": b"x"},  # a path leaving the archive
        {"/etc/passwd": b"x"},
        {f"word/media/image{n}.png": b"x" for n in range(10)},  # more members than allowed
    ],
)
def test_odd_archives_are_refused(parts: dict[str, bytes], settings: Any) -> None:
    settings.UPLOAD_MAX_MEMBERS = 8
    data = docx(parts=parts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(parts) <= set(archive.namelist())
    assert refusal("la.docx", data) == ARCHIVE


def test_a_name_twice_in_the_archive_is_refused() -> None:
    """Two members of one name: one program would read the first, another the last."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name"
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{WORD_MAIN}"/>')
            archive.writestr("word/document.xml", "<w:document/>")
            archive.writestr("word/document.xml", "<w:document>khác</w:document>")
    assert refusal("hai.docx", buffer.getvalue()) == ARCHIVE


def test_a_document_over_the_byte_limit_is_refused(settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    body = pdf()
    exactly = body[:-6] + b"%" * (1024 * 1024 - len(body)) + b"%%EOF\n"
    assert len(exactly) == 1024 * 1024
    assert check("vua.pdf", exactly).extension == "pdf"
    assert refusal("to.pdf", exactly + b"\n") == "Tài liệu quá lớn (tối đa 1 MB)."
