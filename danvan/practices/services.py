"""Every write to practices, each in one transaction: registering, editing,
results, and the lifecycle (`advance`), which locks the row, checks the move
from the status it finds under the lock, and records the step.

    registered → in progress → proposed for recognition → recognised → replicated
                                                        ↘ not recognised
    registered, in progress, proposed → stopped

A refused move raises ValidationError with a Vietnamese message and changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from danvan.core.locking import lock_in_status
from danvan.practices.models import Indicator, Level, Practice, Status, Step


@dataclass(frozen=True)
class Move:
    """One lifecycle action: from which states, to which, what it asks for."""

    sources: tuple[str, ...]
    target: str
    label: str
    needs_reason: bool = False
    done: str = ""


MOVES: dict[str, Move] = {
    "start": Move((Status.REGISTERED,), Status.IN_PROGRESS, "Bắt đầu thực hiện",
                  done="Đã chuyển sang đang thực hiện."),
    "propose": Move((Status.IN_PROGRESS,), Status.PROPOSED, "Đề nghị công nhận",
                    done="Đã đề nghị công nhận."),
    "recognise": Move((Status.PROPOSED,), Status.RECOGNISED, "Công nhận",
                      done="Đã ghi nhận quyết định công nhận."),
    "refuse": Move((Status.PROPOSED,), Status.NOT_RECOGNISED, "Không công nhận",
                   needs_reason=True, done="Đã ghi nhận: không công nhận."),
    "stop": Move((Status.REGISTERED, Status.IN_PROGRESS, Status.PROPOSED), Status.STOPPED,
                 "Dừng thực hiện", needs_reason=True, done="Đã ghi nhận dừng thực hiện."),
}  # fmt: skip

FIELDS = (
    "kind",
    "title",
    "field",
    "level",
    "year",
    "area",
    "organization",
    "lead_official",
    "started_on",
    "aims",
    "method",
    "participants",
)


def register_practice(*, by: Any, partners: Any = (), **values: Any) -> Practice:
    """A practice or exemplar registered for a year (status: registered)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        practice = Practice(created_by=by, status=Status.REGISTERED, **values)
        practice.full_clean()
        practice.save()
        practice.partners.set(partners)
        Step.objects.create(
            practice=practice,
            action="register",
            from_status=Status.REGISTERED,
            to_status=Status.REGISTERED,
            by=by,
            reason="Đăng ký xây dựng.",
        )
    return practice


def update_practice(practice: Practice, *, partners: Any = None, **values: Any) -> Practice:
    """Its description changed (not its status, which only `advance` moves)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        if partners is not None:
            locked.partners.set(partners)
    return locked


def advance(
    practice: Practice,
    action: str,
    *,
    by: Any,
    reason: str = "",
    recognised_level: str = "",
    decision_number: str = "",
    decision_date: date | None = None,
    issuing_body: str = "",
) -> Practice:
    """Move the practice by `action` (a key of MOVES), checked under its lock."""
    move = MOVES.get(action)
    if move is None:
        raise ValidationError("Thao tác không hợp lệ.", code="action")
    reason = reason.strip()
    if move.needs_reason and not reason:
        raise ValidationError("Hãy ghi lý do.", code="reason")
    if action == "recognise":
        missing = [
            label
            for label, value in (
                ("cấp công nhận", recognised_level),
                ("số quyết định", decision_number.strip()),
                ("ngày quyết định", decision_date),
                ("cơ quan ban hành", issuing_body.strip()),
            )
            if not value
        ]
        if missing:
            raise ValidationError("Công nhận cần đủ: " + ", ".join(missing) + ".", code="decision")
        if recognised_level not in Level.values:
            raise ValidationError("Cấp công nhận không hợp lệ.", code="decision")
    with transaction.atomic():
        locked = lock_in_status(
            practice, move.sources, f"Không thể “{move.label.lower()}”: mô hình", name_status=True
        )
        before = locked.status
        locked.status = move.target
        changed = ["status", "updated_at"]
        if action == "recognise":
            locked.recognised_level = recognised_level
            locked.decision_number = decision_number.strip()
            locked.decision_date = decision_date
            locked.issuing_body = issuing_body.strip()
            changed += ["recognised_level", "decision_number", "decision_date", "issuing_body"]
        locked.save(update_fields=changed)
        Step.objects.create(
            practice=locked,
            action=action,
            from_status=before,
            to_status=move.target,
            by=by,
            reason=reason,
        )
    practice.status = locked.status
    return locked


def replicate_practice(original: Practice, copy: Practice, *, by: Any) -> Practice:
    """`copy` (a unit's own practice) replicates `original`, which is
    recognised: the copy names its origin, the original becomes replicated."""
    if copy.pk == original.pk:
        raise ValidationError("Một mô hình không nhân rộng từ chính nó.", code="self")
    with transaction.atomic():
        locked = lock_in_status(
            original,
            [Status.RECOGNISED, Status.REPLICATED],
            "Chỉ nhân rộng được mô hình đã được công nhận.",
        )
        Practice.objects.filter(pk=copy.pk).update(replicated_from=locked)
        if locked.status != Status.REPLICATED:
            before = locked.status
            locked.status = Status.REPLICATED
            locked.save(update_fields=["status", "updated_at"])
            Step.objects.create(
                practice=locked,
                action="replicate",
                from_status=before,
                to_status=Status.REPLICATED,
                by=by,
                reason=f"Được nhân rộng: {copy.title}",
            )
    return locked


def set_indicators(practice: Practice, rows: list[tuple[str, Decimal, str, date]]) -> None:
    """The practice's results, replaced as a whole: (label, value, unit, date)."""
    with transaction.atomic():
        Practice.objects.select_for_update().get(pk=practice.pk)
        for old in practice.indicators.all():  # one by one: each in the audit log
            old.delete()
        for i, (label, value, unit, measured_on) in enumerate(rows, start=1):
            Indicator.objects.create(
                practice=practice, position=i, label=label, value=value, unit=unit,
                measured_on=measured_on,
            )  # fmt: skip
