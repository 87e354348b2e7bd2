"""The audit trail: writes through the services are logged with who, from where and
when; the log table itself refuses UPDATE and DELETE (migration 0002's triggers)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from danvan.core import services
from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import (
    PASSWORD,
    make_commune,
    make_district,
    make_province,
    make_user,
)

append_only = importlib.import_module("danvan.core.migrations.0002_audit_append_only")


def install_triggers() -> None:
    """(Re)create the append-only triggers, whatever the test database setup did."""
    vendor = connection.vendor
    up = {"sqlite": append_only.SQLITE_UP, "postgresql": append_only.POSTGRES_UP}.get(vendor)
    down = {"sqlite": append_only.SQLITE_DOWN, "postgresql": append_only.POSTGRES_DOWN}.get(vendor)
    if up is None or down is None:
        pytest.skip(f"no append-only triggers for {vendor}")
    with connection.cursor() as cursor:
        for sql in [*down, *up]:
            cursor.execute(sql)


@pytest.mark.django_db
def test_service_write_is_logged_with_actor_address_and_scope() -> None:
    province = make_province("93", "Tỉnh Hậu Giang")
    district = make_district(province, "Huyện Phụng Hiệp", "934")
    commune = make_commune(district, "Xã Tân Long", "31453")
    officer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    before = timezone.now()

    with set_actor(officer, remote_addr="10.0.0.5"):
        org = services.create_organization(
            name="Hội Nông dân xã Tân Long", kind=OrgKind.FARMERS, area=commune
        )

    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor_id == officer.pk
    assert entry.remote_addr == "10.0.0.5"
    assert before - timedelta(seconds=1) <= entry.timestamp <= timezone.now()
    assert entry.additional_data["area_path"] == commune.path
    assert entry.additional_data["org_path"] == org.path
    assert entry.object_repr == "Hội Nông dân xã Tân Long"


@pytest.mark.django_db
def test_writes_outside_a_request_have_no_actor() -> None:
    province = make_province("93", "Tỉnh Hậu Giang")
    entry = LogEntry.objects.get_for_object(province).get()
    assert entry.actor_id is None
    assert entry.additional_data == {"area_path": province.path}


@pytest.mark.django_db
def test_password_is_never_logged() -> None:
    user = make_user("qt.tanlong")
    entry = LogEntry.objects.get_for_object(user).get()
    assert "password" not in (entry.changes or {})
    assert "username" in (entry.changes or {})


@pytest.mark.django_db
def test_log_entries_cannot_be_updated_or_deleted() -> None:
    install_triggers()
    province = make_province("93", "Tỉnh Hậu Giang")
    entry = LogEntry.objects.get_for_object(province).get()
    original = (entry.object_repr, entry.actor_id, entry.timestamp)

    with pytest.raises(DatabaseError) as exc, transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="Đã sửa")
    assert "chỉ được ghi thêm" in str(exc.value)

    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    with pytest.raises(DatabaseError), transaction.atomic():
        entry.object_repr = "Đã sửa"
        entry.save()

    entry = LogEntry.objects.get(pk=entry.pk)
    assert (entry.object_repr, entry.actor_id, entry.timestamp) == original
    # Appending still works.
    make_province("92", "Thành phố Cần Thơ", unit_type="Thành phố")
    assert LogEntry.objects.count() >= 2


# --- The address, the account entries, what changed -----------------------------------


def _commune_with_admin() -> tuple[Any, Any]:
    province = make_province("93", "Tỉnh Hậu Giang")
    district = make_district(province, "Huyện Phụng Hiệp", "934")
    commune = make_commune(district, "Xã Tân Long", "31453")
    admin = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune, full_name="Lê Văn Tâm")
    return commune, admin


def _add_hamlet(client: Any, commune: Any, name: str, **headers: str) -> None:
    response = client.post(
        reverse("staff:hamlet_add", args=[commune.pk]),
        {"name": name, "unit_type": "Ấp"},
        **headers,
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_address_is_not_recorded(client: Any) -> None:
    commune, admin = _commune_with_admin()
    client.force_login(admin)
    _add_hamlet(client, commune, "Tân Phú", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    entry = LogEntry.objects.filter(object_repr="Ấp Tân Phú").get()
    assert entry.remote_addr == "10.1.1.1"


@pytest.mark.django_db
@override_settings(AXES_IPWARE_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_the_proxy_saw_is_recorded(client: Any) -> None:
    commune, admin = _commune_with_admin()
    client.force_login(admin)
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    _add_hamlet(
        client,
        commune,
        "Tân Hòa",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    entry = LogEntry.objects.filter(object_repr="Ấp Tân Hòa").get()
    assert entry.remote_addr == "203.0.113.9"


def test_client_address_keeps_only_ip_addresses(rf: Any) -> None:
    from danvan.core.middleware import client_address

    with override_settings(AXES_IPWARE_PROXY_COUNT=1):
        for forwarded, expected in (
            ("203.0.113.9:4431", "203.0.113.9"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("2001:db8::2", "2001:db8::2"),
            ("không-phải-địa-chỉ", None),
        ):
            request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
            assert client_address(request) == expected, forwarded
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.9")) == "10.0.0.9"


@pytest.mark.django_db
def test_own_password_change_is_logged_without_the_password(client: Any) -> None:
    _commune, admin = _commune_with_admin()
    old_hash = admin.password
    client.force_login(admin)
    new_password = "mot-mat-khau-moi-rat-dai-2026"
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR="10.2.2.2",
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    entry = LogEntry.objects.get_for_object(admin).filter(changes__has_key="password").get()
    assert entry.actor_id == admin.pk
    assert entry.remote_addr == "10.2.2.2"
    assert entry.additional_data["area_path"]  # filed under the account's unit
    for logged in LogEntry.objects.all():
        text = f"{logged.changes} {logged.serialized_data} {logged.additional_data}"
        assert new_password not in text and PASSWORD not in text
        assert old_hash not in text and admin.password not in text


@pytest.mark.django_db
def test_audit_list_shows_what_changed(client: Any) -> None:
    commune, admin = _commune_with_admin()
    client.force_login(admin)
    response = client.post(
        reverse("staff:area_rename", args=[commune.pk]),
        {"new_name": "Xã Tân Long Mới", "effective_on": "2025-07-01", "decision": "NQ 1"},
    )
    assert response.status_code == 302
    body = client.get(reverse("staff:audit_list")).content.decode()
    assert "Xem" in body and "thay đổi" in body
    assert "Xã Tân Long → Xã Tân Long Mới" in body


@pytest.mark.django_db
def test_audit_actor_filter_ignores_diacritics(client: Any) -> None:
    commune, admin = _commune_with_admin()
    client.force_login(admin)
    _add_hamlet(client, commune, "Tân Thạnh")
    url = reverse("staff:audit_list")
    for query in ("le van tam", "LÊ VĂN", "tâm", "qt.tanlong"):
        assert "Ấp Tân Thạnh" in client.get(url, {"actor": query}).content.decode(), query
    assert "Ấp Tân Thạnh" not in client.get(url, {"actor": "huynh"}).content.decode()
