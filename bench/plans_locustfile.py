"""Locust users of bench/plans_run.py. The baselines (B0User, B2User), the
recording of every request and the summary come from bench/locustfile.py; this
file adds the plans scenarios.

Items (BENCH_ITEMS, written by plans_run.py): for DashboardProvinceUser
[staff session key] with "path" beside them; for DashboardCommuneUser [staff
session key, path]; for BriefingUser [staff session key, form body].
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locust import task

from bench.locustfile import B0User, B2User, BenchUser, _data, headers, next_item, unexpected

__all__ = ["B0User", "B2User", "BriefingUser", "DashboardCommuneUser", "DashboardProvinceUser"]

DASHBOARD_PATH: str = _data.get("path", "")
BRIEFING_ADD = "/quan-ly/ke-hoach/tuyen-truyen/them/"
BRIEFING_PAGE = re.compile(r"/quan-ly/ke-hoach/tuyen-truyen/\d+/")


class DashboardProvinceUser(BenchUser):
    """GET the plan's targets for the whole city (the provincial officer)."""

    @task
    def dashboard(self) -> None:
        self.call("GET", DASHBOARD_PATH, "dashboard province", headers=headers(next_item()))


class DashboardCommuneUser(BenchUser):
    """GET the plan's targets for one commune (?don_vi=), by that commune's officer."""

    @task
    def dashboard(self) -> None:
        session_key, path = next_item()
        self.call("GET", path, "dashboard commune", headers=headers(session_key))


class BriefingUser(BenchUser):
    """POST a briefing with its attendance rows -> 302 to the new briefing's page."""

    @task
    def briefing(self) -> None:
        session_key, body = next_item()
        status, ok, where, _text = self.send(
            "POST",
            BRIEFING_ADD,
            "briefing",
            data=body,
            headers=headers(session_key, form=True),
            expect=(302,),
            location="/quan-ly/ke-hoach/tuyen-truyen/",
        )
        # The sign-in page's ?next= holds the same prefix: tell them apart here
        # (plans_run.py also counts the briefings stored against the 302s).
        if not ok or not BRIEFING_PAGE.fullmatch(where):
            unexpected("briefing", status, where)
