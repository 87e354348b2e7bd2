"""A change of state decided under the row's lock.

A service that moves a record from one status to another (a petition
answered, a dialogue cancelled, a campaign published) reads the row again
with SELECT ... FOR UPDATE and checks its status there, never on the copy a
page loaded: two officers clicking at once cannot both move it.

    with transaction.atomic():
        locked = lock_in_status(campaign, [CampaignStatus.DRAFT], "Đợt đã được công bố.")
        locked.status = CampaignStatus.PUBLISHED
        locked.save()
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_in_status(
    obj: M, allowed: Collection[str], refusal: str, *, name_status: bool = False
) -> M:
    """`obj`'s row read again and locked until the transaction ends (call it
    inside `transaction.atomic()`), when its status is still one of `allowed`.
    Otherwise a ValidationError (code "status") saying `refusal`; with
    `name_status`, followed by the status the row is in: "Không hủy được: buổi
    đối thoại" gives "Không hủy được: buổi đối thoại đang ở trạng thái “Đã
    diễn ra”."."""
    model: Any = type(obj)
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    if locked.status not in allowed:
        if name_status:
            refusal = f"{refusal} đang ở trạng thái “{locked.get_status_display()}”."
        raise ValidationError(refusal, code="status")
    return cast(M, locked)
