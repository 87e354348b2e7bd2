"""Documents that staff attach (a decision, a report): PDF, Word (.docx) and
Excel (.xlsx), recognised by their content, never by their name.

A PDF starts with `%PDF-` and ends with `%%EOF` in its last kilobyte. A .docx
or .xlsx is a zip archive: its directory is checked as the workbook imports
check it (danvan.core.uploads.check_archive: sizes, ratios, nesting, paths)
before anything is read, then it must hold the part that makes it a Word
document or a workbook. Anything else (an .exe renamed .pdf, an old .doc, a
zip of photos) is refused with a Vietnamese message. The file is stored as
sent and only ever served to staff as a download (Content-Disposition:
attachment), so nothing in it runs in a browser.
"""

from __future__ import annotations

import io
import zipfile
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
        check_archive(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except ValidationError as error:
        if error.code == "unreadable":
            raise refused from None
        raise ValidationError(
            f"{what} khi giải nén quá lớn hoặc có cấu trúc bất thường nên không được nhận.",
            code="archive",
        ) from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    if "[Content_Types].xml" not in names:
        raise refused
    if "word/document.xml" in names:
        return CheckedDocument("docx", data)
    if "xl/workbook.xml" in names:
        return CheckedDocument("xlsx", data)
    raise refused
