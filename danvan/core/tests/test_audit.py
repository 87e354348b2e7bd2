"""The audit trail: writes through the services are logged with who, from where and
when; the log table itself refuses UPDATE and DELETE (migration 0002's triggers)."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from danvan.core import services
from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import make_commune, make_district, make_province, make_user

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
