"""The plans' sections of the review report (`plans/review.py`): briefings and
their attendance, courses and the officials trained, communicators active at
the end of the period, in the unit and the commune merged into it; the targets
set for the unit or above it with the dashboard's figure; against recounts of
the raw rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from danvan.core.indicators import INDICATORS
from danvan.core.models import OrgKind
from danvan.core.review import REVIEW_SECTIONS
from danvan.core.tests.factories import make_org
from danvan.core.tests.helpers import review_units, within
from danvan.plans import briefings, services
from danvan.plans.models import (
    Attendance,
    Audience,
    Briefing,
    BriefingFormat,
    Communicator,
    CommunicatorKind,
    Completion,
    CoordinationStatus,
    OfficialClass,
)
from danvan.plans.review import targets_review, work_review

START, END = date(2025, 1, 1), date(2025, 6, 30)


def _briefing(body: Any, held_on: date, attendance: list[tuple[Any, int]], audience: str) -> None:
    briefings.record_briefing(
        by=None,
        organization=body,
        attendance=attendance,
        topic="Quán triệt Đề án 08",
        held_on=held_on,
        place="",
        format=BriefingFormat.IN_PERSON,
        audience=audience,
        plan=None,
    )


def _trained(body: Any, name: str, ends_on: date, completed: bool = True) -> None:
    official = services.save_official(
        None,
        full_name=name,
        position="",
        organization=body,
        official_class=OfficialClass.GRASSROOTS,
        left_on=None,
    )
    course = services.create_course(
        title=f"Tập huấn {name}", organization=body, starts_on=ends_on, ends_on=ends_on, place=""
    )
    services.add_completions(course, [(official, completed, "")])


def _communicator(body: Any, name: str, active_from: date, active_to: date | None) -> None:
    services.save_communicator(
        None,
        phone="0912345678",
        kind=CommunicatorKind.PROPAGANDIST,
        full_name=name,
        area=body.area,
        organization=body,
        ethnicity="Kinh",
        languages="",
        active_from=active_from,
        active_to=active_to,
    )


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    units = review_units()
    province, commune, old, sibling = units.province, units.commune, units.old, units.sibling
    city_board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    front = make_org(commune, "Ủy ban MTTQ xã Phụng Hiệp", OrgKind.FRONT)
    women = make_org(commune, "Hội LHPN xã Phụng Hiệp", OrgKind.WOMEN)
    old_front = make_org(old, "Ủy ban MTTQ xã Tân Long", OrgKind.FRONT)
    sib_front = make_org(sibling, "Ủy ban MTTQ xã Hòa An", OrgKind.FRONT)
    _briefing(front, date(2025, 2, 1), [(front, 30), (women, 20)], Audience.MEMBERS)
    _briefing(women, date(2025, 3, 1), [(women, 15)], Audience.MEMBERS)
    _briefing(old_front, date(2025, 4, 1), [(old_front, 25)], Audience.OFFICIALS)
    _briefing(front, date(2025, 8, 1), [(front, 40)], Audience.MEMBERS)  # after
    _briefing(sib_front, date(2025, 2, 1), [(sib_front, 50)], Audience.MEMBERS)  # a sibling's
    _trained(front, "Trần Thị Lan", date(2025, 3, 10))
    _trained(old_front, "Lê Văn Ba", date(2025, 5, 10))
    _trained(front, "Ngô Văn Bảy", date(2025, 5, 10), completed=False)
    _trained(front, "Phạm Thị Tư", date(2025, 9, 10))  # after
    _trained(sib_front, "Võ Văn Năm", date(2025, 3, 10))  # a sibling's
    _communicator(front, "Lê Văn Cường", date(2024, 1, 1), None)
    _communicator(old_front, "Đỗ Thị Hoa", date(2025, 1, 1), date(2025, 12, 31))
    _communicator(women, "Mai Thị Sen", date(2024, 1, 1), date(2025, 3, 1))  # left before the end
    _communicator(sib_front, "Hồ Văn Sáu", date(2024, 1, 1), None)
    plan = services.create_plan(
        by=None,
        organization=city_board,
        number="05-KH/TU",
        issued_on=date(2024, 3, 1),
        title="Kế hoạch thực hiện Đề án 08",
        starts_on=date(2024, 3, 1),
        ends_on=date(2025, 12, 31),
    )
    services.save_coordination_plan(
        front, plan, status=CoordinationStatus.ISSUED, number="1-KH", issued_on=date(2024, 4, 1)
    )
    for area, text in ((province, "100% có kế hoạch phối hợp (thành phố)"),
                       (commune, "100% có kế hoạch phối hợp (xã)"),
                       (sibling, "Chỉ tiêu của xã bên")):  # fmt: skip
        services.add_target(
            plan,
            indicator="coordination_plans",
            text=text,
            value=Decimal(100),
            area=area,
            deadline=date(2025, 12, 31),
        )
    units.merge_old()
    return {"commune": commune, "province": province, "plan": plan}


def recount(area: Any) -> dict[str, int]:
    mine = within(area)
    briefings = [
        b
        for b in Briefing.objects.select_related("organization__area")
        if mine(b.organization.area.path) and START <= b.held_on <= END
    ]
    attendance = [
        a
        for a in Attendance.objects.select_related("organization__area", "briefing")
        if mine(a.organization.area.path) and START <= a.briefing.held_on <= END
    ]
    completions = [
        c
        for c in Completion.objects.select_related("course__organization__area")
        if mine(c.course.organization.area.path)
        and c.completed
        and START <= c.course.ends_on <= END
    ]
    people = [
        c
        for c in Communicator.objects.select_related("area")
        if mine(c.area.path)
        and c.active_from <= END
        and (c.active_to is None or c.active_to >= END)
    ]
    courses = {
        c.course_id
        for c in Completion.objects.select_related("course__organization__area")
        if mine(c.course.organization.area.path) and START <= c.course.ends_on <= END
    }
    return {
        "briefings": len(briefings),
        "attendees": sum(a.attendees for a in attendance),
        "courses": len(courses),
        "trained": len({c.official_id for c in completions}),
        "communicators": len(people),
    }


def test_the_work_of_a_commune_with_a_merged_one(world: dict[str, Any]) -> None:
    result = work_review(world["commune"], START, END)
    assert result.figures == {
        "briefings": 3,
        "attendees": 90,
        "courses": 3,
        "trained": 2,
        "communicators": 2,
    }
    assert result.figures == recount(world["commune"])
    assert result.paragraphs[0] == (
        "Tổ chức 3 buổi tuyên truyền, học tập, quán triệt chủ trương, chính sách của Đảng, "
        "pháp luật của Nhà nước với 90 lượt người dự."
    )


def test_the_work_of_the_province(world: dict[str, Any]) -> None:
    assert work_review(world["province"], START, END).figures == recount(world["province"])


def test_the_targets_set_for_the_unit_and_above_with_the_dashboard_figure(
    world: dict[str, Any],
) -> None:
    commune, plan = world["commune"], world["plan"]
    result = targets_review(commune, START, END)
    figure = INDICATORS["coordination_plans"].compute(commune, plan)
    assert (figure.done, figure.total) == (1, 2)  # the Front and the Women's Union in force
    assert result.figures == {"targets": 2, "targets_met": 0}
    assert [row[1] for row in result.tables[0].rows] == [
        "100% có kế hoạch phối hợp (thành phố)",
        "100% có kế hoạch phối hợp (xã)",
    ]
    assert result.tables[0].rows[0][4:7] == [1, 2, "50%"]
    assert result.paragraphs[1] == (
        "- 100% có kế hoạch phối hợp (thành phố): đạt 1/2 (50%), chưa đạt mức phấn đấu 100%."
    )


def test_no_target_outside_the_plan(world: dict[str, Any]) -> None:
    result = targets_review(world["commune"], date(2026, 1, 1), date(2026, 6, 30))
    assert result.figures == {"targets": 0}


def test_the_sections_are_registered() -> None:
    assert REVIEW_SECTIONS["plans_work"].compute is work_review
    assert REVIEW_SECTIONS["plans_targets"].compute is targets_review
