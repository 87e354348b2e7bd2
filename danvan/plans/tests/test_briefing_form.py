"""Recording a briefing from the page: its queries do not grow with the
attendance rows (their bodies are fetched at once), a row's body out of
scope or unknown is refused as before, and the plans offered follow the
plan's readers at once though they are kept per scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.core import services as core_services
from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import (
    make_current_period,
    make_hamlet,
    make_org,
    make_staff,
    make_two_communes,
    set_members,
)
from danvan.plans import forms_briefing, services
from danvan.plans.models import Attendance, Audience, Briefing, BriefingFormat
from danvan.plans.tests.conftest import board_plan

# As deployed: the plans a scope reads are kept only with a shared cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]


@pytest.fixture
def place(db: Any) -> Any:
    return make_place()


def make_place() -> Any:
    """A city with two communes; the first's women's union with five hamlet
    branches and 200 members this period; the city board's plan."""
    today = timezone.localdate()
    period = make_current_period()
    province, a, b = make_two_communes()
    board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    women_a = make_org(a, "Hội LHPN xã An Bình", OrgKind.WOMEN)
    branches = [
        make_org(make_hamlet(a, f"Ấp {n}"), f"Chi hội Phụ nữ ấp {n}", OrgKind.BRANCH, women_a)
        for n in range(1, 6)
    ]
    farmers_b = make_org(b, "Hội Nông dân xã Bình Hòa", OrgKind.FARMERS)
    set_members(women_a, period, 200)
    plan = board_plan(board, period)
    return type("Place", (), dict(
        period=period, a=a, board=board, women_a=women_a, branches=branches,
        farmers_b=farmers_b, plan=plan, day=today - timedelta(days=2),
    ))  # fmt: skip


def form(place: Any, rows: list[tuple[Any, Any]], plan: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization": place.women_a.pk, "plan": plan.pk if plan else "",
        "topic": "Luật Đất đai 2024", "held_on": place.day.isoformat(),
        "place": "Nhà văn hóa ấp", "format": BriefingFormat.IN_PERSON,
        "audience": Audience.MEMBERS, "confirmed": "on",
        "nguoi-du-TOTAL_FORMS": str(len(rows)), "nguoi-du-INITIAL_FORMS": "0",
        "nguoi-du-MIN_NUM_FORMS": "0", "nguoi-du-MAX_NUM_FORMS": "60",
    }  # fmt: skip
    for i, (org, people) in enumerate(rows):
        body[f"nguoi-du-{i}-organization"] = getattr(org, "pk", org)
        body[f"nguoi-du-{i}-attendees"] = str(people)
    return body


def test_recording_costs_the_same_queries_whatever_its_rows(place: Any, client: Any) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    services.save_task(  # the plan read through a task: offered and checked
        place.plan, None, partners=[], areas=[], number="1", text="Tuyên truyền.",
        lead=place.women_a, recurrence="once", due_on=place.period.end,
    )  # fmt: skip
    assert client.post(url, form(place, [(place.branches[0], 5)], place.plan)).status_code == 302
    counts = []
    for n in (1, 5):
        rows = [(branch, 10 + i) for i, branch in enumerate(place.branches[:n])]
        with CaptureQueriesContext(connection) as captured:
            done = client.post(url, form(place, rows, place.plan))
        assert done.status_code == 302
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 7, counts  # (11 before the plan and the bodies were kept)
    last = Briefing.objects.latest("pk")
    assert last.plan == place.plan
    assert sorted(Attendance.objects.filter(briefing=last).values_list("attendees", flat=True)) == [
        10, 11, 12, 13, 14,
    ]  # fmt: skip


@pytest.mark.parametrize("chosen", ["other commune", "unknown", "text", "non-ascii digits"])
def test_a_row_out_of_scope_or_unknown_is_refused(place: Any, client: Any, chosen: str) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    value = {
        "other commune": place.farmers_b.pk, "unknown": 987654, "text": "abc",
        "non-ascii digits": "١٢",
    }[chosen]  # fmt: skip
    rows = [(place.branches[0], 20), (value, 30)]
    page = client.post(reverse("plans_staff:briefing_add"), form(place, rows))
    assert page.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in page.content.decode()
    assert not Briefing.objects.exists()


def test_the_plans_offered_follow_their_readers_at_once(place: Any, client: Any) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    body = form(place, [(place.branches[0], 20)], place.plan)
    refused = client.post(url, body)  # the city's plan: nothing of it assigned to the union
    assert refused.status_code == 200 and not Briefing.objects.exists()
    assert "12-KH/BDVTU" not in client.get(url).content.decode()
    task = services.save_task(
        place.plan, None, partners=[place.women_a], areas=[], number="1", text="Tuyên truyền.",
        lead=place.board, recurrence="once", due_on=place.period.end,
    )  # fmt: skip
    assert "12-KH/BDVTU" in client.get(url).content.decode()
    assert client.post(url, body).status_code == 302
    task.partners.remove(place.women_a)
    again = client.post(url, body)
    assert again.status_code == 200 and Briefing.objects.count() == 1


