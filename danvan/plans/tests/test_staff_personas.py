"""Every plans staff URL tried by the personas of a commune body
(`danvan.core.testing.commune_body_personas`): the plan is the commune
board's own; the sibling gets 404 for every object, the viewer opens the
VIEW pages only; a coordination plan is changed by the Front's own officers
and the unit's administrators, not by another body's officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from danvan.core.models import OrgKind
from danvan.core.testing import POST, UNIT_OFFICERS, Matrix, Target, commune_body, pages
from danvan.core.tests.factories import make_org
from danvan.plans import briefings, services, urls_staff
from danvan.plans.models import Plan, Recurrence, Task


@dataclass
class Personas:
    plan: Plan
    task: Task
    front: Any
    users: dict[str, Any]


@pytest.fixture
def personas(db: Any) -> Personas:
    units = commune_body()
    body, commune = units.body, units.commune
    front = make_org(commune, "Ủy ban MTTQ xã Phụng Hiệp", OrgKind.FRONT)
    plan = services.create_plan(
        by=None, organization=body, number="05-KH/ĐU", issued_on=date(2024, 3, 1),
        title="Kế hoạch tuyên truyền Đề án 08", starts_on=date(2024, 3, 1),
        ends_on=date(2025, 12, 31),
    )  # fmt: skip
    task = services.save_task(
        plan, None, partners=[], areas=[], number="1", text="Quán triệt Đề án.", lead=body,
        recurrence=Recurrence.HALF_YEARLY, due_on=None,
    )  # fmt: skip
    from decimal import Decimal

    services.add_target(
        plan, indicator="coordination_plans", text="100% có kế hoạch phối hợp",
        value=Decimal(100), area=commune, deadline=date(2025, 12, 31),
    )  # fmt: skip
    return Personas(plan, task, front, units.users)


def _plan(p: Personas) -> Plan:
    return p.plan


def _task(p: Personas) -> Task:
    return p.task


def _front(p: Personas) -> Target:
    return Target([p.plan.pk, p.front.pk])


def _target(p: Personas) -> Target:
    return Target([p.plan.pk, p.plan.targets.get().pk])


def _briefing(p: Personas) -> Any:
    from django.utils import timezone

    from danvan.plans.models import Audience, BriefingFormat

    body = p.plan.organization
    return briefings.record_briefing(
        by=None, organization=body, attendance=[(body, 12)], topic="Quán triệt Đề án",
        held_on=timezone.localdate(), place="", format=BriefingFormat.IN_PERSON,
        audience=Audience.MEMBERS, plan=None,
    )  # fmt: skip


def _briefing_named(p: Personas) -> Target:
    from danvan.plans.models import Attendee

    briefing = _briefing(p)
    briefings.add_attendees(briefing, [briefings.Named("Trần Thị Mai", briefing.organization)])
    return Target([briefing.pk, Attendee.objects.get(briefing=briefing).pk])


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _report_file(p: Personas) -> Target:
    from danvan.core.documents import CheckedDocument

    report = services.submit_report(
        p.task, p.plan.organization, date(2024, 6, 30), by=None, progress=50, text="Đã làm.",
        files=[(CheckedDocument("pdf", PDF), "bao-cao.pdf")],
    )  # fmt: skip
    return Target([p.task.pk, report.pk, report.files.get().pk])


def _front_file(p: Personas) -> Target:
    from danvan.core.documents import CheckedDocument

    services.save_coordination_plan(
        p.front, p.plan, status="draft", document=(CheckedDocument("pdf", PDF), "kh.pdf")
    )
    return Target([p.plan.pk, p.front.pk])


def _communicator(p: Personas) -> Any:
    from danvan.plans.models import CommunicatorKind

    body = p.plan.organization
    return services.save_communicator(
        None, phone="0912345678", kind=CommunicatorKind.PROPAGANDIST, full_name="Lê Văn Cường",
        area=body.area, organization=body, ethnicity="Kinh", languages="",
        active_from=date(2025, 7, 1), active_to=None,
    )  # fmt: skip


def _official(p: Personas) -> Any:
    from danvan.plans.models import OfficialClass

    return services.save_official(
        None, full_name="Trần Thị Lan", position="", organization=p.plan.organization,
        official_class=OfficialClass.GRASSROOTS, left_on=None,
    )  # fmt: skip


def _course(p: Personas) -> Any:
    return services.create_course(
        title="Tập huấn dân vận", organization=p.plan.organization, starts_on=date(2025, 9, 8),
        ends_on=date(2025, 9, 9), place="",
    )  # fmt: skip


def _material(p: Personas) -> Any:
    from danvan.plans.models import Audience

    return services.create_material(
        organization=p.plan.organization, title="Hỏi đáp Đề án 08", topic="Đề án 08",
        audience=Audience.MEMBERS, valid_from=date(2025, 7, 1), valid_to=None,
    )  # fmt: skip


def _material_file(p: Personas) -> Target:
    from danvan.core.documents import CheckedDocument

    material = _material(p)
    pdf = CheckedDocument("pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    row = services.add_material_file(material, pdf, language="vi", file_name="hoi-dap.pdf")
    return Target([material.pk, row.pk])


def _status(p: Personas) -> dict[str, Any]:
    return {"status": "done"}


MATRIX = Matrix.of(
    urls_staff,
    pages(
        _plan,
        view=["plan_detail", "coordination", "dashboard"],
        manage=["plan_edit", "task_add", "target_add"],
    ),
    # The Front's coordination plan: its own officers and the unit's administrators,
    # not another body's officer.
    pages(_front, manage=["coordination_edit"], profiles=UNIT_OFFICERS),
    pages(_front_file, view=["coordination_file"], profiles=UNIT_OFFICERS),
    pages(_target, view=["target_export"]),
    pages(
        _briefing,
        view=["briefing_detail"],
        manage=["attendee_add", "attendee_import", "attendee_template"],
    ),
    pages(_briefing_named, manage=["attendee_delete"]),
    pages(_communicator, manage=["communicator_edit"]),
    pages(_official, manage=["official_edit"]),
    pages(_course, view=["course_detail"]),
    pages(_material, view=["material_detail"]),
    pages(_material_file, view=["material_download"]),
    pages(_task, view=["task_detail"], manage=["task_edit"]),
    pages(_task, manage=["task_status"], method=POST, data=_status, ok=302),
    pages(_report_file, view=["report_file"]),
    # Pages without an object: every signed-in manager opens them, each seeing their own scope.
    pages(
        None,
        view=[
            "plan_list", "overdue", "briefing_list", "briefing_export", "communicator_list",
            "official_list", "course_list", "return_list", "return_template", "material_list",
        ],
        manage=[
            "plan_add", "briefing_add", "communicator_add", "official_add", "course_add",
            "return_add", "return_import", "material_add",
        ],
    ),
)  # fmt: skip


test_every_plans_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


test_sibling_list_never_shows_the_plan = MATRIX.list_scoped_test(
    "plan_list", lambda p: p.plan, search="tuyen truyen"
)


def test_a_report_from_out_of_scope_is_refused(personas: Personas, client: Any) -> None:
    """The sibling cannot even see the task; the viewer sees it but has no
    body to report for: a POST is a 404 and nothing is written."""
    task = personas.task
    MATRIX.assert_refused_posts(
        client, personas.users, "task_detail", task,
        {"organization": personas.plan.organization_id, "due_on": "2024-06-30",
         "progress": "50", "text": "x"},
        lambda: list(task.reports.values_list("pk", flat=True)),
    )  # fmt: skip
    assert not task.reports.exists()
