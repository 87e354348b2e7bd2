"""The indicators the plans app's own records make (`core.indicators`)."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from danvan.core.indicators import Figure, Indicator, Item, Returned, Row, at_period_end, tally
from danvan.core.models import (
    Area,
    AreaKind,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    PeriodKind,
)
from danvan.plans.models import (
    COUNTED_COMMUNICATORS,
    FRONT_AND_UNIONS,
    AggregateReturn,
    Attendance,
    Communicator,
    Completion,
    CoordinationPlan,
    CoordinationStatus,
    Official,
    OfficialClass,
)


def coordination_plans(area: Area, plan: Any = None, *, on: date | None = None) -> Figure:
    """Each Front body and socio-political organisation in force under `area`
    (its levels: province, commune; not the hamlet branches), done when it has
    issued its coordination plan (for `plan`, when given; on or before the day `on`, when given)."""
    bodies = (
        Organization.objects.current()
        .filter(kind__in=FRONT_AND_UNIONS, area__path__startswith=area.path)
        .select_related("area")
        .order_by("path")
    )
    issued = CoordinationPlan.objects.filter(status=CoordinationStatus.ISSUED)
    if plan is not None:
        issued = issued.filter(plan=plan)
    if on is not None:
        issued = issued.filter(issued_on__lte=on)
    numbers = dict(issued.values_list("organization_id", "number"))
    items = []
    for body in bodies:
        done = body.pk in numbers
        note = f"Kế hoạch số {numbers[body.pk]}" if done else "Chưa có kế hoạch phối hợp"
        url = reverse("staff:org_detail", args=[body.pk])
        items.append(Item(body.area.path, done, Row(body.name, done, note, url)))
    return tally(area, items, "coordination_plans", on)


COORDINATION = Indicator(
    code="coordination_plans",
    label="Mặt trận, đoàn thể có kế hoạch phối hợp",
    definition="Số cơ quan Mặt trận Tổ quốc và đoàn thể chính trị - xã hội (Hội LHPN, Hội Nông "
    "dân, Đoàn Thanh niên, Hội Cựu chiến binh) đang hoạt động đã ban hành kế hoạch phối hợp "
    "thực hiện kế hoạch này, trên tổng số các cơ quan đó của địa bàn (không tính chi hội ở ấp).",
    compute=coordination_plans,
    trend=at_period_end(coordination_plans),
)


MEMBER_UNIONS = (OrgKind.WOMEN, OrgKind.FARMERS, OrgKind.YOUTH, OrgKind.VETERANS)


def current_period(on: date | None = None) -> Period | None:
    """The latest reporting period (half-year) begun by the day `on` (today)."""
    return (
        Period.objects.filter(start__lte=on or timezone.localdate(), kind=PeriodKind.HALF_YEAR)
        .latest_first()
        .first()
    )


def members_briefed(area: Area, plan: Any = None, period: Period | None = None) -> Figure:
    """Members of the organisations in force under `area` briefed in the
    current period: for each union body with a member count in the period
    (the lowest ones: an upper body's count sums its branches'), the members
    of it and of its branches without a count of their own who attended
    briefings in the period, at most its members; out of its members. An
    attendance above the members is questioned in its row. (`period`: another
    one than the current, for the trend.)"""
    period = period or current_period()
    if period is None:
        return Figure(note="Chưa có kỳ báo cáo.")
    counts = list(
        MemberCount.objects.filter(
            period=period,
            organization__kind__in=MEMBER_UNIONS,
            organization__valid_to__isnull=True,
            organization__area__path__startswith=area.path,
        ).select_related("organization__area")
    )
    # The lowest bodies with a count: an upper body's count sums its branches'.
    paths = sorted(c.organization.path for c in counts)
    lowest = {
        p for p, after in zip(paths, [*paths[1:], ""][: len(paths)], strict=True)
        if not after.startswith(p)
    }  # fmt: skip
    came = dict(
        Attendance.objects.filter(
            briefing__held_on__gte=period.start,
            briefing__held_on__lte=period.end,
            organization__area__path__startswith=area.path,
        )
        .values_list("organization__path")
        .annotate(n=Sum("attendees"))
        .order_by()
    )
    keys = sorted(came)
    running = [0]
    for key in keys:
        running.append(running[-1] + came[key])
    items = []
    for count in counts:
        body = count.organization
        if body.path not in lowest:
            continue
        # The attendance of the body and its branches: one range of the sorted paths.
        lo, hi = bisect_left(keys, body.path), bisect_left(keys, body.path + "~")
        attended = running[hi] - running[lo]
        note = f"{attended:,}/{count.members:,} hội viên".replace(",", ".")
        if attended > count.members:
            note += " — nhiều hơn số hội viên, cần kiểm tra lại"
        url = reverse("staff:org_detail", args=[body.pk])
        row = Row(body.name, attended >= count.members, note, url)
        items.append(Item(body.area.path, min(attended, count.members), row, count.members))
    figure = tally(area, items, "members_briefed", period.end)
    figure.note = f"Kỳ {period.name} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"
    return figure


MEMBERS_BRIEFED = Indicator(
    code="members_briefed",
    label="Đoàn viên, hội viên được tuyên truyền, học tập",
    definition="Số đoàn viên, hội viên (Hội LHPN, Hội Nông dân, Đoàn Thanh niên, Hội Cựu chiến "
    "binh) dự các buổi tuyên truyền, học tập trong kỳ báo cáo, theo số người dự ghi cho từng "
    "tổ chức và chi hội của tổ chức (chi hội không ghi số thì tính số người có tên trong danh "
    "sách người dự; không tính hai lần), không vượt quá số hội viên của tổ chức, trên tổng số "
    "hội viên của kỳ.",
    compute=members_briefed,
    trend=members_briefed,
)


def bodies_with_communicator(area: Area, plan: Any = None, *, on: date | None = None) -> Figure:
    """The commune Front body and organisations, and each hamlet's party cell,
    in force under `area`: done when a reporter or propagandist of theirs is
    active today (on the day `on`, when given)."""
    bodies = (
        Organization.objects.current()
        .filter(area__path__startswith=area.path)
        .filter(
            Q(kind__in=FRONT_AND_UNIONS, area__kind=AreaKind.COMMUNE)
            | Q(kind=OrgKind.PARTY_CELL, area__kind=AreaKind.HAMLET)
        )
        .select_related("area")
        .order_by("path")
    )
    people: dict[int, int] = dict(
        Communicator.objects.active(on)
        .filter(kind__in=COUNTED_COMMUNICATORS, organization__in=bodies)
        .values_list("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = []
    for body in bodies:
        n = people.get(body.pk, 0)
        note = f"{n} báo cáo viên, tuyên truyền viên" if n else "Chưa có người tham gia"
        url = reverse("plans_staff:communicator_list") + f"?to_chuc={body.pk}"
        items.append(Item(body.area.path, n > 0, Row(f"{body.name}", n > 0, note, url)))
    return tally(area, items, "bodies_with_communicator", on)


COMMUNICATORS = Indicator(
    code="bodies_with_communicator",
    label="Mặt trận, đoàn thể cấp xã và chi bộ ấp có tuyên truyền viên",
    definition="Số cơ quan Mặt trận Tổ quốc, đoàn thể chính trị - xã hội cấp xã và chi bộ ấp "
    "đang hoạt động có ít nhất một báo cáo viên hoặc tuyên truyền viên đang tham gia, trên "
    "tổng số các cơ quan, chi bộ đó của địa bàn.",
    compute=bodies_with_communicator,
    trend=at_period_end(bodies_with_communicator),
)


def trained(official_class: str, code: str) -> Any:
    def compute(area: Area, plan: Any = None, *, on: date | None = None) -> Figure:
        """Officials of the class in office under `area` (on the day `on`, when
        given): done when they have completed a course (one ending within the
        plan's period, with a plan; by `on`, when given)."""
        today = on or timezone.localdate()
        officials = (
            Official.objects.filter(
                official_class=official_class, organization__area__path__startswith=area.path
            )
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
            .select_related("organization__area")
            .order_by("organization__path", "full_name_folded")
        )
        done = Completion.objects.filter(completed=True, official__in=officials)
        if plan is not None:
            done = done.filter(course__ends_on__gte=plan.starts_on)
        if on is not None:
            done = done.filter(course__ends_on__lte=on)
        courses = dict(done.values_list("official_id", "course__title"))
        items = []
        for o in officials:
            ok = o.pk in courses
            learnt = f"đã học: {courses[o.pk]}" if ok else "chưa tập huấn"
            note = f"{o.organization.name}; {learnt}"
            url = reverse("plans_staff:official_list") + f"?q={o.full_name}"
            items.append(Item(o.organization.area.path, ok, Row(o.full_name, ok, note, url)))
        return tally(area, items, code, on)

    return compute


TRAINED_GRASSROOTS = Indicator(
    code="trained_grassroots",
    label="Cán bộ làm công tác dân vận, dân tộc, tôn giáo ở cơ sở được tập huấn",
    definition="Số cán bộ, công chức trực tiếp làm công tác dân vận, dân tộc, tôn giáo ở cơ sở "
    "đang công tác đã hoàn thành ít nhất một lớp tập huấn công tác dân vận (kết thúc từ ngày "
    "bắt đầu thực hiện kế hoạch), trên tổng số cán bộ nhóm này của địa bàn.",
    compute=trained(OfficialClass.GRASSROOTS, "trained_grassroots"),
    trend=at_period_end(trained(OfficialClass.GRASSROOTS, "trained_grassroots")),
)
TRAINED_PUBLIC_FACING = Indicator(
    code="trained_public_facing",
    label="Cán bộ bộ phận tiếp xúc Nhân dân được tập huấn dân vận chính quyền",
    definition="Số cán bộ, công chức, viên chức bộ phận trực tiếp liên quan với Nhân dân, lãnh "
    "đạo và chuyên viên theo dõi công tác dân vận đang công tác đã hoàn thành ít nhất một lớp "
    "tập huấn, bồi dưỡng (kết thúc từ ngày bắt đầu thực hiện kế hoạch), trên tổng số cán bộ "
    "nhóm này của địa bàn.",
    compute=trained(OfficialClass.PUBLIC_FACING, "trained_public_facing"),
    trend=at_period_end(trained(OfficialClass.PUBLIC_FACING, "trained_public_facing")),
)


def returns_under(code: str, area: Area, on: date | None = None) -> list[Returned]:
    """The aggregate returns for `code` under `area` of the period holding the
    day `on` (today) (`core.indicators.register_returns`), each at its unit's
    current place."""
    period = current_period(on)
    if period is None:
        return []
    rows = AggregateReturn.objects.filter(
        period=period, indicator=code, area__valid_to__isnull=True, area__path__startswith=area.path
    ).select_related("area")
    return [Returned(r.area.path, r.area.name, r.done, r.total) for r in rows]
