"""Closing a round (danvan.contests.closing): finalising, the prediction answer,
ranking, individual and collective prizes, publishing, overall prizes, the job."""

from __future__ import annotations

import random
import secrets
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from danvan.contests import closing
from danvan.contests.bank import ContestError
from danvan.contests.closing import (
    MSG_CLOSED,
    MSG_NOT_ENDED,
    MSG_PUBLISHED,
    award_overall,
    close_round,
    publish_round,
)
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    CollectiveBasis,
    Counting,
    Prediction,
    Prize,
    PrizeKind,
    Round,
    RoundStatus,
)
from danvan.contests.services import save_answers, start_attempt, submit_attempt
from danvan.contests.tests.factories import make_participant, make_world, right_answers
from danvan.core import jobs
from danvan.core.masking import mask_name
from danvan.core.models import AreaKind, Job, JobStatus, Role
from danvan.core.services import add_area
from danvan.core.tests.factories import make_org, make_period, make_staff, set_members


@pytest.fixture
def world(db: Any) -> Any:
    return make_world(question_count=10, max_attempts=3)


def after_close(rnd: Round, minutes: int = 1) -> Any:
    return rnd.closes_at + timedelta(minutes=minutes)


def finished(
    rnd: Round,
    person: Any,
    score: int,
    *,
    prediction: int | None = 1,
    seconds: int = 60,
    at: int = 0,
    number: int = 1,
    counted: bool = True,
    status: str = AttemptStatus.SUBMITTED,
) -> Attempt:
    """A finished attempt, written directly: submitted `at` minutes after opening."""
    submitted = rnd.opens_at + timedelta(minutes=10 + at)
    started = submitted - timedelta(seconds=seconds)
    return Attempt.objects.create(
        round=rnd,
        participant=person,
        number=number,
        token=secrets.token_urlsafe(12),
        started_at=started,
        deadline=started + timedelta(seconds=rnd.time_limit_seconds),
        submitted_at=submitted,
        paper=[],
        prediction=prediction,
        status=status,
        score=score,
        duration_ms=seconds * 1000,
        counted=counted,
    )


def people(world: Any, n: int, area: Any = None, **fields: Any) -> list[Any]:
    return [make_participant(world.contest, area or world.hamlet, **fields) for _ in range(n)]


def ranks(rnd: Round) -> list[int]:
    """Attempt pks in rank order."""
    return list(
        Attempt.objects.filter(round=rnd, rank__isnull=False)
        .order_by("rank")
        .values_list("pk", flat=True)
    )


# --- Ranking -----------------------------------------------------------------------


def tie_case(world: Any) -> dict[str, Attempt]:
    """Six participants: the prediction answer (participants) is 6."""
    rnd = world.round
    a, b, c, d, e, f = people(world, 6)
    return {
        "A": finished(rnd, a, 10, prediction=6, seconds=300, at=5),
        "B": finished(rnd, b, 10, prediction=8, seconds=100, at=4),
        "C": finished(rnd, c, 10, prediction=4, seconds=100, at=3),  # like B, earlier
        "D": finished(rnd, d, 10, prediction=4, seconds=200, at=1),
        "E": finished(rnd, e, 9, prediction=6, seconds=10, at=0),
        "F": finished(rnd, f, 9, prediction=None, seconds=10, at=0),
        "A2": finished(rnd, a, 10, prediction=6, seconds=5, number=2, counted=False, at=6),
    }


def test_ranking_breaks_ties_by_prediction_duration_submission(world: Any) -> None:
    case = tie_case(world)
    summary = close_round(world.round, now=after_close(world.round))
    assert summary.actual_value == 6
    assert summary.participants == 6
    assert summary.attempts == 7
    assert summary.ranked == 6
    assert ranks(world.round) == [case[k].pk for k in "ACBDEF"]
    assert [Attempt.objects.get(pk=case[k].pk).rank for k in "ACBDEF"] == [1, 2, 3, 4, 5, 6]
    assert Attempt.objects.get(pk=case["A2"].pk).rank is None  # the uncounted attempt has no rank
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.CLOSED
    assert world.round.actual_value == 6
    assert world.round.closed_at == after_close(world.round)


