"""Carrying out the plan: due dates of every recurrence, progress reports
(every refusal changes nothing), what is overdue and for whom (never a body
after it ended), coordination plans, and the targets' figures against a
recount from the rows, their parts adding up, across a merger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from danvan.core.indicators import INDICATORS
from danvan.core.models import OrgKind, Role
from danvan.core.restructuring import merge_areas
from danvan.core.tests.factories import make_commune, make_org, make_province, make_staff
from danvan.plans import services
from danvan.plans.indicators import coordination_plans
from danvan.plans.models import (
    FRONT_AND_UNIONS,
    CoordinationPlan,
    CoordinationStatus,
    Plan,
    Recurrence,
    Report,
    TaskStatus,
)

pytestmark = pytest.mark.django_db


def make_plan(body: Any, starts: date = date(2024, 3, 1), ends: date = date(2025, 12, 31)) -> Plan:
    return services.create_plan(
        by=None,
        organization=body,
        number="12-KH/HU",
        issued_on=starts,
        title="Thực hiện Đề án 08-ĐA/TU",
        starts_on=starts,
        ends_on=ends,
    )


def task_of(plan: Plan, lead: Any, *partners: Any, recurrence: str = Recurrence.ONCE,
            due_on: date | None = None) -> Any:  # fmt: skip
    return services.save_task(
        plan, None, partners=partners, areas=[], number="III.1", text="Quán triệt Đề án.",
        lead=lead, recurrence=recurrence, due_on=due_on,
    )  # fmt: skip


@pytest.fixture
def place(db: Any) -> Any:
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    front = make_org(commune, "Ủy ban MTTQ xã Phụng Hiệp", OrgKind.FRONT)
    women = make_org(commune, "Hội LHPN xã Phụng Hiệp", OrgKind.WOMEN)
    return type("Place", (), dict(province=province, commune=commune, board=board, front=front,
                                  women=women))  # fmt: skip


def test_due_dates_of_every_recurrence(place: Any) -> None:
    plan = make_plan(place.board)
    once = task_of(plan, place.board, due_on=date(2024, 6, 30))
    assert once.due_dates() == [date(2024, 6, 30)]
    quarterly = task_of(plan, place.board, recurrence=Recurrence.QUARTERLY)
    assert quarterly.due_dates() == [
        date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31),
        date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31),
    ]  # fmt: skip
    half = task_of(plan, place.board, recurrence=Recurrence.HALF_YEARLY)
    assert half.due_dates() == [date(2024, 6, 30), date(2024, 12, 31), date(2025, 6, 30),
                                date(2025, 12, 31)]  # fmt: skip
    short = make_plan(place.board, date(2024, 3, 1), date(2024, 11, 15))
    yearly = task_of(short, place.board, recurrence=Recurrence.YEARLY)
    assert yearly.due_dates() == [date(2024, 11, 15)]  # the plan's end closes the last period


def test_a_task_due_outside_the_plan_is_refused(place: Any) -> None:
    plan = make_plan(place.board)
    with pytest.raises(ValidationError, match="trong thời gian thực hiện kế hoạch"):
        task_of(plan, place.board, due_on=date(2026, 1, 15))
    with pytest.raises(ValidationError, match="không đồng thời là cơ quan phối hợp"):
        task_of(plan, place.board, place.board, due_on=date(2024, 6, 30))
    assert not plan.tasks.exists()
    task_of(plan, place.board, due_on=date(2025, 6, 30))
    with pytest.raises(ValidationError, match=r"III\.1 nằm ngoài"):
        services.update_plan(plan, ends_on=date(2025, 3, 31))
    assert Plan.objects.get(pk=plan.pk).ends_on == date(2025, 12, 31)


def test_reports_and_their_refusals(place: Any) -> None:
    plan = make_plan(place.board)
    task = task_of(plan, place.front, place.women, recurrence=Recurrence.HALF_YEARLY)
    report = services.submit_report(
        task, place.women, date(2024, 6, 30), by=None, progress=80, text="Đã quán triệt."
    )
    assert report.organization == place.women
    refusals = [
        (place.board, date(2024, 6, 30), 50, "không được giao"),
        (place.front, date(2024, 7, 1), 50, "không đúng với thời hạn"),
        (place.front, date(2024, 6, 30), 101, "từ 0 đến 100"),
        (place.women, date(2024, 6, 30), 90, "đã báo cáo kỳ 30/06/2024"),
    ]
    for body, due_on, progress, message in refusals:
        with pytest.raises(ValidationError, match=message):
            services.submit_report(task, body, due_on, by=None, progress=progress, text="x")
    assert Report.objects.count() == 1
    services.set_task_status(task, TaskStatus.CANCELLED)
    with pytest.raises(ValidationError, match="không còn thực hiện"):
        services.submit_report(task, place.front, date(2024, 6, 30), by=None, progress=1, text="")


def test_overdue_reports_per_body_and_none_after_a_body_ended(place: Any) -> None:
    today = timezone.localdate()
    plan = make_plan(place.board, today - timedelta(days=400), today + timedelta(days=400))
    task = task_of(plan, place.front, place.women, recurrence=Recurrence.QUARTERLY)
    past = [d for d in task.due_dates() if d < today]
    services.submit_report(task, place.front, past[0], by=None, progress=100, text="Xong.")
    states = {(d.organization.pk, d.due_on): d.state for d in services.dues([task])}
    assert states[(place.front.pk, past[0])] == "reported"
    assert states[(place.women.pk, past[0])] == "overdue"
    assert all(states[(place.women.pk, d)] == "overdue" for d in past)
    assert all(s == "coming" for (_o, d), s in states.items() if d >= today)
    # The women's union ends (merged away): nothing is due from it afterwards.
    place.women.valid_to = past[1]
    place.women.save(update_fields=["valid_to"])
    task.refresh_from_db()
    due_from_women = {d.due_on for d in services.dues([task]) if d.organization == place.women}
    assert due_from_women == {past[0]}


def test_coordination_plans_counted_against_a_recount(place: Any) -> None:
    plan = make_plan(place.board)
    other = make_commune(place.province, "Xã Hòa An", "31393")
    bodies = [make_org(other, f"{kind.label} xã Hòa An", kind) for kind in FRONT_AND_UNIONS]
    make_org(other, "Chi hội Phụ nữ ấp 1", OrgKind.BRANCH)  # a hamlet branch: not counted
    with pytest.raises(ValidationError, match="Chỉ Mặt trận Tổ quốc"):
        services.save_coordination_plan(place.board, plan, status=CoordinationStatus.DRAFT)
    with pytest.raises(ValidationError, match="cần có số hiệu"):
        services.save_coordination_plan(place.front, plan, status=CoordinationStatus.ISSUED)
    services.save_coordination_plan(
        place.front, plan, status=CoordinationStatus.ISSUED, number="05-KH/MT",
        issued_on=date(2024, 4, 1),
    )  # fmt: skip
    services.save_coordination_plan(bodies[0], plan, status=CoordinationStatus.DRAFT)
    for body in bodies[1:3]:
        services.save_coordination_plan(
            body, plan, status=CoordinationStatus.ISSUED, number="1", issued_on=date(2024, 5, 2)
        )
    figure = coordination_plans(place.province, plan)
    recount_total = sum(1 for o in [place.front, place.women, *bodies])
    recount_done = CoordinationPlan.objects.filter(
        plan=plan, status=CoordinationStatus.ISSUED
    ).count()
    assert (figure.done, figure.total) == (recount_done, recount_total) == (3, 7)
    assert sum(d for _a, d, _t in figure.parts) == figure.done
    assert sum(t for _a, _d, t in figure.parts) == figure.total
    parts = {a.name: (d, t) for a, d, t in figure.parts}
    assert parts == {"Xã Phụng Hiệp": (1, 2), "Xã Hòa An": (2, 5)}
    commune = coordination_plans(other, plan)
    assert (commune.done, commune.total) == (2, 5)
    missing_first = [(r.label, r.done) for r in commune.rows]
    assert missing_first[:3] == [
        (bodies[3].name, False),
        (bodies[4].name, False),
        (bodies[0].name, False),
    ]  # fmt: skip (Đoàn, Hội Cựu chiến binh, Mặt trận: by name, ignoring diacritics)
    assert figure.percent == pytest.approx(42.9)


def test_a_merger_moves_the_figures_to_the_successor(place: Any) -> None:
    """The bodies of a merged commune end with it: the successor's own
    bodies are counted; the indicator of communes with a practice counts the
    former commune's practice for its successor (practices' tests)."""
    plan = make_plan(place.board)
    other = make_commune(place.province, "Xã Hòa An", "31393")
    front_other = make_org(other, "Ủy ban MTTQ xã Hòa An", OrgKind.FRONT)
    services.save_coordination_plan(
        front_other, plan, status=CoordinationStatus.ISSUED, number="2", issued_on=date(2024, 4, 1)
    )
    merge_areas(None, [other], into=place.commune, effective_on=date(2025, 7, 1))
    front_other.refresh_from_db()
    figure = coordination_plans(place.province, plan)
    assert (figure.done, figure.total) == (0, 2)  # the successor's two bodies
    assert {a.name for a, _d, _t in figure.parts} == {"Xã Phụng Hiệp"}


def test_an_officer_runs_the_plan_from_the_pages(place: Any, client: Any) -> None:
    officer = make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province)
    front_officer = make_staff("mt.xa", Role.ORG_OFFICER, organization=place.front)
    client.force_login(officer)
    add = reverse("plans_staff:plan_add")
    typed = {
        "organization": place.board.pk, "number": "12-KH/TU", "issued_on": "2024-03-01",
        "title": "Thực hiện Đề án 08", "carries_out": "", "starts_on": "2024-03-01",
        "ends_on": "2024-01-01",
    }  # fmt: skip
    refused = client.post(add, typed)
    assert refused.status_code == 200 and "phải sau ngày bắt đầu" in refused.content.decode()
    assert 'value="12-KH/TU"' in refused.content.decode() and not Plan.objects.exists()
    created = client.post(add, {**typed, "ends_on": "2025-12-31"})
    plan = Plan.objects.get()
    assert created["Location"] == plan.get_absolute_url()
    task_page = client.post(
        reverse("plans_staff:task_add", args=[plan.pk]),
        {"number": "IV.4", "text": "Quán triệt Đề án đến hội viên.", "lead": place.front.pk,
         "partners": [place.women.pk], "recurrence": "half_yearly", "due_on": ""},
    )  # fmt: skip
    assert task_page.status_code == 302
    task = plan.tasks.get()
    detail = client.get(plan.get_absolute_url()).content.decode()
    assert "Quán triệt Đề án đến hội viên." in detail and "quá hạn" in detail
    target = client.post(
        reverse("plans_staff:target_add", args=[plan.pk]),
        {"text": "100% Mặt trận, đoàn thể có kế hoạch phối hợp", "indicator":
         "coordination_plans", "value": "100", "area": place.province.pk,
         "deadline": "2024-12-31"},
    )  # fmt: skip
    assert target.status_code == 302
    assert plan.targets.get().value == Decimal(100)

    # The commune Front reports for itself; it may not report for the women's union.
    client.force_login(front_officer)
    page = client.get(task.get_absolute_url()).content.decode()
    assert "Gửi báo cáo tiến độ" in page
    sent = client.post(
        task.get_absolute_url(),
        {"organization": place.women.pk, "due_on": "2024-06-30", "progress": "80", "text": "x"},
    )
    assert sent.status_code == 200 and not Report.objects.exists()
    sent = client.post(
        task.get_absolute_url(),
        {"organization": place.front.pk, "due_on": "2024-06-30", "progress": "80",
         "text": "Đã tổ chức 3 buổi quán triệt.", "figures": "3 buổi, 240 lượt"},
    )  # fmt: skip
    assert sent.status_code == 302 and Report.objects.get().progress == 80
    overdue = client.get(reverse("plans_staff:overdue")).content.decode()
    assert place.front.name in overdue  # its later half-years are overdue
    edit = reverse("plans_staff:coordination_edit", args=[plan.pk, place.front.pk])
    saved = client.post(edit, {"status": "issued", "number": "05-KH/MT", "issued_on": "2024-04-02"})
    assert saved.status_code == 302

    client.force_login(officer)
    board = client.get(reverse("plans_staff:dashboard", args=[plan.pk])).content.decode()
    assert "Thành phố Cần Thơ: 50%" in board and "(1/2)" in board
    drill = client.get(
        reverse("plans_staff:dashboard", args=[plan.pk]), {"don_vi": place.commune.pk}
    ).content.decode()
    assert "Xã Phụng Hiệp: 50%" in drill and "Hội LHPN xã Phụng Hiệp" in drill
    assert "Chưa có kế hoạch phối hợp" in drill


def test_the_dashboard_names_each_figure_and_drills_only_in_scope(place: Any, client: Any) -> None:
    plan = make_plan(place.board)
    services.add_target(
        plan, indicator="coordination_plans", text="100% có kế hoạch phối hợp",
        value=Decimal(100), area=place.province, deadline=date(2024, 12, 31),
    )  # fmt: skip
    other = make_commune(place.province, "Xã Hòa An", "31393")
    officer = make_staff("xa.pl", Role.BOARD_ADMIN, area=place.commune)
    # The plan is the city's; a commune officer reads it through a task of its body.
    task_of(plan, place.front, due_on=date(2024, 6, 30))
    client.force_login(officer)
    url = reverse("plans_staff:dashboard", args=[plan.pk])
    assert client.get(url, {"don_vi": other.pk}).status_code == 404
    page = client.get(url, {"don_vi": place.commune.pk}).content.decode()
    assert INDICATORS["coordination_plans"].definition[:40] in page
    assert client.get(reverse("plans_staff:plan_edit", args=[plan.pk])).status_code == 404


def test_the_dashboard_keeps_its_figures_until_a_record_changes(
    place: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    """Its queries do not grow with the units and bodies counted; a second
    reader gets the kept figures; a new coordination plan shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(place.board)
    for code in INDICATORS:
        services.add_target(
            plan, indicator=code, text=f"Chỉ tiêu {code}", value=Decimal(100),
            area=place.province, deadline=date(2025, 12, 31),
        )  # fmt: skip
    officer = make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province)
    client.force_login(officer)
    url = reverse("plans_staff:dashboard", args=[plan.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    from django.core.cache import cache

    from danvan.core.cache import LocalCache

    def forget() -> None:  # the kept figures and pages, in the process and shared
        LocalCache.clear_all()
        cache.clear()

    queries()  # warm what a first request builds once (content types...)
    forget()
    small = queries()
    for n in range(6):  # more communes and bodies: the same number of queries
        commune = make_commune(place.province, f"Xã Số {n}", f"3100{n}")
        make_org(commune, f"Ủy ban MTTQ xã Số {n}", OrgKind.FRONT)
    forget()
    assert queries() == small
    assert queries() < small  # kept: only the page's own queries
    services.save_coordination_plan(
        place.front, plan, status=CoordinationStatus.ISSUED, number="9", issued_on=date(2024, 5, 1)
    )
    assert "(1/8)" in client.get(url).content.decode()
