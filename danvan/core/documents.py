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

A checked document is kept in `default_storage` under a random name
(`store`, or `storing` for a write that must take its files back when it
fails), in a row built on `StoredFile`; `remove_stored_with(Model)` deletes
the file once the deletion of its row is committed.
"""

from __future__ import annotations

import io
import secrets
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete

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


# --- Keeping a checked document ---------------------------------------------------------


def store(folder: str, checked: CheckedDocument) -> str:
    """Keep a checked document in `default_storage` under a random name in
    `folder`; its name there."""
    token = secrets.token_urlsafe(18)
    return default_storage.save(f"{folder}/{token}.{checked.extension}", ContentFile(checked.data))


@contextmanager
def storing(folder: str) -> Iterator[Callable[[CheckedDocument], str]]:
    """For a write that keeps checked documents in its rows: gives `store`
    for `folder`; if the block fails (refused, rolled back), every document
    stored in it leaves the storage again::

        with documents.storing(FOLDER) as store, transaction.atomic():
            Attached.objects.create(stored=store(checked), ...)
    """
    saved: list[str] = []

    def store_one(checked: CheckedDocument) -> str:
        name = store(folder, checked)
        saved.append(name)
        return name

    try:
        yield store_one
    except BaseException:
        for name in saved:  # the rows were not written: their files go
            default_storage.delete(name)
        raise


class StoredFile(models.Model):
    """Abstract base of a row that keeps one checked document: the name it
    was sent under, its name in the storage (`store`), its kind ("pdf",
    "docx", "xlsx") and size, and when it came."""

    file_name = models.CharField("tên tệp", max_length=200)
    stored = models.CharField(max_length=200, editable=False)
    extension = models.CharField(max_length=10, editable=False)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    uploaded_at = models.DateTimeField("thời điểm gửi", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.file_name)


def _stored_file_gone(sender: Any, instance: Any, **kwargs: Any) -> None:
    stored = instance.stored
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))


def remove_stored_with(*senders: type[models.Model]) -> None:
    """Delete a row's stored document (its `stored`, when it has one) once
    the deletion of the row is committed."""
    for sender in senders:
        post_delete.connect(
            _stored_file_gone, sender=sender, dispatch_uid=f"stored-file-{sender._meta.label}"
        )
