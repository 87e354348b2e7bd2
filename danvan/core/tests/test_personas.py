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
from danvan.core.models import Area, AreaKind, Job, Organization, OrgKind, RoleAssignment
from danvan.core.testing import IN_SCOPE, NOT_FOUND, OK, OUT_OF_SCOPE, POST, Matrix, Row

OWNER, ABOVE, SIBLING = "canbo.phunghiep", "bdv.cantho", "canbo.hoaan"


def owner_commune() -> Area:
    return Area.objects.current().get(code="31420", kind=AreaKind.COMMUNE)


def owner_org() -> Organization:
    return Organization.objects.get(area=owner_commune(), kind=OrgKind.WOMEN, valid_to__isnull=True)


def owner_hamlet() -> Area:
    return Area.objects.current().filter(
        kind=AreaKind.HAMLET, path__startswith=owner_commune().path
    )[0]


def owner_role() -> RoleAssignment:
    return RoleAssignment.objects.get(user__username="ctv.phunghiep")


def owner_account() -> Any:
    """The account of an official whose only role is in the owner's commune."""
    from danvan.core.models import User

    return User.objects.get(username="ctv.phunghiep")


def owner_job() -> Job:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.core.imports import hamlet_template
    from danvan.core.models import User

    owner = User.objects.get(username=OWNER)
    upload = SimpleUploadedFile("ap.xlsx", hamlet_template())
    return start_job(owner, "import_hamlets", "Nhập ấp", input_file=upload)


def owner_failed_job() -> Job:
    """The owner's hamlet import, failed on a row of its file."""
    from danvan.core.models import JobStatus

    job = owner_job()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, message="Có 1 dòng lỗi.", errors=["Dòng 2: thiếu tên ấp."]
    )
    return job


ADMIN = "admin"
# Pages of the whole system: reporting periods are shared by every unit, so only
# system administrators and province or city board administrators open them.
SYSTEM = {ABOVE: OK, ADMIN: OK, OWNER: NOT_FOUND, SIBLING: NOT_FOUND}

MATRIX = Matrix(
    "staff",
    urls_staff,
    personas={OWNER: IN_SCOPE, ABOVE: IN_SCOPE, SIBLING: OUT_OF_SCOPE},
    rows={
        "area_detail": Row(owner_commune),
        "hamlet_add": Row(owner_commune),
        "area_rename": Row(owner_commune),
        "area_split": Row(owner_commune),
        "area_merge": Row(owner_commune),
        "org_detail": Row(owner_org),
        "member_count_edit": Row(owner_org),
        "role_revoke": Row(owner_role),
        # A job is seen by the person who started it and by system administrators.
        "job_detail": Row(owner_job, expected={OWNER: OK, ADMIN: OK, SIBLING: NOT_FOUND}),
        "job_errors_xlsx": Row(
            owner_failed_job, expected={OWNER: OK, ADMIN: OK, SIBLING: NOT_FOUND}
        ),
        # Only the person who started a job runs it again (with their own rights).
        "job_retry": Row(
            owner_failed_job,
            method=POST,
            ok=302,
            expected={OWNER: OK, ADMIN: NOT_FOUND, SIBLING: NOT_FOUND},
        ),
        "account_detail": Row(owner_account),
        "account_password_reset": Row(owner_account),
        "account_set_active": Row(owner_account),
        "hamlet_edit": Row(owner_hamlet),
        "org_edit": Row(owner_org),
        "org_close": Row(owner_org),
        # Pages without an object: everyone signed in opens them, each seeing their own scope.
        "dashboard": Row(),
        "area_list": Row(),
        "hamlet_import": Row(),
        "hamlet_template": Row(),
        "org_list": Row(),
        "org_add": Row(),
        "role_list": Row(),
        "role_grant": Row(),
        "job_list": Row(),
        "audit_list": Row(),
        "password_change": Row(),
        "password_change_done": Row(),
        "account_list": Row(),
        "period_list": Row(),
        "period_add": Row(expected=SYSTEM),
    },
    exempt=["login", "logout"],
)


def test_every_staff_url_is_covered() -> None:
    MATRIX.assert_covers()


@pytest.mark.parametrize("name", MATRIX.sorted_names())
def test_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    MATRIX.check(client, name, _user)


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


def _user(username: str) -> Any:
    from danvan.core.models import User

    return User.objects.get(username=username)
