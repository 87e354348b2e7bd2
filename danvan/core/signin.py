"""Sign-in throttling per account, from any address.

django-axes locks an address after a few failures (any account) for a
cool-off. An account guessed at from many addresses is throttled here instead:
after ACCOUNT_FAILURE_LIMIT failures within one ACCOUNT_WINDOW_SECONDS window
the account refuses sign-ins until that window ends. The window is short, so
an attacker cannot keep the real owner out for long; the counters live in the
shared cache (Redis in production).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from danvan.core.cache import count_hits

ACCOUNT_FAILURE_LIMIT = 20
ACCOUNT_WINDOW_SECONDS = 300


def _key(username: str, now: float) -> str:
    window = int(now // ACCOUNT_WINDOW_SECONDS)
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"signin:account:{digest}:{window}"


def account_throttled(username: str, *, now: float | None = None) -> bool:
    """Whether the account has had too many failed sign-ins in the current window."""
    now = time.time() if now is None else now
    return int(cache.get(_key(username, now)) or 0) >= ACCOUNT_FAILURE_LIMIT


def record_failure(username: str, *, now: float | None = None) -> int:
    """Count one failed sign-in of the account; return the count in this window."""
    now = time.time() if now is None else now
    return count_hits([(_key(username, now), ACCOUNT_WINDOW_SECONDS + 5)])[0]
