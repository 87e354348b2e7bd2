"""Every staff page on a 390 px phone: nothing scrolls the page sideways, lists
are stacked cards and charts read (issue: "staff pages on a phone"). The walk
follows the workspace's own links from the dashboard, as the city's board
administrator of the demo, one page per kind of URL.

One test makes the three checks, so that the demo with every app's part is
loaded once (a test with the live server ends by emptying the database): each
check returns what it found wrong, and the test reports all of it."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from conftest import screenshot, share_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# Not pages: files to download, and signing out (by the name of the URL, or a
# file's ending).
NOT_PAGES = re.compile(r"export|download|template|docx|xlsx|image|qr|logout|signout")
FILES = re.compile(r"\.(xlsx|docx|csv|png|svg|pdf|zip)$")
MAX_PAGES = 250


@pytest.fixture
def signed_in(demo: Any, live_server: Any, page_phone: Any) -> None:
    """The demo with every app's part, and the phone signed in as the city's
    board administrator (who sees it all)."""
    from danvan.core.models import User
    from danvan.core.registry import DEMO_LOADERS

    for _name, load in DEMO_LOADERS:
        load(None)
    share_session(page_phone, live_server.url, User.objects.get(username="bdv.cantho"))


def _kind(path: str) -> str:
    """One page per kind of URL: ids and slugs of the same route count once."""
    return re.sub(r"/\d+/", "/N/", path)


def _is_page(path: str) -> bool:
    """Whether `path` is a staff page a person reads (not a file, not signing out)."""
    try:
        name = resolve(path).url_name or ""
    except Resolver404:
        return False
    return path.startswith("/quan-ly/") and not NOT_PAGES.search(name) and not FILES.search(path)


def test_staff_pages_on_a_phone(signed_in: Any, live_server: Any, page_phone: Any) -> None:
    wrong = _pages_wider_than_the_phone(page_phone, live_server.url)
    wrong += _lists_not_stacked(page_phone, live_server.url)
    wrong += _charts_hard_to_read(page_phone, live_server.url)
    assert wrong == [], "\n".join(wrong)


def _pages_wider_than_the_phone(page: Any, base: str) -> list[str]:
    queue = deque(["/quan-ly/"])
    kinds = {_kind("/quan-ly/")}
    wide: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        answer = page.goto(base + path)
        if (
            answer is None
            or answer.status != 200
            or "text/html" not in answer.headers.get("content-type", "")
        ):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide.append(f"{path}: {width}px, wider than the phone")
            screenshot(page, "wide-" + re.sub(r"[^a-z0-9]+", "-", path).strip("-"))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(urldefrag(href)[0])
            if link.netloc != urlsplit(base).netloc or not _is_page(link.path):
                continue
            if _kind(link.path) not in kinds:
                kinds.add(_kind(link.path))
                queue.append(link.path)
    if visited <= 50:
        wide.append(f"the walk reached only {visited} kinds of page")
    return wide


def _lists_not_stacked(page: Any, base: str) -> list[str]:
    """A staff list is a stack of labelled cards on a phone."""
    page.goto(base + "/quan-ly/khao-sat/")
    row = page.locator(".staff-main .table tbody tr").first
    wrong = []
    if row.evaluate("tr => getComputedStyle(tr).display") != "block":
        wrong.append("/quan-ly/khao-sat/: a row of the list is not a card")
    labels = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-label'))"
    )
    if "Trạng thái" not in labels:
        wrong.append(f"/quan-ly/khao-sat/: the card's labels are {labels}")
    screenshot(page, "staff-survey-list-390")
    return wrong


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


def _charts_hard_to_read(page: Any, base: str) -> list[str]:
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
    seen, wrong = 0, []
    for path in pages:
        page.goto(base + path)
        for svg in page.locator("svg.chart").all():
            for text in svg.evaluate(CHART_TEXT):
                seen += 1
                if text["px"] < 11.95:
                    wrong.append(f"{path}: “{text['text']}” at {text['px']:.1f}px")
                if not text["inside"]:
                    wrong.append(f"{path}: “{text['text']}” is cut at the chart's edge")
    if seen <= 50:
        wrong.append(f"only {seen} chart texts were measured")
    screenshot(page, "staff-results-charts-390")
    return wrong
