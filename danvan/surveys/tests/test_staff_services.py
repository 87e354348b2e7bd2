"""The staff services of the surveys app (`staff_services`): every staff write in
one transaction under the survey's row lock. The questionnaire changes only in
a draft; a change of state is checked again under the lock; back to draft is
refused while a response exists or is on its way, and a response on its way is
refused once the survey went back to draft (on PostgreSQL with the two in
flight at once); opening "add question" writes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.core import services as core
from danvan.core.models import Role
from danvan.core.tests.helpers import in_thread
from danvan.surveys import services, staff_services
from danvan.surveys.builder import BuilderError
from danvan.surveys.models import (
    Kind,
    PendingResponse,
    Question,
    Response,
    Section,
    SpentToken,
    Survey,
    SurveyStatus,
)
from danvan.surveys.tests.factories import make_survey, make_units, valid_answers

TOKEN = "b" * 43


@pytest.fixture
def staff(client: Any, db: Any) -> Any:
    units = make_units()
    user = core.create_staff_user(
        username="qt.khaosat", full_name="Cán bộ quản trị", password="mat-khau-thu-nghiem-1"
    )
    core.grant_role(None, user, Role.BOARD_ADMIN, area=units.province)
    client.force_login(user)
    client.units = units
    return client


def _writes(queries: list[dict[str, str]]) -> list[str]:
    """The statements that wrote, but the session's (its expiry slides each request)."""
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(verbs) and "django_session" not in q["sql"]
    ]


# --- A GET writes nothing ------------------------------------------------------------------


def test_opening_add_question_writes_nothing(staff: Any) -> None:
    survey = make_survey(kinds=[], units=staff.units, status=SurveyStatus.DRAFT, sections=1)
    survey.sections.all().delete()
    url = reverse("surveys_staff:question_add", args=[survey.pk])
    with CaptureQueriesContext(connection) as done:
        page = staff.get(url)
    assert page.status_code == 200
    assert _writes(done.captured_queries) == []
    assert not Section.objects.filter(survey=survey).exists()
    # Saving the first question makes its section.
    data = {
        "kind": Kind.SINGLE,
        "text": "Ông/bà có tham gia sinh hoạt tổ nhân dân tự quản không?",
        "choices": "Có\nKhông",
        "scale": "5",
        "show_if_op": "equals",
    }
    assert staff.post(url, data).status_code == 302
    section = survey.sections.get()
    assert section.title == "Phần 1"
    assert list(survey.questions.values_list("section_id", flat=True)) == [section.pk]


# --- The questionnaire changes only in a draft ------------------------------------------------


@pytest.mark.django_db
def test_questionnaire_services_refuse_unless_draft() -> None:
    survey = make_survey(kinds=[Kind.SINGLE, Kind.NUMBER], sections=2)  # published
    section = survey.sections.order_by("position").first()
    assert section is not None
    first = survey.questions.order_by("section__position", "position").first()
    assert first is not None
    revision = Survey.objects.get(pk=survey.pk).revision
    attempts = [
        lambda: staff_services.add_section(survey, title="Phần mới"),
        lambda: staff_services.edit_section(section, title="Tên khác", description=""),
        lambda: staff_services.delete_section(section),
        lambda: staff_services.move_section(section, staff_services.DOWN),
        lambda: staff_services.delete_question(first),
        lambda: staff_services.move_question(first, staff_services.DOWN),
        lambda: staff_services.reorder_questions(survey, []),
    ]
    for attempt in attempts:
        with pytest.raises(BuilderError) as refused:
            attempt()
        assert "chỉ sửa được phần và câu hỏi khi khảo sát là bản nháp" in refused.value.messages[0]
    assert Survey.objects.get(pk=survey.pk).revision == revision  # nothing changed


@pytest.mark.django_db
def test_a_question_moved_by_its_form_goes_to_the_end_of_its_new_section(staff: Any) -> None:
    survey = make_survey(
        kinds=[Kind.SINGLE, Kind.NUMBER, Kind.SHORT_TEXT, Kind.LONG_TEXT],
        units=staff.units,
        status=SurveyStatus.DRAFT,
        sections=2,
    )
    first, second = survey.sections.order_by("position")
    a, _b = first.questions.order_by("position")
    data = {
        "kind": Kind.SINGLE,
        "section": second.pk,
        "text": a.text,
        "choices": "\n".join(a.options["choices"]),
        "scale": "5",
        "show_if_op": "equals",
    }
    url = reverse("surveys_staff:question_edit", args=[a.pk])
    assert staff.post(url, data).status_code == 302
    assert list(second.questions.order_by("position").values_list("kind", flat=True)) == [
        Kind.SHORT_TEXT,
        Kind.LONG_TEXT,
        Kind.SINGLE,
    ]


# --- States ---------------------------------------------------------------------------------


def _assert_refused(change: Any, survey: Survey, says: str, status: str) -> None:
    """`change(survey)` is refused with a message saying `says`; the survey stays `status`."""
    with pytest.raises(BuilderError) as refused:
        change(survey)
    assert says in refused.value.messages[0]
    assert Survey.objects.get(pk=survey.pk).status == status


def _published_after_reading() -> tuple[Survey, Survey]:
    """A draft read (the stale copy, as a page opened before), then published."""
    survey = make_survey(kinds=[Kind.SINGLE], status=SurveyStatus.DRAFT, sections=1)
    stale = Survey.objects.get(pk=survey.pk)
    staff_services.publish_survey(survey)
    return survey, stale


