"""Photos of practices and good deeds (through `danvan.core.photos`: checked,
kept privately, sized in the background without EXIF, all or none), and
documents of practices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from danvan.core import documents, images
from danvan.core import photos as core_photos
from danvan.core.documents import CheckedDocument
from danvan.practices.models import DOCUMENT_FOLDER, Document, GoodDeed, Photo, Practice

core_photos.remove_files_with(Photo)
documents.remove_stored_with(Document)

MAX_DEED_PHOTOS = 5
MAX_PRACTICE_PHOTOS = 20
MAX_DOCUMENTS = 20


def _owner_filter(owner: Practice | GoodDeed) -> dict[str, Any]:
    return {"practice": owner} if isinstance(owner, Practice) else {"deed": owner}


def add_photos(
    owner: Practice | GoodDeed, checked: Sequence[images.Checked], captions: Sequence[str] = ()
) -> list[Photo]:
    """Keep checked photos of a practice or a good deed and queue their processing."""
    limit = MAX_PRACTICE_PHOTOS if isinstance(owner, Practice) else MAX_DEED_PHOTOS
    return core_photos.add_photos(Photo, _owner_filter(owner), checked, captions, limit=limit)


@task()
def process_photo_task(photo_id: int) -> None:
    """Kept for the tasks queued before photos moved to `core.photos`."""
    process_photo(photo_id)


def process_photo(photo_id: int) -> Photo | None:
    """Make the sizes of a photo waiting for them (a second run does nothing)."""
    return core_photos.process_photo(Photo, photo_id)


def remove(thing: Photo | Document) -> None:
    """Delete a photo or a document; its files go once that is committed."""
    with transaction.atomic():
        thing.delete()


def add_document(
    practice: Practice, checked: CheckedDocument, *, title: str, file_name: str, user: Any
) -> Document:
    """Keep a checked document of a practice (all or none)."""
    with documents.storing(DOCUMENT_FOLDER) as store, transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        if practice.documents.count() >= MAX_DOCUMENTS:
            raise ValidationError(f"Tối đa {MAX_DOCUMENTS} tài liệu.", code="too_many")
        return Document.objects.create(
            practice=practice,
            title=title.strip()[:200] or file_name[:200],
            file_name=file_name[:200],
            stored=store(checked),
            extension=checked.extension,
            size=len(checked.data),
            uploaded_by=user,
        )
