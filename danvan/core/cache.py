"""Caching helpers for the hot paths.

* `RedisCache`: Django's Redis backend, keeping one redis-py client per
  connection pool instead of building one (with its table of ~170 response
  callbacks) for every command. redis-py clients are thread-safe and share the
  pool, which already resets itself after a fork.
* `count_hits`: raise several counters in one round trip (rate limits).
* `LocalCache`: a small dictionary with expiry inside one process, for what
  every request reads and that may be a few seconds old (rendered public pages).
  Tests empty every instance between tests (`LocalCache.clear_all`).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusedClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        base: Any = self  # the stubs do not declare Django's private helpers
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = base._client(connection_pool=base._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient


def count_hits(keys: Sequence[tuple[str, int]]) -> list[int]:
    """Raise each counter by one, creating it with the given time to live (s);
    return the new values. One round trip on Redis; atomic per counter."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for key, ttl in keys:
            full = backend.make_and_validate_key(key)
            pipe.incr(full)
            pipe.expire(full, ttl, nx=True)
        replies = pipe.execute()
        return [int(value) for value in replies[0::2]]
    counts = []
    for key, ttl in keys:
        if cache.add(key, 1, ttl):
            counts.append(1)
            continue
        try:
            counts.append(int(cache.incr(key)))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, ttl)
            counts.append(1)
    return counts


class LocalCache:
    """Values kept in this process for `ttl` seconds at most, `size` entries at most."""

    instances: ClassVar[list[LocalCache]] = []

    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        LocalCache.instances.append(self)

    def get(self, key: Any) -> Any:
        hit = self._data.get(key)
        if hit is None or time.monotonic() >= hit[0]:
            return None
        return hit[1]

    def set(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data.pop(key, None)
            while len(self._data) >= self.size:  # full: the oldest entry goes
                del self._data[next(iter(self._data))]
            self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    @classmethod
    def clear_all(cls) -> None:
        for instance in cls.instances:
            instance.clear()


def shareable(request: Any) -> bool:
    """A request any visitor could have sent: no session (staff, voters,
    participants) and no messages waiting for this browser."""
    from django.conf import settings

    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


class Version:
    """A counter in the shared cache that writers raise when what it stands for
    changes, and readers put in the keys of what they keep: a change shows at
    once in every process, for one cache read."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._at_commit_only: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"{key}:at_commit_only", default=False
        )

    def get(self) -> int:
        return int(cache.get(self.key, 0))

    def changed(self) -> None:
        """Raise the version now and again when the transaction commits, so
        that what a reader computed in between from the rows not yet committed
        is not kept under the new version (inside `at_commit_only`: at the
        commit only)."""
        from django.db import connection, transaction

        if not connection.in_atomic_block:
            self._raise()
            return
        if not self._at_commit_only.get():
            self._raise()
        current = set(connection.savepoint_ids)
        if any(  # already due at this commit, whatever rolls back
            entry[1] == self._raise and set(entry[0]) <= current
            for entry in connection.run_on_commit  # (savepoint ids, function, robust)
        ):
            return
        transaction.on_commit(self._raise)

    @contextlib.contextmanager
    def at_commit_only(self) -> Iterator[None]:
        """Changes inside raise the version once, when their transaction
        commits, not also at once: for a writer that reads nothing kept under
        this version before it commits (the raise at once is what lets such a
        read see the transaction's own rows)."""
        token = self._at_commit_only.set(True)
        try:
            yield
        finally:
            self._at_commit_only.reset(token)

    def _raise(self) -> None:
        """One INCR on Redis (a missing counter starts from 0)."""
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            client = backend._cache.get_client(write=True)
            client.incr(backend.make_and_validate_key(self.key))
            return
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 1, None)

    def on_change_of(self, *models: Any) -> None:
        """Raise the version whenever a row of `models` is saved or deleted."""
        from django.db.models.signals import post_delete, post_save

        def raise_version(**kwargs: object) -> None:
            self.changed()

        for model in models:
            uid = f"{self.key}:{model._meta.label}"
            post_save.connect(raise_version, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(raise_version, sender=model, weak=False, dispatch_uid=f"{uid}:del")


class PublicPages:
    """Rendered public pages for visitors without a session or messages
    waiting (`shareable`: the people on their phones; staff and voters always
    get a fresh page), kept in two tiers:

    * in each process, `ttl` seconds, under the full path;
    * for a versioned set of pages, also in the shared cache for `shared_ttl`
      seconds, but only for a path without a query string (a page's address
      as it is shared: a gallery's first page, a detail page), so that a
      stranger cannot fill the shared cache with `?x=1`, `?x=2`, ...; every
      process then renders such a page once between changes, not once each.

    A versioned set is kept under the current `version`, a counter in the
    shared cache that the app raises whenever what the pages show changes
    (`changed()`, e.g. from signals): a change shows at once in every process,
    at the price of one cache read a request (`versioned=False`: none, the
    page lives out its `ttl`; for pages that change with the clock).

        GALLERY = PublicPages("practices:public")

        @require_safe
        @GALLERY.cached
        def gallery(request): ...
    """

    def __init__(
        self,
        name: str,
        ttl: float = 30,
        size: int = 512,
        *,
        versioned: bool = True,
        shared_ttl: int = 300,
    ):
        self.name = name
        self.key = f"{name}:version"
        self._version = Version(self.key)
        self.versioned = versioned
        """False: kept for `ttl` whatever changes (no cache read a request)."""
        self.shared_ttl = shared_ttl if versioned else 0
        self.pages = LocalCache(ttl=ttl, size=size)

    def changed(self) -> None:
        """What the pages show changed (`Version.changed`)."""
        self._version.changed()

    def version(self) -> int:
        return self._version.get() if self.versioned else 0

    def _shared_key(self, version: int, path: str) -> str:
        digest = hashlib.sha256(path.encode()).hexdigest()[:32]
        return f"{self.name}:page:{version}:{digest}"

    def cached(self, view: Any) -> Any:
        from functools import wraps

        from django.http import HttpResponse

        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if request.method != "GET" or not shareable(request):
                return view(request, *args, **kwargs)
            version = self.version()
            path = request.get_full_path()
            key = (version, path)
            shared = self.shared_ttl > 0 and not request.META.get("QUERY_STRING")
            hit = self.pages.get(key)
            if hit is None and shared:
                hit = cache.get(self._shared_key(version, path))
                if hit is not None:
                    self.pages.set(key, hit)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.cookies
                and not getattr(response, "streaming", False)
            ):
                value = (response.content, response["Content-Type"])
                self.pages.set(key, value)
                if shared:
                    cache.set(self._shared_key(version, path), value, self.shared_ttl)
            return response

        return wrapper
