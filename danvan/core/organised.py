"""What the organised activities of the apps share (a contest, a survey, and
the next ones): run by an `Organization` over a window of time, drafted then
published, created by a staff user.

A model builds on `OrganisedActivity` and names its window and, if it has one,
the column the database itself writes (a version or revision raised by
triggers, which a save must never write back)::

    class Contest(OrganisedActivity):
        window = ("starts_at", "ends_at")
        db_owned_field = "bank_version"
        objects = ContestQuerySet.as_manager()

    class ContestQuerySet(OrganisedQuerySet["Contest"]): ...

The model keeps its own `title`, `organization`, `status` and window fields
(their labels differ by app). Abstract: no table, no migration of its own.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models
from django.utils import timezone

from danvan.core import columns
from danvan.core.scope import OrganizationScopedQuerySet

DRAFT = "draft"
PUBLISHED = "published"

_M = TypeVar("_M", bound=models.Model)


class OrganisedQuerySet(OrganizationScopedQuerySet[_M]):
    """Scoped by the organising body and its area; `open_now()` by the window."""

    def published(self) -> Any:
        return self.filter(status=PUBLISHED)

    def open_now(self) -> Any:
        opens, closes = self.model.window  # type: ignore[attr-defined]
        now = timezone.now()
        return self.published().filter(**{f"{opens}__lte": now, f"{closes}__gt": now})


class OrganisedActivity(columns.OrganizationAudited, models.Model):
    """Abstract base: who created it and when, its audit data (filed under the
    organising body), whether it is open."""

    window: ClassVar[tuple[str, str]]
    """The names of the opening and closing datetime fields."""
    db_owned_field: ClassVar[str] = ""
    """A column written only by the database (its triggers): never saved back."""

    created_by = columns.staff_user_field("người tạo", related_name=None)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.title)  # type: ignore[attr-defined]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The database owns `db_owned_field`: a save of a row loaded before its
        # triggers changed it must not write the old value back.
        if (
            self.db_owned_field
            and not self._state.adding
            and self.pk is not None
            and kwargs.get("update_fields") is None
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != self.db_owned_field
            ]
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        opens, closes = self.window
        now = timezone.now()
        return bool(
            self.status == PUBLISHED  # type: ignore[attr-defined]
            and getattr(self, opens) <= now < getattr(self, closes)
        )


class PartOfActivity:
    """A part of an organised activity (a round, a question, a choice) files its
    audit entries under the activity's unit, so that those who audit that unit
    read them. `activity` names the way to the activity ("contest",
    "question__contest")."""

    activity: ClassVar[str]

    def get_additional_data(self) -> dict[str, str]:
        owner: Any = self
        for name in self.activity.split("__"):
            owner = getattr(owner, name)
        data: dict[str, str] = owner.get_additional_data()
        return data
