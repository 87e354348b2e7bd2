"""Rendered public pages kept for visitors without a session
(`core.cache.PublicPages`): in each process, and for a page's plain address
in the shared cache too, so that every process does not render it again."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from danvan.core.cache import LocalCache, PublicPages

pytestmark = pytest.mark.django_db(transaction=True)


class Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: Any) -> HttpResponse:
        self.calls += 1
        return HttpResponse(f"trang lần {self.calls}")


def test_a_plain_address_is_rendered_once_for_every_process() -> None:
    pages = PublicPages("test:pages")
    view = Counted()
    cached = pages.cached(view)
    get = RequestFactory().get
    assert cached(get("/mo-hinh/5/")).content == b"trang l\xe1\xba\xa7n 1"
    pages.pages.clear()  # another process: its own memory is empty
    assert cached(get("/mo-hinh/5/")).content == b"trang l\xe1\xba\xa7n 1"
    assert view.calls == 1
    # With a query string the page is kept in the process only: a stranger
    # cannot fill the shared cache with ?x=1, ?x=2, ...
    cached(get("/mo-hinh/5/?x=1"))
    pages.pages.clear()
    cached(get("/mo-hinh/5/?x=1"))
    assert view.calls == 3
    # A change shows at once, in every tier.
    pages.changed()
    assert cached(get("/mo-hinh/5/")).content == "trang lần 4".encode()
    # Never for a visitor with a session.
    request = get("/mo-hinh/5/")
    request.COOKIES["sessionid"] = "x"
    cached(request)
    assert view.calls == 5


def test_a_change_raises_the_version_again_when_it_commits() -> None:
    """A page rendered between the change and its commit read the old rows:
    it must not stay kept under the version the change raised."""
    from django.db import transaction

    pages = PublicPages("test:commit")
    before = pages.version()
    with transaction.atomic():
        pages.changed()
        during = pages.version()
        assert during > before
        pages.changed()  # a second change in the same transaction
        after_two = pages.version()
    assert pages.version() == after_two + 1  # once more at the commit, once only
    with transaction.atomic():
        pages.changed()
        raised = pages.version()
        transaction.set_rollback(True)
    assert pages.version() == raised  # rolled back: nothing more due


def test_a_full_local_cache_lets_its_oldest_entry_go() -> None:
    kept = LocalCache(ttl=60, size=3)
    for n in range(4):
        kept.set(n, n)
    assert [kept.get(n) for n in range(4)] == [None, 1, 2, 3]
    kept.set(1, "again")  # set again: now the newest
    kept.set(4, 4)
    assert [kept.get(n) for n in range(5)] == [None, "again", None, 3, 4]
