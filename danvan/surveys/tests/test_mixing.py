"""The arrival order of anonymous responses cannot be recovered (issue 8).

The attack: sort the responses of an anonymous survey by their smallest answer
id, by their row's place in storage (PostgreSQL's ctid, SQLite's rowid) or by
the transaction that wrote them (xmin), and pair the n-th with the n-th
thank-you request of the web server's access log: each response gets its
sender's address, browser and second. The defence: responses wait in a
holding table and are written in batches of at least K, in a random order, by
one transaction (danvan.surveys.mixing); the respondent's session goes with the
send. These tests send real responses through the public pages, run the
mixing and then read everything an administrator could read."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.surveys import results, tally
from danvan.surveys.models import Answer, Kind, Mode, OnePer, Response, Survey
from danvan.surveys.tests.factories import make_survey
from danvan.surveys.tests.test_anonymity import staff_client, tables_holding
from danvan.surveys.tests.test_results import empty_caches

K = 10
BATCH = 50  # arrivals between two runs of the mixing


def marker(i: int) -> str:
    return f"Phiếu đánh dấu số {i:03d}"


def marker_number(text: str) -> int:
    return int(text.rsplit(" ", 1)[1])


class Sender:
    """Respondents going through the public pages one after another, each from
    its own browser and address; `log` is the web server's access log as an
    administrator would read it: one line per thank-you page, in order."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.question = survey.questions.get()
        self.log: list[tuple[str, str]] = []
        self.session_keys: list[str] = []
        self.sent = 0

    def send(self) -> None:
        i = self.sent
        address = f"198.51.{i // 200}.{i % 200 + 1}"
        client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Trình duyệt {i}")
        take = self.survey.get_absolute_url()
        assert client.get(take).status_code == 200
        assert client.post(take, {}).status_code == 302
        self.session_keys.append(client.cookies[django_settings.SESSION_COOKIE_NAME].value)
        page = reverse("surveys:page", args=[self.survey.slug, 1])
        data = {"action": "submit", f"q{self.question.pk}": marker(i)}
        response = client.post(page, data)
        thanks = reverse("surveys:thanks", args=[self.survey.slug])
        assert response.status_code == 302 and response["Location"] == thanks
        assert client.get(thanks).status_code == 200
        self.log.append((address, thanks))  # the n-th thank-you line is marker n
        self.sent += 1


def survey_with_marker() -> Survey:
    return make_survey(
        mode=Mode.ANONYMOUS, one_per=OnePer.BROWSER, kinds=[Kind.SHORT_TEXT], sections=1
    )


def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def response_key(value: Any) -> str:
    """A response id as text, whatever the backend returns (SQLite: 32 hex digits)."""
    return str(value).replace("-", "")


class Stored:
    """What an administrator reads from the tables of one survey."""

    def __init__(self, survey: Survey) -> None:
        pg = connection.vendor == "postgresql"
        place = "ctid" if pg else "rowid"
        self.marker: dict[str, int] = {
            response_key(r): marker_number(t)
            for r, t in rows(
                "SELECT a.response_id, a.text FROM surveys_answer a "
                "JOIN surveys_response r ON r.id = a.response_id WHERE r.survey_id = %s",
                [survey.pk],
            )
        }
        self.day = {
            response_key(r): d
            for r, d in rows(
                "SELECT id, received_on FROM surveys_response WHERE survey_id = %s", [survey.pk]
            )
        }
        # Orders an administrator can sort by.
        by_answer_id = rows(
            "SELECT a.response_id FROM surveys_answer a JOIN surveys_response r "
            "ON r.id = a.response_id WHERE r.survey_id = %s "
            "GROUP BY a.response_id ORDER BY MIN(a.id)",
            [survey.pk],
        )
        by_response_place = rows(
            f"SELECT id FROM surveys_response WHERE survey_id = %s ORDER BY {place}", [survey.pk]
        )
        by_answer_place = rows(
            f"SELECT a.response_id FROM surveys_answer a JOIN surveys_response r "
            f"ON r.id = a.response_id WHERE r.survey_id = %s ORDER BY a.{place}",
            [survey.pk],
        )
        self.orders = {
            "smallest answer id": [self.marker[response_key(r)] for (r,) in by_answer_id],
            f"response {place}": [self.marker[response_key(r)] for (r,) in by_response_place],
            f"answer {place}": [self.marker[response_key(r)] for (r,) in by_answer_place],
        }
        self.xmin: dict[str, set[str]] = defaultdict(set)
        if pg:
            for r, x in rows(
                "SELECT id, xmin::text FROM surveys_response WHERE survey_id = %s", [survey.pk]
            ):
                self.xmin[response_key(r)].add(x)
            for r, x in rows(
                "SELECT a.response_id, a.xmin::text FROM surveys_answer a "
                "JOIN surveys_response r ON r.id = a.response_id WHERE r.survey_id = %s",
                [survey.pk],
            ):
                self.xmin[response_key(r)].add(x)

    def of_batch(self, order: list[int], batch: range) -> list[int]:
        return [m for m in order if m in batch]


