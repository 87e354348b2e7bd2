"""Writes of inspections, one function each, in one transaction, locking the
row whose state they check; a refusal is a Vietnamese ValidationError and
changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from danvan.inspections.models import Inspection, InspectionStatus, Programme, Recommendation


def save_programme(programme: Programme) -> Programme:
    """Create or edit a programme; its issuing body must be in force."""
    if programme.organization.valid_to is not None and programme.pk is None:
        raise ValidationError({"organization": "Cơ quan này đã ngừng hoạt động."})
    if programme.issued_on > programme.period.end:
        raise ValidationError({"issued_on": "Ngày ban hành phải trước khi kỳ kết thúc."})
    with transaction.atomic():
        programme.save()
    return programme


def _in_period(programme: Programme, starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Ngày kết thúc phải sau ngày bắt đầu."})
    period = programme.period
    if starts_on < period.start or ends_on > period.end:
        raise ValidationError(
            {"starts_on": f"Ngày kiểm tra phải trong kỳ {period.name} "
             f"({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})."}
        )  # fmt: skip


def save_inspection(inspection: Inspection) -> Inspection:
    """Plan an inspection of a programme, or edit one not yet concluded."""
    _in_period(inspection.programme, inspection.starts_on, inspection.ends_on)
    with transaction.atomic():
        if inspection.pk is not None:
            locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
            if locked.status == InspectionStatus.CONCLUDED:
                raise ValidationError("Cuộc kiểm tra đã kết luận; không sửa được nữa.")
        inspection.save()
    return inspection


def conclude_inspection(
    inspection: Inspection, *, findings: str, conclusions: str, concluded_on: date
) -> Inspection:
    """Record the findings and conclusions (again later to correct them)."""
    findings, conclusions = findings.strip(), conclusions.strip()
    errors = {}
    if not findings:
        errors["findings"] = "Hãy ghi kết quả kiểm tra."
    if not conclusions:
        errors["conclusions"] = "Hãy ghi kết luận."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if concluded_on < locked.starts_on:
            raise ValidationError({"concluded_on": "Ngày kết luận không thể trước khi kiểm tra."})
        locked.findings, locked.conclusions = findings, conclusions
        locked.concluded_on = concluded_on
        locked.status = InspectionStatus.CONCLUDED
        locked.save()
    return locked


def add_recommendation(
    inspection: Inspection, *, text: str, deadline: date, by: Any = None
) -> Recommendation:
    """A recommendation of a concluded inspection, with its deadline."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Hãy ghi nội dung kiến nghị."})
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != InspectionStatus.CONCLUDED:
            raise ValidationError("Hãy ghi kết luận trước khi ghi kiến nghị.")
        assert locked.concluded_on is not None
        if deadline < locked.concluded_on:
            raise ValidationError({"deadline": "Hạn thực hiện không thể trước ngày kết luận."})
        return Recommendation.objects.create(
            inspection=locked, text=text, deadline=deadline, created_by=by
        )


def settle_recommendation(recommendation: Recommendation, *, done_on: date, result: str) -> Any:
    """Record that a recommendation was carried out (when, and what was done)."""
    result = result.strip()
    if not result:
        raise ValidationError({"result": "Hãy ghi kết quả thực hiện."})
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.done_on is not None:
            raise ValidationError("Kiến nghị này đã ghi hoàn thành.")
        if done_on < (locked.inspection.concluded_on or done_on):
            raise ValidationError({"done_on": "Ngày hoàn thành không thể trước ngày kết luận."})
        locked.done_on, locked.result = done_on, result
        locked.save(update_fields=["done_on", "result"])
    return locked
