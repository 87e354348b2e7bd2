"""Documents that staff attach (a decision, a report): PDF, Word (.docx) and
Excel (.xlsx), recognised by their content, never by their name.

A PDF starts with `%PDF-` and ends with `%%EOF` in its last kilobyte. A .docx
or .xlsx is a zip archive: its directory is checked with the limits of the
workbook imports (danvan.core.uploads: number of members, sizes, ratios, paths)
before anything is read, except that a document may hold parts that are
archives themselves (a chart's workbook under word/embeddings/, printer
settings as .bin): they belong to the document and are never opened here. Then
its [Content_Types].xml (a few kilobytes) must name the main part of a Word
document or a workbook (Word for the web and some generators call it
word/document2.xml); a package that declares none is judged by the usual part
names. Anything else (an .exe renamed .pdf, an old .doc, a zip of photos) is
refused with a Vietnamese message. The file is stored as
sent and only ever served to staff as a download (Content-Disposition:
attachment), so nothing in it runs in a browser.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from danvan.core.uploads import check_archive

ACCEPT = ".pdf,.docx,.xlsx"
KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
}
REFUSED = "không phải tệp PDF, Word (.docx) hoặc Excel (.xlsx), hoặc bị hỏng."
ODD = "khi giải nén quá lớn hoặc có cấu trúc bất thường nên không được nhận."
# The main part's content type in [Content_Types].xml -> the kind of document.
MAIN_TYPES = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
TYPES_MAX_BYTES = 1024 * 1024  # a real [Content_Types].xml holds a few kilobytes


@dataclass(frozen=True)
class CheckedDocument:
    extension: str
    data: bytes

    @property
    def content_type(self) -> str:
        return KINDS[self.extension][0]


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def check_document(upload: IO[bytes] | Any, what: str = "Tài liệu") -> CheckedDocument:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    too_large = ValidationError(
        f"{what} quá lớn (tối đa {limit // (1024 * 1024)} MB).", code="too_large"
    )
    if size is not None and size > limit:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = bytes(upload.read(limit + 1))
    if len(data) > limit:
        raise too_large
    refused = ValidationError(f"{what} {REFUSED}", code="not_document")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise refused
        return CheckedDocument("pdf", data)
    if not data.startswith(b"PK\x03\x04"):
        raise refused
    try:
        check_archive(data, archives_inside=True)
    except ValidationError as error:
        if error.code == "unreadable":
            raise refused from None
        raise ValidationError(f"{what} {ODD}", code="archive") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            kind = _office_kind(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        raise refused from None
    if kind is None:
        raise refused
    return CheckedDocument(kind, data)


def _office_kind(archive: zipfile.ZipFile) -> str | None:
    """The kind ("docx", "xlsx") by the main part [Content_Types].xml declares
    (by the usual part names when it declares none), or None."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None
    if info.file_size > TYPES_MAX_BYTES:
        return None
    types = archive.read(info)
    for main, kind in MAIN_TYPES.items():
        if main in types:
            return kind
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None
