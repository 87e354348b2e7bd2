"""The contests' section of the review report (`core.review`): the contests
organised by the bodies of the unit (and of the units merged into it) whose
window meets the period, their participants and sittings in the period, and
the prizes given for rounds that closed in it (overall prizes: contests that
ended in it)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from danvan.contests.models import Attempt, AttemptStatus, Award, Contest, PrizeKind
from danvan.core.models import Area
from danvan.core.review import Result, Table, activities_in, day_bounds, listing, number
from danvan.core.text import format_date

TITLE = "Tổ chức các cuộc thi trực tuyến"


def contests_review(area: Area, start: date, end: date) -> Result:
    contests = activities_in(Contest.objects.all(), area, start, end)
    if not contests:
        return Result(
            ["Trong kỳ, chưa tổ chức cuộc thi trực tuyến nào."],
            figures={"contests": 0, "participants": 0, "attempts": 0, "prizes": 0},
        )
    first, after = day_bounds(start, end)
    ids = [c.pk for c in contests]
    sittings: dict[int, dict[str, int]] = {
        row["round__contest"]: {"attempts": row["attempts"], "people": row["people"]}
        for row in Attempt.objects.filter(
            round__contest__in=ids,
            started_at__gte=first,
            started_at__lt=after,
            status__in=[AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED],
        )
        .values("round__contest")
        .annotate(attempts=Count("pk"), people=Count("participant", distinct=True))
        .order_by()
    }
    in_period = Q(round__closes_at__gte=first, round__closes_at__lt=after) | Q(
        round__isnull=True, prize__contest__ends_at__gte=first, prize__contest__ends_at__lt=after
    )
    prizes: dict[int, dict[str, int]] = {
        row["prize__contest"]: {"people": row["people"], "units": row["units"]}
        for row in Award.objects.filter(in_period, prize__contest__in=ids)
        .values("prize__contest")
        .annotate(
            people=Count("pk", filter=~Q(prize__kind=PrizeKind.COLLECTIVE)),
            units=Count("pk", filter=Q(prize__kind=PrizeKind.COLLECTIVE)),
        )
        .order_by()
    }
    table = Table(
        "Cuộc thi trực tuyến",
        [
            "STT",
            "Cuộc thi",
            "Đơn vị tổ chức",
            "Thời gian",
            "Người dự thi",
            "Lượt thi",
            "Giải cá nhân",
            "Giải tập thể",
        ],
        widths=[6, 50, 36, 26, 14, 14, 14, 14],
    )
    totals = {"people": 0, "attempts": 0, "awards": 0, "units": 0}
    for i, c in enumerate(contests, 1):
        s = sittings.get(c.pk, {})
        p = prizes.get(c.pk, {})
        row = [s.get("people", 0), s.get("attempts", 0), p.get("people", 0), p.get("units", 0)]
        for key, value in zip(("people", "attempts", "awards", "units"), row, strict=True):
            totals[key] += value
        when = f"{format_date(c.starts_at)} – {format_date(c.ends_at)}"
        table.rows.append([i, c.title, c.organization.name, when, *row])
    table.rows.append(["", "Tổng cộng", "", "", totals["people"], totals["attempts"],
                       totals["awards"], totals["units"]])  # fmt: skip
    titles = [f"“{c.title}”" for c in contests]
    paragraphs = [
        f"Trong kỳ, tổ chức {number(len(contests))} cuộc thi trực tuyến: {listing(titles)}; "
        f"có {number(totals['people'])} lượt người dự thi với {number(totals['attempts'])} "
        f"lượt thi."
    ]
    if totals["awards"] or totals["units"]:
        paragraphs.append(
            f"Đã trao {number(totals['awards'])} giải cá nhân và {number(totals['units'])} "
            "giải tập thể cho các đợt thi kết thúc trong kỳ."
        )
    else:
        paragraphs.append("Chưa có đợt thi nào kết thúc và trao giải trong kỳ.")
    return Result(
        paragraphs,
        [table],
        {
            "contests": len(contests),
            "participants": totals["people"],
            "attempts": totals["attempts"],
            "prizes": totals["awards"] + totals["units"],
        },
    )
