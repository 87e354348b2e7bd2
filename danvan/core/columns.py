"""What the models of every app declare alike: the columns that point at a
staff account, a unit or a body, the rule that a span ends after it starts,
and the small mixins that keep a folded copy of a text in step, read an
encrypted phone, and file audit entries under the record's unit and body.

A field or constraint made here is exactly the one written out by hand (the
same `deconstruct()`), so a model that switches to it needs no migration::

    from danvan.core import columns

    class Plan(columns.OrganizationAudited, columns.FoldedCopies, models.Model):
        folded = {"title_folded": ("number", "title")}

        organization = columns.organization_field("cơ quan ban hành", related_name="plans")
        created_by = columns.staff_user_field("người nhập", blank=False)

        class Meta:
            constraints = [
                columns.ends_after("starts_on", "ends_on", inclusive=True, name="plan_period_order")
            ]

Units and bodies are pointed at by their lazy names ("core.Area",
"core.Organization"): core.models builds on this module, not the reverse.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from danvan.core.text import fold

# --- Fields -----------------------------------------------------------------------------


def staff_user_field(
    verbose_name: str, *, related_name: str | None = "+", blank: bool = True
) -> Any:
    """The staff account that did something to a row (created, saved, granted
    it): optional, and set to null when the account is deleted, so the row
    stays. `related_name=None` keeps Django's default reverse accessor;
    `blank=False` leaves the field required in a form (as some models were
    first declared)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def area_field(verbose_name: str = "địa bàn", **options: Any) -> Any:
    """The unit (`core.Area`) a record belongs to or concerns. Protected: a
    unit with records is never deleted (it ends, `valid_to`, and stays).
    `options`: the foreign key's others (related_name, null, blank…)."""
    return models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, verbose_name=verbose_name, **options
    )


def organization_field(verbose_name: str, **options: Any) -> Any:
    """The body (`core.Organization`) that runs, issues or answers for a
    record. Protected: a body with records is never deleted (it ends,
    `valid_to`, and stays). `options`: the foreign key's others."""
    return models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, verbose_name=verbose_name, **options
    )


def partners_field(related_name: str, verbose_name: str = "đơn vị phối hợp") -> Any:
    """The bodies that take part beside the lead one (đơn vị phối hợp): any
    number, none required."""
    return models.ManyToManyField(
        "core.Organization", blank=True, related_name=related_name, verbose_name=verbose_name
    )


# --- Constraints ------------------------------------------------------------------------


def ends_after(
    start: str,
    end: str,
    *,
    name: str,
    inclusive: bool = False,
    open_ended: bool = False,
    message: str | None = None,
) -> models.CheckConstraint:
    """A span (a window, a period, a validity) ends after it starts: the
    field `end` is later than `start`, or not earlier with `inclusive` (days
    that may be the same); with `open_ended` the end may be empty (still
    running). `message`: what a form says when it does not hold."""
    condition = Q(**{f"{end}__{'gte' if inclusive else 'gt'}": F(start)})
    if open_ended:
        condition = Q(**{f"{end}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


# --- Mixins -----------------------------------------------------------------------------


class FoldedCopies:
    """Keeps folded copies (`core.text.fold`: no diacritics, no case) of text
    fields in step on every save, for searches that ignore both. `folded` maps
    each copy to the fields it folds, joined by a space::

        folded = {"title_folded": ("number", "title")}

    A copy is cut to its column's `max_length`; a save limited to
    `update_fields` that names a folded field writes its copy too."""

    folded: ClassVar[dict[str, tuple[str, ...]]] = {}

    def save(self, *args: Any, **kwargs: Any) -> None:
        meta: Any = self._meta  # type: ignore[attr-defined]
        update_fields = kwargs.get("update_fields")
        for copy, sources in self.folded.items():
            text = fold(" ".join(str(getattr(self, name)) for name in sources))
            setattr(self, copy, text[: meta.get_field(copy).max_length])
            if update_fields is not None and not set(sources).isdisjoint(update_fields):
                update_fields = kwargs["update_fields"] = {*update_fields, copy}
        super().save(*args, **kwargs)  # type: ignore[misc]


class EncryptedPhone:
    """A person's phone kept encrypted (`core.crypto`) in `phone_encrypted`:
    `phone` reads it, `phone_masked` shows it in lists."""

    phone_encrypted: Any

    @property
    def phone(self) -> str:
        from danvan.core.crypto import decrypt

        return decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    @property
    def phone_masked(self) -> str:
        from danvan.core.masking import mask_phone

        return mask_phone(self.phone)


def organization_paths(org: Any) -> dict[str, str]:
    """The audit data of a record owned by the body `org`: filed under the
    body and its unit, so that those who audit either read the entry."""
    return {"area_path": org.area.path, "org_path": org.path}


class AreaAudited:
    """Files a record's audit entries (django-auditlog's additional data)
    under its unit, `area`."""

    area: Any

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.area.path}


class OrganizationAudited:
    """Files a record's audit entries under the body that owns it,
    `organization`, and that body's unit (`organization_paths`)."""

    organization: Any

    def get_additional_data(self) -> dict[str, str]:
        return organization_paths(self.organization)
