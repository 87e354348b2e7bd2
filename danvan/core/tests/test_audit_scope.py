"""The audit page shows an entry's values only to those who may see its object
now (each app's own rule, danvan.core.audit.register_visibility); others see
who, when, what kind of change and which unit."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.urls import reverse

from danvan.core import audit, services
from danvan.core.models import Area, Role
from danvan.core.tests.factories import (
    make_commune,
    make_district,
    make_org,
    make_period,
    make_province,
    make_user,
)
from danvan.surveys import opinion
from danvan.surveys.models import OpinionReport

pytestmark = pytest.mark.django_db

SECRET_TOPIC = "Tranh chấp đất ở ấp Long Trị"
SECRET_WORDS = "Bà con nói cán bộ địa chính nhận tiền"


def _report_data(area: Any) -> dict[str, Any]:
    return {
        "period": make_period(),
        "area": area,
        "field": "land",
        "topic": SECRET_TOPIC,
        "what_people_say": SECRET_WORDS,
        "mood": "upset",
        "spread": "hamlet",
        "proposals": "Thanh tra việc cấp giấy",
    }


@pytest.fixture
def commune() -> Any:
    province = make_province("93", "Tỉnh Hậu Giang")
    return make_commune(make_district(province, "Huyện Phụng Hiệp", "934"), "Xã Tân Long", "31453")


def _viewer_filed_under(commune: Any, username: str, full_name: str, email: str) -> Any:
    """A staff account whose audit entries are filed under `commune`, a viewer there."""
    account = services.create_staff_user(
        username=username,
        full_name=full_name,
        password="mat-khau-that-dai-2024",
        email=email,
        audit_area_path=commune.path,
    )
    services.grant_role(None, account, Role.VIEWER, area=commune)
    return account


def _audit_page(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("staff:audit_list"))
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_commune_officer_does_not_read_a_collaborators_draft_in_the_log(
    client: Any, commune: Any
) -> None:
    officer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    collaborator = make_user("ctv.tanlong", Role.COLLABORATOR, area=commune, full_name="Võ Thị Hoa")
    data = _report_data(commune)
    with set_actor(collaborator):
        draft = opinion.save_report(collaborator, data)
        opinion.save_report(collaborator, {**data, "proposals": "Đối thoại với dân"}, report=draft)
    assert not opinion.visible_reports(officer).filter(pk=draft.pk).exists()  # a 404 for them

    page = _audit_page(client, officer)
    assert SECRET_TOPIC not in page and SECRET_WORDS not in page
    assert "Đối thoại với dân" not in page and "Thanh tra việc cấp giấy" not in page
    # The metadata stays: who, what kind of change, on what kind of record, in which unit.
    assert "Võ Thị Hoa" in page and "Tạo mới" in page and "Sửa" in page
    assert OpinionReport._meta.verbose_name in page and "Xã Tân Long" in page
    assert "không có quyền xem" in page

    # The author still sees their draft; once sent, the officer reads it and its history.
    assert opinion.visible_reports(collaborator).filter(pk=draft.pk).exists()
    with set_actor(collaborator):
        opinion.submit_report(collaborator, draft)
    page = _audit_page(client, officer)
    assert SECRET_TOPIC in page and "Đối thoại với dân" in page


def test_a_deleted_draft_stays_hidden(client: Any, commune: Any) -> None:
    officer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    collaborator = make_user("ctv.tanlong", Role.COLLABORATOR, area=commune)
    with set_actor(collaborator):
        draft = opinion.save_report(collaborator, _report_data(commune))
        opinion.delete_draft(collaborator, draft)
    page = _audit_page(client, officer)
    assert "Xóa" in page and SECRET_TOPIC not in page and SECRET_WORDS not in page


def test_an_account_the_officer_does_not_look_after_shows_no_values(
    client: Any, commune: Any
) -> None:
    from danvan.core.accounts import accounts_in_scope

    officer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    other = make_commune(Area.objects.get(code="934"), "Xã Long Thạnh", "31456")
    # An account filed under the officer's commune, with a role in another one too.
    account = _viewer_filed_under(commune, "canbo.hai.xa", "Đặng Văn Hai", "hai.xa@example.vn")
    services.grant_role(None, account, Role.VIEWER, area=other)
    assert account not in accounts_in_scope(officer)
    page = _audit_page(client, officer)
    assert "hai.xa@example.vn" not in page

    # An account the officer looks after shows its values.
    _viewer_filed_under(commune, "canbo.mot.xa", "Đặng Văn Một", "mot.xa@example.vn")
    assert "mot.xa@example.vn" in _audit_page(client, officer)


def test_a_deleted_record_keeps_its_values_for_the_unit(client: Any, commune: Any) -> None:
    from danvan.core.models import OrgKind

    officer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    body = make_org(commune, "Hội Nông dân xã Tân Long (lập nhầm)", OrgKind.FARMERS)
    body.delete()
    page = _audit_page(client, officer)
    assert "Xóa" in page and "Hội Nông dân xã Tân Long (lập nhầm)" in page


def test_contest_records_follow_the_contest(client: Any) -> None:
    from danvan.contests.models import ContestStatus
    from danvan.contests.tests import factories
    from danvan.core.tests.factories import make_staff

    world = factories.make_world(status=ContestStatus.DRAFT)
    inside = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
    elsewhere = make_staff("qt.khac", Role.BOARD_ADMIN, area=world.other_commune)
    question = world.contest.questions.first()
    assert question is not None
    entries = list(LogEntry.objects.get_for_object(question))
    assert {e.pk for e in entries} <= audit.entries_with_values(inside, entries)
    assert audit.entries_with_values(elsewhere, entries) == set()


def test_every_audited_model_has_a_visibility_rule() -> None:
    missing = [m._meta.label for m in auditlog.get_models() if m not in audit.VISIBILITY]
    assert missing == []
