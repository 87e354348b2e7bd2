"""Dialogues of leaders with the people: scheduled (planned), announced on the
public site, held (attendance, the groups present, minutes), or cancelled with
a reason; photos once held. Each write is one function, in one transaction, locking the row whose
status it checks; a refused one is a Vietnamese message and changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from danvan.core import images, photos
from danvan.core.locking import lock_in_status
from danvan.outreach.models import MAX_DIALOGUE_PHOTOS, Dialogue, DialoguePhoto, DialogueStatus

EDITABLE = (DialogueStatus.PLANNED, DialogueStatus.ANNOUNCED)


def _check(dialogue: Dialogue) -> None:
    if dialogue.organizer.valid_to is not None:
        raise ValidationError({"organizer": "Cơ quan chủ trì đã ngừng hoạt động."})
    if dialogue.area.valid_to is not None:
        raise ValidationError({"area": "Đơn vị này đã ngừng hoạt động (sau sắp xếp)."})
    if not dialogue.area.path.startswith(dialogue.organizer.area.path):
        raise ValidationError({"area": "Đơn vị phải thuộc địa bàn của cơ quan chủ trì."})


def schedule_dialogue(
    dialogue: Dialogue, *, cohosts: Iterable[Any] = (), by: Any = None
) -> Dialogue:
    """A new dialogue, planned (not yet on the public site)."""
    _check(dialogue)
    with transaction.atomic():
        dialogue.status = DialogueStatus.PLANNED
        dialogue.created_by = by
        dialogue.save()
        dialogue.cohosts.set(cohosts)
    return dialogue


def update_dialogue(dialogue: Dialogue, *, cohosts: Iterable[Any] = ()) -> Dialogue:
    """Save the edited schedule of a dialogue not yet held nor cancelled."""
    _check(dialogue)
    with transaction.atomic():
        locked = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if locked.status not in EDITABLE:
            raise ValidationError(
                f"Buổi đối thoại đã ở trạng thái “{locked.get_status_display()}”; "
                "không sửa lịch được nữa.",
                code="status",
            )
        dialogue.status = locked.status
        dialogue.announced_at = locked.announced_at
        dialogue.save()
        dialogue.cohosts.set(cohosts)
    return dialogue


def announce_dialogue(dialogue: Dialogue) -> Dialogue:
    """Publish the notice of a planned dialogue on the public site."""
    with transaction.atomic():
        locked = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if locked.status != DialogueStatus.PLANNED:
            raise ValidationError(
                f"Chỉ thông báo được buổi đối thoại đang dự kiến (hiện: "
                f"“{locked.get_status_display()}”).",
                code="status",
            )
        if locked.starts_at <= timezone.now():
            raise ValidationError(
                "Buổi đối thoại đã qua thời gian dự kiến; hãy sửa lịch trước khi thông báo.",
                code="past",
            )
        locked.status = DialogueStatus.ANNOUNCED
        locked.announced_at = timezone.now()
        locked.save(update_fields=["status", "announced_at"])
    return locked


def cancel_dialogue(dialogue: Dialogue, *, reason: str) -> Dialogue:
    """Cancel a dialogue not yet held; the reason shows on the public notice."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do hủy."})
    with transaction.atomic():
        locked = lock_in_status(
            dialogue, EDITABLE, "Không hủy được: buổi đối thoại", name_status=True
        )
        locked.status = DialogueStatus.CANCELLED
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancel_reason"])
    return locked


def record_outcome(
    dialogue: Dialogue, *, attendance: int, groups_present: str, minutes: str
) -> Dialogue:
    """What happened at a dialogue once held: the number present, the groups,
    the minutes and conclusions. Again later to correct them."""
    if attendance is None or attendance < 1:
        raise ValidationError({"attendance": "Số người dự phải từ 1 trở lên."})
    if not minutes.strip():
        raise ValidationError({"minutes": "Hãy ghi biên bản hoặc kết luận buổi đối thoại."})
    with transaction.atomic():
        locked = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if locked.status == DialogueStatus.CANCELLED:
            raise ValidationError("Buổi đối thoại đã hủy.", code="status")
        if locked.starts_at > timezone.now():
            raise ValidationError(
                "Buổi đối thoại chưa diễn ra; chỉ ghi kết quả sau khi đã tổ chức.", code="future"
            )
        locked.status = DialogueStatus.HELD
        locked.attendance = attendance
        locked.groups_present = groups_present.strip()
        locked.minutes = minutes.strip()
        locked.save(update_fields=["status", "attendance", "groups_present", "minutes"])
    return locked


def add_dialogue_photos(
    dialogue: Dialogue, checked: Sequence[images.Checked], captions: Sequence[str] = ()
) -> list[DialoguePhoto]:
    """Photos of a dialogue once held (its outcome recorded), at most
    MAX_DIALOGUE_PHOTOS; all or none, sized in the background (`core.photos`)."""
    with transaction.atomic():
        locked = lock_in_status(
            dialogue, [DialogueStatus.HELD], "Chỉ thêm ảnh sau khi đã ghi kết quả buổi đối thoại."
        )
        return photos.add_photos(
            DialoguePhoto, {"dialogue": locked}, checked, captions, limit=MAX_DIALOGUE_PHOTOS
        )