def test_ranking_follows_the_rounds_tie_break_order(world: Any) -> None:
    Round.objects.filter(pk=world.round.pk).update(tie_break="score,duration,prediction,submitted")
    world.round.refresh_from_db()
    case = tie_case(world)
    close_round(world.round, now=after_close(world.round))
    assert ranks(world.round) == [case[k].pk for k in "CBDAEF"]


@pytest.mark.parametrize(
    ("prediction", "actual"),
    [
        (Prediction.PARTICIPANTS, 3),
        (Prediction.ATTEMPTS, 5),  # submitted + expired, counted or not
        (Prediction.PERFECT, 2),
        (Prediction.NONE, None),
    ],
)
def test_the_prediction_answer(world: Any, prediction: str, actual: int | None) -> None:
    Round.objects.filter(pk=world.round.pk).update(prediction=prediction)
    world.round.refresh_from_db()
    rnd = world.round
    p1, p2, p3 = people(world, 3)
    finished(rnd, p1, 10)
    finished(rnd, p1, 10, number=2, counted=False)
    finished(rnd, p2, 4, number=1, counted=False)
    finished(rnd, p2, 10, number=2, status=AttemptStatus.EXPIRED)
    finished(rnd, p3, 9)
    summary = close_round(rnd, now=after_close(rnd))
    assert summary.actual_value == actual
    assert (summary.participants, summary.attempts, summary.perfect) == (3, 5, 2)
    rnd.refresh_from_db()
    assert rnd.actual_value == actual


