"""The authentication backend: each request's user read in one plain statement,
the same user the ORM reads, and every check of Django's ModelBackend kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.core.backends import StaffBackend, load_user
from danvan.core.models import User
from danvan.core.services import create_staff_user

PASSWORD = "mat-khau-that-dai-2024"


@pytest.fixture
def officer(db: Any) -> Any:
    user = create_staff_user(username="canbo.b", full_name="Trần Thị Bé", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(last_login=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC))
    return User.objects.get(pk=user.pk)


def test_the_user_is_read_as_the_orm_reads_it(officer: Any) -> None:
    loaded = load_user(str(officer.pk))  # a session keeps the id as text
    assert isinstance(loaded, User)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(officer, field.attname), field.name
    assert loaded.last_login.tzinfo is not None  # aware, as the ORM gives it on SQLite too
    assert loaded._state.adding is False
    assert loaded._state.db == "default"
    assert loaded.check_password(PASSWORD)


def test_the_user_is_one_statement_and_no_queryset(officer: Any) -> None:
    with (
        mock.patch.object(SQLCompiler, "execute_sql", side_effect=AssertionError("ORM used")),
        CaptureQueriesContext(connection) as queries,
    ):
        user = StaffBackend().get_user(str(officer.pk))
    assert user is not None and user.pk == officer.pk
    assert len(queries) == 1


@pytest.mark.parametrize("user_id", ["999999", "abc", "", None, "1.5", str(10**30), -1])
def test_an_id_that_is_no_user_is_nobody(officer: Any, user_id: Any) -> None:
    assert StaffBackend().get_user(user_id) is None


def test_the_backend_signs_staff_in(officer: Any, client: Any) -> None:
    response = client.post(reverse("staff:login"), {"username": "canbo.b", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "danvan.core.backends.StaffBackend"
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_a_deactivated_account_is_signed_out_at_its_next_request(officer: Any, client: Any) -> None:
    client.force_login(officer)
    assert client.get(reverse("staff:dashboard")).status_code == 200
    User.objects.filter(pk=officer.pk).update(is_active=False)  # no signal, as a shell does
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_a_password_changed_elsewhere_ends_the_session(officer: Any, client: Any) -> None:
    client.force_login(officer)
    assert client.get(reverse("staff:dashboard")).status_code == 200
    officer.set_password("mot-mat-khau-moi-2026")
    officer.save()
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 302


def test_a_session_of_a_backend_no_longer_configured_is_asked_to_sign_in(
    officer: Any, client: Any
) -> None:
    client.force_login(officer)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    assert client.get(reverse("staff:dashboard")).status_code == 302
