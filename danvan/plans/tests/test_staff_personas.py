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
from django.urls import reverse

from danvan.core.models import OrgKind
from danvan.core.testing import (
    ABOVE,
    ADMIN,
    COMMUNE_BODY,
    MANAGE,
    NOT_FOUND,
    OK,
    OWNER,
    POST,
    SIBLING,
    VIEW,
    VIEWER,
    Matrix,
    Row,
    Target,
    assert_list_scoped,
    commune_body_personas,
)
from danvan.core.tests.factories import make_commune, make_org, make_province
from danvan.plans import services, urls_staff
from danvan.plans.models import Plan, Recurrence, Task


@dataclass
class Personas:
    plan: Plan
    task: Task
    front: Any
    users: dict[str, Any]


@pytest.fixture
def personas(db: Any) -> Personas:
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    other = make_commune(province, "Xã Hòa An", "31393")
    body, users = commune_body_personas(commune, province, other)
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
    return Personas(plan, task, front, users)


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
    return services.record_briefing(
        by=None, organization=body, attendance=[(body, 12)], topic="Quán triệt Đề án",
        held_on=timezone.localdate(), place="", format=BriefingFormat.IN_PERSON,
        audience=Audience.MEMBERS, plan=None,
    )  # fmt: skip


def _briefing_named(p: Personas) -> Target:
    from danvan.plans.models import Attendee

    briefing = _briefing(p)
    services.add_attendees(briefing, [services.Named("Trần Thị Mai", briefing.organization)])
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


FRONT_MANAGE = {OWNER: NOT_FOUND, ADMIN: OK, ABOVE: OK, SIBLING: NOT_FOUND, VIEWER: NOT_FOUND}
FRONT_VIEW = {OWNER: NOT_FOUND, ADMIN: OK, ABOVE: OK, SIBLING: NOT_FOUND, VIEWER: OK}

MATRIX = Matrix(
    "plans_staff",
    urls_staff,
    personas=COMMUNE_BODY,
    rows={
        "plan_list": Row(None, VIEW),
        "plan_add": Row(None, MANAGE),
        "overdue": Row(None, VIEW),
        "plan_detail": Row(_plan, VIEW),
        "plan_edit": Row(_plan, MANAGE),
        "task_add": Row(_plan, MANAGE),
        "coordination": Row(_plan, VIEW),
        "coordination_edit": Row(_front, MANAGE, expected=FRONT_MANAGE),
        "coordination_file": Row(_front_file, VIEW, expected=FRONT_VIEW),
        "dashboard": Row(_plan, VIEW),
        "target_add": Row(_plan, MANAGE),
        "target_export": Row(_target, VIEW),
        "briefing_list": Row(None, VIEW),
        "briefing_export": Row(None, VIEW),
        "briefing_add": Row(None, MANAGE),
        "briefing_detail": Row(_briefing, VIEW),
        "attendee_add": Row(_briefing, MANAGE),
        "attendee_import": Row(_briefing, MANAGE),
        "attendee_template": Row(_briefing, MANAGE),
        "attendee_delete": Row(_briefing_named, MANAGE),
        "communicator_list": Row(None, VIEW),
        "communicator_add": Row(None, MANAGE),
        "communicator_edit": Row(_communicator, MANAGE),
        "official_list": Row(None, VIEW),
        "official_add": Row(None, MANAGE),
        "official_edit": Row(_official, MANAGE),
        "course_list": Row(None, VIEW),
        "course_add": Row(None, MANAGE),
        "course_detail": Row(_course, VIEW),
        "return_list": Row(None, VIEW),
        "return_add": Row(None, MANAGE),
        "return_import": Row(None, MANAGE),
        "return_template": Row(None, VIEW),
        "material_list": Row(None, VIEW),
        "material_add": Row(None, MANAGE),
        "material_detail": Row(_material, VIEW),
        "material_download": Row(_material_file, VIEW),
        "task_detail": Row(_task, VIEW),
        "task_edit": Row(_task, MANAGE),
        "task_status": Row(_task, MANAGE, method=POST, data=_status, ok=302),
        "report_file": Row(_report_file, VIEW),
    },
)


def test_every_plans_staff_url_is_covered() -> None:
    MATRIX.assert_covers()


@pytest.mark.parametrize("name", MATRIX.sorted_names())
def test_urls_by_persona(name: str, personas: Personas, client: Any) -> None:
    MATRIX.check(client, name, personas.users.__getitem__, personas)


def test_sibling_list_never_shows_the_plan(personas: Personas, client: Any) -> None:
    plan = personas.plan
    assert_list_scoped(
        client,
        reverse("plans_staff:plan_list"),
        plan,
        plan.get_absolute_url(),
        hidden_from=personas.users[SIBLING],
        shown_to=personas.users[ABOVE],
        search="tuyen truyen",
    )


def test_a_report_from_out_of_scope_is_refused(personas: Personas, client: Any) -> None:
    """The sibling cannot even see the task; the viewer sees it but has no
    body to report for: a POST is a 404 and nothing is written."""
    for who in (SIBLING, VIEWER):
        client.force_login(personas.users[who])
        sent = client.post(
            personas.task.get_absolute_url(),
            {"organization": personas.plan.organization_id, "due_on": "2024-06-30",
             "progress": "50", "text": "x"},
        )  # fmt: skip
        assert sent.status_code == NOT_FOUND
    assert not personas.task.reports.exists()
