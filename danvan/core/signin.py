"""Sign-in throttling per account, from any address, and the owner's known devices.

django-axes locks an address after a few failures (any account) for a
cool-off; a request it refuses never reaches the password check and is never
counted here. An account guessed at from many addresses is throttled here
instead: after ACCOUNT_FAILURE_LIMIT checked failures within one
ACCOUNT_WINDOW_SECONDS window the account refuses sign-ins until that window
ends (the counters are danvan.core.ratelimit's, in the shared cache: Redis in
production).

The throttle never applies to a device the owner signed in from before: a
successful sign-in sets a signed, long-lived "known device" cookie listing a
keyed hash of the account (at most KNOWN_DEVICE_ACCOUNTS accounts a browser,
newest first). So guesses from elsewhere, from one address or from ever new
ones, cannot keep the owner out; an owner on a new device who is throttled asks
their administrator, whose password reset empties the account's counter.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from danvan.core.ratelimit import RateLimits

ACCOUNT_FAILURE_LIMIT = 20
ACCOUNT_WINDOW_SECONDS = 300
# Counters under "signin:account:<keyed hash of the account>:<window>".
LIMITS = RateLimits("signin", {"account": (ACCOUNT_FAILURE_LIMIT, ACCOUNT_WINDOW_SECONDS)})

KNOWN_DEVICE_COOKIE = "danvan_device"
KNOWN_DEVICE_SALT = "danvan.core.signin.device"
KNOWN_DEVICE_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days
KNOWN_DEVICE_ACCOUNTS = 5


def _account(username: str) -> str:
    """A keyed hash of the account name (the cookie and the cache never hold the name)."""
    return salted_hmac(KNOWN_DEVICE_SALT, username.strip().lower()).hexdigest()[:32]


def account_throttled(username: str, *, now: float | None = None) -> bool:
    """Whether the account has had too many failed sign-ins in the current window."""
    now = time.time() if now is None else now
    return LIMITS.reached("account", _account(username), now=now)


def record_failure(username: str, *, now: float | None = None) -> int:
    """Count one failed sign-in of the account; return the count in this window."""
    now = time.time() if now is None else now
    return LIMITS.hit("account", _account(username), now=now)


def clear_account(username: str) -> None:
    """Forget the account's failures of the current window (an administrator's reset)."""
    LIMITS.reset("account", _account(username), now=time.time())


def _known_accounts(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    return [item for item in str(value).split(",") if item]


def known_device(request: HttpRequest, username: str) -> bool:
    """Whether this browser signed in to the account before."""
    return _account(username) in _known_accounts(request)


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is a known device of the account."""
    mine = _account(username)
    others = [item for item in _known_accounts(request) if item != mine]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        ",".join([mine, *others][:KNOWN_DEVICE_ACCOUNTS]),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
