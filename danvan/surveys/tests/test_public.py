"""The respondent's pages through the test client: intro, sections, back and
next, skip logic without JavaScript, sending, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import Area, AreaKind
from danvan.surveys import cleaning, guards, mixing
from danvan.surveys.models import (
    Answer,
    InvitationCode,
    Kind,
    Mode,
    OnePer,
    Respondent,
    Response,
    Survey,
    SurveyStatus,
)
from danvan.surveys.tests.factories import make_survey, posted_answer, question_of
from danvan.surveys.views_public import cookie_name, draft_key

pytestmark = pytest.mark.django_db


def mixed(survey: Survey) -> QuerySet[Response]:
    """The survey's responses, once every pending one is mixed (in real use they
    wait for a batch: danvan.surveys.mixing)."""
    mixing.mix(survey, release_all=True)
    return Response.objects.filter(survey=survey)


def form_values(survey: Survey) -> dict[int, dict[str, Any]]:
    """POST fields answering every question validly, by question id."""
    hamlet = (
        Area.objects.filter(path__startswith=survey.target_area.path, kind=AreaKind.HAMLET).first()
        if survey.target_area
        else None
    )
    return {q.pk: posted_answer(q, hamlet) for q in survey.questions.all()}


def section_data(survey: Survey, position: int, action: str = "next") -> dict[str, Any]:
    values = form_values(survey)
    data: dict[str, Any] = {"action": action}
    for q in survey.questions.filter(section__position=position):
        data.update(values[q.pk])
    return data


def page_url(survey: Survey, n: int) -> str:
    return reverse("surveys:page", kwargs={"slug": survey.slug, "n": n})


def fill_all(client: Client, survey: Survey) -> Any:
    """Start, answer each section and send; return the last response."""
    response = client.post(survey.get_absolute_url(), {})
    assert response.status_code == 302, response.content[:500]
    total = survey.sections.count()
    for n in range(1, total + 1):
        action = "submit" if n == total else "next"
        response = client.post(page_url(survey, n), section_data(survey, n, action))
    return response


# --- Intro page ------------------------------------------------------------------------


def test_intro_states_policy_and_anonymity(client: Client) -> None:
    survey = make_survey()
    response = client.get(survey.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mỗi trình duyệt chỉ gửi được một phiếu." in html
    assert "Phiếu ẩn danh" in html
    assert "Bắt đầu trả lời" in html
    cookie = response.cookies[cookie_name(survey)]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] >= 365 * 24 * 3600
    assert len(cookie.value) >= 40

    phone = make_survey(one_per=OnePer.PHONE)
    html = client.get(phone.get_absolute_url()).content.decode()
    assert "Mỗi số điện thoại chỉ gửi được một phiếu." in html
    assert 'name="phone"' in html and 'name="consent"' not in html
    assert cookie_name(phone) not in client.get(phone.get_absolute_url()).cookies

    coded = make_survey(one_per=OnePer.CODE)
    html = client.get(coded.get_absolute_url()).content.decode()
    assert "Cần mã mời để tham gia." in html and 'name="code"' in html

    identified = make_survey(mode=Mode.IDENTIFIED)
    html = client.get(identified.get_absolute_url()).content.decode()
    assert "Phiếu có ghi họ tên" in html
    assert 'name="consent"' in html and 'name="full_name"' in html
    assert identified.consent_text[:40] in html


def test_index_lists_open_surveys_only(client: Client) -> None:
    open_ = make_survey(title="Khảo sát đang mở")
    make_survey(title="Khảo sát bản nháp", status=SurveyStatus.DRAFT)
    html = client.get(reverse("surveys:index")).content.decode()
    assert open_.title in html and "bản nháp" not in html


def test_draft_survey_is_not_public(client: Client) -> None:
    survey = make_survey(status=SurveyStatus.DRAFT)
    assert client.get(survey.get_absolute_url()).status_code == 404
    assert client.get(page_url(survey, 1)).status_code == 404


# --- The flow --------------------------------------------------------------------------


def test_sections_back_next_reload_and_send(client: Client) -> None:
    survey = make_survey()  # 3 sections
    client.get(survey.get_absolute_url())
    response = client.post(survey.get_absolute_url(), {})
    assert response["Location"] == page_url(survey, 1)
    html = client.get(page_url(survey, 1)).content.decode()
    assert "Phần 1/3" in html and "Quay lại" in html and "Tiếp tục" in html

    response = client.post(page_url(survey, 1), section_data(survey, 1))
    assert response["Location"] == page_url(survey, 2)
    assert "Phần 2/3" in client.get(page_url(survey, 2)).content.decode()

    # Back keeps the answers of page 1 (and what was typed on page 2).
    page2 = section_data(survey, 2, "back")
    response = client.post(page_url(survey, 2), page2)
    assert response["Location"] == page_url(survey, 1)
    html = client.get(page_url(survey, 1)).content.decode()
    single = question_of(survey, Kind.SINGLE)
    assert f'name="q{single.pk}" value="1" checked' in html
    rating = question_of(survey, Kind.RATING)
    assert f'name="q{rating.pk}" value="4" checked' in html
    # A reload of page 2 still shows what was typed there before going back.
    number = question_of(survey, Kind.NUMBER)
    html = client.get(page_url(survey, 2)).content.decode()
    assert f'name="q{number.pk}" id="q{number.pk}" value="5"' in html

    client.post(page_url(survey, 1), section_data(survey, 1))
    client.post(page_url(survey, 2), section_data(survey, 2))
    html = client.get(page_url(survey, 3)).content.decode()
    assert "Phần 3/3" in html and "Gửi phiếu" in html
    response = client.post(page_url(survey, 3), section_data(survey, 3, "submit"))
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    thanks = client.get(response["Location"]).content.decode()
    assert "Cảm ơn ông/bà đã tham gia khảo sát" in thanks
    assert mixed(survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 13
    assert draft_key(survey) not in client.session


def test_errors_beside_fields(client: Client) -> None:
    survey = make_survey(required=True)
    client.post(survey.get_absolute_url(), {})
    data = section_data(survey, 1)
    rating = question_of(survey, Kind.RATING)
    single = question_of(survey, Kind.SINGLE)
    data[f"q{rating.pk}"] = "9"
    del data[f"q{single.pk}"]
    response = client.post(page_url(survey, 1), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa đi tiếp được." in html and "2 câu hỏi được đánh dấu" in html
    error = '<ul class="errorlist" id="q{}_error"><li>{}</li></ul>'
    assert error.format(rating.pk, "Vui lòng chọn điểm từ 1 đến 5.") in html
    assert error.format(single.pk, "Vui lòng trả lời câu hỏi này.") in html
    # Texts, numbers and dates: messages next to the field, value kept.
    client.post(page_url(survey, 1), section_data(survey, 1))
    data = section_data(survey, 2)
    number = question_of(survey, Kind.NUMBER)
    data[f"q{number.pk}"] = "ba mươi"
    html = client.post(page_url(survey, 2), data).content.decode()
    assert "Vui lòng nhập một số, ví dụ 12." in html and 'value="ba mươi"' in html
    assert 'aria-invalid="true"' in html


def test_skip_logic_on_the_server_without_javascript(client: Client) -> None:
    survey = make_survey(kinds=[Kind.SINGLE, Kind.SHORT_TEXT, Kind.NUMBER], sections=2)
    single, text, number = survey.questions.order_by("position")
    # Q2 (same page as Q1) only when Q1 = choice 0; Q3 (page 2) only when Q2 answered.
    text.show_if = {"question": single.pk, "op": "equals", "value": 0}
    text.required = True
    text.save()
    number.show_if = {"question": text.pk, "op": "answered"}
    number.save()
    client.post(survey.get_absolute_url(), {})
    html = client.get(page_url(survey, 1)).content.decode()
    assert f'id="cau-{text.pk}"' in html
    assert f"&quot;question&quot;: {single.pk}" in html and "data-show-if=" in html
    assert f'name="shown" value="{single.pk}"' in html  # Q2 drawn hidden
    # Choice 1: Q2 stays hidden; page 2 has nothing to show: send from page 1.
    response = client.post(
        page_url(survey, 1), {"action": "next", "shown": str(single.pk), f"q{single.pk}": "1"}
    )
    assert response["Location"] == page_url(survey, 1)
    html = client.get(page_url(survey, 1)).content.decode()
    assert "Gửi phiếu" in html
    # Choice 0 reveals Q2 on this page: the page is shown again before going on.
    response = client.post(
        page_url(survey, 1), {"action": "next", "shown": str(single.pk), f"q{single.pk}": "0"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Có thêm câu hỏi dựa trên câu trả lời của ông/bà." in html
    assert f'name="shown" value="{single.pk},{text.pk}"' in html
    # Q2 shown and left empty: required.
    response = client.post(
        page_url(survey, 1),
        {"action": "next", "shown": f"{single.pk},{text.pk}", f"q{single.pk}": "0"},
    )
    assert "Vui lòng trả lời câu hỏi này." in response.content.decode()
    response = client.post(
        page_url(survey, 1),
        {
            "action": "next",
            "shown": f"{single.pk},{text.pk}",
            f"q{single.pk}": "0",
            f"q{text.pk}": "Cầu",
        },
    )
    assert response["Location"] == page_url(survey, 2)
    # Back to Q1, choose 1 (survey.js hid Q2 but its text is still posted): Q2's
    # answer is ignored on sending, and Q3 (which depends on Q2) is hidden too.
    response = client.post(
        page_url(survey, 1),
        {"action": "submit", "shown": str(single.pk), f"q{single.pk}": "1", f"q{text.pk}": "Cầu"},
    )
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    stored = mixed(survey).get()
    assert list(stored.answers.values_list("question_id", "choice")) == [(single.pk, 1)]


def test_one_page_survey(client: Client) -> None:
    survey = make_survey(one_section_per_page=False)
    client.post(survey.get_absolute_url(), {})
    html = client.get(page_url(survey, 1)).content.decode()
    assert "Phần 1/" not in html and html.count("<section") == 3 and "Gửi phiếu" in html
    data: dict[str, Any] = {"action": "submit"}
    for values in form_values(survey).values():
        data.update(values)
    response = client.post(page_url(survey, 1), data)
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    assert mixed(survey).count() == 1


def test_send_with_a_missing_earlier_answer_goes_back_there(client: Client) -> None:
    survey = make_survey(required=True, sections=2, kinds=[Kind.SINGLE, Kind.NUMBER])
    single = question_of(survey, Kind.SINGLE)
    client.post(survey.get_absolute_url(), {})
    client.post(page_url(survey, 1), section_data(survey, 1))
    # The draft loses page 1's answer (e.g. another tab went back and cleared it).
    session = client.session
    session[draft_key(survey)]["answers"][str(single.pk)] = ""
    session.save()
    response = client.post(page_url(survey, 2), section_data(survey, 2, "submit"))
    assert response["Location"] == page_url(survey, 1) + "?kiem-tra=1"
    html = client.get(response["Location"]).content.decode()
    assert "Vui lòng trả lời câu hỏi này." in html
    assert not Response.objects.exists()


# --- Refusals ---------------------------------------------------------------------------


def test_browser_replay_and_double_submit_refused(client: Client) -> None:
    survey = make_survey(sections=1, kinds=[Kind.SINGLE, Kind.RATING])
    response = fill_all(client, survey)
    assert response.status_code == 302
    # The same POST again (double click, back button, replay).
    again = client.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert again.status_code == 409
    assert "Bạn đã gửi phiếu cho cuộc khảo sát này." in again.content.decode()
    html = client.get(survey.get_absolute_url()).content.decode()
    assert "Bạn đã gửi phiếu cho cuộc khảo sát này." in html and "Bắt đầu" not in html
    assert client.get(page_url(survey, 1))["Location"] == survey.get_absolute_url()
    # A new session with the same cookie (private data cleared, cookie kept).
    other = Client()
    other.cookies[cookie_name(survey)] = client.cookies[cookie_name(survey)].value
    response = other.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 409
    assert mixed(survey).count() == 1


def test_browser_without_cookies_is_told(client: Client) -> None:
    survey = make_survey(sections=1, kinds=[Kind.SINGLE])
    client.post(survey.get_absolute_url(), {})
    del client.cookies[cookie_name(survey)]
    response = client.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    # The page set a fresh cookie but this request had none: refused, explained.
    assert response.status_code == 400
    assert "bật cookie" in response.content.decode()
    assert not Response.objects.exists()


def test_phone_policy_through_the_pages() -> None:
    survey = make_survey(one_per=OnePer.PHONE, sections=1, kinds=[Kind.SINGLE])
    first = Client()
    response = first.post(survey.get_absolute_url(), {"phone": "091234"})
    assert "Số điện thoại không hợp lệ." in response.content.decode()
    assert first.get(page_url(survey, 1))["Location"] == survey.get_absolute_url()
    first.post(survey.get_absolute_url(), {"phone": "0912 345 678"})
    response = first.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 302
    second = Client()
    second.post(survey.get_absolute_url(), {"phone": "+84 912 345 678"})
    response = second.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 409
    assert "Bạn đã gửi phiếu cho cuộc khảo sát này." in response.content.decode()
    assert draft_key(survey) not in second.session  # the phone is forgotten
    assert mixed(survey).count() == 1


def test_code_policy_through_the_pages() -> None:
    survey = make_survey(one_per=OnePer.CODE, sections=1, kinds=[Kind.SINGLE])
    code, spare = guards.generate_codes(survey, 2)
    first = Client()
    html = first.post(survey.get_absolute_url(), {"code": "ABCD-EFGH"}).content.decode()
    assert "Mã mời đã được sử dụng hoặc không đúng." in html
    html = first.post(survey.get_absolute_url(), {"code": "AB"}).content.decode()
    assert "Mã mời gồm 8 chữ và số" in html
    response = first.post(survey.get_absolute_url(), {"code": code.lower()})
    assert response["Location"] == page_url(survey, 1)
    # A second person with the same code starts too, before the first one sends.
    second = Client()
    second.post(survey.get_absolute_url(), {"code": code})
    assert first.post(page_url(survey, 1), section_data(survey, 1, "submit")).status_code == 302
    response = second.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 409
    assert "Mã mời đã được sử dụng hoặc không đúng." in response.content.decode()
    # The answers are kept; with another code the second person can send them.
    assert second.get(page_url(survey, 1))["Location"] == survey.get_absolute_url()
    second.post(survey.get_absolute_url(), {"code": spare})
    assert "Tiếp tục" not in second.get(page_url(survey, 1)).content.decode()
    response = second.post(
        page_url(survey, 1), {"action": "submit"} | section_data(survey, 1, "submit")
    )
    assert response.status_code == 302
    # A used code cannot start again.
    third = Client()
    html = third.post(survey.get_absolute_url(), {"code": code}).content.decode()
    assert "Mã mời đã được sử dụng hoặc không đúng." in html
    assert mixed(survey).count() == 2
    assert InvitationCode.objects.filter(survey=survey, spent=False).count() == 0


def test_closed_survey(client: Client) -> None:
    survey = make_survey(sections=1, kinds=[Kind.SINGLE])
    client.post(survey.get_absolute_url(), {})
    closed = Survey.objects.get(pk=survey.pk)
    closed.status = SurveyStatus.CLOSED
    closed.save()  # as the officer's "Đóng": the process's copy goes at once
    html = client.get(survey.get_absolute_url()).content.decode()
    assert "Cuộc khảo sát đã đóng." in html and "Bắt đầu" not in html
    response = client.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 410
    assert "Cuộc khảo sát đã đóng." in response.content.decode()
    assert client.get(page_url(survey, 1))["Location"] == survey.get_absolute_url()
    assert client.post(survey.get_absolute_url(), {}).status_code == 410
    later = make_survey(
        opens_at=timezone.now() + timedelta(days=2), closes_at=timezone.now() + timedelta(days=9)
    )
    html = client.get(later.get_absolute_url()).content.decode()
    assert "Cuộc khảo sát chưa mở." in html
    assert not Response.objects.exists()


def test_rate_limited_submits(client: Client, settings: Any) -> None:
    settings.SURVEY_RATE_LIMITS = {"submit": (1, 600)}
    survey = make_survey(sections=1, kinds=[Kind.SINGLE])
    assert fill_all(client, survey).status_code == 302
    other = Client()
    response = fill_all(other, survey)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert mixed(survey).count() == 1


def test_code_guessing_rate_limited(client: Client, settings: Any) -> None:
    settings.SURVEY_RATE_LIMITS = {"code": (3, 600)}
    survey = make_survey(one_per=OnePer.CODE)
    for _ in range(3):
        assert client.post(survey.get_absolute_url(), {"code": "ABCD-EFGH"}).status_code == 200
    assert client.post(survey.get_absolute_url(), {"code": "ABCD-EFGH"}).status_code == 429


# --- Identified survey --------------------------------------------------------------------


def test_identified_flow_needs_consent(client: Client) -> None:
    survey = make_survey(mode=Mode.IDENTIFIED, sections=2, kinds=[Kind.SINGLE, Kind.LONG_TEXT])
    response = client.post(
        survey.get_absolute_url(), {"full_name": "Võ Thị Kim Loan", "phone": "0912345678"}
    )
    assert "Vui lòng đánh dấu đồng ý để gửi phiếu có ghi họ tên." in response.content.decode()
    response = client.post(
        survey.get_absolute_url(),
        {"full_name": "Võ Thị Kim Loan", "phone": "0912 345 678", "consent": "on"},
    )
    assert response["Location"] == page_url(survey, 1)
    client.post(page_url(survey, 1), section_data(survey, 1))
    response = client.post(page_url(survey, 2), section_data(survey, 2, "submit"))
    assert response.status_code == 302
    person = Respondent.objects.get(response__survey=survey)
    assert (person.full_name, person.phone) == ("Võ Thị Kim Loan", "0912345678")
    assert "liên hệ lại" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_home_page_lists_open_surveys(client: Any) -> None:
    from danvan.surveys.tests.factories import make_survey

    survey = make_survey(title="Ý kiến về đường giao thông nông thôn")
    body = client.get("/").content.decode()
    assert "Ý kiến về đường giao thông nông thôn" in body
    assert survey.get_absolute_url() in body


@pytest.mark.django_db
def test_survey_page_carries_share_preview_tags(client: Any) -> None:
    from danvan.surveys.tests.factories import make_survey

    survey = make_survey(title="Ý kiến về nước sạch nông thôn")
    body = client.get(survey.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Ý kiến về nước sạch nông thôn">' in body
    assert 'property="og:url"' in body and survey.slug in body


def test_one_page_survey_shows_progress_and_keeps_typing_in_the_tab(client: Client) -> None:
    survey = make_survey(one_section_per_page=False, required=True)
    client.post(survey.get_absolute_url(), {})
    html = client.get(page_url(survey, 1)).content.decode()
    total = survey.questions.count()
    assert (
        f"Đã trả lời <span data-progress-answered>0</span>/<span data-progress-total>{total}"
        in html
    )
    assert f'<progress max="{total}" value="0"' in html
    # survey.js keeps what is typed on this page in the tab's sessionStorage...
    assert f'data-draft="{survey.slug}/1"' in html and "js/survey.js" in html
    # ...and the server counts what it was sent: two answers, the rest missing.
    values = form_values(survey)
    data: dict[str, Any] = {"action": "submit"}
    for q in survey.questions.filter(kind__in=[Kind.SINGLE, Kind.NUMBER]):
        data.update(values[q.pk])
    html = client.post(page_url(survey, 1), data).content.decode()
    assert (
        f"Đã trả lời <span data-progress-answered>2</span>/<span data-progress-total>{total}"
        in html
    )
    # The thank-you page tells the script to forget the survey's pages.
    for one in values.values():
        data.update(one)
    response = client.post(page_url(survey, 1), data)
    thanks = client.get(response["Location"]).content.decode()
    assert f'data-survey-sent="{survey.slug}"' in thanks and "js/survey.js" in thanks


def test_start_page_keeps_nothing_in_the_browser(client: Client) -> None:
    """The start page of an identified survey (name, phone) loads no script that
    could keep what is typed there."""
    survey = make_survey(mode=Mode.IDENTIFIED, one_per=OnePer.PHONE)
    html = client.get(survey.get_absolute_url()).content.decode()
    assert 'name="phone"' in html
    assert "survey.js" not in html and "data-draft" not in html


def test_a_survey_closed_in_another_process_stops_taking_responses_within_a_second(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process keeps a published survey SURVEY_TTL seconds; a close saved by
    another process (no signal here) is seen once that copy expires."""
    import time
    from types import SimpleNamespace

    from danvan.core import cache as local

    survey = make_survey(sections=1, kinds=[Kind.SINGLE])
    client.post(survey.get_absolute_url(), {})
    assert client.get(page_url(survey, 1)).status_code == 200  # kept in this process
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)  # elsewhere
    later = time.monotonic() + cleaning.SURVEY_TTL + 0.01
    clock = SimpleNamespace(monotonic=lambda: later, time=time.time)
    monkeypatch.setattr(local, "time", clock)  # the process's copies see a second pass
    response = client.post(page_url(survey, 1), section_data(survey, 1, "submit"))
    assert response.status_code == 410
    assert not Response.objects.filter(survey=survey).exists()
