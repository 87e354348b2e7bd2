"""A small fixed-window rate limiter in Django's cache (Redis in production).

Each (name, key) pair gets one counter per window, raised atomically (INCR on
Redis, several counters in one round trip), so concurrent workers share the
count. Limits come from settings.CONTEST_RATE_LIMITS
({name: (limit, window_seconds)}), falling back to DEFAULT_LIMITS.

The per-address limits are generous on purpose: a commune meeting hall, a
school lab or a mobile carrier's NAT puts many honest people behind one address.
"""

from __future__ import annotations

import time

from django.conf import settings

from danvan.core.cache import count_hits
from danvan.core.middleware import client_ip

__all__ = ["RateLimited", "check", "check_all", "client_ip", "hit", "limit_for"]

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Starting an attempt (writes a row, draws a paper).
    "start_ip": (60, 600),
    "start_participant": (10, 600),
    # Registering and signing in (guessing phone numbers or access codes).
    "register_ip": (60, 600),
    "signin_ip": (30, 600),
    # One-time sign-in codes sent (each one a paid message to a phone).
    "otp_phone": (3, 900),
    "otp_ip": (20, 900),
    # Autosave: one request per answer changed; far above any honest use.
    "save_attempt": (600, 600),
}


class RateLimited(Exception):
    """Raised when a limit is exceeded; `retry_after` is seconds until the window ends."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(name)
        self.name = name
        self.retry_after = retry_after


def limit_for(name: str) -> tuple[int, int]:
    overrides = getattr(settings, "CONTEST_RATE_LIMITS", None) or {}
    limit, window = overrides.get(name, DEFAULT_LIMITS[name])
    return int(limit), max(1, int(window))


def _cache_key(name: str, key: str, window: int, now: float) -> str:
    return f"contests:rl:{name}:{key}:{int(now // window)}"


def hit(name: str, key: str, *, now: float | None = None) -> int:
    """Count one event for (name, key) in the current window; return the count so far."""
    _limit, window = limit_for(name)
    now = time.time() if now is None else now
    return count_hits([(_cache_key(name, key, window, now), window + 5)])[0]


def check(name: str, key: str, *, now: float | None = None) -> None:
    """Count one event and raise RateLimited when it goes over the limit."""
    check_all([(name, key)], now=now)


def check_all(pairs: list[tuple[str, str]], *, now: float | None = None) -> None:
    """Count one event under each (name, key), all in one round trip to the cache;
    raise RateLimited for the first limit exceeded."""
    now = time.time() if now is None else now
    active = [(name, key, *limit_for(name)) for name, key in pairs]
    active = [item for item in active if item[2] > 0]  # a limit of 0 is turned off
    if not active:
        return
    counts = count_hits(
        [(_cache_key(name, key, window, now), window + 5) for name, key, _l, window in active]
    )
    for (name, _key, limit, window), count in zip(active, counts, strict=True):
        if count > limit:
            raise RateLimited(name, int(window - (now % window)) + 1)
