"""A small fixed-window rate limiter in Django's cache (Redis in production).

Each (name, key) pair gets one counter per window; the counter is created with
`cache.add` and raised with `cache.incr`, both atomic on Redis, so concurrent
workers share the count. Limits come from settings.CONTEST_RATE_LIMITS
({name: (limit, window_seconds)}), falling back to DEFAULT_LIMITS.

The per-address limits are generous on purpose: a commune meeting hall, a
school lab or a mobile carrier's NAT puts many honest people behind one address.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Starting an attempt (writes a row, draws a paper).
    "start_ip": (60, 600),
    "start_participant": (10, 600),
    # Registering and signing in (guessing phone numbers or access codes).
    "register_ip": (60, 600),
    "signin_ip": (30, 600),
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


def hit(name: str, key: str, *, now: float | None = None) -> int:
    """Count one event for (name, key) in the current window; return the count so far."""
    _limit, window = limit_for(name)
    now = time.time() if now is None else now
    bucket = int(now // window)
    cache_key = f"contests:rl:{name}:{key}:{bucket}"
    if cache.add(cache_key, 1, window + 5):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window + 5)
        return 1


def check(name: str, key: str, *, now: float | None = None) -> None:
    """Count one event and raise RateLimited when it goes over the limit."""
    limit, window = limit_for(name)
    if limit <= 0:  # 0 turns the limit off
        return
    now = time.time() if now is None else now
    if hit(name, key, now=now) > limit:
        retry_after = int(window - (now % window)) + 1
        raise RateLimited(name, retry_after)


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (PROXY_COUNT, as for django-axes)
    take the N-th address from the right of X-Forwarded-For; otherwise REMOTE_ADDR."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote
