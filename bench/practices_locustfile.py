"""Locust users of bench/practices_run.py. The baselines (B0User, B2User), the
recording of every request and the summary come from bench/locustfile.py; this
file adds the practices scenarios.

Items (BENCH_ITEMS, written by practices_run.py): for GalleryUser and
DetailUser [path]; for VoteUser [voter session key, entry id, client address]
with "slug" beside them; for CoverageUser [staff session key] and "path".
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locust import task

from bench.locustfile import B0User, B2User, BenchUser, _data, headers, next_item, unexpected

__all__ = ["B0User", "B2User", "CoverageUser", "DetailUser", "GalleryUser", "VoteUser"]

CAMPAIGN_SLUG: str = _data.get("slug", "")
COVERAGE_PATH: str = _data.get("path", "")


class GalleryUser(BenchUser):
    """GET a page of the public gallery (the first pages, some with a filter)."""

    @task
    def gallery(self) -> None:
        self.call("GET", next_item()[0], "practices gallery", headers=headers())


class DetailUser(BenchUser):
    """GET the public page of a recognised practice (with its photos and share preview)."""

    @task
    def detail(self) -> None:
        self.call("GET", next_item()[0], "practice detail", headers=headers())


class VoteUser(BenchUser):
    """POST a vote as an identified person (a new one each time) -> 302 to the campaign."""

    @task
    def vote(self) -> None:
        session_key, entry, address = next_item()
        status, ok, where, _text = self.send(
            "POST",
            f"/binh-chon/{CAMPAIGN_SLUG}/muc/{entry}/",
            "vote",
            headers=headers(session_key, address),
            expect=(302,),
            location=f"/binh-chon/{CAMPAIGN_SLUG}/#muc-{entry}",
        )
        if not ok:
            unexpected("vote", status, where)


class CoverageUser(BenchUser):
    """GET the staff commune-coverage page (a provincial officer)."""

    @task
    def coverage(self) -> None:
        self.call("GET", COVERAGE_PATH, "coverage", headers=headers(next_item()))
