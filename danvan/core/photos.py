"""Photos that belong to a record of any app (a practice, a good deed, a
dialogue): the model's fields, adding them all or none, making their sizes in
the background, and removing their files with their rows.

An upload is checked in the request (`core.images.check_image`: by content,
size and pixel count) and kept privately as sent, in `UPLOAD_FOLDER`. A
background task (`process_photo_task`) makes the sizes the pages show
(`core.images.SIZES`) without EXIF, under the model's public `folder` and an
unguessable token, then deletes the original (it carries the camera's EXIF,
GPS included). Until then the photo is "being processed" and no page links to
it. Adding checks the count under the owner's row lock, and a file written for
a transaction that fails is removed.

An app declares its model and connects it in `AppConfig.ready`::

    class DialoguePhoto(PhotoBase):
        folder = "outreach/photos"          # listed in PUBLIC_MEDIA_PREFIXES
        dialogue = models.ForeignKey(Dialogue, related_name="photos", ...)

        class Meta(PhotoBase.Meta):
            ...

    remove_files_with(DialoguePhoto)         # in ready()

and stores with `add_photos(DialoguePhoto, {"dialogue": d}, d, checked, limit=10)`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, TypeVar

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django_tasks import task

from danvan.core import images
from danvan.core.fields import FilesField

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "uploads/photos"
"""Private: originals wait here, as sent, until their sizes are made."""


class PhotoStatus(models.TextChoices):
    PENDING = "pending", "Đang xử lý"
    READY = "ready", "Sẵn sàng"
    FAILED = "failed", "Không xử lý được"


class PhotoBase(models.Model):
    """A photo of one record, shown in the sizes `core.images.SIZES` once a
    background job has made them. A concrete model adds the foreign key to its
    record and sets `folder`, the public folder of the sizes."""

    folder: ClassVar[str]

    token = models.CharField(max_length=40, unique=True, editable=False)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    caption = models.CharField("chú thích", max_length=200, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=PhotoStatus.choices, default=PhotoStatus.PENDING
    )
    sizes = models.JSONField(default=dict, blank=True, editable=False)
    """{"card": [width, height], "large": [...], "share": [...]} once made."""
    original = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField("thời điểm gửi", auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = "ảnh"
        verbose_name_plural = "ảnh"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or f"Ảnh {self.pk}"

    def name_of(self, size: str) -> str:
        return f"{self.folder}/{self.token}/{size}.jpg"

    def image(self, size: str) -> dict[str, Any] | None:
        """{"url", "width", "height"} of a size, or None while it is not made."""
        if self.status != PhotoStatus.READY or size not in self.sizes:
            return None
        width, height = self.sizes[size]
        return {"url": default_storage.url(self.name_of(size)), "width": width, "height": height}

    @property
    def card(self) -> dict[str, Any] | None:
        return self.image("card")

    @property
    def large(self) -> dict[str, Any] | None:
        return self.image("large")

    @property
    def share(self) -> dict[str, Any] | None:
        return self.image("share")

    def sizes_made(self) -> None:
        """Called once this photo's sizes are stored (an update sends no signal):
        a model whose public pages are kept overrides it to drop them."""


P = TypeVar("P", bound=PhotoBase)


def add_photos(
    model: type[P],
    owner_of: Mapping[str, models.Model],
    checked: Sequence[images.Checked],
    captions: Sequence[str] = (),
    *,
    limit: int,
) -> list[P]:
    """Keep checked photos of one record (`owner_of`, e.g. {"dialogue": d}) and
    queue their processing; all or none, never more than `limit` in all."""
    if not checked:
        return []
    ((field, owner),) = owner_of.items()
    saved: list[str] = []
    try:
        with transaction.atomic():
            type(owner)._default_manager.select_for_update().filter(pk=owner.pk).first()
            have = model._default_manager.filter(**{field: owner}).count()
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
                    model._default_manager.create(
                        **{field: owner},
                        token=token,
                        position=have + n,
                        caption=caption,
                        original=name,
                    )
                )
            label = model._meta.label
            for photo in photos:
                transaction.on_commit(partial(process_photo_task.enqueue, label, photo.pk))
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return photos


@task()
def process_photo_task(model_label: str, photo_id: int) -> None:
    process_photo(apps.get_model(model_label), photo_id)


def process_photo(model: type[P], photo_id: int) -> P | None:
    """Make the sizes of a photo waiting for them (a second run does nothing)."""
    manager = model._default_manager
    photo = manager.filter(pk=photo_id, status=PhotoStatus.PENDING).first()
    if photo is None:
        return None
    try:
        with default_storage.open(photo.original, "rb") as original:
            data = original.read()
        made = images.renditions(data)
    except Exception:
        logger.exception("photo %s %s could not be processed", model._meta.label, photo_id)
        manager.filter(pk=photo_id).update(status=PhotoStatus.FAILED)
        photo.status = PhotoStatus.FAILED
        return photo
    sizes = {}
    for rendition in made:
        name = photo.name_of(rendition.name)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(rendition.data))
        sizes[rendition.name] = [rendition.width, rendition.height]
    manager.filter(pk=photo_id).update(status=PhotoStatus.READY, sizes=sizes, original="")
    photo.sizes_made()
    default_storage.delete(photo.original)
    photo.refresh_from_db()
    return photo


def process_waiting(model: type[PhotoBase]) -> None:
    """Make the sizes of every photo still waiting (the demo, a backlog)."""
    for pk in model._default_manager.filter(status=PhotoStatus.PENDING).values_list(
        "pk", flat=True
    ):
        process_photo(model, pk)


def _files_gone(sender: Any, instance: PhotoBase, **kwargs: Any) -> None:
    names = [instance.name_of(size.name) for size in images.SIZES]
    if instance.original:
        names.append(instance.original)

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def remove_files_with(model: type[PhotoBase]) -> None:
    """Delete a photo's files once the deletion of its row is committed."""
    post_delete.connect(_files_gone, sender=model, dispatch_uid=f"photo-files-{model._meta.label}")


def remove_photo(photo: PhotoBase) -> None:
    """Delete a photo; its files go once that is committed."""
    with transaction.atomic():
        photo.delete()


class PhotosForm(forms.Form):
    """The staff form that adds photos to a record holding at most `max_count`."""

    photos = FilesField(
        label="Ảnh",
        max_count=20,
        required=True,
        accept=images.ACCEPT,
        help_text="JPG, PNG hoặc WebP, mỗi ảnh đến 10 MB. Vị trí chụp (GPS) và thông tin máy "
        "ảnh được xóa khi xử lý.",
        error_messages={"required": "Hãy chọn ít nhất một ảnh."},
    )
    caption = forms.CharField(label="Chú thích (không bắt buộc)", max_length=200, required=False)

    def __init__(self, *args: Any, max_count: int = 20, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["photos"]
        assert isinstance(field, FilesField)
        field.max_count = max_count
