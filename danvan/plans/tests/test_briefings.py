"""Briefings (tuyên truyền, học tập): recorded with their attendance all or
nothing, every bad input refused with a message, an attendance above the
members questioned; the "members briefed" figure against a recount from the
rows, its parts adding up, branches counted in their union."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import (
    make_current_period,
    make_hamlet,
    make_org,
    make_period,
    make_staff,
    make_two_communes,
    set_members,
)
from danvan.plans import briefings, services
from danvan.plans.indicators import members_briefed
from danvan.plans.models import Attendance, Audience, Briefing, BriefingFormat

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db: Any) -> Any:
    today = timezone.localdate()
    period = make_current_period()
    province, a, b = make_two_communes()
    city_women = make_org(province, "Hội LHPN thành phố", OrgKind.WOMEN)
    women_a = make_org(a, "Hội LHPN xã An Bình", OrgKind.WOMEN, city_women)
    branch_a = make_org(make_hamlet(a, "Ấp Một"), "Chi hội Phụ nữ ấp Một", OrgKind.BRANCH, women_a)
    farmers_b = make_org(b, "Hội Nông dân xã Bình Hòa", OrgKind.FARMERS)
    set_members(city_women, period, 30)  # the city office: an upper count, not counted
    set_members(women_a, period, 200)
    set_members(farmers_b, period, 100)
    return type("Place", (), dict(
        period=period, province=province, a=a, b=b, city_women=city_women, women_a=women_a,
        branch_a=branch_a, farmers_b=farmers_b, day=today - timedelta(days=10),
    ))  # fmt: skip


def brief(place: Any, body: Any, attendance: list[tuple[Any, int]], **more: Any) -> Briefing:
    values = {
        "topic": "Quán triệt Đề án 08-ĐA/TU", "held_on": place.day, "place": "Hội trường",
        "format": BriefingFormat.IN_PERSON, "audience": Audience.MEMBERS, "plan": None, **more,
    }  # fmt: skip
    return briefings.record_briefing(by=None, organization=body, attendance=attendance, **values)


def test_bad_briefings_are_refused_and_nothing_is_written(place: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        ({"attendance": [(place.women_a, 5)], "held_on": tomorrow}, "không được sau hôm nay"),
        ({"attendance": []}, "ít nhất một chi hội"),
        ({"attendance": [(place.women_a, 5), (place.women_a, 3)]}, "chỉ ghi một dòng"),
        ({"attendance": [(place.women_a, 0)]}, "lớn hơn 0"),
        ({"attendance": [(place.farmers_b, 5)]}, "trên địa bàn của đơn vị tổ chức"),
        ({"attendance": [(place.women_a, 201)]}, "nhiều hơn số hội viên kỳ Kỳ này"),
    ]
    for values, message in cases:
        attendance = values.pop("attendance")
        with pytest.raises(ValidationError, match=message):
            brief(place, place.women_a, attendance, **values)
    plan = services.create_plan(
        by=None, organization=place.women_a, number="3", issued_on=place.period.start,
        title="Kế hoạch", starts_on=place.day + timedelta(days=1), ends_on=place.period.end,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="nằm ngoài thời gian thực hiện kế hoạch 3"):
        brief(place, place.women_a, [(place.women_a, 5)], plan=plan)
    assert not Briefing.objects.exists() and not Attendance.objects.exists()
    brief(place, place.women_a, [(place.women_a, 201)], confirmed=True)  # checked: kept
    assert Attendance.objects.get().attendees == 201


def test_members_briefed_against_a_recount(place: Any) -> None:
    brief(place, place.women_a, [(place.women_a, 80), (place.branch_a, 60)])
    brief(place, place.women_a, [(place.branch_a, 50)])
    brief(place, place.farmers_b, [(place.farmers_b, 130)], confirmed=True)  # above: capped
    old = place.period.start - timedelta(days=1)  # before the period: not counted
    brief(place, place.farmers_b, [(place.farmers_b, 10)], held_on=old)
    figure = members_briefed(place.province)
    # Recount: the lowest bodies with a count (the communes' unions), their
    # branches' attendance in their own, each capped at its members.
    recount = {"Hội LHPN xã An Bình": (min(80 + 60 + 50, 200), 200),
               "Hội Nông dân xã Bình Hòa": (min(130, 100), 100)}  # fmt: skip
    assert (figure.done, figure.total) == (190 + 100, 300)
    assert {a.name: (d, t) for a, d, t in figure.parts} == {
        "Xã An Bình": recount["Hội LHPN xã An Bình"],
        "Xã Bình Hòa": recount["Hội Nông dân xã Bình Hòa"],
    }
    assert sum(d for _a, d, _t in figure.parts) == figure.done
    (row,) = members_briefed(place.b).rows
    assert "130/100 hội viên" in row.note and "cần kiểm tra lại" in row.note
    assert "Kỳ này" in figure.note


def test_an_officer_records_a_briefing_from_the_page(place: Any, client: Any) -> None:
    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a)
    client.force_login(officer)
    url = reverse("plans_staff:briefing_add")
    form = client.get(url).content.decode()
    assert "Số người dự theo chi hội, đoàn thể" in form
    body = {
        "organization": place.women_a.pk, "plan": "", "topic": "Luật Đất đai 2024",
        "held_on": place.day.isoformat(), "place": "Nhà văn hóa ấp Một",
        "format": BriefingFormat.COMBINED, "audience": Audience.MEMBERS,
        "nguoi-du-TOTAL_FORMS": "10", "nguoi-du-INITIAL_FORMS": "0",
        "nguoi-du-MIN_NUM_FORMS": "0", "nguoi-du-MAX_NUM_FORMS": "60",
        "nguoi-du-0-organization": place.branch_a.pk, "nguoi-du-0-attendees": "250",
    }  # fmt: skip
    body["nguoi-du-1-organization"] = place.women_a.pk
    body["nguoi-du-1-attendees"] = "300"
    asked = client.post(url, body)
    text = asked.content.decode()
    assert asked.status_code == 200 and "nhiều hơn số hội viên" in text  # the union: 200
    assert "Chi hội Phụ nữ ấp Một (250" not in text  # a branch without a count: no question
    assert 'value="Luật Đất đai 2024"' in text and not Briefing.objects.exists()
    done = client.post(url, {**body, "confirmed": "on"})
    assert done.status_code == 302 and Briefing.objects.count() == 1
    page = client.get(done["Location"]).content.decode()
    assert "Người dự: 550" in page
    listed = client.get(reverse("plans_staff:briefing_list"), {"q": "dat dai"}).content.decode()
    assert "Luật Đất đai 2024" in listed
    assert client.get(reverse("plans_staff:briefing_export"))["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_dashboard_shows_the_trend_over_periods(place: Any, client: Any) -> None:
    """Members briefed is counted per period: the target shows the last
    half-years, each recounted from its own briefings and member counts."""
    from decimal import Decimal

    earlier = make_period(
        "Kỳ trước", start=place.period.start - timedelta(days=184),
        end=place.period.start - timedelta(days=1),
    )  # fmt: skip
    set_members(place.women_a, earlier, 100)
    make_period(  # a half-year without any member count: shown as "—", never a 500
        "Kỳ chưa có số liệu", start=earlier.start - timedelta(days=184),
        end=earlier.start - timedelta(days=1),
    )  # fmt: skip
    brief(place, place.women_a, [(place.women_a, 50)], held_on=earlier.start + timedelta(days=3))
    brief(place, place.women_a, [(place.women_a, 200)])
    assert members_briefed(place.province, None, earlier).percent == 50.0
    assert members_briefed(place.province).percent == pytest.approx(66.7)  # 200 / (200 + 100)
    plan = services.create_plan(
        by=None, organization=place.city_women, number="2", issued_on=earlier.start,
        title="Kế hoạch", starts_on=earlier.start, ends_on=place.period.end,
    )  # fmt: skip
    services.add_target(
        plan, indicator="members_briefed", text="98% hội viên được tuyên truyền",
        value=Decimal(98), area=place.province, deadline=place.period.end,
    )  # fmt: skip
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    page = client.get(reverse("plans_staff:dashboard", args=[plan.pk])).content.decode()
    assert "Qua các kỳ:" in page and "Kỳ trước: 50%" in page and "Kỳ này: 66,7%" in page
    assert "Kỳ chưa có số liệu: —" in page
