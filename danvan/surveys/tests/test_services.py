"""Validation of every kind of answer, the one-response policies, invitation codes."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from danvan.core import services as core
from danvan.core.models import AreaKind
from danvan.core.ratelimit import RateLimited
from danvan.surveys import cleaning, guards, services
from danvan.surveys.cleaning import AnswersInvalid, clean_answer
from danvan.surveys.models import (
    Answer,
    InvitationCode,
    Kind,
    Mode,
    OnePer,
    PendingResponse,
    Respondent,
    Response,
    SpentToken,
    Survey,
    SurveyStatus,
)
from danvan.surveys.services import submit_response
from danvan.surveys.tests.factories import (
    make_survey,
    make_units,
    question_of,
    store_response,
    valid_answers,
)

pytestmark = pytest.mark.django_db

TOKEN = "tok-" + "a" * 40


def message(excinfo: Any) -> str:
    return str(excinfo.value.messages[0])


# --- clean_answer, kind by kind -------------------------------------------------------


@pytest.fixture
def survey() -> Any:
    return make_survey()


def stored(survey: Survey) -> int:
    """Responses stored, mixed or still waiting to be mixed."""
    return (
        Response.objects.filter(survey=survey).count()
        + PendingResponse.objects.filter(survey=survey).count()
    )


def test_blank_is_none_for_every_kind(survey: Any) -> None:
    for q in survey.questions.all():
        blanks: tuple[Any, ...] = (None, "", "  ", [], {})
        for blank in blanks:
            assert clean_answer(q, blank) is None


def test_single_and_dropdown(survey: Any) -> None:
    single = question_of(survey, Kind.SINGLE)
    assert clean_answer(single, 0) == {"choice": 0}
    assert clean_answer(single, "2") == {"choice": 2}
    assert clean_answer(single, {"choice": "other", "other": " Loa  xe "}) == {
        "choice": -1,
        "other": "Loa xe",
    }
    # Text in "Khác" without ticking it counts as "Khác".
    assert clean_answer(single, {"choice": "", "other": "Zalo"}) == {"choice": -1, "other": "Zalo"}
    with pytest.raises(ValidationError) as e:
        clean_answer(single, 3)
    assert message(e) == "Lựa chọn không hợp lệ. Vui lòng chọn lại."
    with pytest.raises(ValidationError) as e:
        clean_answer(single, {"choice": "other", "other": " "})
    assert message(e) == "Bạn đã chọn “Khác”: vui lòng ghi rõ ý kiến."
    with pytest.raises(ValidationError):
        clean_answer(single, "abc")
    with pytest.raises(ValidationError):
        clean_answer(single, True)
    with pytest.raises(ValidationError) as e:
        clean_answer(single, [0, 1])
    assert "chỉ được chọn một" in message(e)
    with pytest.raises(ValidationError) as e:
        clean_answer(single, {"choice": "other", "other": "x" * 301})
    assert "300" in message(e)

    dropdown = question_of(survey, Kind.DROPDOWN)  # no "other"
    assert clean_answer(dropdown, 2) == {"choice": 2}
    with pytest.raises(ValidationError) as e:
        clean_answer(dropdown, "other")
    assert message(e) == "Câu hỏi này không có lựa chọn “Khác”."
    with pytest.raises(ValidationError):
        clean_answer(dropdown, -2)


def test_multiple(survey: Any) -> None:
    q = question_of(survey, Kind.MULTIPLE)
    assert clean_answer(q, [2, "0", 2]) == {"choices": [0, 2]}
    assert clean_answer(q, "1") == {"choices": [1]}
    assert clean_answer(q, {"choices": ["other", 1], "other": "Chợ"}) == {
        "choices": [1, -1],
        "other": "Chợ",
    }
    with pytest.raises(ValidationError) as e:
        clean_answer(q, {"choices": ["other"], "other": ""})
    assert "ghi rõ" in message(e)
    with pytest.raises(ValidationError):
        clean_answer(q, [0, 5])


def test_rating(survey: Any) -> None:
    q = question_of(survey, Kind.RATING)
    assert clean_answer(q, "5") == 5
    assert clean_answer(q, 1) == 1
    for bad in (0, 6, "4.5", 4.5, "năm"):
        with pytest.raises(ValidationError) as e:
            clean_answer(q, bad)
        assert message(e) == "Vui lòng chọn điểm từ 1 đến 5."
    q.options = {"min": 0, "max": 10}
    assert clean_answer(q, 10) == 10


def test_agreement(survey: Any) -> None:
    q = question_of(survey, Kind.AGREEMENT)
    assert clean_answer(q, "0") == 0
    assert clean_answer(q, 4) == 4
    with pytest.raises(ValidationError) as e:
        clean_answer(q, 5)
    assert message(e) == "Vui lòng chọn một mức độ đồng ý."


def test_grid(survey: Any) -> None:
    q = question_of(survey, Kind.GRID)  # two rows
    assert clean_answer(q, [4, "2"]) == [4, 2]
    assert clean_answer(q, {"1": 3}) == [None, 3]
    assert clean_answer(q, [None, None]) is None
    with pytest.raises(ValidationError) as e:
        clean_answer(q, [5, 1])
    assert "Cán bộ tiếp dân tận tình" in message(e)
    with pytest.raises(ValidationError):
        clean_answer(q, [1, 1, 1])
    with pytest.raises(ValidationError):
        clean_answer(q, {"7": 1})


def test_grid_required_means_every_row(survey: Any) -> None:
    q = question_of(survey, Kind.GRID)
    q.required = True
    q.save()
    with pytest.raises(AnswersInvalid) as e:
        cleaning.clean_answers(survey, {q.pk: [3, None]})
    assert e.value.question_errors[q.pk] == "Vui lòng chọn mức độ cho tất cả các dòng."
    assert cleaning.clean_answers(survey, {q.pk: [3, 1]}) == {q.pk: [3, 1]}


def test_number(survey: Any) -> None:
    q = question_of(survey, Kind.NUMBER)  # 1..30
    assert clean_answer(q, "4") == 4
    assert clean_answer(q, "2,5") == 2.5
    assert clean_answer(q, 7.0) == 7
    with pytest.raises(ValidationError) as e:
        clean_answer(q, "31")
    assert message(e) == "Vui lòng nhập số từ 1 đến 30."
    with pytest.raises(ValidationError) as e:
        clean_answer(q, "bốn")
    assert message(e) == "Vui lòng nhập một số, ví dụ 12."
    q.options = {"min": 0, "max": None}
    with pytest.raises(ValidationError) as e:
        clean_answer(q, -1)
    assert message(e) == "Vui lòng nhập số không nhỏ hơn 0."
    q.options = {"min": None, "max": 10}
    with pytest.raises(ValidationError) as e:
        clean_answer(q, 11)
    assert message(e) == "Vui lòng nhập số không lớn hơn 10."
    q.options = {}
    assert clean_answer(q, "-12") == -12
    # Vietnamese writing: "." groups thousands, "," marks decimals.
    assert clean_answer(q, "5.000.000") == 5_000_000
    assert clean_answer(q, "1.000") == 1000
    assert clean_answer(q, "1.234,5") == 1234.5
    assert clean_answer(q, "2.5") == 2.5
    with pytest.raises(ValidationError):
        clean_answer(q, "1.00.0")
    with pytest.raises(ValidationError):
        clean_answer(q, "1e400")


def test_texts(survey: Any) -> None:
    short = question_of(survey, Kind.SHORT_TEXT)
    assert clean_answer(short, "  Làm đường  ") == "Làm đường"
    assert clean_answer(short, "x" * 300) == "x" * 300
    with pytest.raises(ValidationError) as e:
        clean_answer(short, "x" * 301)
    assert message(e) == "Câu trả lời không được dài quá 300 ký tự (hiện có 301 ký tự)."
    long = question_of(survey, Kind.LONG_TEXT)
    assert clean_answer(long, "y" * 5000) == "y" * 5000
    with pytest.raises(ValidationError) as e:
        clean_answer(long, "y" * 5001)
    assert "5000" in message(e)


def test_date(survey: Any) -> None:
    q = question_of(survey, Kind.DATE)
    assert clean_answer(q, "15/03/2025") == "2025-03-15"
    assert clean_answer(q, "2025-03-15") == "2025-03-15"
    assert clean_answer(q, date(2025, 3, 15)) == "2025-03-15"
    for bad in ("31/02/2025", "15.3", "ngày mai", "15/03/1850"):
        with pytest.raises(ValidationError) as e:
            clean_answer(q, bad)
        assert message(e).startswith("Ngày không hợp lệ.")


def test_unit() -> None:
    units = make_units()
    survey = make_survey(units=units)
    q = question_of(survey, Kind.UNIT)
    hamlets = [units.hamlet, units.other_hamlet]
    assert clean_answer(q, hamlets[0].pk) == hamlets[0].pk
    assert clean_answer(q, str(units.commune.pk)) == units.commune.pk
    with pytest.raises(ValidationError) as e:
        clean_answer(q, units.other_commune.pk)
    assert "không thuộc địa bàn khảo sát" in message(e)
    with pytest.raises(ValidationError) as e:
        clean_answer(q, "xã")
    assert message(e) == "Vui lòng chọn một địa bàn (xã, ấp) trong danh sách."
    # A unit that has ended is refused.
    hamlets[1].valid_to = timezone.localdate() - timedelta(days=1)
    hamlets[1].save()
    with pytest.raises(ValidationError):
        clean_answer(q, hamlets[1].pk)


def test_unit_without_target_area_accepts_any_current_unit(survey: Any) -> None:
    survey.target_area = None
    survey.save()
    q = question_of(survey, Kind.UNIT)
    q.survey = survey
    other = core.add_area(
        None, name="Tỉnh Sóc Trăng", code="94-t", unit_type="Tỉnh", kind=AreaKind.PROVINCE
    )
    assert clean_answer(q, other.pk) == other.pk


# --- clean_answers: required, skip logic, unknown questions -----------------------


def test_required_only_when_visible_and_hidden_answers_dropped() -> None:
    survey = make_survey(kinds=[Kind.SINGLE, Kind.SHORT_TEXT, Kind.NUMBER], sections=1)
    single, text, number = survey.questions.order_by("position")
    text.show_if = {"question": single.pk, "op": "equals", "value": 0}
    text.required = True
    text.save()
    number.required = True
    number.save()
    # Q2 hidden: not required, and its (even invalid) answer is dropped.
    cleaned = cleaning.clean_answers(survey, {single.pk: 1, text.pk: "x" * 400, number.pk: 3})
    assert cleaned == {single.pk: {"choice": 1}, number.pk: 3}
    # Q2 shown: required.
    with pytest.raises(AnswersInvalid) as e:
        cleaning.clean_answers(survey, {single.pk: 0, number.pk: 3})
    assert e.value.question_errors == {text.pk: "Vui lòng trả lời câu hỏi này."}
    with pytest.raises(AnswersInvalid) as e:
        cleaning.clean_answers(survey, {single.pk: 0})
    assert set(e.value.question_errors) == {text.pk, number.pk}


def test_unknown_question_refused(survey: Any) -> None:
    other = make_survey()
    foreign = other.questions.first()
    with pytest.raises(AnswersInvalid) as e:
        cleaning.clean_answers(survey, {foreign.pk: 1})
    assert e.value.question_errors[0] == "Câu hỏi không thuộc phiếu khảo sát này."
    with pytest.raises(AnswersInvalid):
        cleaning.clean_answers(survey, {"khong-phai-so": 1})


def test_all_valid_answers_are_stored_per_kind(survey: Any) -> None:
    response = store_response(survey, valid_answers(survey), browser_token=TOKEN)
    rows: dict[str, list[Answer]] = {}
    for a in response.answers.select_related("question"):
        rows.setdefault(a.question.kind, []).append(a)
    assert [(a.choice, a.text) for a in rows[Kind.SINGLE]] == [(1, "")]
    assert sorted(a.choice or 0 for a in rows[Kind.MULTIPLE]) == [0, 2]
    assert rows[Kind.DROPDOWN][0].choice == 2
    assert rows[Kind.RATING][0].number == 4
    assert rows[Kind.AGREEMENT][0].choice == 3
    assert sorted((a.row or 0, a.choice or 0) for a in rows[Kind.GRID]) == [(0, 4), (1, 2)]
    assert rows[Kind.NUMBER][0].number == 5
    assert rows[Kind.SHORT_TEXT][0].text_folded == "lam lai cay cau o ap"
    assert rows[Kind.DATE][0].date == date(2025, 3, 15)
    assert rows[Kind.UNIT][0].area.kind == AreaKind.HAMLET
    assert response.received_on == services.today_vn()


def test_other_text_is_stored(survey: Any) -> None:
    single = question_of(survey, Kind.SINGLE)
    multiple = question_of(survey, Kind.MULTIPLE)
    response = store_response(
        survey,
        {
            single.pk: {"choice": "other", "other": "Tờ rơi"},
            multiple.pk: {"choices": [0, "other"], "other": "Điện"},
        },
        browser_token=TOKEN,
    )
    assert response.answers.get(question=single).text == "Tờ rơi"
    assert sorted(response.answers.filter(question=multiple).values_list("choice", "text")) == [
        (-1, "Điện"),
        (0, ""),
    ]


# --- Open or not ------------------------------------------------------------------


def test_closed_and_unopened_surveys_refuse() -> None:
    now = timezone.now()
    closed = make_survey(status=SurveyStatus.CLOSED)
    with pytest.raises(ValidationError) as e:
        submit_response(closed, {}, browser_token=TOKEN)
    assert message(e) == "Cuộc khảo sát đã đóng."
    ended = make_survey(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    with pytest.raises(ValidationError) as e:
        submit_response(ended, {}, browser_token=TOKEN)
    assert message(e) == "Cuộc khảo sát đã đóng."
    later = make_survey(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9))
    with pytest.raises(ValidationError) as e:
        submit_response(later, {}, browser_token=TOKEN)
    assert message(e).startswith("Cuộc khảo sát chưa mở.")
    draft = make_survey(status=SurveyStatus.DRAFT)
    with pytest.raises(ValidationError) as e:
        submit_response(draft, {}, browser_token=TOKEN)
    assert e.value.code == "not_open"
    assert Response.objects.count() == 0 and SpentToken.objects.count() == 0
    assert not PendingResponse.objects.exists()


# --- One response per browser / phone / code --------------------------------------


def test_browser_policy_refuses_second_response(survey: Any) -> None:
    submit_response(survey, valid_answers(survey), browser_token=TOKEN)
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), browser_token=TOKEN)
    assert message(e) == "Bạn đã gửi phiếu cho cuộc khảo sát này."
    assert stored(survey) == 1
    # Another browser may answer; another survey does not share tokens.
    submit_response(survey, valid_answers(survey), browser_token="tok-" + "b" * 40)
    other = make_survey()
    submit_response(other, valid_answers(other), browser_token=TOKEN)
    assert stored(survey) == 2
    token = SpentToken.objects.filter(survey=survey).first()
    assert TOKEN not in token.token_hash and len(token.token_hash) == 64
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey))
    assert "cookie" in message(e)


def test_phone_policy_refuses_second_response_written_differently() -> None:
    survey = make_survey(one_per=OnePer.PHONE)
    submit_response(survey, valid_answers(survey), phone="0912 345 678")
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), phone="+84912345678")
    assert message(e) == "Bạn đã gửi phiếu cho cuộc khảo sát này."
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), phone="12345")
    assert "Số điện thoại không hợp lệ" in message(e)
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey))
    assert message(e) == "Vui lòng nhập số điện thoại."
    assert stored(survey) == 1
    spent = SpentToken.objects.get(survey=survey)
    assert spent.kind == "phone" and "0912345678" not in spent.token_hash


def test_code_policy_refuses_second_use() -> None:
    survey = make_survey(one_per=OnePer.CODE)
    codes = guards.generate_codes(survey, 3)
    submit_response(survey, valid_answers(survey), code=codes[0].lower().replace("-", " "))
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), code=codes[0])
    assert message(e) == "Mã mời đã được sử dụng hoặc không đúng."
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), code="ABCD-EFGH")
    assert message(e) == "Mã mời đã được sử dụng hoặc không đúng."
    assert stored(survey) == 1
    assert InvitationCode.objects.filter(survey=survey, spent=True).count() == 1
    # A code of another survey does not open this one.
    other = make_survey(one_per=OnePer.CODE)
    foreign = guards.generate_codes(other, 1)[0]
    with pytest.raises(ValidationError):
        submit_response(survey, valid_answers(survey), code=foreign)


def test_invalid_answers_do_not_spend_the_token() -> None:
    survey = make_survey(one_per=OnePer.CODE, required=True)
    code = guards.generate_codes(survey, 1)[0]
    with pytest.raises(AnswersInvalid):
        submit_response(survey, {}, code=code)
    assert not InvitationCode.objects.get(survey=survey).spent
    submit_response(survey, valid_answers(survey), code=code)


def test_failed_write_gives_the_code_and_token_back(
    survey: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    coded = make_survey(one_per=OnePer.CODE)
    code = guards.generate_codes(coded, 1)[0]

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_insert_response", boom)  # the response's write fails
    monkeypatch.setattr(services, "_store_pending", boom)
    with pytest.raises(RuntimeError):
        submit_response(coded, valid_answers(coded), code=code)
    with pytest.raises(RuntimeError):
        submit_response(survey, valid_answers(survey), browser_token=TOKEN)
    assert not InvitationCode.objects.get(survey=coded).spent
    assert not SpentToken.objects.exists()
    assert not Response.objects.exists() and not PendingResponse.objects.exists()
    monkeypatch.undo()
    submit_response(coded, valid_answers(coded), code=code)
    submit_response(survey, valid_answers(survey), browser_token=TOKEN)


# --- Identified surveys -----------------------------------------------------------


def test_identified_survey_stores_respondent_with_consent() -> None:
    survey = make_survey(mode=Mode.IDENTIFIED, one_per=OnePer.PHONE)
    identity = {"full_name": " Trần  Văn Phúc ", "phone": "0912 345 678", "consent": True}
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), identity={**identity, "consent": False})
    assert e.value.message_dict["consent"] == [
        "Vui lòng đánh dấu đồng ý để gửi phiếu có ghi họ tên."
    ]
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), identity={"consent": True})
    assert set(e.value.message_dict) == {"full_name", "phone"}
    response = store_response(survey, valid_answers(survey), identity=identity)
    person = Respondent.objects.get(response=response)
    assert (person.full_name, person.phone, person.consent_version) == (
        "Trần Văn Phúc",
        "0912345678",
        "1",
    )
    # The identity's phone serves the phone policy.
    with pytest.raises(ValidationError) as e:
        submit_response(survey, valid_answers(survey), identity=identity)
    assert message(e) == "Bạn đã gửi phiếu cho cuộc khảo sát này."


def test_anonymous_survey_ignores_identity() -> None:
    survey = make_survey()
    submit_response(
        survey,
        valid_answers(survey),
        browser_token=TOKEN,
        identity={"full_name": "Lê Minh Tâm", "phone": "0912345678", "consent": True},
    )
    assert not Respondent.objects.exists()


# --- Invitation codes -------------------------------------------------------------


def test_generate_codes_stores_only_hashes() -> None:
    survey = make_survey(one_per=OnePer.CODE)
    codes = guards.generate_codes(survey, 50)
    assert len(set(codes)) == 50
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert all(c in guards.CODE_ALPHABET for c in code.replace("-", ""))
    stored = set(InvitationCode.objects.filter(survey=survey).values_list("code_hash", flat=True))
    assert stored == {guards.code_hash(survey, c) for c in codes}
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert len(guards.generate_codes(survey, 5)) == 5
    assert InvitationCode.objects.filter(survey=survey).count() == 55
    with pytest.raises(ValidationError):
        guards.generate_codes(survey, 0)


def test_check_code() -> None:
    survey = make_survey(one_per=OnePer.CODE)
    code = guards.generate_codes(survey, 1)[0]
    assert guards.check_code(survey, code.lower()) == code.replace("-", "")
    with pytest.raises(ValidationError) as e:
        guards.check_code(survey, "ABC")
    assert e.value.code == "code_format"
    with pytest.raises(ValidationError) as e:
        guards.check_code(survey, "ABCD-EFGH")
    assert e.value.code == "code_spent"
    assert not InvitationCode.objects.get(survey=survey).spent  # checking does not spend


# --- Rate limit ----------------------------------------------------------------------


def test_rate_limit(settings: Any) -> None:
    settings.SURVEY_RATE_LIMITS = {"submit": (2, 60)}
    services.check_rate("submit", "203.0.113.9", now=1000.0)
    services.check_rate("submit", "203.0.113.9", now=1001.0)
    with pytest.raises(RateLimited):
        services.check_rate("submit", "203.0.113.9", now=1002.0)
    services.check_rate("submit", "203.0.113.10", now=1002.0)
    services.check_rate("submit", "203.0.113.9", now=1061.0)  # next window


# --- Parallel spending of one code (PostgreSQL) ------------------------------------


def _submit_at_once(survey: Survey, n: int, **credential: Any) -> list[str]:
    """`n` threads submit the same valid answers with the same credential at the
    same moment: what each got ("ok", a refusal's message or a crash)."""
    answers = valid_answers(survey)
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            submit_response(survey, answers, **credential)
            result = "ok"
        except ValidationError as error:
            result = error.messages[0]
        except Exception as error:  # pragma: no cover - reported by the callers
            result = f"crash: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_of_one_code_count_once() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers")
    survey = make_survey(one_per=OnePer.CODE)
    code = guards.generate_codes(survey, 1)[0]
    n = 8
    outcomes = _submit_at_once(survey, n, code=code)
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("Mã mời đã được sử dụng hoặc không đúng.") == n - 1, outcomes
    assert stored(survey) == 1
    assert InvitationCode.objects.get(survey=survey).spent


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_of_one_browser_token_count_once() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers")
    survey = make_survey()
    n = 8
    outcomes = _submit_at_once(survey, n, browser_token=TOKEN)
    assert outcomes.count("ok") == 1, outcomes
    assert stored(survey) == 1