@pytest.mark.django_db
def test_state_changes_are_checked_under_the_lock() -> None:
    survey, stale = _published_after_reading()
    with pytest.raises(BuilderError):
        staff_services.publish_survey(stale)  # published meanwhile: not from "published"
    staff_services.close_survey(stale)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED
    empty = make_survey(kinds=[], status=SurveyStatus.DRAFT, sections=1)
    _assert_refused(staff_services.publish_survey, empty, "chưa có câu hỏi", SurveyStatus.DRAFT)


@pytest.mark.django_db
def test_an_edit_saved_from_an_older_page_keeps_the_state() -> None:
    # The edit form was opened, then the survey was published.
    survey, stale = _published_after_reading()
    stale.title = "Tên mới"
    staff_services.update_survey(stale)
    fresh = Survey.objects.get(pk=survey.pk)
    assert (fresh.title, fresh.status) == ("Tên mới", SurveyStatus.PUBLISHED)
    services.submit_response(fresh, valid_answers(fresh), browser_token=TOKEN)
    fresh.one_per = "phone"
    with pytest.raises(BuilderError):
        staff_services.update_survey(fresh)  # answered: the policy stays
    assert Survey.objects.get(pk=survey.pk).one_per == "browser"


@pytest.mark.django_db
def test_back_to_draft_refused_while_a_response_waits_to_be_mixed() -> None:
    survey = make_survey(kinds=[Kind.SINGLE])
    services.submit_response(survey, valid_answers(survey), browser_token=TOKEN)
    assert PendingResponse.objects.filter(survey=survey).count() == 1
    assert staff_services.response_count(survey) == 1
    _assert_refused(
        staff_services.reopen_survey, survey, "đã có 1 phiếu trả lời", SurveyStatus.PUBLISHED
    )


@pytest.mark.django_db
def test_a_response_sent_after_the_reopen_is_refused_and_its_token_given_back() -> None:
    """The respondent pages keep the survey a second in the process: a submit may
    start from a survey that staff have just taken back to draft."""
    survey = make_survey(kinds=[Kind.SINGLE])
    seen_published = Survey.objects.get(pk=survey.pk)
    staff_services.reopen_survey(survey)
    with pytest.raises(ValidationError) as refused:
        services.submit_response(seen_published, valid_answers(survey), browser_token=TOKEN)
    assert refused.value.code == "not_open"
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert not SpentToken.objects.filter(survey=survey).exists()


@pytest.mark.django_db
def test_an_identified_response_sent_after_the_reopen_is_refused() -> None:
    survey = make_survey(mode="identified", one_per="phone", kinds=[Kind.SINGLE])
    seen_published = Survey.objects.get(pk=survey.pk)
    staff_services.reopen_survey(survey)
    identity = {"full_name": "Nguyễn Văn An", "phone": "0912345678", "consent": True}
    with pytest.raises(ValidationError) as refused:
        services.submit_response(seen_published, valid_answers(survey), identity=identity)
    assert refused.value.code == "not_open"
    assert not Response.objects.filter(survey=survey).exists()
    assert not SpentToken.objects.filter(survey=survey).exists()


# --- The reopening race (PostgreSQL) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["anonymous", "identified"])
def test_a_reopen_waits_for_a_response_in_flight_and_refuses(mode: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    survey = make_survey(mode=mode, kinds=[Kind.SINGLE])
    question = survey.questions.get()
    rows = [(question.pk, 1, None, None, "", "", None, None)]
    store = services._store_pending if mode == "anonymous" else services._insert_response
    written, release = threading.Event(), threading.Event()

    def slow_response() -> None:
        with transaction.atomic():
            store(survey, rows)
            written.set()
            release.wait(30)

    writer, _ = in_thread(slow_response)
    assert written.wait(30)
    reopen, outcome = in_thread(lambda: staff_services.reopen_survey(survey))
    reopen.join(0.5)
    assert reopen.is_alive()  # waits for the response in flight
    release.set()
    writer.join(30)
    reopen.join(30)
    assert isinstance(outcome[0], BuilderError), outcome
    assert "đã có 1 phiếu trả lời" in outcome[0].messages[0]
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.PUBLISHED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["anonymous", "identified"])
def test_a_response_arriving_during_a_reopen_waits_and_is_refused(mode: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    survey = make_survey(mode=mode, one_per="phone" if mode == "identified" else "browser")
    seen_published = Survey.objects.get(pk=survey.pk)
    answers = valid_answers(survey)
    identity = {"full_name": "Nguyễn Văn An", "phone": "0912345678", "consent": True}
    reopened, release = threading.Event(), threading.Event()

    def slow_reopen() -> None:
        with transaction.atomic():  # the survey stays locked until the block ends
            staff_services.reopen_survey(survey)
            reopened.set()
            release.wait(30)

    staff, _ = in_thread(slow_reopen)
    assert reopened.wait(30)
    submit, outcome = in_thread(
        lambda: services.submit_response(
            seen_published, answers, browser_token=TOKEN, identity=identity
        )
    )
    submit.join(0.5)
    assert submit.is_alive()  # waits for the reopen
    release.set()
    staff.join(30)
    submit.join(30)
    assert isinstance(outcome[0], ValidationError), outcome
    assert outcome[0].code == "not_open"
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert not Response.objects.filter(survey=survey).exists()


def test_question_form_without_sections_offers_none(staff: Any) -> None:
    from danvan.surveys.forms_question import QuestionForm

    survey = make_survey(kinds=[], units=staff.units, status=SurveyStatus.DRAFT, sections=1)
    survey.sections.all().delete()
    form = QuestionForm(survey=survey)
    assert not form.fields["section"].required
    assert not Question.objects.filter(survey=survey).exists()
