"""The dialogues' and petitions' sections of the review report (`core.review`):
dialogues held in the unit (and the units merged into it) in the period, with
the people present and the petitions raised; petitions received in the
period, answered, answered on time, late, and by field and agency."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum

from danvan.core.models import Area
from danvan.core.review import Result, Table, day_bounds, in_unit, number
from danvan.core.text import format_date
from danvan.outreach.models import Dialogue, DialogueStatus, Petition
from danvan.outreach.stats import petition_stats

DIALOGUES_TITLE = "Tiếp xúc, đối thoại trực tiếp với Nhân dân"
PETITIONS_TITLE = "Tiếp nhận, giải quyết kiến nghị, phản ánh của Nhân dân"


def dialogues_review(area: Area, start: date, end: date) -> Result:
    first, after = day_bounds(start, end)
    held = (
        Dialogue.objects.filter(in_unit(area))
        .filter(status=DialogueStatus.HELD, starts_at__gte=first, starts_at__lt=after)
        .select_related("area")
        .annotate(raised=Count("petitions"))
        .order_by("starts_at", "pk")
    )
    rows = list(held)
    people = held.aggregate(n=Sum("attendance"))["n"] or 0
    raised = sum(d.raised for d in rows)
    if not rows:
        text = "Trong kỳ, chưa tổ chức buổi tiếp xúc, đối thoại trực tiếp nào với Nhân dân."
    else:
        text = (
            f"Người đứng đầu cấp ủy, chính quyền đã tổ chức {number(len(rows))} buổi tiếp xúc, "
            f"đối thoại trực tiếp với Nhân dân, có {number(people)} lượt người tham dự; "
            f"ghi nhận {number(raised)} kiến nghị, phản ánh."
        )
    table = Table(
        "Các buổi đối thoại",
        ["STT", "Ngày", "Đơn vị", "Người chủ trì", "Đối tượng", "Số người dự", "Số kiến nghị"],
        [
            [
                n,
                format_date(d.starts_at),
                d.area.name,
                f"{d.chair_name} ({d.get_chair_role_display()})",
                d.audience_label,
                d.attendance or 0,
                d.raised,
            ]
            for n, d in enumerate(rows, start=1)
        ],
        [6, 12, 24, 32, 24, 12, 12],
    )
    return Result(
        [text],
        [table] if rows else [],
        {"dialogues": len(rows), "attendance": people, "raised": raised},
    )


def petitions_review(area: Area, start: date, end: date) -> Result:
    first, after = day_bounds(start, end)
    received = Petition.objects.filter(in_unit(area), received_at__gte=first, received_at__lt=after)
    stats = petition_stats(received, root=area, today=end)
    total = stats.total
    if not total.received:
        return Result(["Trong kỳ, chưa tiếp nhận kiến nghị, phản ánh nào."], [], {"received": 0})
    share = f" ({number(round(100 * total.on_time / total.answered))} %)" if total.answered else ""
    top = [f"{name.lower()} ({number(t.received)})" for name, t in stats.by_field[:3]]
    text = (
        f"Tiếp nhận {number(total.received)} kiến nghị, phản ánh; đã trả lời "
        f"{number(total.answered)}, trong đó đúng hạn {number(total.on_time)}{share}; "
        f"quá hạn {number(total.late)}; đang giải quyết {number(total.waiting)}; "
        f"trả lại {number(total.returned)}. Nhiều nhất về: {', '.join(top)}."
    )
    tables = [
        Table(
            f"Kiến nghị theo {label}",
            [label.capitalize(), "Tiếp nhận", "Đã trả lời", "Đúng hạn", "Quá hạn", "Đang chờ"],
            [[name, t.received, t.answered, t.on_time, t.late, t.waiting] for name, t in rows],
            [36, 12, 12, 12, 12, 12],
        )
        for label, rows in (("lĩnh vực", stats.by_field), ("cơ quan giải quyết", stats.by_agency),
                            ("đơn vị", stats.by_unit))
    ]  # fmt: skip
    return Result(
        [text],
        tables,
        {"received": total.received, "answered": total.answered, "on_time": total.on_time,
         "late": total.late},
    )  # fmt: skip
