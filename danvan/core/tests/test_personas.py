"""Every staff URL tried by named personas (the healthchecks habit).

- owner:   the commune officer of Xã Phụng Hiệp (board administrator of the commune)
- above:   the board administrator of Thành phố Cần Thơ, above the commune
- sibling: the commune officer of Xã Hòa An, a sibling commune
- anonymous visitor

The owner and the colleague above succeed, the sibling gets 404 for every
object of the owner's commune, the anonymous visitor is sent to sign in.
`test_every_staff_url_is_covered` fails when a new staff view is added without
a row here, so no view can forget its scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from danvan.core import urls_staff
from danvan.core.jobs import start_job
from danvan.core.models import Area, AreaKind, Job, Organization, OrgKind, RoleAssignment

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


# url name -> (object factory giving the pk, who may open it besides the owner)
OBJECT_URLS: dict[str, tuple[Callable[[], Any], str]] = {
    "area_detail": (owner_commune, ABOVE),
    "hamlet_add": (owner_commune, ABOVE),
    "area_rename": (owner_commune, ABOVE),
    "area_split": (owner_commune, ABOVE),
    "area_merge": (owner_commune, ABOVE),
    "org_detail": (owner_org, ABOVE),
    "member_count_edit": (owner_org, ABOVE),
    "role_revoke": (owner_role, ABOVE),
    # A job is seen by the person who started it and by system administrators.
    "job_detail": (owner_job, "admin"),
    "account_detail": (owner_account, ABOVE),
    "account_password_reset": (owner_account, ABOVE),
    "account_set_active": (owner_account, ABOVE),
    "hamlet_edit": (owner_hamlet, ABOVE),
    "org_edit": (owner_org, ABOVE),
    "org_close": (owner_org, ABOVE),
}
# Pages without an object: everyone signed in opens them, each seeing their own scope.
LIST_URLS = [
    "dashboard",
    "area_list",
    "hamlet_import",
    "hamlet_template",
    "org_list",
    "org_add",
    "role_list",
    "role_grant",
    "job_list",
    "audit_list",
    "password_change",
    "password_change_done",
    "account_list",
    "period_list",
]
# Pages of the whole system: reporting periods are shared by every unit, so only
# system administrators and province or city board administrators open them.
SYSTEM_URLS = ["period_add"]
AUTH_URLS = ["login", "logout"]


def test_every_staff_url_is_covered() -> None:
    names = {p.name for p in urls_staff.urlpatterns}
    covered = set(OBJECT_URLS) | set(LIST_URLS) | set(SYSTEM_URLS) | set(AUTH_URLS)
    assert names - covered == set(), "staff URLs without a persona test"
    assert covered - names == set(), "persona rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_object_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    factory, above = OBJECT_URLS[name]
    obj = factory()
    url = reverse(f"staff:{name}", args=[obj.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))

    for username, expected in ((OWNER, 200), (above, 200), (SIBLING, 404)):
        client.force_login(_user(username))
        response = client.get(url)
        assert response.status_code == expected, f"{username} on {url}"
        client.logout()

    # A missing object answers exactly like an object out of scope.
    client.force_login(_user(OWNER))
    missing = reverse(f"staff:{name}", args=[10**9])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    url = reverse(f"staff:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    for username in (OWNER, ABOVE, SIBLING):
        client.force_login(_user(username))
        assert client.get(url).status_code == 200, f"{username} on {url}"
        client.logout()


@pytest.mark.parametrize("name", SYSTEM_URLS)
def test_system_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    url = reverse(f"staff:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    for username, expected in ((ABOVE, 200), ("admin", 200), (OWNER, 404), (SIBLING, 404)):
        client.force_login(_user(username))
        assert client.get(url).status_code == expected, f"{username} on {url}"
        client.logout()


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