def mix_run(expect_vacuum: bool = True) -> str:
    """The nightly command (the task at the end of a window does the same mix)."""
    out = StringIO()
    with CaptureQueriesContext(connection) as done:
        call_command("shuffle_survey_guards", stdout=out)
    if connection.vendor == "postgresql" and expect_vacuum:
        # The dead images of the pending rows go at once, not at the next autovacuum.
        assert any(q["sql"].startswith("VACUUM") for q in done.captured_queries)
    return out.getvalue()


def total_shown(survey: Survey) -> int:
    empty_caches()
    return results.survey_results(survey).total


@pytest.mark.django_db(transaction=True)  # each request and each mix commits, as in real use
def test_arrival_order_cannot_be_recovered_from_the_tables_or_the_sessions(settings: Any) -> None:
    settings.SURVEY_MIX_BATCH = K
    settings.SURVEY_MIX_MINUTES = 10
    cache.clear()
    survey = survey_with_marker()
    sender = Sender(survey)
    batches = [range(0, BATCH), range(BATCH, 2 * BATCH)]

    for batch in batches:
        for _ in batch:
            sender.send()
        # Sent but not yet mixed: not in the results, nor in the responses.
        assert total_shown(survey) == batches.index(batch) * BATCH
        mix_run()
        assert total_shown(survey) == batch.stop

    stored = Stored(survey)
    assert sorted(stored.marker.values()) == list(range(2 * BATCH))
    arrival = list(range(2 * BATCH))
    assert sender.log and len(sender.log) == len(arrival)
    for batch in batches:
        members = [r for r, m in stored.marker.items() if m in batch]
        assert len(members) >= K
        # One day for the whole batch: the day says nothing about the order inside it.
        assert len({stored.day[r] for r in members}) == 1
        if connection.vendor == "postgresql":
            # One transaction wrote every row of the batch, responses and answers.
            assert len(set().union(*(stored.xmin[r] for r in members))) == 1
        for name, order in stored.orders.items():
            inside = stored.of_batch(order, batch)
            assert sorted(inside) == list(batch)
            # Pairing the n-th thank-you line of the batch with the n-th response
            # in this order: a random order, not the order of arrival.
            assert inside != list(batch), f"the {name} gives the order of arrival"
            paired = sum(1 for n, m in enumerate(inside) if m == batch[n])
            assert paired <= len(batch) // 2, f"the {name} pairs {paired} of {len(batch)}"
    if connection.vendor == "postgresql":
        xmins = [stored.xmin[r] for r in stored.marker]
        assert len(set().union(*xmins)) == len(batches)

    # The answers are in the answers table only (nothing left in the holding table).
    assert tables_holding(marker(7)) == {"surveys_answer"}
    # No session of any respondent is left, in the database or in the cache.
    assert rows("SELECT COUNT(*) FROM django_session", []) == [(0,)]
    for key in sender.session_keys:
        assert cache.get(KEY_PREFIX + key) is None

    # Fewer than K waiting while the survey runs: they wait for more.
    for _ in range(K - 1):
        sender.send()
    mix_run(expect_vacuum=False)
    assert total_shown(survey) == 2 * BATCH
    # Closing the survey releases them, however few (the immediate task backend
    # of the tests runs the release at once).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert staff_client(survey).post(reverse("surveys_staff:survey_close", args=[survey.pk]))
    assert total_shown(survey) == 2 * BATCH + K - 1