def test_the_plan_kept_for_the_form_follows_its_writes_at_once(place: Any, client: Any) -> None:
    """The plan is taken from the plans kept for the reader's scope (no query):
    its dates, as the form checks them, are those of its row right after an edit."""
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    services.save_task(
        place.plan, None, partners=[], areas=[], number="1", text="Tuyên truyền.",
        lead=place.women_a, recurrence="once", due_on=place.period.end,
    )  # fmt: skip
    body = form(place, [(place.branches[0], 20)], place.plan)
    assert client.post(url, body).status_code == 302  # kept now
    plan = place.plan
    services.update_plan(
        plan, organization=plan.organization, number=plan.number, issued_on=plan.issued_on,
        title=plan.title, carries_out=plan.carries_out, starts_on=place.day + timedelta(days=1),
        ends_on=plan.ends_on,
    )  # fmt: skip
    refused = client.post(url, body)
    assert refused.status_code == 200 and "ngoài thời gian thực hiện" in refused.content.decode()
    assert Briefing.objects.count() == 1
    unknown = client.post(url, {**body, "plan": "987654"})
    assert unknown.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in unknown.content.decode()


def test_the_message_counts_the_attendance_as_stored(place: Any, client: Any) -> None:
    """The total shown is the stored attendance: typed counts, and the names of
    a body without a typed count."""
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    body = form(place, [(place.branches[0], 20), (place.branches[1], 7)])
    people = [("Nguyễn Thị An", place.branches[0]), ("Trần Thị Bình", place.branches[2])]
    body.update({"ten-TOTAL_FORMS": str(len(people)), "ten-INITIAL_FORMS": "0"})
    for i, (name, org) in enumerate(people):
        body[f"ten-{i}-full_name"] = name
        body[f"ten-{i}-organization"] = org.pk
    page = client.post(reverse("plans_staff:briefing_add"), body, follow=True)
    stored = sum(Attendance.objects.values_list("attendees", flat=True))
    assert stored == 28  # 20 (one of them named) + 7 + 1 named without a count
    assert "Đã ghi buổi tuyên truyền với 28 người dự." in page.content.decode()


def test_a_refused_row_is_shown_again_with_its_choices(place: Any, client: Any) -> None:
    """The rows share one queryset of bodies: each shows every body in scope,
    with its own choice kept."""
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    rows = [(place.branches[0], 20), (place.branches[1], ""), (place.branches[2], 5)]
    page = client.post(url, form(place, rows)).content.decode()
    assert "Hãy ghi số người dự." in page and not Briefing.objects.exists()
    for i, branch in enumerate(place.branches[:3]):
        select = page[page.index(f'name="nguoi-du-{i}-organization"') :]
        select = select[: select.index("</select>")]
        assert all(b.name in select for b in place.branches)
        assert f'value="{branch.pk}" selected' in select


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "too many to keep"])
def test_the_bodies_to_choose_follow_their_writes_at_once(
    place: Any, client: Any, monkeypatch: Any, kept: bool
) -> None:
    """The bodies a scope may choose are kept per scope (no query a request):
    a body closed, or a new branch, shows at once; beyond `KEPT_BODIES` they
    are looked up by query, with the same answers."""
    if not kept:
        monkeypatch.setattr(forms_briefing, "KEPT_BODIES", 2)
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    assert client.post(url, form(place, [(place.branches[0], 20)])).status_code == 302
    core_services.close_organization(place.branches[0], ended_on=place.day)
    refused = client.post(url, form(place, [(place.branches[0], 20)]))
    assert refused.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in refused.content.decode()
    new = make_org(place.branches[1].area, "Chi hội Phụ nữ mới", OrgKind.BRANCH, place.women_a)
    assert client.post(url, form(place, [(new, 12)])).status_code == 302
    core_services.close_organization(place.women_a, ended_on=place.day)
    gone = client.post(url, form(place, [(place.branches[1], 5)]))
    assert gone.status_code == 200 and Briefing.objects.count() == 2
    assert Attendance.objects.filter(organization=new, attendees=12).exists()


def test_the_empty_rows_share_one_list_of_bodies(place: Any, client: Any, monkeypatch: Any) -> None:
    """The page's queries do not grow with the rows it shows: every row of
    both formsets offers the same bodies, listed once for all of them."""
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    url = reverse("plans_staff:briefing_add")
    client.get(url)  # what is kept per scope, kept
    counts, offered = [], []
    for extra in (1, 10):
        monkeypatch.setattr(forms_briefing.AttendanceRows, "extra", extra)
        monkeypatch.setattr(forms_briefing.NamedRows, "extra", extra)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        counts.append(len(captured))
        offered.append(page.count(f'value="{place.branches[4].pk}"'))
    assert offered[1] - offered[0] == 2 * 9  # in each row of both
    assert counts[0] == counts[1], counts
