"""Every staff URL tried by named personas (the healthchecks habit).

- owner:   the commune officer of Xã Phụng Hiệp (board administrator of the commune)
- above:   the board administrator of Thành phố Cần Thơ, above the commune
- sibling: the commune officer of Xã Hòa An, a sibling commune
- anonymous visitor

The owner and the colleague above succeed, the sibling gets 404 for every
object of the owner's commune, the anonymous visitor is sent to sign in.
`test_every_staff_url_is_covered` (`danvan.core.testing.Matrix`) fails when a
new staff view is added without a row here, so no view can forget its scope.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.core import urls_staff
from danvan.core.jobs import start_job
from danvan.core.models import Area, AreaKind, Job, RoleAssignment
from danvan.core.testing import (
    DEMO,
    DEMO_ABOVE,
    DEMO_ADMIN,
    DEMO_JOB,
    DEMO_OWNER,
    DEMO_SIBLING,
    NOT_FOUND,
    OK,
    POST,
    Matrix,
    demo_commune,
    demo_union,
    demo_user,
    pages,
)

OWNER, ABOVE, SIBLING, ADMIN = DEMO_OWNER, DEMO_ABOVE, DEMO_SIBLING, DEMO_ADMIN
owner_commune, owner_org, _user = demo_commune, demo_union, demo_user


def owner_hamlet() -> Area:
    return Area.objects.current().filter(
        kind=AreaKind.HAMLET, path__startswith=owner_commune().path
    )[0]


def owner_role() -> RoleAssignment:
    return RoleAssignment.objects.get(user__username="ctv.phunghiep")


def owner_account() -> Any:
    """The account of an official whose only role is in the owner's commune."""
    return _user("ctv.phunghiep")


def owner_job() -> Job:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.core.imports import hamlet_template

    upload = SimpleUploadedFile("ap.xlsx", hamlet_template())
    return start_job(_user(OWNER), "import_hamlets", "Nhập ấp", input_file=upload)


def owner_failed_job() -> Job:
    """The owner's hamlet import, failed on a row of its file."""
    from danvan.core.models import JobStatus

    job = owner_job()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, message="Có 1 dòng lỗi.", errors=["Dòng 2: thiếu tên ấp."]
    )
    return job


# Pages of the whole system: reporting periods are shared by every unit, so only
# system administrators and province or city board administrators open them.
SYSTEM = {ABOVE: OK, ADMIN: OK, OWNER: NOT_FOUND, SIBLING: NOT_FOUND}

MATRIX = Matrix.of(
    urls_staff,
    pages(
        owner_commune,
        view=["area_detail", "hamlet_add", "area_rename", "area_split", "area_merge"],
    ),
    pages(owner_org, view=["org_detail", "member_count_edit", "org_edit", "org_close"]),
    pages(owner_role, view=["role_revoke"]),
    # A job is seen by the person who started it and by system administrators.
    pages(owner_job, view=["job_detail"], expected=DEMO_JOB),
    pages(owner_failed_job, view=["job_errors_xlsx"], expected=DEMO_JOB),
    # Only the person who started a job runs it again (with their own rights).
    pages(
        owner_failed_job,
        view=["job_retry"],
        method=POST,
        ok=302,
        expected={OWNER: OK, ADMIN: NOT_FOUND, SIBLING: NOT_FOUND},
    ),
    pages(owner_account, view=["account_detail", "account_password_reset", "account_set_active"]),
    pages(owner_hamlet, view=["hamlet_edit"]),
    # Pages without an object: everyone signed in opens them, each seeing their own scope.
    pages(
        None,
        view=[
            "dashboard", "area_list", "hamlet_import", "hamlet_template", "org_list", "org_add",
            "role_list", "role_grant", "job_list", "audit_list", "password_change",
            "password_change_done", "account_list", "period_list",
        ],
    ),
    pages(None, view=["period_add"], expected=SYSTEM),
    personas=DEMO,
    exempt=["login", "logout"],
)  # fmt: skip


test_every_staff_url_is_covered, test_urls_by_persona = MATRIX.tests("demo", user=_user)


@pytest.mark.parametrize("name", ["area_list", "org_list", "role_list", "dashboard"])
def test_sibling_lists_never_show_the_owner_commune(name: str, demo: Any, client: Any) -> None:
    commune = owner_commune()
    org = owner_org()
    client.force_login(_user(SIBLING))
    body = client.get(reverse(f"staff:{name}")).content.decode()
    assert reverse("staff:area_detail", args=[commune.pk]) not in body
    assert reverse("staff:org_detail", args=[org.pk]) not in body
    assert "ctv.phunghiep" not in body
    client.force_login(_user(ABOVE))
    body = client.get(reverse(f"staff:{name}") + "?q=Phụng Hiệp").content.decode()
    if name in ("area_list",):
        assert reverse("staff:area_detail", args=[commune.pk]) in body


def test_collaborator_cannot_reach_administration(demo: Any, client: Any) -> None:
    client.force_login(_user("ctv.phunghiep"))
    for name in ("role_list", "role_grant", "audit_list", "hamlet_import", "org_add"):
        assert client.get(reverse(f"staff:{name}")).status_code == 404, name
    commune = owner_commune()
    assert client.get(reverse("staff:area_detail", args=[commune.pk])).status_code == 200
    assert client.get(reverse("staff:hamlet_add", args=[commune.pk])).status_code == 404
    assert client.get(reverse("staff:hamlet_edit", args=[owner_hamlet().pk])).status_code == 404
    for name in ("org_edit", "org_close"):
        assert client.get(reverse(f"staff:{name}", args=[owner_org().pk])).status_code == 404
    assert client.get(reverse("staff:period_add")).status_code == 404


def test_org_officer_updates_counts_but_does_not_edit_or_close_the_body(
    demo: Any, client: Any
) -> None:
    client.force_login(_user("phunu.phunghiep"))
    org = owner_org()
    assert client.get(reverse("staff:member_count_edit", args=[org.pk])).status_code == 200
    for name in ("org_edit", "org_close"):
        assert client.get(reverse(f"staff:{name}", args=[org.pk])).status_code == 404
