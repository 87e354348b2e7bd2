"""The staff write flows through their forms: what a person clicks and types."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.core.models import (
    Area,
    Job,
    JobStatus,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    Restructuring,
    RoleAssignment,
    User,
)
from danvan.core.tests.factories import current_commune, new_account_form
from danvan.core.tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


def test_officer_adds_a_hamlet(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    c = current_commune("31420")
    url = reverse("staff:hamlet_add", args=[c.pk])
    response = client.post(url, {"name": "Phụng Sơn", "unit_type": "Ấp", "population": "950"})
    assert response.status_code == 302
    hamlet = Area.objects.get(name="Ấp Phụng Sơn")
    assert hamlet.is_child_of(c)
    assert hamlet.code.startswith(c.code + "-")
    # The same name again is refused beside the field, and what was typed stays.
    response = client.post(url, {"name": "phụng sơn", "unit_type": "Ấp", "population": "950"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "đã có “Ấp phụng sơn”" in body or "đã có" in body
    assert 'value="phụng sơn"' in body
    assert Area.objects.filter(name_folded="ap phung son").count() == 1


def test_area_search_ignores_diacritics(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    body = client.get(reverse("staff:area_list") + "?q=PHUNG hiep").content.decode()
    assert "Xã Phụng Hiệp" in body
    assert "Xã Hòa An" not in body


def test_rename_keeps_the_unit_and_its_old_name(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    c = current_commune("31420")
    response = client.post(
        reverse("staff:area_rename", args=[c.pk]),
        {"new_name": "Xã Phụng Hiệp Mới", "effective_on": "2026-01-01", "decision": "NQ 1/2026"},
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.name == "Xã Phụng Hiệp Mới"
    r = Restructuring.objects.get(kind="rename")
    assert r.old_name == "Xã Phụng Hiệp"
    detail = client.get(reverse("staff:area_detail", args=[c.pk])).content.decode()
    assert "Xã Phụng Hiệp Mới" in detail and "“Xã Phụng Hiệp”" in detail


def test_merge_form_refuses_bad_input_and_keeps_it(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    c = current_commune("31420")
    before = Restructuring.objects.count()
    response = client.post(
        reverse("staff:area_merge", args=[c.pk]),
        {"target_mode": "new", "new_name": "Phụng Hòa", "effective_on": "2026-09-01"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhập mã đơn vị mới." in body
    assert 'value="Phụng Hòa"' in body
    assert Restructuring.objects.count() == before
    assert current_commune("31420").valid_to is None


def test_merge_two_communes_into_a_new_one_through_the_form(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    a, b = current_commune("31420"), current_commune("31393")
    can_tho = Area.objects.current().get(code="92")
    response = client.post(
        reverse("staff:area_merge", args=[a.pk]),
        {
            "others": [b.pk],
            "target_mode": "new",
            "new_unit_type": "Xã",
            "new_name": "Phụng Hòa",
            "new_code": "39999",
            "parent": can_tho.pk,
            "effective_on": "2026-01-15",
            "decision": "Nghị quyết thử nghiệm",
            "confirm": "1",  # past the preview (see test_restructure_preview.py)
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Area.objects.get(code="39999")
    assert new.name == "Xã Phụng Hòa"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.successor == new and b.successor == new
    # The officer of the old commune still reads it as history.
    officer = login_as("canbo.phunghiep")
    assert officer.get(reverse("staff:area_detail", args=[a.pk])).status_code == 200


def test_split_through_the_form(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    c = current_commune("31399")
    response = client.post(
        reverse("staff:area_split", args=[c.pk]),
        {
            "parts": "Xã; Tân Bình A; 39001\nXã; Tân Bình B; 39002",
            "effective_on": "2026-01-15",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.successor is not None and c.successor.code == "39001"
    response = client.post(
        reverse("staff:area_split", args=[c.successor.pk]),
        {"parts": "Tân Bình C; 39003", "effective_on": "2026-01-16"},
    )
    assert response.status_code == 200
    assert "cần đủ 3 phần" in response.content.decode()


def test_member_count_update(demo: Any, login_as: Any) -> None:
    client = login_as("phunu.phunghiep")
    org = Organization.objects.get(
        area=current_commune("31420"), kind=OrgKind.WOMEN, valid_to__isnull=True
    )
    period = Period.objects.latest_first().first()
    assert period is not None
    url = reverse("staff:member_count_edit", args=[org.pk])
    response = client.post(url, {"period": period.pk, "members": "-3"})
    assert response.status_code == 200
    assert MemberCount.objects.get(organization=org, period=period).members != -3
    response = client.post(url, {"period": period.pk, "members": "1234"})
    assert response.status_code == 302
    assert MemberCount.objects.get(organization=org, period=period).members == 1234


def test_grant_new_account_within_scope_only(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    own, sibling = current_commune("31420"), current_commune("31393")
    data = new_account_form(sibling)
    response = client.post(reverse("staff:role_grant"), data)
    assert response.status_code == 200
    assert not User.objects.filter(username="ctv.moi").exists()
    data["area"] = own.pk
    response = client.post(reverse("staff:role_grant"), data)
    assert response.status_code == 302
    user = User.objects.get(username="ctv.moi")
    assert user.get_full_name() == "Võ Thị Hồng"
    assert RoleAssignment.objects.filter(user=user, role="collaborator", area=own).exists()
    # A commune officer cannot hand out system administration.
    response = client.post(reverse("staff:role_grant"), {"user": user.pk, "role": "system_admin"})
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=user, role="system_admin").exists()


def test_revoke_asks_first(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    ra = RoleAssignment.objects.get(user__username="ctv.phunghiep")
    url = reverse("staff:role_revoke", args=[ra.pk])
    assert "Bạn có chắc" in client.get(url).content.decode()
    assert RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert client.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_hamlet_import_upload_runs_a_job_with_row_errors(
    demo: Any, login_as: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = xlsx_bytes(
        [
            ["Mã xã", "Tên ấp, khu vực", "Loại đơn vị", "Dân số"],
            ["31420", "Mỹ Quới", "Ấp", 1200],
            ["31393", "Hòa Lợi", "Ấp", 800],  # Xã Hòa An: not this officer's commune
        ]
    )
    client = login_as("canbo.phunghiep")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:hamlet_import"),
            {"file": SimpleUploadedFile("ap.xlsx", data)},
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("staff:job_detail", args=[job.pk])
    assert job.status == JobStatus.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "Dòng 3" in page and "phạm vi quản lý" in page
    assert not Area.objects.filter(name="Ấp Mỹ Quới").exists()
    # Someone else's job is not found.
    other = login_as("canbo.hoaan")
    assert other.get(reverse("staff:job_detail", args=[job.pk])).status_code == 404


def test_audit_log_lists_writes_in_scope(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    c = current_commune("31420")
    client.post(
        reverse("staff:hamlet_add", args=[c.pk]),
        {"name": "Phụng Sơn", "unit_type": "Ấp"},
        REMOTE_ADDR="10.1.2.3",
    )
    body = client.get(reverse("staff:audit_list")).content.decode()
    assert "Ấp Phụng Sơn" in body and "10.1.2.3" in body and "Lê Văn Tâm" in body
    sibling = login_as("canbo.hoaan")
    assert "Ấp Phụng Sơn" not in sibling.get(reverse("staff:audit_list")).content.decode()


def test_public_home_works_without_an_account(client: Any, db: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="vi"' in body
    assert "Cuộc thi trực tuyến" in body
    assert "https://" not in body.split("<body")[0]  # nothing loaded from elsewhere


def test_django_admin_lists_load_for_the_system_administrator(demo: Any, login_as: Any) -> None:
    client = login_as("admin")
    for model in ("user", "period", "area", "organization", "membercount", "roleassignment"):
        assert client.get(f"/admin/core/{model}/").status_code == 200, model
    # Tree nodes are only added through the services, never a bare admin form.
    assert client.get("/admin/core/area/add/").status_code == 403
    # Staff without is_staff never reach the admin.
    officer = login_as("canbo.phunghiep")
    assert officer.get("/admin/core/area/").status_code == 302


def test_ended_unit_shows_figures_of_a_period_it_lived_through(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.phunghiep")
    district = Area.objects.get(code="934")
    body = client.get(reverse("staff:area_detail", args=[district.pk])).content.decode()
    assert "Số đoàn viên, hội viên — Năm 2024" in body
    assert "Chưa có số liệu kỳ này" not in body
    h2 = Period.objects.get(name="6 tháng cuối năm 2025")
    body = client.get(
        reverse("staff:area_detail", args=[district.pk]) + f"?ky={h2.pk}"
    ).content.decode()
    assert "Số đoàn viên, hội viên — 6 tháng cuối năm 2025" in body
