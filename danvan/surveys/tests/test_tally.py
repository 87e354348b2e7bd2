"""The results tally (danvan.surveys.tally): the unfiltered results read from it
equal a recount from the raw answers and the plain GROUP BY, also for answers
that arrive after a tally was made; it reads only the new answers; deleted
responses and questions; no time of day kept; the PostgreSQL write barrier;
and bounds on the statements of a submit and of the results page."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from django.db import connection, connections, models, transaction
from django.test import Client
from django.urls import reverse

from danvan.core.models import Role
from danvan.core.tests.factories import make_staff
from danvan.core.tests.helpers import statements_run
from danvan.surveys import mixing, result_types, results, services, tally
from danvan.surveys import recount as group_by
from danvan.surveys.models import (
    Answer,
    Kind,
    Question,
    Response,
    Survey,
    Tally,
    TallyPart,
    TallyState,
)
from danvan.surveys.services import _insert_response, submit_response
from danvan.surveys.tests.factories import Units, make_survey, valid_answers
from danvan.surveys.tests.test_public import form_values
from danvan.surveys.tests.test_results import (
    PEOPLE,
    assert_matches_recount,
    empty_caches,
    q,
    recount,
    row_answers,
    submit,
)
from danvan.surveys.tests.test_results import survey as survey

pytestmark = pytest.mark.django_db


def fresh(survey: Survey) -> result_types.SurveyResults:
    """The unfiltered results with the cache emptied: from the tally."""
    empty_caches()
    found = results.survey_results(survey)
    assert found.tallied
    return found


def plain(survey: Survey) -> result_types.SurveyResults:
    """The same results counted without the tally (GROUP BY on every answer)."""
    return group_by.recount(survey, None, None, None)


def counts_of(found: result_types.SurveyResults, question_id: int) -> dict[str, int]:
    r = next(r for r in found if r.question_id == question_id)
    return {o.label: o.count for o in r.options}


def assert_same(a: result_types.SurveyResults, b: result_types.SurveyResults) -> None:
    assert a.total == b.total
    assert a.area_ids == b.area_ids
    assert a.unit_choices == b.unit_choices
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.question_id, x.answered, x.text_count) == (
            y.question_id,
            y.answered,
            y.text_count,
        )
        assert [(o.label, o.count) for o in x.options] == [(o.label, o.count) for o in y.options]
        assert [o.percent for o in x.options] == pytest.approx([o.percent for o in y.options])
        assert x.average == pytest.approx(y.average)
        assert [(g.label, g.counts, g.answered) for g in x.grid] == [
            (g.label, g.counts, g.answered) for g in y.grid
        ]
        if y.numbers is not None:
            assert x.numbers is not None
            assert x.numbers.count == y.numbers.count
            assert x.numbers.mean == pytest.approx(y.numbers.mean)
            assert (x.numbers.minimum, x.numbers.maximum) == (y.numbers.minimum, y.numbers.maximum)
            assert x.numbers.median == pytest.approx(y.numbers.median)
        assert sorted(x.texts) == sorted(y.texts)


def test_tally_equals_a_recount_and_the_plain_group_by(survey: Survey) -> None:
    found = fresh(survey)
    assert_matches_recount(survey, found, recount(survey))
    assert_same(found, plain(survey))
    assert TallyState.objects.get(survey=survey).watermark == max(
        Answer.objects.values_list("id", flat=True)
    )


def test_answers_arriving_after_a_tally_are_counted(survey: Survey) -> None:
    fresh(survey)
    before = TallyState.objects.get(survey=survey).watermark
    number = q(survey, Kind.NUMBER).pk
    for row in PEOPLE[:5]:
        answers = row_answers(survey, row)
        answers[number] = (answers[number] or 0) + 13  # new values
        submit(survey, answers)
    submit(survey, {})  # a response that answers nothing still counts
    found = fresh(survey)
    assert found.total == 18
    assert_matches_recount(survey, found, recount(survey))
    assert_same(found, plain(survey))
    assert TallyState.objects.get(survey=survey).watermark > before
    # Nothing new: the same figures again.
    assert_same(fresh(survey), found)


def test_a_refresh_reads_only_the_new_answers(survey: Survey) -> None:
    fresh(survey)
    single = q(survey, Kind.SINGLE)
    # Rewrite answers already counted (the app never does): the tally does not see it...
    Answer.objects.filter(question=single).update(choice=2)
    submit(survey, {single.pk: 0})
    assert (
        counts_of(fresh(survey), single.pk)["Loa phát thanh của ấp"] == 5
    )  # 4 counted before + the new one
    # ... until the tally is forgotten and counted again from the start.
    tally.forget(survey)
    found = fresh(survey)
    assert counts_of(found, single.pk)["Loa phát thanh của ấp"] == 1
    assert_matches_recount(survey, found, recount(survey))


def test_deleted_responses_are_uncounted_once_the_tally_is_forgotten(survey: Survey) -> None:
    fresh(survey)
    gone = list(Response.objects.filter(survey=survey).values_list("pk", flat=True)[:3])
    Response.objects.filter(pk__in=gone).delete()
    tally.forget(survey)
    found = fresh(survey)
    assert found.total == 9
    assert_matches_recount(survey, found, recount(survey))
    assert_same(found, plain(survey))


def test_a_deleted_question_takes_its_tally_with_it(survey: Survey) -> None:
    fresh(survey)
    grid = q(survey, Kind.GRID)
    grid_id = grid.pk
    assert Tally.objects.filter(question_id=grid_id).exists()
    grid.delete()
    assert not Tally.objects.filter(question_id=grid_id).exists()
    found = fresh(survey)
    assert grid_id not in {r.question_id for r in found}
    assert_matches_recount(survey, found, recount(survey))


def test_days_that_can_no_longer_change_are_settled(survey: Survey) -> None:
    fresh(survey)
    older = sum(1 for row in PEOPLE if row[9] >= tally.SETTLE_DAYS)
    assert tally.total_settled(survey) == older
    assert Tally.objects.filter(survey=survey, part=TallyPart.DAY).count() == len(
        {row[9] for row in PEOPLE if row[9] >= tally.SETTLE_DAYS}
    )
    submit(survey, {q(survey, Kind.SINGLE).pk: 1})
    assert fresh(survey).total == 13
    assert tally.total_settled(survey) == older


def test_the_tally_keeps_no_time_and_no_link_to_responses() -> None:
    for model in (Tally, TallyState):
        for f in model._meta.get_fields():
            assert f.related_model not in (Response, Answer), f"{model.__name__}.{f.name}"
            assert not isinstance(f, models.DateTimeField | models.TimeField), (
                f"{model.__name__}.{f.name} records a time of day"
            )


def test_filtered_results_are_added_up_from_the_slices(survey: Survey, units: Units) -> None:
    found = results.survey_results(survey, area=units.hamlet)
    assert found.tallied
    assert found.total == 7
    # The same refresh as the unfiltered page: one watermark for both.
    assert TallyState.objects.get(survey=survey).watermark == Answer.objects.order_by("-id")[0].pk


# --- The write barrier (PostgreSQL) ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_response_being_written_is_waited_for_not_skipped() -> None:
    """A refresh reads the top answer id only when no response of the survey is
    in flight: an answer with a lower id committing later would be missed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    s = make_survey(kinds=[Kind.SINGLE])
    single = s.questions.get()
    written = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                _insert_response(s, [(single.pk, 1, None, None, "", "", None, None)])
                written.set()
                release.wait(30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert written.wait(30)
    _insert_response(s, [(single.pk, 0, None, None, "", "", None, None)])  # commits first
    refreshed: list[tally.Counts] = []

    def refresher() -> None:
        try:
            refreshed.append(tally.refresh(s, [single.pk]))
        finally:
            connections.close_all()

    reader = threading.Thread(target=refresher)
    reader.start()
    reader.join(0.5)
    assert reader.is_alive()  # waiting for the response in flight
    release.set()
    writer.join(30)
    reader.join(30)
    counts = refreshed[0]
    assert counts.total == 2
    assert counts.answered[single.pk] == 2
    assert counts.values[single.pk] == {
        (None, 0, None, None, None): 1,
        (None, 1, None, None, None): 1,
    }


# --- Statements of a submit and of the results page -----------------------------------


def test_a_submit_takes_few_statements(django_assert_max_num_queries: Any) -> None:
    s = make_survey(one_section_per_page=False)
    data: dict[str, Any] = {"action": "submit"}
    for values in form_values(s).values():
        data.update(values)
    url = reverse("surveys:page", kwargs={"slug": s.slug, "n": 1})
    first = Client()
    assert first.get(s.get_absolute_url()).status_code == 200  # the browser's cookie
    assert first.post(url, data).status_code == 302  # reads the questions and units once
    client = Client()
    assert client.get(s.get_absolute_url()).status_code == 200
    # The spent token (its own transaction), then the pending response with its
    # answers (one statement, its own transaction). The survey (a second), its
    # questions and its units come from the process.
    with django_assert_max_num_queries(8) as done:
        response = client.post(url, data)
    statements = [x["sql"] for x in done.captured_queries if "SAVEPOINT" not in x["sql"]]
    assert len(statements) == 2, statements
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[s.slug])
    assert mixing.mix(s, release_all=True) == 2
    assert Answer.objects.filter(response__survey=s).count() == 2 * 13
    # The same browser again: refused by the spent token, and nothing written.
    with django_assert_max_num_queries(1):
        assert client.post(url, data).status_code == 409
    assert Response.objects.filter(survey=s).count() == 2
    assert Answer.objects.filter(response__survey=s).count() == 2 * 13