def test_ranks_are_written_in_batches(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(closing, "BATCH", 3)
    rnd = world.round
    made = [finished(rnd, p, score) for p, score in zip(people(world, 8), range(8), strict=True)]
    calls: list[tuple[int, int, str]] = []
    close_round(rnd, now=after_close(rnd), progress=lambda d, t, m="": calls.append((d, t, m)))
    assert ranks(rnd) == [a.pk for a in reversed(made)]
    ranking = [(d, t) for d, t, m in calls if m.startswith("Đã xếp hạng")]
    assert ranking == [(3, 8), (6, 8), (8, 8)]
    assert all(d <= t for d, t, _m in calls)


# --- Finalising attempts in progress ------------------------------------------------


def test_attempts_in_progress_are_finalised_from_saved_answers(world: Any) -> None:
    rnd = Round.objects.select_related("contest").get(pk=world.round.pk)
    t0 = rnd.closes_at - timedelta(minutes=3)  # the deadline is the round's end
    early, late = people(world, 2)
    t_first = t0 - timedelta(hours=1)
    first = start_attempt(rnd, early, now=t_first)
    two_right = dict(list(right_answers(first).items())[:2])
    submit_attempt(first.token, two_right, 5, now=t_first + timedelta(minutes=1))
    second = start_attempt(rnd, early, now=t0)
    save_answers(second, dict(list(right_answers(second).items())[:7]), now=t0)
    untouched = start_attempt(rnd, late, now=t0)
    assert second.deadline == rnd.closes_at

    with pytest.raises(ContestError):  # a submit may still arrive within the grace
        close_round(rnd, now=rnd.closes_at)
    summary = close_round(rnd, now=rnd.closes_at + timedelta(seconds=rnd.grace_seconds))
    assert summary.finalized == 2
    second.refresh_from_db()
    untouched.refresh_from_db()
    assert second.status == untouched.status == AttemptStatus.EXPIRED
    assert (second.score, untouched.score) == (7, 0)
    assert second.submitted_at == rnd.closes_at
    # Counting "best": the expired attempt with 7 right beats the submitted one with 2.
    assert list(
        Attempt.objects.filter(participant=early, counted=True).values_list("pk", flat=True)
    ) == [second.pk]
    assert untouched.counted
    assert not Attempt.objects.filter(round=rnd, status=AttemptStatus.IN_PROGRESS).exists()
    assert ranks(rnd) == [second.pk, untouched.pk]


def abandoned_world(world: Any, counting: str, seed: int) -> Round:
    """Participants with 1-4 attempts each: some submitted, some abandoned with
    answers saved (deadline passed), some still running when the round ends."""
    Round.objects.filter(pk=world.round.pk).update(counting=counting, max_attempts=4)
    rnd = Round.objects.select_related("contest").get(pk=world.round.pk)
    rng = random.Random(seed)
    limit = timedelta(seconds=rnd.time_limit_seconds)
    for _ in range(10):
        person = make_participant(world.contest, world.hamlet)
        at = rnd.opens_at + timedelta(seconds=rng.randint(0, 3600))
        for _n in range(rng.randint(1, 4)):
            if rng.random() < 0.2:  # started shortly before the end: a shorter deadline
                at = max(at, rnd.closes_at - timedelta(seconds=rng.randint(30, 500)))
            attempt = start_attempt(rnd, person, now=at)
            right = list(right_answers(attempt).items())
            # Few distinct scores, so that ties (same score, same time) happen.
            saved = dict(rng.sample(right, rng.choice([0, 1, 1, len(right)])))
            save_answers(attempt, saved, now=at + timedelta(seconds=20))
            if rng.random() < 0.4:
                sent = dict(rng.sample(right, rng.choice([0, 1, len(right)])))
                took = timedelta(seconds=rng.choice([200, rnd.time_limit_seconds]))
                submit_attempt(attempt.token, sent, rng.randint(0, 99), now=at + took)
            if at >= rnd.closes_at - limit:
                break
            at = attempt.deadline + timedelta(seconds=rng.randint(20, 5000))
    return rnd


def snapshot(rnd: Round) -> dict[int, tuple[Any, ...]]:
    return {
        a.pk: (a.status, a.score, a.duration_ms, a.submitted_at, a.counted, a.answers)
        for a in Attempt.objects.filter(round=rnd)
    }


@pytest.mark.parametrize("counting", [Counting.BEST, Counting.FIRST])
@pytest.mark.parametrize("seed", range(4))
def test_bulk_finalising_equals_submitting_one_by_one(world: Any, counting: str, seed: int) -> None:
    """finalize_open_attempts replays services.submit_attempt's late path and
    counted rule in bulk: the same rows as submitting each attempt after its
    deadline, one by one in attempt order."""
    rnd = abandoned_world(world, counting, seed)
    open_tokens = list(
        Attempt.objects.filter(round=rnd, status=AttemptStatus.IN_PROGRESS)
        .order_by("participant_id", "number")
        .values_list("token", flat=True)
    )
    assert open_tokens
    with transaction.atomic():
        assert closing.finalize_open_attempts(rnd, lambda *a: None) == len(open_tokens)
        bulk = snapshot(rnd)
        transaction.set_rollback(True)
    assert Attempt.objects.filter(token__in=open_tokens, status=AttemptStatus.IN_PROGRESS).count()
    far = rnd.closes_at + timedelta(days=1)
    for token in open_tokens:
        assert submit_attempt(token, {}, None, now=far).late
    assert bulk == snapshot(rnd)
    for person in {a.participant_id for a in Attempt.objects.filter(round=rnd)}:
        assert Attempt.objects.filter(round=rnd, participant_id=person, counted=True).count() == 1


# --- Refusals, the state machine -----------------------------------------------------


def test_closing_before_the_end_is_refused(world: Any) -> None:
    rnd = world.round
    finished(rnd, people(world, 1)[0], 5)
    with pytest.raises(ContestError) as exc:
        close_round(rnd, now=rnd.closes_at - timedelta(seconds=1))
    assert exc.value.message == MSG_NOT_ENDED
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCHEDULED
    assert rnd.closed_at is None
    assert not Attempt.objects.filter(rank__isnull=False).exists()


def test_closing_twice_and_after_publishing_is_refused(world: Any) -> None:
    rnd = world.round
    finished(rnd, people(world, 1)[0], 5)
    with pytest.raises(ContestError) as not_closed:
        publish_round(rnd)
    assert not_closed.value.code == "not_closed"
    close_round(rnd, now=after_close(rnd))
    with pytest.raises(ContestError) as again:
        close_round(rnd, now=after_close(rnd, 5))
    assert again.value.message == MSG_CLOSED
    publish_round(rnd, now=after_close(rnd, 10))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED
    assert rnd.published_at == after_close(rnd, 10)
    for attempt in (lambda: close_round(rnd, now=after_close(rnd, 20)), lambda: publish_round(rnd)):
        with pytest.raises(ContestError) as exc:
            attempt()
        assert exc.value.message == MSG_PUBLISHED
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED


def test_a_round_being_closed_cannot_be_closed_again(world: Any) -> None:
    Round.objects.filter(pk=world.round.pk).update(status=RoundStatus.CLOSING)
    with pytest.raises(ContestError) as exc:
        close_round(world.round, now=after_close(world.round))
    assert exc.value.code == "closing"


def test_a_failure_leaves_the_round_as_it_was(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = world.round
    Prize.objects.create(contest=world.contest, round=rnd, kind=PrizeKind.FIRST, quantity=1)
    finished(rnd, people(world, 1)[0], 5)
    in_progress = start_attempt(rnd, people(world, 1)[0])

    def boom(*args: Any) -> int:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(closing, "_award_collective", boom)
    with pytest.raises(RuntimeError):
        close_round(rnd, now=after_close(rnd))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCHEDULED
    assert rnd.actual_value is None
    assert not Award.objects.exists()
    assert not Attempt.objects.filter(rank__isnull=False).exists()
    in_progress.refresh_from_db()
    assert in_progress.status == AttemptStatus.IN_PROGRESS
    monkeypatch.undo()
    assert close_round(rnd, now=after_close(rnd)).awards == 1


# --- Individual prizes --------------------------------------------------------------


def test_prizes_in_rank_order_with_masked_names_and_communes(world: Any) -> None:
    rnd = world.round
    quantities = {
        PrizeKind.FIRST: 1,
        PrizeKind.SECOND: 2,
        PrizeKind.THIRD: 3,
        PrizeKind.CONSOLATION: 4,
    }
    for kind, quantity in quantities.items():
        Prize.objects.create(contest=world.contest, round=rnd, kind=kind, quantity=quantity)
    areas = [world.hamlet, world.commune, world.other_commune]
    made = []
    for i in range(12):
        person = make_participant(
            world.contest, areas[i % 3], full_name=f"Trần Thị Ngọc Bích {chr(65 + i)}"
        )
        made.append((person, finished(rnd, person, 12 - i)))
    summary = close_round(rnd, now=after_close(rnd))
    assert summary.awards == 10

    awards = list(Award.objects.filter(round=rnd).select_related("prize").order_by("rank"))
    assert [a.rank for a in awards] == list(range(1, 11))
    kinds = [a.prize.kind for a in awards]
    assert kinds == ["first"] + ["second"] * 2 + ["third"] * 3 + ["consolation"] * 4
    places = {world.hamlet.pk: "Xã Phụng Hiệp", world.commune.pk: "Xã Phụng Hiệp"}
    places[world.other_commune.pk] = "Xã Hòa An"
    for award, (person, attempt) in zip(awards, made, strict=False):
        assert award.participant_id == person.pk
        assert award.attempt_id == attempt.pk
        assert award.published_name == mask_name(person.full_name)
        assert award.published_place == places[person.area_id]
        assert award.value == attempt.score
    assert awards[0].published_name == "Trần T. N. B. A"
    assert "Ngọc" not in " ".join(a.published_name for a in awards)


def test_fewer_participants_than_prizes(world: Any) -> None:
    rnd = world.round
    Prize.objects.create(contest=world.contest, round=rnd, kind=PrizeKind.FIRST, quantity=1)
    Prize.objects.create(contest=world.contest, round=rnd, kind=PrizeKind.SECOND, quantity=3)
    for person, score in zip(people(world, 2, full_name="Lê Minh Tâm"), (3, 8), strict=True):
        finished(rnd, person, score)
    assert close_round(rnd, now=after_close(rnd)).awards == 2
    assert list(
        Award.objects.filter(round=rnd).order_by("rank").values_list("prize__kind", "value")
    ) == [("first", 8.0), ("second", 3.0)]
    assert set(Award.objects.values_list("published_name", flat=True)) == {"Lê M. Tâm"}


def test_overall_prizes_of_another_round_are_not_given(world: Any) -> None:
    rnd = world.round
    Prize.objects.create(contest=world.contest, round=None, kind=PrizeKind.FIRST, quantity=1)
    finished(rnd, people(world, 1)[0], 9)
    assert close_round(rnd, now=after_close(rnd)).awards == 0
    assert not Award.objects.exists()


# --- Collective prizes --------------------------------------------------------------


def collective_world(world: Any, basis: str, quantity: int = 1) -> Any:
    """Phụng Hiệp: 3 participants (2 in the hamlet); Hòa An: 2; a commune of
    another province: 4 (outside the contest's area)."""
    rnd = world.round
    Prize.objects.create(
        contest=world.contest, round=rnd, kind=PrizeKind.COLLECTIVE, quantity=quantity, basis=basis
    )
    elsewhere = add_area(
        add_area(None, name="Tỉnh Hậu Giang", code="93", unit_type="Tỉnh", kind=AreaKind.PROVINCE),
        name="Xã Tân Long",
        code="31471",
        unit_type="Xã",
        kind=AreaKind.COMMUNE,
        population=10,
    )
    for area, n in [
        (world.hamlet, 2),
        (world.commune, 1),
        (world.other_commune, 2),
        (elsewhere, 4),
    ]:
        for person in people(world, n, area=area):
            finished(rnd, person, 5)
            finished(rnd, person, 6, number=2, counted=False)  # each person counts once
    return rnd


def collective_awards(rnd: Round) -> list[tuple[str, int, float | None]]:
    return list(
        Award.objects.filter(round=rnd, prize__kind=PrizeKind.COLLECTIVE)
        .order_by("rank")
        .values_list("published_name", "rank", "value")
    )


def test_collective_prize_by_count(world: Any) -> None:
    rnd = collective_world(world, CollectiveBasis.COUNT, quantity=5)
    summary = close_round(rnd, now=after_close(rnd))
    assert summary.collective_awards == 2
    assert collective_awards(rnd) == [("Xã Phụng Hiệp", 1, 3.0), ("Xã Hòa An", 2, 2.0)]
    award = Award.objects.get(area=world.commune)
    assert award.participant_id is None
    assert award.published_place == "Thành phố Cần Thơ"


def test_collective_prize_by_population_rate(world: Any) -> None:
    type(world.commune).objects.filter(pk=world.commune.pk).update(population=1000)
    type(world.commune).objects.filter(pk=world.other_commune.pk).update(population=100)
    rnd = collective_world(world, CollectiveBasis.RATE_POPULATION, quantity=1)
    close_round(rnd, now=after_close(rnd))
    assert collective_awards(rnd) == [("Xã Hòa An", 1, pytest.approx(0.02))]


def test_collective_prize_by_population_skips_unknown_population(world: Any) -> None:
    type(world.commune).objects.filter(pk=world.commune.pk).update(population=1000)
    rnd = collective_world(world, CollectiveBasis.RATE_POPULATION, quantity=3)
    close_round(rnd, now=after_close(rnd))
    assert collective_awards(rnd) == [("Xã Phụng Hiệp", 1, pytest.approx(0.003))]


def test_collective_prize_by_member_rate_uses_the_latest_period(world: Any) -> None:
    old = make_period("Năm 2024", kind="year", start=date(2024, 1, 1), end=date(2024, 12, 31))
    latest = make_period()  # first half of 2025
    commune_union = make_org(world.commune, "Hội Phụ nữ xã Phụng Hiệp")
    hamlet_branch = make_org(world.hamlet, "Chi hội Phụ nữ ấp Phụng Thạnh", parent=commune_union)
    other_union = make_org(world.other_commune, "Hội Phụ nữ xã Hòa An")
    set_members(commune_union, latest, 60)
    set_members(hamlet_branch, latest, 40)  # the subtree counts: 100 in Phụng Hiệp
    set_members(other_union, latest, 10)
    set_members(other_union, old, 1000)  # an older period is not used
    rnd = collective_world(world, CollectiveBasis.RATE_MEMBERS, quantity=2)
    close_round(rnd, now=after_close(rnd))
    assert collective_awards(rnd) == [
        ("Xã Hòa An", 1, pytest.approx(0.2)),
        ("Xã Phụng Hiệp", 2, pytest.approx(0.03)),
    ]


# --- Overall prizes -----------------------------------------------------------------


def next_round(previous: Round) -> Round:
    """The round after `previous`: a week from its close, 10 questions."""
    return Round.objects.create(
        contest=previous.contest,
        number=previous.number + 1,
        opens_at=previous.closes_at,
        closes_at=previous.closes_at + timedelta(days=7),
        question_count=10,
    )


def test_overall_prizes_on_the_published_rounds(world: Any) -> None:
    r1 = world.round
    r2 = next_round(r1)
    r3 = next_round(r2)
    for kind, quantity in [(PrizeKind.FIRST, 1), (PrizeKind.SECOND, 1), (PrizeKind.CONSOLATION, 5)]:
        Prize.objects.create(contest=world.contest, round=None, kind=kind, quantity=quantity)
    Prize.objects.create(contest=world.contest, round=r1, kind=PrizeKind.FIRST, quantity=1)
    steady, sprinter, third, newcomer = (
        make_participant(world.contest, world.hamlet, full_name="Nguyễn Văn An"),
        make_participant(world.contest, world.commune, full_name="Võ Thị Kim Loan"),
        make_participant(world.contest, world.other_commune, full_name="Đặng Quốc Huy"),
        make_participant(world.contest, world.commune, full_name="Bùi Thị Mỹ Duyên"),
    )
    finished(r1, steady, 5, seconds=100)
    finished(r2, steady, 5, seconds=100)  # 10 points in 200 s
    finished(r1, sprinter, 10, seconds=300)  # 10 points in 300 s
    finished(r1, third, 3)
    finished(r2, third, 6)
    finished(r2, third, 10, number=2, counted=False)  # not counted: 9 points
    finished(r3, newcomer, 10)  # round 3 is not published
    with pytest.raises(ContestError) as exc:
        award_overall(world.contest)
    assert exc.value.code == "no_results"
    for rnd in (r1, r2, r3):
        close_round(rnd, now=after_close(rnd))
    for rnd in (r1, r2):
        publish_round(rnd)

    awards = award_overall(world.contest)
    assert [(a.prize.kind, a.participant_id, a.rank, a.value) for a in awards] == [
        ("first", steady.pk, 1, 10),
        ("second", sprinter.pk, 2, 10),
        ("consolation", third.pk, 3, 9),
    ]
    assert [a.published_name for a in awards] == ["Nguyễn V. An", "Võ T. K. Loan", "Đặng Q. Huy"]
    assert [a.published_place for a in awards] == ["Xã Phụng Hiệp", "Xã Phụng Hiệp", "Xã Hòa An"]
    assert all(a.round_id is None for a in awards)
    # Again: the overall awards are replaced, the round's awards stay.
    award_overall(world.contest)
    assert Award.objects.filter(round__isnull=True).count() == 3
    assert Award.objects.filter(round=r1).count() == 1


# --- The job ------------------------------------------------------------------------


def ended(world: Any) -> Round:
    now = timezone.now()
    Round.objects.filter(pk=world.round.pk).update(
        opens_at=now - timedelta(days=2), closes_at=now - timedelta(minutes=1)
    )
    world.round.refresh_from_db()
    return world.round


def run_close_job(user: Any, rnd: Round, capture: Any) -> Any:
    with capture(execute=True):
        job = jobs.start_job(
            user, "close_round", f"Tổng hợp kết quả {rnd}", params={"round_id": rnd.pk}
        )
    job.refresh_from_db()
    return job


def test_the_close_job_records_progress_and_result(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rnd = ended(world)
    Prize.objects.create(contest=world.contest, round=rnd, kind=PrizeKind.FIRST, quantity=1)
    for person, score in zip(people(world, 3), (4, 9, 7), strict=True):
        finished(rnd, person, score)
    admin = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
    job = run_close_job(admin, rnd, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.message
    assert job.result["participants"] == 3
    assert job.result["ranked"] == 3
    assert job.result["awards"] == 1
    assert job.result["round_id"] == rnd.pk
    assert job.message.startswith("Đã tổng hợp kết quả Tuần 1: 3 người dự thi")
    assert job.progress_total == 3
    assert job.progress_done == 3
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED


def test_the_close_job_fails_with_the_reason(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
    job = run_close_job(admin, world.round, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == MSG_NOT_ENDED
    rnd = ended(world)
    close_round(rnd)
    publish_round(rnd)
    job = run_close_job(admin, rnd, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == MSG_PUBLISHED


def test_the_close_job_checks_scope(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    rnd = ended(world)
    outsider = make_staff("canbo.hoaan", Role.BOARD_ADMIN, area=world.other_commune)
    job = run_close_job(outsider, rnd, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == "Bạn không có quyền tổng hợp kết quả đợt thi này."
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCHEDULED


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: there the progress is seen when the work commits",
)
@pytest.mark.django_db(transaction=True)
def test_close_job_progress_is_seen_while_the_round_closes(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    world = make_world(question_count=10)
    rnd = ended(world)
    for person, score in zip(people(world, 5), range(5), strict=True):
        finished(rnd, person, score)
    admin = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
    monkeypatch.setattr(closing, "BATCH", 2)
    seen: list[tuple[Any, ...]] = []
    award = closing._award_individuals

    def look_from_outside() -> None:
        try:
            job = Job.objects.get()
            status = Round.objects.get(pk=rnd.pk).status
            seen.append((job.status, job.progress_done, job.progress_total, job.message, status))
        finally:
            connection.close()

    def peek(*args: Any) -> int:
        outside = threading.Thread(target=look_from_outside)
        outside.start()
        outside.join(timeout=20)
        return award(*args)

    monkeypatch.setattr(closing, "_award_individuals", peek)
    job = run_close_job(admin, rnd, django_capture_on_commit_callbacks)
    assert seen == [(JobStatus.RUNNING, 5, 5, "Đang trao giải…", RoundStatus.CLOSING)]
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total) == (5, 5)


def test_overall_collective_prize_ranks_communes_over_published_rounds(world: Any) -> None:

    rnd = Round.objects.select_related("contest").get(pk=world.round.pk)
    Prize.objects.create(
        contest=rnd.contest, round=None, kind=PrizeKind.COLLECTIVE, quantity=1, basis="count"
    )
    t = rnd.opens_at + timedelta(minutes=5)
    for area in (world.hamlet, world.hamlet, world.other_commune):
        person = make_participant(world.contest, area)
        attempt = start_attempt(rnd, person, now=t)
        submit_attempt(attempt.token, {}, 5, now=t + timedelta(minutes=1))
    close_round(rnd, now=rnd.closes_at + timedelta(seconds=rnd.grace_seconds))
    publish_round(rnd)
    award_overall(rnd.contest)
    award = Award.objects.get(prize__kind=PrizeKind.COLLECTIVE, round__isnull=True)
    assert award.area == world.commune  # two people from its hamlet beat one from Hòa An
    assert award.value == 2
