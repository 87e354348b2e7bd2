"""The target dashboard keeps what a reader's scope shows of a plan (the plan,
its cards): a kept page must always equal a page computed afresh from the
rows, right after any write it reads; a warm page costs a bounded number of
queries; and no staff user ever gets a page kept for another scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.core import services as core_services
from danvan.core.cache import LocalCache
from danvan.core.models import MemberCount, OrgKind, Role, RoleAssignment
from danvan.core.restructuring import merge_areas
from danvan.core.tests.factories import (
    make_commune,
    make_current_period,
    make_hamlet,
    make_org,
    make_period,
    make_staff,
    make_two_communes,
    set_members,
)
from danvan.plans import briefings, services
from danvan.plans.models import (
    Attendance,
    Audience,
    BriefingFormat,
    CoordinationStatus,
    Target,
    Task,
)
from danvan.plans.tests.conftest import board_plan

# As deployed: what is kept per scope is kept only with a shared cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]


@pytest.fixture
def place(db: Any) -> Any:
    today = timezone.localdate()
    period = make_current_period()
    province, a, b = make_two_communes()
    board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    front_a = make_org(a, "Ủy ban MTTQ xã An Bình", OrgKind.FRONT)
    women_a = make_org(a, "Hội LHPN xã An Bình", OrgKind.WOMEN)
    branch_a = make_org(make_hamlet(a, "Ấp Một"), "Chi hội Phụ nữ ấp Một", OrgKind.BRANCH, women_a)
    front_b = make_org(b, "Ủy ban MTTQ xã Bình Hòa", OrgKind.FRONT)
    farmers_b = make_org(b, "Hội Nông dân xã Bình Hòa", OrgKind.FARMERS)
    set_members(women_a, period, 200)
    set_members(farmers_b, period, 100)
    plan = board_plan(board, period)
    for code, text in (
        ("members_briefed", "98% hội viên được tuyên truyền"),
        ("coordination_plans", "100% Mặt trận, đoàn thể có kế hoạch phối hợp"),
    ):
        services.add_target(
            plan, indicator=code, text=text, value=Decimal(98), area=province,
            deadline=period.end,
        )  # fmt: skip
    # Commune A's Front carries out a task: its officers read the plan.
    task = services.save_task(
        plan, None, partners=[], areas=[], number="III.1", text="Quán triệt Đề án.",
        lead=front_a, recurrence="once", due_on=period.end,
    )  # fmt: skip
    return type("Place", (), dict(
        period=period, province=province, a=a, b=b, board=board, front_a=front_a,
        women_a=women_a, branch_a=branch_a, front_b=front_b, farmers_b=farmers_b, plan=plan,
        task=task, day=today - timedelta(days=3),
    ))  # fmt: skip


def brief(place: Any, body: Any, attendance: list[tuple[Any, int]]) -> Any:
    return briefings.record_briefing(
        by=None, organization=body, attendance=attendance, topic="Luật Đất đai",
        held_on=place.day, place="Hội trường", format=BriefingFormat.IN_PERSON,
        audience=Audience.MEMBERS, plan=None, confirmed=True,
    )  # fmt: skip


def content(response: Any) -> str:
    """The page's own content (the header's form carries a fresh CSRF token)."""
    assert response.status_code == 200
    text: str = response.content.decode()
    return text[text.index('<main id="noi-dung"') : text.index("</main>")]


def counted(client: Any, url: str, **params: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        page = content(client.get(url, params))
    return page, len(captured)


def afresh(client: Any, url: str, **params: Any) -> str:
    """The page with nothing kept: every figure and card computed from the rows."""
    LocalCache.clear_all()
    cache.clear()
    return content(client.get(url, params))


def _record_briefing(place: Any) -> None:
    brief(place, place.women_a, [(place.branch_a, 40), (place.women_a, 20)])


def _change_attendance(place: Any) -> None:
    row = Attendance.objects.get(organization=place.branch_a)
    row.attendees = 90
    row.save()


def _delete_attendance(place: Any) -> None:
    Attendance.objects.get(organization=place.women_a).delete()


def _change_member_count(place: Any) -> None:
    set_members(place.women_a, place.period, 80)


def _delete_member_count(place: Any) -> None:
    MemberCount.objects.get(organization=place.women_a).delete()


def _add_target(place: Any) -> None:
    services.add_target(
        place.plan, indicator="bodies_with_communicator", text="Chỉ tiêu mới về tuyên truyền viên",
        value=Decimal(50), area=place.province, deadline=place.period.end,
    )  # fmt: skip


def _edit_target(place: Any) -> None:
    target = Target.objects.get(plan=place.plan, indicator="members_briefed")
    target.text, target.value = "Chỉ tiêu đã sửa: 60% hội viên", Decimal(60)
    target.save()


def _issue_coordination_plan(place: Any) -> None:
    services.save_coordination_plan(
        place.women_a, place.plan, status=CoordinationStatus.ISSUED, number="7-KH/HPN",
        issued_on=place.day,
    )  # fmt: skip


def _close_body(place: Any) -> None:
    core_services.close_organization(place.women_a, ended_on=place.day)


def _add_hamlet(place: Any) -> None:
    make_org(make_hamlet(place.a, "Ấp Hai"), "Hội LHPN ấp Hai", OrgKind.WOMEN)


def _merge_units(place: Any) -> None:  # (watched from commune B, whose bodies end)
    merge_areas(None, [place.b], into=place.a, effective_on=place.day)


def _edit_plan(place: Any) -> None:
    services.update_plan(place.plan, number="99-KH/BDVTU")


WRITES: dict[str, Callable[[Any], None]] = {
    "a briefing recorded": _record_briefing,
    "an attendance row changed": _change_attendance,
    "an attendance row deleted": _delete_attendance,
    "a member count changed": _change_member_count,
    "a member count deleted": _delete_member_count,
    "a target added": _add_target,
    "a target edited": _edit_target,
    "a coordination plan issued": _issue_coordination_plan,
    "a body closed": _close_body,
    "a hamlet added": _add_hamlet,
    "units merged": _merge_units,
    "the plan edited": _edit_plan,
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
@pytest.mark.parametrize("unit", ["default", "commune"])
def test_a_kept_dashboard_changes_at_once_after_every_write_it_reads(
    place: Any, client: Any, write: str, unit: str, django_capture_on_commit_callbacks: Any
) -> None:
    brief(place, place.women_a, [(place.branch_a, 30), (place.women_a, 10)])
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    watched = place.b if write == "units merged" else place.a
    params = {"don_vi": watched.pk} if unit == "commune" else {}
    before, cold = counted(client, url, **params)
    again, warm = counted(client, url, **params)
    assert again == before and warm < cold  # kept
    with django_capture_on_commit_callbacks(execute=True):  # the write commits, as it does live
        WRITES[write](place)
    after = content(client.get(url, params))
    assert after != before  # the write shows...
    assert after == afresh(client, url, **params)  # ...exactly as a recount from the rows


def test_a_warm_dashboard_costs_a_bounded_number_of_queries(place: Any, client: Any) -> None:
    """Kept: the session and the user, whatever the plan, units and bodies
    counted (the shared cache keeps the reader's scope too)."""
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    content(client.get(url))
    _page, warm = counted(client, url)
    assert warm <= 2
    for n in range(5):  # more units and bodies: no more queries, kept or not
        commune = make_commune(place.province, f"Xã Số {n}", f"3100{n}")
        make_org(commune, f"Hội LHPN xã Số {n}", OrgKind.WOMEN)
    LocalCache.clear_all()
    cache.clear()
    _page, cold = counted(client, url)
    _page, warm_again = counted(client, url)
    assert warm_again == warm and cold <= 30


def test_no_reader_gets_a_page_kept_for_another_scope(place: Any, client: Any) -> None:
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    city = make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province)
    officer_a = make_staff("xa.a", Role.BOARD_ADMIN, area=place.a)
    officer_b = make_staff("xa.b", Role.BOARD_ADMIN, area=place.b)
    client.force_login(city)
    city_page = content(client.get(url))
    commune_a = content(client.get(url, {"don_vi": place.a.pk}))
    assert "Thêm chỉ tiêu" in city_page and "Xã Bình Hòa" in city_page

    client.force_login(officer_a)  # reads the plan through its Front's task
    own = content(client.get(url))
    assert own != city_page and "Xã Bình Hòa" not in own and "Thêm chỉ tiêu" not in own
    assert content(client.get(url, {"don_vi": place.a.pk})) != commune_a  # no "add" button
    assert client.get(url, {"don_vi": place.b.pk}).status_code == 404
    assert client.get(url, {"don_vi": place.province.pk}).status_code == 404

    client.force_login(officer_b)  # no task of commune B: no plan, though it is kept
    assert client.get(url).status_code == 404
    assert client.get(url, {"don_vi": place.a.pk}).status_code == 404
    services.save_task(  # B's Front becomes a partner: B reads it at once, its own scope only
        place.plan, place.task, partners=[place.front_b], areas=[], number="III.1",
        text="Quán triệt Đề án.", lead=place.front_a, recurrence="once", due_on=place.period.end,
    )  # fmt: skip
    page_b = content(client.get(url))
    assert "Xã Bình Hòa" in page_b and "Xã An Bình" not in page_b
    assert client.get(url, {"don_vi": place.a.pk}).status_code == 404
    task = Task.objects.get(pk=place.task.pk)
    task.partners.remove(place.front_b)  # and no longer
    assert client.get(url).status_code == 404

    client.force_login(officer_a)
    content(client.get(url))
    core_services.revoke_role(None, RoleAssignment.objects.get(user=officer_a))
    assert client.get(url).status_code == 404  # a revoked role: gone at once
    client.force_login(city)
    assert content(client.get(url)) == city_page


def test_the_kept_page_follows_the_day(place: Any, client: Any, monkeypatch: Any) -> None:
    """What counts may depend on today (the current period, who is active)."""
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    today = content(client.get(url))
    later = place.period.end + timedelta(days=1)
    make_period("Kỳ sau", start=later, end=later + timedelta(days=180))
    cache.clear()  # (the new period raised the version: forget that, as a kept page would)
    LocalCache.clear_all()
    content(client.get(url))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    tomorrow = content(client.get(url))
    assert tomorrow != today and "Kỳ sau" in tomorrow


def _token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_kept_whole_page_is_the_page_rendered_afresh_with_its_own_token(
    place: Any,
) -> None:
    """The whole page is kept (header, menu, content): it equals a page
    rendered afresh but for the CSRF token, which is new every time and
    valid for the reader's session."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as captured:
        kept = client.get(url).content.decode()
    assert len(captured) <= 2  # (the session, the user)
    LocalCache.clear_all()
    cache.clear()
    fresh = client.get(url).content.decode()
    tokens = [_token(page) for page in (first, kept, fresh)]
    assert len(set(tokens)) == 3  # masked afresh for each answer
    assert kept.replace(tokens[1], "T") == fresh.replace(tokens[2], "T")
    assert "csrfmark" not in kept
    logout = client.post(reverse("staff:logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert logout.status_code == 302  # the kept page's token is accepted


def test_the_kept_whole_page_is_each_readers_own(place: Any, client: Any) -> None:
    """Readers of one scope share the cards, not the page: each sees their own
    name, at once after it changes, and the menu of their own roles."""
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    one = make_staff("bdv.mot", Role.BOARD_ADMIN, area=place.province)
    two = make_staff("bdv.hai", Role.BOARD_ADMIN, area=place.province)
    client.force_login(one)
    assert "Cán bộ bdv.mot" in client.get(url).content.decode()
    client.force_login(two)
    page = client.get(url).content.decode()
    assert "Cán bộ bdv.hai" in page and "Cán bộ bdv.mot" not in page
    two.full_name = "Nguyễn Văn Hai"
    two.save()
    assert "Nguyễn Văn Hai" in client.get(url).content.decode()

    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.front_a)
    client.force_login(officer)
    assert "Phân quyền" not in client.get(url).content.decode()
    core_services.grant_role(None, officer, Role.BOARD_ADMIN, area=place.a)
    assert "Phân quyền" in client.get(url).content.decode()


def test_a_waiting_message_shows_once_on_the_kept_page(place: Any, client: Any) -> None:
    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province))
    url = reverse("plans_staff:dashboard", args=[place.plan.pk])
    plain = content(client.get(url))
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(message_levels.SUCCESS, "Đã lưu chỉ tiêu.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    shown = content(client.get(url))
    assert "Đã lưu chỉ tiêu." in shown and shown != plain
    assert content(client.get(url)) == plain  # shown once, then the kept page again
