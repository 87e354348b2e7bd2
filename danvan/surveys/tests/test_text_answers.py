"""Every written answer, a page at a time: the results page lists the newest
few and the first search hits, and links to a paged list of all of them
(filters and the diacritic-blind search kept from page to page)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from danvan.core.models import Role
from danvan.core.tests.factories import make_staff
from danvan.surveys import results
from danvan.surveys.models import Kind, Response, Survey
from danvan.surveys.services import today_vn
from danvan.surveys.tests.factories import make_survey, question_of, store_response

pytestmark = pytest.mark.django_db

COUNT = 130  # answers: three pages of 50


@pytest.fixture
def survey() -> Survey:
    s = make_survey(kinds=[Kind.SINGLE, Kind.SHORT_TEXT], sections=1)
    single, text = question_of(s, Kind.SINGLE), question_of(s, Kind.SHORT_TEXT)
    for i in range(COUNT):
        topic = "Nước sạch cho ấp" if i % 2 else "Đường giao thông"
        answers: dict[int, Any] = {text.pk: f"{topic} (ý kiến số {i})"}
        answers[single.pk] = {"choice": "other", "other": f"Khác số {i}"} if i < 3 else 0
        sent = store_response(s, answers, browser_token=secrets.token_urlsafe(24))
        # Older answers were received earlier: number i arrived i days ago.
        Response.objects.filter(pk=sent.pk).update(received_on=today_vn() - timedelta(days=i))
    return s


@pytest.fixture
def staff(client: Any, survey: Survey) -> Any:
    client.force_login(make_staff("tl.cantho", Role.VIEWER, area=survey.organization.area))
    return client


def listed(html: str) -> list[int]:
    """The numbers of the answers listed on a page, in order."""
    return [int(n) for n in re.findall(r"<li>[^<]*\(ý kiến số (\d+)\)</li>", html)]


def url(survey: Survey, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("surveys_results:text_answers", args=[survey.pk]) + (
        f"?{query}" if query else ""
    )


def test_results_page_links_to_every_answer(survey: Survey, staff: Any) -> None:
    text = question_of(survey, Kind.SHORT_TEXT)
    body = staff.get(reverse("surveys_results:results", args=[survey.pk])).content.decode()
    assert len(listed(body)) == results.TEXT_SAMPLE
    assert f"Xem tất cả {COUNT} câu trả lời, theo từng trang" in body
    assert f"?cau={text.pk}" in body


def test_pages_of_fifty_newest_first(survey: Survey, staff: Any) -> None:
    text = question_of(survey, Kind.SHORT_TEXT)
    first = staff.get(url(survey, cau=text.pk)).content.decode()
    assert listed(first) == list(range(50))
    assert f"{COUNT} câu trả lời" in first and "Trang 1 / 3" in first
    assert f"?cau={text.pk}&amp;page=2" in first
    third = staff.get(url(survey, cau=text.pk, page=3)).content.decode()
    assert listed(third) == list(range(100, COUNT))
    assert '<ol class="answers" start="101">' in third
    # Every answer appears once over the pages.
    seen = [
        n
        for p in (1, 2, 3)
        for n in listed(staff.get(url(survey, cau=text.pk, page=p)).content.decode())
    ]
    assert sorted(seen) == list(range(COUNT))
    # Past the end: the last page.
    assert listed(staff.get(url(survey, cau=text.pk, page=99)).content.decode()) == listed(third)


def test_search_hits_are_paged_and_ignore_diacritics(survey: Survey, staff: Any) -> None:
    text = question_of(survey, Kind.SHORT_TEXT)
    body = staff.get(url(survey, cau=text.pk, tim="nuoc sach")).content.decode()
    odd = [n for n in range(COUNT) if n % 2]
    assert f"{len(odd)} câu trả lời có “nuoc sach”" in body
    assert listed(body) == odd[:50]
    second = staff.get(url(survey, cau=text.pk, tim="nuoc+sach", page=2)).content.decode()
    assert listed(second) == odd[50:]
    assert "tim=nuoc+sach" in body  # the search travels with the page links
    # The results page sends there when there are more hits than it shows.
    results_page = staff.get(
        reverse("surveys_results:results", args=[survey.pk]), {"tim": "nước"}
    ).content.decode()
    assert f"Xem tất cả {len(odd)} câu trả lời có “nước”" in results_page


def test_filters_and_other_answers(survey: Survey, staff: Any) -> None:
    text, single = question_of(survey, Kind.SHORT_TEXT), question_of(survey, Kind.SINGLE)
    since = (today_vn() - timedelta(days=9)).isoformat()
    body = staff.get(url(survey, cau=text.pk, tu=since)).content.decode()
    assert listed(body) == list(range(10))
    # "Khác" of a choice question is listed too.
    body = staff.get(url(survey, cau=single.pk)).content.decode()
    assert "3 ý kiến ghi ở “Khác”" in body
    assert re.findall(r"<li>Khác số (\d)</li>", body) == ["0", "1", "2"]


def test_a_survey_without_written_answers(staff: Any) -> None:
    other = make_survey(kinds=[Kind.RATING], sections=1)
    staff.force_login(make_staff("tl.khac", Role.VIEWER, area=other.organization.area))
    body = staff.get(url(other)).content.decode()
    assert "Khảo sát không có câu hỏi để người trả lời tự ghi ý kiến" in body
