"""Every URL of the staff workspace, in every app, has a persona table.

Each app keeps its own persona tests (owner, colleague above, sibling officer,
anonymous visitor); this test walks the whole URLconf so that a view added
under /quan-ly/ without a row in one of those tables fails the suite.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from danvan.contests.tests import test_staff_personas, test_stats_personas
from danvan.core.tests import test_personas
from danvan.inspections.tests import test_staff_personas as inspections_personas
from danvan.outreach.tests import test_staff_personas as outreach_personas
from danvan.plans.tests import test_staff_personas as plans_staff_personas
from danvan.practices.tests import test_staff_personas as practice_staff_personas
from danvan.reports.tests import test_staff_personas as reports_staff_personas
from danvan.surveys.tests import test_results_personas
from danvan.surveys.tests import test_staff_personas as survey_staff_personas

COVERED = {
    "staff": test_personas.MATRIX.names,
    "contests_staff": test_staff_personas.MATRIX.names,
    "contests_stats": test_stats_personas.MATRIX.names,
    "surveys_staff": survey_staff_personas.MATRIX.names,
    "surveys_results": test_results_personas.RESULTS.names,
    "opinion": test_results_personas.OPINION.names,
    "practices_staff": practice_staff_personas.MATRIX.names,
    "plans_staff": plans_staff_personas.MATRIX.names,
    "petitions_staff": outreach_personas.PETITIONS.names,
    "dialogues_staff": outreach_personas.DIALOGUES.names,
    "inspections_staff": inspections_personas.MATRIX.names,
    "reports_staff": reports_staff_personas.MATRIX.names,
}


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> list[tuple[str, str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), namespace, p.name or ""))
    return found


def test_every_url_under_quan_ly_has_a_persona_table() -> None:
    staff_urls = [
        (route, ns, name)
        for route, ns, name in _walk(get_resolver().url_patterns)
        if route.startswith("quan-ly/")
    ]
    assert len(staff_urls) > 40
    missing = [
        f"{ns}:{name} ({route})"
        for route, ns, name in staff_urls
        if name not in COVERED.get(ns, set())
    ]
    assert missing == [], "staff URLs without persona tests"