@pytest.mark.django_db(transaction=True)
def test_the_tally_counts_the_pending_responses_once_mixed(settings: Any) -> None:
    """Results before the mix do not count the pending responses; after it the
    tally equals a recount of the stored answers, then keeps counting."""
    settings.SURVEY_MIX_BATCH = K
    survey = survey_with_marker()
    question = survey.questions.get()
    sender = Sender(survey)
    for _ in range(K + 3):
        sender.send()
    counts = tally.refresh(survey, [question.pk])  # the tally, before the window ends
    assert counts.total == 0 and not counts.answered
    assert total_shown(survey) == 0
    mix_run()
    for _ in range(K):
        sender.send()
    mix_run()
    counts = tally.refresh(survey, [question.pk])
    stored = Answer.objects.filter(question=question)
    assert counts.total == Response.objects.filter(survey=survey).count() == 2 * K + 3
    assert counts.answered[question.pk] == stored.values("response").distinct().count()
    assert counts.written[question.pk] == stored.count() == 2 * K + 3
    assert total_shown(survey) == 2 * K + 3


@pytest.mark.django_db
def test_a_mix_is_queued_at_the_end_of_each_window_and_waits_for_k(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The first pending response of a window queues one mix for the end of the
    window; the mix releases nothing while fewer than K wait and the survey
    runs, everything once it no longer takes responses."""
    from datetime import UTC, datetime

    from danvan.surveys import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SURVEY_MIX_MINUTES = 10
    settings.SURVEY_MIX_BATCH = 3
    tasks.forget_windows()
    cache.clear()
    backend = tasks.mix_task.get_backend()
    survey = survey_with_marker()
    start = 1_800_000_000.0  # the start of a 10-minute window
    assert start % 600 == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.response_pending(survey.pk, now=start + 5) is True
        assert tasks.response_pending(survey.pk, now=start + 590) is False
        assert tasks.response_pending(survey.pk, now=start + 601) is True
    assert [r.task.func for r in backend.results] == [tasks.mix_task.func] * 2
    assert [r.task.run_after for r in backend.results] == [
        datetime.fromtimestamp(start + 610, tz=UTC),
        datetime.fromtimestamp(start + 1210, tz=UTC),
    ]

    sender = Sender(survey)
    for _ in range(2):
        sender.send()
    assert tasks.mix_task.func(survey.pk) == 0  # 2 < K: they wait
    sender.send()
    assert tasks.mix_task.func(survey.pk) == 3
    sender.send()
    Survey.objects.filter(pk=survey.pk).update(status="closed")
    assert tasks.mix_task.func(survey.pk) == 1  # closed: released, however few
    assert Response.objects.filter(survey=survey).count() == 4
    assert tasks.mix_task.func(10**9) == 0  # a survey deleted meanwhile


@pytest.mark.django_db
def test_staff_pages_say_how_many_wait_and_that_results_lag(settings: Any) -> None:
    settings.SURVEY_MIX_BATCH = K
    survey = survey_with_marker()
    sender = Sender(survey)
    for _ in range(3):
        sender.send()
    staff = staff_client(survey)
    results_page = staff.get(reverse("surveys_results:results", args=[survey.pk]))
    text = results_page.content.decode()
    assert "lúc này có 3 phiếu đang chờ trộn, chưa tính" in text
    assert f"ít nhất {K} phiếu" in text and "chậm hơn tối đa 10 phút" in text
    detail = staff.get(reverse("surveys_staff:survey_detail", args=[survey.pk])).content.decode()
    assert "(và 3 phiếu đang chờ trộn)" in detail
    # Before publishing, staff read the rule (K and the window).
    draft = make_survey(kinds=[Kind.SHORT_TEXT], sections=1, status="draft")
    Survey.objects.filter(pk=draft.pk).update(organization=survey.organization)
    page = staff.get(reverse("surveys_staff:survey_publish", args=[draft.pk])).content.decode()
    assert f"ít nhất {K} phiếu" in page and "10 phút" in page
    # Taking the survey back to draft is refused while responses wait.
    reopen = staff.get(reverse("surveys_staff:survey_reopen", args=[survey.pk])).content.decode()
    assert "đã có 3 phiếu trả lời" in reopen
