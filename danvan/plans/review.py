"""The plans' sections of the review report (`core.review`):

* the targets of the plans in force in the period that apply to the unit (set
  for it or for a unit above it), each with its indicator's current figure for
  the unit (`core.indicators`, the target dashboard's figure);
* the briefings held in the period by the bodies of the unit (and of the units
  merged into it) and their attendance, the training courses that ended in
  it, the officials who completed them, and the communicators active at its end.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from danvan.core.indicators import INDICATORS, kept_figure
from danvan.core.models import Area
from danvan.core.review import Result, Table, in_unit, number
from danvan.core.text import format_date
from danvan.plans.models import (
    Attendance,
    Audience,
    Briefing,
    Communicator,
    Completion,
    Course,
    Target,
)

TARGETS_TITLE = "Kết quả thực hiện các chỉ tiêu"
WORK_TITLE = "Tuyên truyền, học tập; tập huấn cán bộ; lực lượng báo cáo viên, tuyên truyền viên"


def _percent(value: float | Decimal | None) -> str:
    if value is None:
        return ""
    return number(float(value)) + "%"


def targets_in(area: Area, start: date, end: date) -> list[Target]:
    """Targets set for the unit or a unit above it, of plans in force in the period."""
    above = [area.path[:n] for n in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return list(
        Target.objects.filter(
            area__path__in=above, plan__starts_on__lte=end, plan__ends_on__gte=start
        )
        .select_related("plan", "area")
        .order_by("plan__issued_on", "plan_id", "position", "pk")
    )


def targets_review(area: Area, start: date, end: date) -> Result:
    targets = [t for t in targets_in(area, start, end) if t.indicator in INDICATORS]
    if not targets:
        return Result(
            ["Chưa có chỉ tiêu nào được giao cho địa bàn trong kỳ."], figures={"targets": 0}
        )
    table = Table(
        "Kết quả thực hiện chỉ tiêu",
        [
            "STT",
            "Chỉ tiêu",
            "Kế hoạch",
            "Mức phấn đấu",
            "Đạt",
            "Trên tổng số",
            "Tỷ lệ",
            "Đánh giá",
            "Thời hạn",
        ],
        widths=[6, 60, 16, 12, 10, 12, 10, 14, 12],
    )
    paragraphs = []
    met = 0
    for i, t in enumerate(targets, 1):
        figure = kept_figure(INDICATORS[t.indicator], area, t.plan)
        percent = figure.percent
        reached = percent is not None and Decimal(str(percent)) >= t.value
        met += reached
        verdict = "Đạt" if reached else ("Chưa có số liệu" if percent is None else "Chưa đạt")
        table.rows.append([
            i, t.text, t.plan.number, _percent(t.value), figure.done, figure.total,
            _percent(percent), verdict, format_date(t.deadline),
        ])  # fmt: skip
        if percent is None:
            paragraphs.append(f"- {t.text}: chưa có số liệu để tính.")
        else:
            paragraphs.append(
                f"- {t.text}: đạt {number(figure.done)}/{number(figure.total)} "
                f"({_percent(percent)}), {'đạt' if reached else 'chưa đạt'} mức phấn đấu "
                f"{_percent(t.value)}."
            )
    lead = (
        f"Có {number(met)}/{number(len(targets))} chỉ tiêu đạt mức phấn đấu (số liệu tính "
        "đến ngày lập báo cáo):"
    )
    return Result([lead, *paragraphs], [table], {"targets": len(targets), "targets_met": met})


def work_review(area: Area, start: date, end: date) -> Result:
    briefings = Briefing.objects.filter(
        in_unit(area, "organization__area__path"), held_on__gte=start, held_on__lte=end
    )
    n_briefings = briefings.count()
    attended = (
        Attendance.objects.filter(
            in_unit(area, "organization__area__path"),
            briefing__held_on__gte=start,
            briefing__held_on__lte=end,
        ).aggregate(n=Sum("attendees"))["n"]
        or 0
    )
    by_audience = list(
        briefings.values_list("audience").annotate(n=Count("pk")).order_by("audience")
    )
    courses = Course.objects.filter(
        in_unit(area, "organization__area__path"), ends_on__gte=start, ends_on__lte=end
    )
    n_courses = courses.count()
    completions = Completion.objects.filter(course__in=courses, completed=True)
    trained = completions.values("official").distinct().count()
    communicators = Communicator.objects.active(end).filter(in_unit(area)).count()
    paragraphs = [
        f"Tổ chức {number(n_briefings)} buổi tuyên truyền, học tập, quán triệt chủ trương, "
        f"chính sách của Đảng, pháp luật của Nhà nước với {number(attended)} lượt người dự.",
        f"Mở {number(n_courses)} lớp tập huấn, bồi dưỡng nghiệp vụ công tác dân vận; "
        f"{number(trained)} cán bộ hoàn thành lớp tập huấn.",
        f"Đến cuối kỳ, có {number(communicators)} báo cáo viên, tuyên truyền viên, cộng tác viên "
        "dư luận xã hội đang tham gia.",
    ]
    audience = dict(Audience.choices)
    table = Table("Tuyên truyền theo đối tượng", ["Đối tượng", "Số buổi"], widths=[40, 12])
    for key, n in by_audience:
        table.rows.append([str(audience.get(key, key)), n])
    table.rows.append(["Tổng cộng", n_briefings])
    return Result(
        paragraphs,
        [table],
        {
            "briefings": n_briefings,
            "attendees": attended,
            "courses": n_courses,
            "trained": trained,
            "communicators": communicators,
        },
    )
