"""The inspections' section of the review report (`core.review`): the
inspections and supervisions of bodies of the unit (and of units merged into
it) held in the period, those concluded, and the recommendations made and
carried out."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from danvan.core.models import Area
from danvan.core.review import Result, Table, in_unit, number
from danvan.core.text import format_date
from danvan.inspections.models import Inspection, InspectionStatus, Kind, Recommendation

TITLE = "Kiểm tra, giám sát việc thực hiện"


def inspections_review(area: Area, start: date, end: date) -> Result:
    held = list(
        Inspection.objects.filter(in_unit(area, "inspected__area__path"))
        .filter(starts_on__lte=end, ends_on__gte=start)
        .select_related("inspected")
        .order_by("starts_on", "pk")
    )
    if not held:
        return Result(["Trong kỳ, chưa tiến hành cuộc kiểm tra, giám sát nào."], [], {})
    checks = sum(1 for i in held if i.kind == Kind.INSPECTION)
    concluded = sum(1 for i in held if i.status == InspectionStatus.CONCLUDED)
    recs = Recommendation.objects.filter(inspection__in=held)
    made = recs.count()
    done = recs.filter(done_on__isnull=False, done_on__lte=end).count()
    overdue = recs.filter(done_on__isnull=True, deadline__lt=min(end, timezone.localdate())).count()
    text = (
        f"Tiến hành {number(checks)} cuộc kiểm tra và {number(len(held) - checks)} cuộc giám "
        f"sát; đã kết luận {number(concluded)} cuộc; đề ra {number(made)} kiến nghị, đã thực "
        f"hiện {number(done)}, quá hạn chưa thực hiện {number(overdue)}."
    )
    table = Table(
        "Các cuộc kiểm tra, giám sát",
        ["STT", "Hình thức", "Đơn vị được kiểm tra", "Từ ngày", "Đến ngày", "Trạng thái"],
        [
            [
                n,
                i.get_kind_display(),
                i.inspected.name,
                format_date(i.starts_on),
                format_date(i.ends_on),
                i.get_status_display(),
            ]
            for n, i in enumerate(held, start=1)
        ],
        [6, 12, 40, 12, 12, 16],
    )
    return Result(
        [text], [table], {"inspections": len(held), "concluded": concluded, "made": made,
                          "done": done}
    )  # fmt: skip
