"""Locust users of bench/survey_run.py. The baselines (B0User, B2User), the
recording of every request and the summary come from bench/locustfile.py,
imported here; this file adds the survey scenarios.

Items (BENCH_ITEMS, written by survey_run.py): for SurveySubmitUser
[browser token, client address, form body] per request, with "slug" and
"survey_id" beside them; for ResultsUser [staff session key] and "path".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locust import task

from bench.locustfile import B0User, B2User, BenchUser, _data, headers, next_item

__all__ = ["B0User", "B2User", "FilteredResultsUser", "ResultsUser", "SurveySubmitUser"]

SURVEY_SLUG: str = _data.get("survey_slug", "")
SURVEY_ID: int = int(_data.get("survey_id", 0) or 0)
RESULTS_PATH: str = _data.get("path", "")
COOKIE_PREFIX = os.environ.get("BENCH_SURVEY_COOKIE", "khaosat_")


class SurveySubmitUser(BenchUser):
    """POST the one-page questionnaire with every question answered, from a new
    browser each time (its own token cookie, no session) and its own address
    (X-Forwarded-For, gunicorn behind one trusted proxy) → 302 to the thanks page."""

    @task
    def submit(self) -> None:
        token, address, body = next_item()
        base = headers(None, address, form=True)
        base["Cookie"] += f"; {COOKIE_PREFIX}{SURVEY_ID}={token}"
        self.call(
            "POST",
            f"/khao-sat/{SURVEY_SLUG}/phan-1/",
            "survey submit",
            data=body,
            headers=base,
            expect=(302,),
            location=f"/khao-sat/{SURVEY_SLUG}/cam-on/",
        )


class ResultsUser(BenchUser):
    """GET the staff results page of a survey (signed-in officer, no filter)."""

    @task
    def results(self) -> None:
        session_key = next_item()
        self.call("GET", RESULTS_PATH, "survey results", headers=headers(session_key))


class FilteredResultsUser(BenchUser):
    """GET the staff results page with a filter (a unit, a date range, both):
    items are [session key, path with its query], each filter different, so
    that most requests find nothing in the 5-second cache."""

    @task
    def results(self) -> None:
        session_key, path = next_item()
        self.call("GET", path, "survey results, filtered", headers=headers(session_key))
