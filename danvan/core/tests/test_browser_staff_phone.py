"""Every staff page on a 390 px phone: nothing scrolls the page sideways, and
lists are stacked cards (issue: "staff pages on a phone"). The walk follows the
workspace's own links from the dashboard, as the city's board administrator of
the demo, one page per kind of URL."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from conftest import screenshot, share_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SKIP = re.compile(r"(dang-xuat|\.xlsx|\.csv|\.png|\.svg|\.pdf|\.zip)")
MAX_PAGES = 250


@pytest.fixture
def signed_in(demo: Any, live_server: Any, page_phone: Any) -> Client:
    """The demo with every app's part, and the phone signed in as the city's
    board administrator (who sees it all)."""
    from danvan.core.models import User
    from danvan.core.registry import DEMO_LOADERS

    for _name, load in DEMO_LOADERS:
        load(None)
    return share_session(page_phone, live_server.url, User.objects.get(username="bdv.cantho"))


def _kind(path: str) -> str:
    """One page per kind of URL: ids and slugs of the same route count once."""
    return re.sub(r"/\d+/", "/N/", path)


def test_no_staff_page_scrolls_sideways_on_a_phone(
    signed_in: Client, live_server: Any, page_phone: Any
) -> None:
    client, page = signed_in, page_phone
    queue = deque(["/quan-ly/"])
    kinds = {_kind("/quan-ly/")}
    wide: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        answer = client.get(path)
        if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
            continue
        page.goto(live_server.url + path)
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide.append(f"{path}: {width}px")
            screenshot(page, "wide-" + re.sub(r"[^a-z0-9]+", "-", path).strip("-"))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(urldefrag(href)[0])
            if link.netloc != urlsplit(live_server.url).netloc:
                continue
            target = link.path
            if not target.startswith("/quan-ly/") or SKIP.search(target):
                continue
            if _kind(target) not in kinds:
                kinds.add(_kind(target))
                queue.append(target)
    assert visited > 50, f"the walk reached only {visited} kinds of page"
    assert wide == [], "pages wider than the phone:\n" + "\n".join(wide)


def test_a_staff_list_is_a_stack_of_labelled_cards(
    signed_in: Client, live_server: Any, page_phone: Any
) -> None:
    page_phone.goto(live_server.url + "/quan-ly/khao-sat/")
    row = page_phone.locator(".staff-main .table tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    labels = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-label'))"
    )
    assert "Trạng thái" in labels
    screenshot(page_phone, "staff-survey-list-390")


CHART_TEXT = """svg => {
  const scale = svg.getScreenCTM().a;
  const edge = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll("text")).map(t => {
    const b = t.getBoundingClientRect();
    return {
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * scale,
      inside: b.left >= edge.left - 0.5 && b.right <= edge.right + 0.5,
    };
  });
}"""


def test_charts_read_on_a_phone(signed_in: Client, live_server: Any, page_phone: Any) -> None:
    """Every chart text is 12 px at least at 390 px, and none is cut at the edges
    (widths measured in Chromium, with the fonts the page uses)."""
    from django.urls import reverse

    from danvan.contests.models import Contest
    from danvan.surveys.models import Survey

    contest = Contest.objects.get()
    pages = [
        reverse("contests_stats:contest_stats", args=[contest.pk]),
        reverse("contests_stats:round_stats", args=[contest.rounds.order_by("number")[0].pk]),
        *(reverse("surveys_results:results", args=[s.pk]) for s in Survey.objects.all()),
    ]
    seen = 0
    for path in pages:
        page_phone.goto(live_server.url + path)
        for svg in page_phone.locator("svg.chart").all():
            for text in svg.evaluate(CHART_TEXT):
                seen += 1
                assert text["px"] >= 11.95, f"{path}: “{text['text']}” at {text['px']:.1f}px"
                assert text["inside"], f"{path}: “{text['text']}” is cut at the chart's edge"
    assert seen > 50
    screenshot(page_phone, "staff-results-charts-390")
