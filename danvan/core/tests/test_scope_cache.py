"""Scopes kept in the process (danvan.core.scope, with a shared cache): a second
request of the same user reads no role or history rows, and any change of a
role, a unit or an organisation is seen at the very next request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import override_settings

from danvan.core import restructuring, services
from danvan.core.models import Area, Role, RoleAssignment, User
from danvan.core.scope import VIEW, get_scope, scope_version
from danvan.core.tests.factories import make_commune, make_district, make_province, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]


@pytest.fixture
def shared_cache() -> Any:
    with override_settings(SHARED_CACHE=True):
        yield


def request_user(user: Any) -> Any:
    """The user as a new request loads it (no scope on the object yet)."""
    return User.objects.get(pk=user.pk)


def prefixes(user: Any) -> list[str]:
    return get_scope(request_user(user)).area_prefixes(VIEW)


def test_a_second_request_reads_no_role_or_history_rows(
    django_assert_num_queries: Any,
) -> None:
    province = make_province()
    commune = make_commune(make_district(province))
    officer = make_user("canbo.xa", Role.BOARD_ADMIN, area=commune)
    assert prefixes(officer) == [commune.path]
    user = request_user(officer)
    with django_assert_num_queries(0):
        assert get_scope(user).area_prefixes(VIEW) == [commune.path]


def test_a_revoked_role_is_gone_at_the_next_request() -> None:
    province = make_province()
    district = make_district(province)
    commune = make_commune(district)
    officer = make_user("canbo.xa", Role.BOARD_ADMIN, area=commune)
    services.grant_role(None, officer, Role.VIEWER, area=district)
    assert prefixes(officer) == [district.path]
    before = scope_version()
    services.revoke_role(None, RoleAssignment.objects.get(user=officer, role=Role.VIEWER))
    assert scope_version() != before
    assert prefixes(officer) == [commune.path]
    RoleAssignment.objects.filter(user=officer).delete()
    assert prefixes(officer) == []


def test_a_granted_role_is_seen_at_the_next_request() -> None:
    province = make_province()
    commune = make_commune(make_district(province))
    officer = make_user("canbo.xa")
    assert prefixes(officer) == []
    services.grant_role(None, officer, Role.VIEWER, area=commune)
    assert prefixes(officer) == [commune.path]


def test_a_merge_is_seen_at_the_next_request() -> None:
    """After a merge the successor's officers see the merged units' records (their
    history), and the kept scope must not hide them."""
    province = make_province()
    district = make_district(province)
    a = make_commune(district, name="Xã Hòa An", code="31001")
    b = make_commune(district, name="Xã Hòa Mỹ", code="31002")
    officer = make_user("canbo.hoaan", Role.BOARD_ADMIN, area=a)
    assert prefixes(officer) == [a.path]
    restructuring.merge_areas(
        None, [Area.objects.get(pk=b.pk)], into=a, effective_on=date(2025, 7, 1)
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert sorted(prefixes(officer)) == sorted([a.path, b.path])


def test_a_moved_unit_is_seen_at_the_next_request() -> None:
    """Moves rewrite paths with UPDATE statements (no model signal)."""
    province = make_province()
    d1 = make_district(province, name="Huyện A", code="901")
    d2 = make_district(province, name="Huyện B", code="902")
    commune = make_commune(d1, code="31003")
    officer = make_user("canbo.xa", Role.BOARD_ADMIN, area=commune)
    old = prefixes(officer)
    Area.objects.move(Area.objects.get(pk=commune.pk), Area.objects.get(pk=d2.pk), "last-child")
    commune.refresh_from_db()
    d2.refresh_from_db()
    assert commune.path.startswith(d2.path)
    assert prefixes(officer) == [commune.path] != old


def test_without_a_shared_cache_nothing_is_kept(django_assert_num_queries: Any) -> None:
    province = make_province()
    commune = make_commune(make_district(province))
    officer = make_user("canbo.xa", Role.BOARD_ADMIN, area=commune)
    with override_settings(SHARED_CACHE=False):
        assert scope_version() is None
        prefixes(officer)
        user = request_user(officer)
        with django_assert_num_queries(2):  # the roles, the history map
            get_scope(user).area_prefixes(VIEW)
