"""Every write of the reports app, one function each, in one transaction,
refusing with a Vietnamese `ValidationError` and then changing nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from danvan.core.jobs import start_job
from danvan.core.models import Area, AreaKind, Organization, Period, PeriodKind
from danvan.reports.models import NARRATIVE, Draft, Export, ReviewReport

REPORT_FIELDS = [
    "organization", "period", "party_committee", "issuer", "number", "symbol", "place",
    "dated", "subject", "signer_capacity", "signer_title", "signer_name", "recipients",
]  # fmt: skip
DEFAULT_RECIPIENTS = "Cấp ủy cấp trên,\nCác đồng chí trong Ban Thường vụ,\nLưu văn phòng."


def _short_name(area: Area) -> str:
    """ "Xã Phụng Hiệp" -> "Phụng Hiệp": the place name of the date line."""
    for prefix in (area.unit_type, "Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận",
                   "Phường", "Xã"):  # fmt: skip
        if prefix and area.name.startswith(prefix + " "):
            return area.name[len(prefix) + 1 :]
    return area.name


def defaults_for(organization: Organization, period: Period) -> dict[str, Any]:
    """The header fields a new report of `organization` for `period` starts with."""
    area = organization.area
    prefixes = [area.path[:n] for n in range(Area.steplen, len(area.path), Area.steplen)]
    top = Area.objects.filter(path__in=prefixes, kind=AreaKind.PROVINCE).first() or area
    party = f"ĐẢNG BỘ {top.name.upper()}"
    what = "Tổng kết năm" if period.kind == PeriodKind.YEAR else "Sơ kết"
    return {
        "party_committee": party,
        "issuer": organization.name.upper(),
        "place": _short_name(area),
        "subject": f"{what} {period.name} công tác dân vận",
        "recipients": DEFAULT_RECIPIENTS,
    }


def _check(values: dict[str, Any]) -> None:
    for name in ("party_committee", "issuer", "place", "subject"):
        if not str(values.get(name) or "").strip():
            raise ValidationError("Hãy điền đủ đảng bộ, cơ quan ban hành, địa danh và trích yếu.")
    dated = values.get("dated")
    period = values["period"]
    if dated is not None and dated < period.start:
        raise ValidationError("Ngày báo cáo không thể trước ngày bắt đầu của kỳ báo cáo.")


def create_report(by: Any, **values: Any) -> ReviewReport:
    """A new report, with the first (empty) version of its narrative."""
    values = {**defaults_for(values["organization"], values["period"]),
              **{k: v for k, v in values.items() if v not in (None, "")}}  # fmt: skip
    _check(values)
    with transaction.atomic():
        report = ReviewReport.objects.create(
            created_by=by, **{k: values.get(k) for k in REPORT_FIELDS if k in values}
        )
        Draft.objects.create(report=report, version=1, created_by=by)
    return report


def update_report(report: ReviewReport, **values: Any) -> ReviewReport:
    """Change the header fields of a report (its body and period are kept)."""
    with transaction.atomic():
        locked = ReviewReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        changed = {k: v for k, v in values.items() if k in REPORT_FIELDS and k != "organization"}
        for name, value in changed.items():
            setattr(locked, name, "" if value is None and name != "dated" else value)
        _check({**{k: getattr(locked, k) for k in REPORT_FIELDS}})
        locked.save()
    return locked


def save_draft(report: ReviewReport, by: Any, *, restored_from: int | None = None,
               **parts: str) -> Draft:  # fmt: skip
    """A new version of the narrative: the parts given, the others as in the latest."""
    unknown = set(parts) - {name for name, _label in NARRATIVE}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}")
    with transaction.atomic():
        ReviewReport.objects.select_for_update().get(pk=report.pk)
        latest = Draft.objects.filter(report=report).order_by("-version").first()
        values = latest.values() if latest else {}
        values.update({k: (v or "").strip().replace("\r\n", "\n") for k, v in parts.items()})
        if latest is not None and restored_from is None and values == latest.values():
            return latest  # nothing changed: no new version
        version = (Draft.objects.filter(report=report).aggregate(n=Max("version"))["n"] or 0) + 1
        return Draft.objects.create(
            report=report, version=version, restored_from=restored_from, created_by=by, **values
        )


def restore_draft(draft: Draft, by: Any) -> Draft:
    """An earlier version made the latest again (as a new version: nothing is lost)."""
    return save_draft(draft.report, by, restored_from=draft.version, **draft.values())


def start_export(report: ReviewReport, by: Any) -> Export:
    """Queue the export of the report with its latest narrative (a background job)."""
    with transaction.atomic():
        locked = ReviewReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        export = Export.objects.create(
            report=locked,
            draft=locked.latest_draft(),
            created_by=by,
            counted_to=locked.provisional_as_of(),  # a period not ended: a draft only
        )
        job = start_job(
            by,
            "review_report",
            f"Xuất báo cáo {locked.kind_label.lower()} {locked.period.name}",
            params={"export": export.pk},
        )
        export.job = job
        export.save(update_fields=["job"])
    return export
