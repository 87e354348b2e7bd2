"""Races on the hot path, with real concurrent transactions (PostgreSQL).

Eight threads start or submit at the same moment (a barrier releases them
together); each thread has its own database connection, closed at the end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from danvan.contests import services, staff_services
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Contest,
    ContestStatus,
    Participant,
    Round,
)
from danvan.contests.services import save_answers, start_attempt, submit_attempt
from danvan.contests.tests.factories import make_participant, make_world, right_answers
from danvan.core.tests.helpers import RACES, in_thread

pytestmark = RACES

N = 8


def race(n: int, prepare: Callable[[int], Any], act: Callable[[Any], Any]) -> list[Any]:
    """Run prepare(i) in n threads, then act(prepared) all at once. Returns each
    thread's result or the exception it raised."""
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            prepared = prepare(i)
            barrier.wait(timeout=20)
            outcomes[i] = act(prepared)
        except BaseException as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcomes


def fetch(rnd_pk: int, person_pk: int) -> tuple[Round, Participant]:
    return (
        Round.objects.select_related("contest").get(pk=rnd_pk),
        Participant.objects.get(pk=person_pk),
    )


@pytest.mark.parametrize("used", [0, 1])
def test_concurrent_starts_make_one_attempt(used: int) -> None:
    """The last allowed attempt, started from 8 windows at once: one attempt,
    which all 8 get."""
    world = make_world(question_count=4, max_attempts=used + 1)
    person = make_participant(world.contest, world.commune)
    for _ in range(used):
        submit_attempt(start_attempt(world.round, person).token, {}, 1)

    outcomes = race(
        N,
        lambda _i: fetch(world.round.pk, person.pk),
        lambda args: start_attempt(*args),
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    started = [o for o in outcomes if isinstance(o, Attempt)]
    # A double tap is not an error: every window gets the one running attempt.
    assert not errors, errors
    assert len(started) == N
    rows = list(Attempt.objects.filter(participant=person, number=used + 1))
    assert len(rows) == 1
    assert Attempt.objects.filter(participant=person).count() == used + 1
    assert {a.token for a in started} == {rows[0].token}
    assert {a.pk for a in started} == {rows[0].pk}


def test_concurrent_submits_score_once() -> None:
    """The same attempt submitted 8 times at once (each with different answers):
    one result is stored, and every call returns it."""
    world = make_world(question_count=8, max_attempts=1)
    person = make_participant(world.contest, world.commune)
    attempt = start_attempt(world.round, person)
    right = list(right_answers(attempt).items())

    outcomes = race(
        N,
        lambda i: (dict(right[:i]), 100 + i),
        lambda args: submit_attempt(attempt.token, *args),
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.counted
    assert {r.attempt.score for r in outcomes} == {attempt.score}
    assert {r.attempt.prediction for r in outcomes} == {attempt.prediction}
    assert {r.attempt.submitted_at for r in outcomes} == {attempt.submitted_at}
    assert attempt.score == attempt.prediction - 100  # one thread's answers, whole
    assert not any(r.late for r in outcomes)
    assert Attempt.objects.filter(participant=person).count() == 1
    assert Attempt.objects.filter(participant=person, counted=True).count() == 1


def test_two_attempts_of_one_person_submitted_together_count_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An expired attempt (never submitted) and the next one, submitted at the
    same moment from two windows: exactly one of them is counted, the better."""
    world = make_world(question_count=12, max_attempts=2)
    person = make_participant(world.contest, world.commune)
    now = timezone.now()
    old = start_attempt(world.round, person, now=now - timedelta(minutes=20))
    save_answers(old, dict(list(right_answers(old).items())[:3]), now=now - timedelta(minutes=19))
    new = start_attempt(world.round, person, now=now)
    assert new.pk != old.pk
    real_bank = services.load_bank

    def slow_bank(contest_id: int, version: Any = None) -> Any:
        time.sleep(0.3)  # widen the window between the row lock and the counting
        return real_bank(contest_id, version)

    monkeypatch.setattr(services, "load_bank", slow_bank)
    answers = dict(list(right_answers(new).items())[:5])
    outcomes = race(
        2,
        lambda i: (old.token, {}) if i == 0 else (new.token, answers),
        lambda args: submit_attempt(args[0], args[1], 7, now=now + timedelta(seconds=5)),
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert [o.late for o in outcomes] == [True, False]
    counted = list(Attempt.objects.filter(participant=person, counted=True))
    assert [(a.pk, a.score) for a in counted] == [(new.pk, 5)]


@pytest.mark.parametrize("other_call", ["start", "submit"])
def test_a_submit_in_progress_does_not_block_other_participants(
    monkeypatch: pytest.MonkeyPatch, other_call: str
) -> None:
    world = make_world(question_count=4, max_attempts=1)
    holder_person, other_person = (make_participant(world.contest, world.commune) for _ in "ab")
    held = start_attempt(world.round, holder_person)
    other_attempt = start_attempt(world.round, other_person) if other_call == "submit" else None
    newcomer = make_participant(world.contest, world.commune)
    entered, release = threading.Event(), threading.Event()
    real_bank = services.load_bank

    def paused_bank(contest_id: int, version: Any = None) -> Any:
        if threading.current_thread().name == "holder":
            entered.set()  # the holder's participant row (and more?) is locked now
            release.wait(timeout=20)
        return real_bank(contest_id, version)

    monkeypatch.setattr(services, "load_bank", paused_bank)

    def hold() -> None:
        try:
            submit_attempt(held.token, {}, 1)
        finally:
            connection.close()

    holder = threading.Thread(target=hold, name="holder")
    holder.start()
    try:
        assert entered.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            if other_attempt is not None:
                submit_attempt(other_attempt.token, {}, 2)
            else:
                start_attempt(fetch(world.round.pk, newcomer.pk)[0], newcomer)
    finally:
        release.set()
        holder.join(timeout=20)
    assert Attempt.objects.filter(status=AttemptStatus.SUBMITTED).count() == (
        2 if other_call == "submit" else 1
    )


# --- Staff status changes -------------------------------------------------------------------


def hold_contest_lock(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the thread named "holder" pause once it holds a contest's row lock:
    `entered` is set then, and it goes on when `release` is."""
    entered, release = threading.Event(), threading.Event()
    real_lock = staff_services.lock_contest

    def paused_lock(contest_id: int) -> Contest:
        contest = real_lock(contest_id)
        if threading.current_thread().name == "holder":
            entered.set()
            release.wait(timeout=20)
        return contest

    monkeypatch.setattr(staff_services, "lock_contest", paused_lock)
    return entered, release


def test_a_status_change_holds_the_contest_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """One officer archives a draft while another publishes it: the publish waits
    for the archive to commit, then finds the contest archived and is refused
    (unlocked, it read the draft and published it over the archive, reporting
    success)."""
    world = make_world(status=ContestStatus.DRAFT)
    pk = world.contest.pk
    entered, release = hold_contest_lock(monkeypatch)
    holder, _ = in_thread(
        lambda: staff_services.archive_contest(Contest.objects.get(pk=pk)), "holder"
    )
    try:
        assert entered.wait(timeout=20)
        other, outcome = in_thread(
            lambda: staff_services.publish_contest(Contest.objects.get(pk=pk)), "other"
        )
        other.join(timeout=0.5)
        assert other.is_alive(), outcome  # waiting for the contest row
    finally:
        release.set()
        holder.join(timeout=20)
    other.join(timeout=20)
    assert isinstance(outcome[0], ValidationError), outcome
    assert outcome[0].messages == ["Cuộc thi đang ở trạng thái “Đã lưu trữ”."]
    assert Contest.objects.get(pk=pk).status == ContestStatus.ARCHIVED


def test_a_status_change_does_not_hold_up_participants(monkeypatch: pytest.MonkeyPatch) -> None:
    """The contest row is locked FOR NO KEY UPDATE: registering (an insert that
    refers to the contest) and starting go on while a status change is pending."""
    world = make_world()
    person = make_participant(world.contest, world.commune)
    entered, release = hold_contest_lock(monkeypatch)
    holder, _ = in_thread(
        lambda: staff_services.archive_contest(Contest.objects.get(pk=world.contest.pk)), "holder"
    )
    try:
        assert entered.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            make_participant(world.contest, world.commune)
            start_attempt(*fetch(world.round.pk, person.pk))
    finally:
        release.set()
        holder.join(timeout=20)
    assert Attempt.objects.filter(participant=person).count() == 1
    assert Contest.objects.get(pk=world.contest.pk).status == ContestStatus.ARCHIVED