def test_a_changed_question_is_never_served_from_the_process() -> None:
    """The questions kept in the process are keyed by the survey's revision, which
    the database raises on any change of a section or question, however made."""
    s = make_survey(one_section_per_page=False)
    survey = Survey.objects.get(pk=s.pk)
    before = services.survey_questions(survey)
    assert services.survey_questions(Survey.objects.get(pk=s.pk)) is before
    question = before[0]
    Question.objects.filter(pk=question.pk).update(text="Câu hỏi đã sửa")  # no signal
    fresh = Survey.objects.get(pk=s.pk)
    assert fresh.revision > survey.revision
    assert services.survey_questions(fresh)[0].text == "Câu hỏi đã sửa"
    # A survey saved from an object loaded before the change keeps the new revision.
    survey.title = "Tên mới"
    survey.save()
    assert Survey.objects.get(pk=s.pk).revision == fresh.revision
    revision = fresh.revision
    Question.objects.filter(pk=question.pk).delete()
    assert Survey.objects.get(pk=s.pk).revision > revision
    remaining = services.survey_questions(Survey.objects.get(pk=s.pk))
    assert question.pk not in {q.pk for q in remaining}


def test_the_results_page_takes_few_statements(
    survey: Survey, units: Units, client: Any, django_assert_max_num_queries: Any
) -> None:
    officer = make_staff("ketqua.dem", Role.BOARD_ADMIN, area=units.province)
    client.force_login(officer)
    url = reverse("surveys_results:results", args=[survey.pk])
    client.get(url)  # the session, the scope, the tally
    with django_assert_max_num_queries(6) as cached:
        assert client.get(url).context["results"].total == 12
    for _ in range(30):
        submit(survey, valid_answers(survey))
    with django_assert_max_num_queries(len(cached.captured_queries)):
        assert client.get(url).context["results"].total == 12  # cached (< 3 s)
    empty_caches()
    # 40: the page, and the tally and its slices brought up to date (13 statements
    # for the slices, whatever the number of answers: `slices.add`).
    with django_assert_max_num_queries(40):
        assert client.get(url).context["results"].total == 42


@pytest.mark.django_db(transaction=True)
def test_a_response_commits_without_waiting_for_the_disk_and_leaves_the_setting() -> None:
    """Each of the two transactions of a submit sets synchronous_commit off for
    itself only (SURVEY_ASYNC_COMMIT): the connection's own setting is untouched."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    s = make_survey(kinds=[Kind.SINGLE, Kind.SHORT_TEXT])
    single, text = s.questions.order_by("position")
    with statements_run() as seen:
        submit_response(
            s, {single.pk: 1, text.pk: "Ý kiến ‘=1+1’"}, browser_token=secrets.token_urlsafe(24)
        )
    writes = [sql for sql in seen if sql.lstrip().upper().startswith(("INSERT", "WITH"))]
    assert len(writes) == 2
    assert all("set_config('synchronous_commit', 'off', true)" in sql for sql in writes)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    mixing.mix(s, release_all=True)
    stored = Answer.objects.filter(response__survey=s).order_by("question__position")
    assert [(a.choice, a.text) for a in stored] == [(1, ""), (None, "Ý kiến ‘=1+1’")]
