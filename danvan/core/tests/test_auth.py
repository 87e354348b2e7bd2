"""Signing in: throttling per account and per address, Argon2, idle expiry."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from danvan.core.middleware import LAST_SEEN_KEY
from danvan.core.services import create_staff_user

PASSWORD = "mat-khau-that-dai-2024"


@pytest.fixture
def officer(db: Any) -> Any:
    return create_staff_user(username="canbo.a", full_name="Nguyễn Văn An", password=PASSWORD)


def _login(client: Any, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("staff:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_sign_in_and_out(officer: Any, client: Any) -> None:
    response = _login(client, "canbo.a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:dashboard")
    assert client.get(reverse("staff:dashboard")).status_code == 200
    client.post(reverse("staff:logout"))
    assert client.get(reverse("staff:dashboard")).status_code == 302


def test_wrong_password_message_is_vietnamese(officer: Any, client: Any) -> None:
    response = _login(client, "canbo.a", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def _age_attempts(minutes: int = 16) -> None:
    """Let the cool-off pass: age the recorded attempts (database handler) and
    drop the cached counters (cache handler, used with Redis)."""
    from axes.models import AccessAttempt
    from django.core.cache import cache

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))
    cache.clear()


def test_failures_lock_the_address_they_come_from_not_the_account(
    officer: Any, client: Any
) -> None:
    for i in range(5):
        _login(client, "canbo.a", f"sai-{i}", ip="10.0.1.1")
    response = _login(client, "canbo.a", PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    # The owner, from their own address, is not locked out by someone else's guesses.
    assert _login(client, "canbo.a", PASSWORD, ip="10.9.9.9").status_code == 302
    client.post(reverse("staff:logout"))

    _age_attempts()
    assert _login(client, "canbo.a", PASSWORD, ip="10.0.1.1").status_code == 302


def test_guesses_spread_over_addresses_do_not_lock_the_owner_out(officer: Any, client: Any) -> None:
    # Four wrong passwords from each of four addresses: no address reaches the limit.
    for i in range(16):
        _login(client, "canbo.a", f"sai-{i}", ip=f"10.0.4.{i % 4}")
    assert _login(client, "canbo.a", PASSWORD, ip="10.0.5.5").status_code == 302


def test_account_guessed_from_many_addresses_is_throttled_briefly(
    officer: Any, client: Any, monkeypatch: Any
) -> None:
    from types import SimpleNamespace

    from danvan.core import signin

    # The counters are per fixed window: the test runs at the start of one, so
    # that no window ends between the guesses and the owner's sign-in.
    window = signin.ACCOUNT_WINDOW_SECONDS
    start = (time.time() // window + 1) * window + 1
    monkeypatch.setattr(signin, "time", SimpleNamespace(time=lambda: start))
    for i in range(signin.ACCOUNT_FAILURE_LIMIT):
        _login(client, "canbo.a", f"sai-{i}", ip=f"10.0.6.{i}")
    response = _login(client, "canbo.a", PASSWORD, ip="10.0.7.7")
    assert response.status_code == 200
    assert "vừa bị đăng nhập sai quá nhiều lần" in response.content.decode()
    assert client.get(reverse("staff:dashboard")).status_code == 302  # not signed in
    # Another account is not affected.
    create_staff_user(username="canbo.c", full_name="Trần Văn Cường", password=PASSWORD)
    assert _login(client, "canbo.c", PASSWORD, ip="10.0.7.7").status_code == 302
    client.post(reverse("staff:logout"))

    # The throttle lifts when its short window ends.
    later = start + window
    monkeypatch.setattr(signin, "time", SimpleNamespace(time=lambda: later))
    assert _login(client, "canbo.a", PASSWORD, ip="10.0.7.7").status_code == 302


@override_settings(AXES_IPWARE_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_client_address_is_throttled(
    officer: Any, client: Any
) -> None:
    def via_proxy(password: str, client_addr: str) -> Any:
        return client.post(
            reverse("staff:login"),
            {"username": "canbo.a", "password": password},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=client_addr,
        )

    for i in range(5):
        via_proxy(f"sai-{i}", "203.0.113.9")
    assert via_proxy(PASSWORD, "203.0.113.9").status_code == 429
    # Another client behind the same proxy is not locked out with the attacker.
    assert via_proxy(PASSWORD, "198.51.100.7").status_code == 302


def test_address_locked_after_failures_on_many_accounts(officer: Any, client: Any) -> None:
    for i in range(5):
        _login(client, f"khong-co-{i}", "x", ip="10.0.2.2")
    assert _login(client, "canbo.a", PASSWORD, ip="10.0.2.2").status_code == 429
    # The owner from their own address is not locked out.
    assert _login(client, "canbo.a", PASSWORD, ip="10.0.3.3").status_code == 302


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2(db: Any) -> None:
    user = create_staff_user(username="canbo.b", full_name="Lê Thị Bình", password=PASSWORD)
    assert user.password.startswith("argon2")
    assert make_password("x").startswith("argon2")


@override_settings(STAFF_IDLE_SECONDS=600)
def test_idle_session_expires(officer: Any, client: Any) -> None:
    client.force_login(officer)
    assert client.get(reverse("staff:dashboard")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 601
    session.save()
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


@override_settings(STAFF_IDLE_SECONDS=600)
def test_active_session_stays(officer: Any, client: Any) -> None:
    client.force_login(officer)
    client.get(reverse("staff:dashboard"))
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 300
    session.save()
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_password_change(officer: Any, client: Any) -> None:
    client.force_login(officer)
    response = client.post(
        reverse("staff:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "mot-mat-khau-moi-2025",
            "new_password2": "mot-mat-khau-moi-2025",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("mot-mat-khau-moi-2025")


def test_refused_guesses_and_rotating_addresses_never_keep_the_owner_out(
    officer: Any, client: Any, monkeypatch: Any
) -> None:
    """An attacker guesses for several account windows, from one address (refused
    by the address limit after a few tries) and from ever new addresses; the
    owner signs in every window from the device they used before."""
    from types import SimpleNamespace

    from django.test import Client

    from danvan.core import signin

    owner = client
    assert _login(owner, "canbo.a", PASSWORD, ip="10.1.0.1").status_code == 302  # known device
    owner.post(reverse("staff:logout"))
    attacker = Client()
    start = time.time()
    for window in range(4):
        now = start + window * signin.ACCOUNT_WINDOW_SECONDS
        monkeypatch.setattr(signin, "time", SimpleNamespace(time=lambda now=now: now))
        for i in range(signin.ACCOUNT_FAILURE_LIMIT + 5):  # one address: refused after 5
            _login(attacker, "canbo.a", f"sai-{window}-{i}", ip="10.66.0.1")
        for i in range(2 * signin.ACCOUNT_FAILURE_LIMIT):  # rotating addresses
            _login(attacker, "canbo.a", f"doi-{window}-{i}", ip=f"10.67.{window}.{i}")
        assert signin.account_throttled("canbo.a")  # strangers are refused now
        response = _login(owner, "canbo.a", PASSWORD, ip="10.1.0.1")
        assert response.status_code == 302, f"owner locked out in window {window}"
        owner.post(reverse("staff:logout"))


def test_refused_requests_do_not_count_against_the_account(officer: Any, client: Any) -> None:
    from danvan.core import signin

    for i in range(signin.ACCOUNT_FAILURE_LIMIT + 5):
        _login(client, "canbo.a", f"sai-{i}", ip="10.68.0.1")
    # Five guesses were checked; the rest were refused by the address limit.
    assert not signin.account_throttled("canbo.a")
    # So the owner signs in from a new device and another address.
    assert _login(Client(), "canbo.a", PASSWORD, ip="10.68.0.2").status_code == 302


def test_an_administrators_reset_unblocks_the_account(officer: Any, client: Any) -> None:
    from danvan.core import accounts, signin

    for i in range(signin.ACCOUNT_FAILURE_LIMIT):
        _login(client, "canbo.a", f"sai-{i}", ip=f"10.69.0.{i}")
    assert signin.account_throttled("canbo.a")
    temporary = accounts.reset_password(None, officer)
    assert not signin.account_throttled("canbo.a")
    assert _login(Client(), "canbo.a", temporary, ip="10.69.1.1").status_code == 302
