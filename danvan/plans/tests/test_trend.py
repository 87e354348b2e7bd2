"""Every target's trend over the periods: an indicator that is a state (plans
issued, people active, officials trained, communes with a practice) is read as
the records stood on each past period's last day, recounted here from the
rows; the aggregate returns of each period count in that period only; the
dashboard shows the trend of every target."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.core.indicators import INDICATORS
from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import (
    make_commune,
    make_current_period,
    make_hamlet,
    make_org,
    make_period,
    make_staff,
    make_two_communes,
)
from danvan.plans import services
from danvan.plans.models import (
    Communicator,
    CommunicatorKind,
    CoordinationPlan,
    CoordinationStatus,
    OfficialClass,
)
from danvan.practices.models import COUNTING, Practice, Step
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db: Any) -> Any:
    now = make_current_period()
    before = make_period(
        "Kỳ trước", start=now.start - timedelta(days=184), end=now.start - timedelta(days=1)
    )
    province, a, b = make_two_communes()
    board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    plan = services.create_plan(
        by=None, organization=board, number="1", issued_on=before.start - timedelta(days=30),
        title="Kế hoạch", starts_on=before.start - timedelta(days=30), ends_on=now.end,
    )  # fmt: skip
    return type("Place", (), dict(
        now=now, before=before, end=before.end, province=province, a=a, b=b, board=board,
        plan=plan, hamlet=make_hamlet(a, "Ấp Một"),
        front_a=make_org(a, "Ủy ban MTTQ xã An Bình", OrgKind.FRONT),
        women_a=make_org(a, "Hội LHPN xã An Bình", OrgKind.WOMEN),
        farmers_a=make_org(a, "Hội Nông dân xã An Bình", OrgKind.FARMERS),
        board_a=make_org(a, "Ban Dân vận Đảng ủy xã An Bình", OrgKind.MOBILISATION_BOARD),
    ))  # fmt: skip


def trend(code: str, place: Any, period: Any) -> tuple[int, int]:
    indicator = INDICATORS[code]
    assert indicator.trend is not None, f"{code} has no trend"
    figure = indicator.trend(place.province, place.plan, period)
    assert sum(d for _a, d, _t in figure.parts) == figure.done
    assert sum(t for _a, _d, t in figure.parts) == figure.total
    return figure.done, figure.total


def now_(code: str, place: Any) -> tuple[int, int]:
    figure = INDICATORS[code].compute(place.province, place.plan)
    return figure.done, figure.total


def test_every_indicator_has_a_trend_whose_current_period_is_the_figure(place: Any) -> None:
    for code in INDICATORS:
        assert trend(code, place, place.now) == now_(code, place), code


def test_coordination_plans_issued_by_the_end_of_each_period(place: Any) -> None:
    def issue(body: Any, issued_on: date | None) -> None:
        services.save_coordination_plan(
            body, place.plan, status=CoordinationStatus.ISSUED, number="1", issued_on=issued_on
        )

    issue(place.front_a, place.end - timedelta(days=10))  # issued then
    issue(place.women_a, place.end)  # on the period's last day
    issue(place.farmers_a, place.end + timedelta(days=1))  # the day after
    recount = CoordinationPlan.objects.filter(
        status=CoordinationStatus.ISSUED, issued_on__lte=place.end
    ).count()
    assert trend("coordination_plans", place, place.before) == (recount, 3) == (2, 3)
    assert now_("coordination_plans", place) == (3, 3)


def test_communicators_active_on_the_last_day_of_each_period(place: Any) -> None:
    cell = make_org(place.hamlet, "Chi bộ ấp Một", OrgKind.PARTY_CELL)
    end = place.end

    def person(body: Any, since: date, until: date | None = None, **more: Any) -> Any:
        return services.save_communicator(
            None, phone="", kind=more.get("kind", CommunicatorKind.PROPAGANDIST),
            full_name="Thạch Sô Phên", area=body.area, organization=body, ethnicity="Khmer",
            languages="", active_from=since, active_to=until,
        )  # fmt: skip

    person(place.front_a, end - timedelta(days=30))  # active then and now
    person(place.women_a, end + timedelta(days=1))  # joined after the period
    person(place.farmers_a, end - timedelta(days=90), end - timedelta(days=1))  # left before
    person(cell, end - timedelta(days=90), end + timedelta(days=2))  # active then, not now
    recount = sum(1 for body in Communicator.objects.active(end).values("organization").distinct())
    assert trend("bodies_with_communicator", place, place.before) == (recount, 4) == (2, 4)
    assert now_("bodies_with_communicator", place) == (2, 4)  # the Front and the Women's union


def test_officials_trained_by_the_end_of_each_period(place: Any) -> None:
    def official(name: str, left_on: date | None = None) -> Any:
        return services.save_official(
            None, full_name=name, organization=place.board_a, position="",
            official_class=OfficialClass.GRASSROOTS, left_on=left_on,
        )  # fmt: skip

    def course(ends: date) -> Any:
        return services.create_course(
            title="Tập huấn", organization=place.board, starts_on=ends, ends_on=ends, place=""
        )

    lan, hung = official("Trần Thị Lan"), official("Nguyễn Văn Hùng")
    gone = official("Lê Văn Cũ", left_on=place.end + timedelta(days=5))  # in office then
    official("Võ Văn Mới")  # never trained
    services.add_completions(course(place.end - timedelta(days=5)), [(lan, True, "")])
    services.add_completions(
        course(place.end + timedelta(days=3)), [(hung, True, ""), (gone, True, "")]
    )
    assert trend("trained_grassroots", place, place.before) == (1, 4)  # Lan of the 4 then
    assert now_("trained_grassroots", place) == (2, 3)  # Lan and Hùng; Cũ has left


def test_communes_with_a_practice_by_their_steps(place: Any) -> None:
    end = place.end
    then = timezone.make_aware(datetime.combine(end - timedelta(days=20), time(9)))
    later = timezone.make_aware(datetime.combine(end + timedelta(days=3), time(9)))
    running = make_practice(place.a, place.board_a, started_on=end - timedelta(days=40))
    move(running, "start")  # in progress since before the period's end
    Step.objects.filter(practice=running).update(at=then)
    stopped = make_practice(place.b, started_on=end - timedelta(days=40))
    move(stopped, "start", "stop")  # in progress then, stopped after
    Step.objects.filter(practice=stopped, to_status="in_progress").update(at=then)
    Step.objects.filter(practice=stopped, to_status="stopped").update(at=later)
    c = make_commune(place.province, "Xã Cờ Đỏ", "30003")
    late = make_practice(c, title="Mô hình bắt đầu sau kỳ", started_on=end + timedelta(days=1))
    move(late, "start")  # began after the period: not then, whatever its steps say
    Step.objects.filter(practice=late).update(at=then)
    assert Practice.objects.get(pk=stopped.pk).status not in COUNTING

    def parts(figure: Any) -> dict[str, int]:
        return {a.name: d for a, d, _t in figure.parts}

    counted = INDICATORS["communes_with_practice"]
    assert counted.trend is not None
    past = counted.trend(place.province, None, place.before)
    assert parts(past) == {"Xã An Bình": 1, "Xã Bình Hòa": 1, "Xã Cờ Đỏ": 0}
    assert trend("communes_with_practice", place, place.before) == (2, 3)
    today = counted.compute(place.province, None)
    assert parts(today) == {"Xã An Bình": 1, "Xã Bình Hòa": 0, "Xã Cờ Đỏ": 1}


def test_a_return_counts_in_its_own_period_only(place: Any) -> None:
    services.save_return(
        by=None, area=place.b, period=place.before, indicator="coordination_plans", done=2,
        total=5,
    )  # fmt: skip
    services.save_return(
        by=None, area=place.b, period=place.now, indicator="coordination_plans", done=4, total=5
    )
    # An Bình has rows (its three bodies, no plan issued); Bình Hòa only its returns.
    assert trend("coordination_plans", place, place.before) == (2, 3 + 5)
    assert trend("coordination_plans", place, place.now) == (4, 3 + 5)


def test_the_dashboard_shows_every_targets_trend(place: Any, client: Any) -> None:
    services.save_coordination_plan(
        place.front_a, place.plan, status=CoordinationStatus.ISSUED, number="1",
        issued_on=place.end + timedelta(days=1),
    )  # fmt: skip
    for code in INDICATORS:
        services.add_target(
            place.plan, indicator=code, text=f"Chỉ tiêu {code}", value=Decimal(100),
            area=place.province, deadline=place.now.end,
        )  # fmt: skip
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    page = client.get(reverse("plans_staff:dashboard", args=[place.plan.pk])).content.decode()
    assert page.count("Qua các kỳ:") == len(INDICATORS)
    assert "Kỳ trước: 0%" in page and "Kỳ này: 33,3%" in page  # the Front's plan: 1 of 3
