"""One fixed-window rate limiter for every app, in Django's cache (Redis in production).

An app declares its limits once, by name, with their defaults and the setting
that overrides them:

    LIMITS = RateLimits("contests:rl", {"start_ip": (60, 600)}, setting="CONTEST_RATE_LIMITS")
    LIMITS.check("start_ip", client_ip(request))           # raises RateLimited

The caller chooses what a limit counts: the client address (`client_ip` of
danvan.core.middleware), a person, an account, a token. A key that is personal
data should be hashed first (`crypto.keyed_hash`), so the cache never holds it.

Each (name, key) pair has one counter per window of `window` seconds, raised
atomically (INCR on Redis, several counters in one round trip: `check_all`),
so concurrent workers share the count; without Redis the counters live in the
configured cache (add + incr), as good as that cache is shared. A limit of 0
is turned off. `RateLimited.retry_after` is the number of seconds until the
window ends (the 429 pages say it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from danvan.core.cache import count_hits


class RateLimited(Exception):
    """Raised when a limit is exceeded; `retry_after` is seconds until the window ends."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(name)
        self.name = name
        self.retry_after = retry_after


def too_many(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The answer to a request over a limit: the 429 page, with Retry-After."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


class RateLimits:
    """The named limits of one app: {name: (limit, window in seconds)}.

    `prefix` starts every cache key; `setting` names a settings dictionary of the
    same shape whose entries replace the defaults (e.g. for a benchmark)."""

    def __init__(
        self, prefix: str, defaults: Mapping[str, tuple[int, int]], *, setting: str = ""
    ) -> None:
        self.prefix = prefix
        self.defaults = dict(defaults)
        self.setting = setting

    def limit_for(self, name: str) -> tuple[int, int]:
        overrides = (getattr(settings, self.setting, None) if self.setting else None) or {}
        limit, window = overrides.get(name, self.defaults[name])
        return int(limit), max(1, int(window))

    def _cache_key(self, name: str, key: str, window: int, now: float) -> str:
        return f"{self.prefix}:{name}:{key}:{int(now // window)}"

    def hit(self, name: str, key: str, *, now: float | None = None) -> int:
        """Count one event for (name, key) in the current window; return the count so far."""
        _limit, window = self.limit_for(name)
        now = time.time() if now is None else now
        return count_hits([(self._cache_key(name, key, window, now), window + 5)])[0]

    def check(self, name: str, key: str, *, now: float | None = None) -> None:
        """Count one event and raise RateLimited when it goes over the limit."""
        self.check_all([(name, key)], now=now)

    def check_all(self, pairs: Iterable[tuple[str, str]], *, now: float | None = None) -> None:
        """Count one event under each (name, key), all in one round trip to the cache;
        raise RateLimited for the first limit exceeded."""
        now = time.time() if now is None else now
        active = [(name, key, *self.limit_for(name)) for name, key in pairs]
        active = [item for item in active if item[2] > 0]  # a limit of 0 is turned off
        if not active:
            return
        counts = count_hits(
            [(self._cache_key(n, k, window, now), window + 5) for n, k, _l, window in active]
        )
        for (name, _key, limit, window), count in zip(active, counts, strict=True):
            if count > limit:
                raise RateLimited(name, int(window - (now % window)) + 1)

    def reached(self, name: str, key: str, *, now: float | None = None) -> bool:
        """Whether (name, key) has already counted `limit` events in the current
        window (a read: nothing is counted)."""
        limit, window = self.limit_for(name)
        if limit <= 0:
            return False
        now = time.time() if now is None else now
        return int(cache.get(self._cache_key(name, key, window, now)) or 0) >= limit

    def reset(self, name: str, key: str, *, now: float | None = None) -> None:
        """Forget the events of (name, key) in the current window."""
        _limit, window = self.limit_for(name)
        now = time.time() if now is None else now
        cache.delete(self._cache_key(name, key, window, now))
