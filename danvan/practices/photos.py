"""Photos of practices and good deeds, and documents of practices.

An upload is checked in the request (danvan.core.images.check_image: by
content, size and pixel count), kept privately as sent, and a background task
(`process_photo_task`) makes the sizes the pages show, without EXIF, then
deletes the original. Until then the photo is "being processed" and no page
links to it. Adding is all or none: the count is checked under the owner's
row lock, and a file written for a transaction that fails is removed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django_tasks import task

from danvan.core import images
from danvan.core.documents import CheckedDocument
from danvan.practices.models import (
    DOCUMENT_FOLDER,
    UPLOAD_FOLDER,
    Document,
    GoodDeed,
    Photo,
    PhotoStatus,
    Practice,
)

logger = logging.getLogger(__name__)

MAX_DEED_PHOTOS = 5
MAX_PRACTICE_PHOTOS = 20
MAX_DOCUMENTS = 20


def _owner_filter(owner: Practice | GoodDeed) -> dict[str, Any]:
    return {"practice": owner} if isinstance(owner, Practice) else {"deed": owner}


def add_photos(
    owner: Practice | GoodDeed, checked: Sequence[images.Checked], captions: Sequence[str] = ()
) -> list[Photo]:
    """Keep checked photos of a practice or a good deed and queue their processing."""
    if not checked:
        return []
    limit = MAX_PRACTICE_PHOTOS if isinstance(owner, Practice) else MAX_DEED_PHOTOS
    saved: list[str] = []
    try:
        with transaction.atomic():
            type(owner).objects.select_for_update().filter(pk=owner.pk).first()
            have = Photo.objects.filter(**_owner_filter(owner)).count()
            if have + len(checked) > limit:
                raise ValidationError(f"Tối đa {limit} ảnh (đã có {have}).", code="too_many_photos")
            photos = []
            for n, picture in enumerate(checked):
                token = secrets.token_urlsafe(18)
                name = default_storage.save(
                    f"{UPLOAD_FOLDER}/{token}.{picture.extension}", ContentFile(picture.data)
                )
                saved.append(name)
                caption = captions[n].strip()[:200] if n < len(captions) else ""
                photos.append(
                    Photo.objects.create(
                        **_owner_filter(owner),
                        token=token,
                        position=have + n,
                        caption=caption,
                        original=name,
                    )
                )
            for photo in photos:
                transaction.on_commit(partial(process_photo_task.enqueue, photo.pk))
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return photos


@task()
def process_photo_task(photo_id: int) -> None:
    process_photo(photo_id)


def process_photo(photo_id: int) -> Photo | None:
    """Make the sizes of a photo waiting for them (a second run does nothing)."""
    photo = Photo.objects.filter(pk=photo_id, status=PhotoStatus.PENDING).first()
    if photo is None:
        return None
    try:
        with default_storage.open(photo.original, "rb") as original:
            data = original.read()
        made = images.renditions(data)
    except Exception:
        logger.exception("photo %s could not be processed", photo_id)
        Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.FAILED)
        photo.status = PhotoStatus.FAILED
        return photo
    sizes = {}
    for rendition in made:
        name = photo.name_of(rendition.name)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(rendition.data))
        sizes[rendition.name] = [rendition.width, rendition.height]
    Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.READY, sizes=sizes, original="")
    from danvan.practices.views_public import PAGES  # an update sends no signal

    PAGES.changed()
    default_storage.delete(photo.original)
    photo.refresh_from_db()
    return photo


def remove(thing: Photo | Document) -> None:
    """Delete a photo or a document; its files go once that is committed."""
    with transaction.atomic():
        thing.delete()


@receiver(post_delete, sender=Photo)
def _photo_files_gone(sender: Any, instance: Photo, **kwargs: Any) -> None:
    names = [instance.name_of(size.name) for size in images.SIZES]
    if instance.original:
        names.append(instance.original)

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def add_document(
    practice: Practice, checked: CheckedDocument, *, title: str, file_name: str, user: Any
) -> Document:
    """Keep a checked document of a practice (all or none)."""
    name = ""
    try:
        with transaction.atomic():
            Practice.objects.select_for_update().filter(pk=practice.pk).first()
            if practice.documents.count() >= MAX_DOCUMENTS:
                raise ValidationError(f"Tối đa {MAX_DOCUMENTS} tài liệu.", code="too_many")
            token = secrets.token_urlsafe(18)
            name = default_storage.save(
                f"{DOCUMENT_FOLDER}/{token}.{checked.extension}", ContentFile(checked.data)
            )
            return Document.objects.create(
                practice=practice,
                title=title.strip()[:200] or file_name[:200],
                file_name=file_name[:200],
                stored=name,
                extension=checked.extension,
                size=len(checked.data),
                uploaded_by=user,
            )
    except BaseException:
        if name:
            default_storage.delete(name)
        raise


@receiver(post_delete, sender=Document)
def _document_file_gone(sender: Any, instance: Document, **kwargs: Any) -> None:
    stored = instance.stored
    transaction.on_commit(lambda: default_storage.delete(stored))
