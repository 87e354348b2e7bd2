"""The contest hot path (danvan.contests.services): drawing, scoring, the
ranking key, tampering, counted attempts, what a page may see, query counts."""

from __future__ import annotations

import functools
import json
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models.query import QuerySet, RawQuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from danvan.contests import bank, services
from danvan.contests.bank import (
    MAX_PREDICTION,
    Bank,
    BankQuestion,
    ContestError,
    draw_paper,
    invalidate_round,
    rank_key,
    score_answers,
)
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Choice,
    ContestStatus,
    Counting,
    Question,
    Round,
    RoundStatus,
    ShowAnswers,
)
from danvan.contests.services import answers_visible, save_answers, start_attempt, submit_attempt
from danvan.contests.tests import factories
from danvan.contests.tests.factories import make_participant, make_world, right_answers

# --- Banks in memory ----------------------------------------------------------------


def build_bank(sizes: list[int], choices: int = 4) -> Bank:
    """Category c (1-based) holds sizes[c-1] questions; ids are unique over the bank."""
    bank = Bank()
    qid = 100
    cid = 10_000
    for c, size in enumerate(sizes, 1):
        for _ in range(size):
            qid += 1
            opts = []
            for _k in range(choices):
                cid += 1
                opts.append((cid, f"Phương án {cid}"))
            bank.questions[qid] = BankQuestion(
                qid, c, f"Câu {qid}", False, "", opts, frozenset({opts[0][0]})
            )
            bank.by_category.setdefault(c, []).append(qid)
    return bank


@st.composite
def banks_and_quotas(draw: Any) -> tuple[Bank, list[tuple[int, int]], int]:
    sizes = draw(st.lists(st.integers(0, 8), min_size=1, max_size=5))
    bank = build_bank(sizes, choices=draw(st.integers(2, 5)))
    quota_cats = draw(st.sets(st.integers(1, len(sizes))))
    quotas = [(c, draw(st.integers(0, sizes[c - 1]))) for c in sorted(quota_cats)]
    wanted = sum(n for _c, n in quotas)
    assume(len(bank.questions) >= max(1, wanted))
    total = draw(st.integers(max(1, wanted), len(bank.questions)))
    return bank, quotas, total


@settings(max_examples=300, deadline=None)
@given(banks_and_quotas(), st.booleans(), st.integers(0, 2**32))
def test_draw_respects_quotas_and_never_repeats(
    case: tuple[Bank, list[tuple[int, int]], int], shuffle: bool, seed: int
) -> None:
    bank, quotas, total = case
    paper = draw_paper(bank, quotas, total, shuffle, rng=random.Random(seed))
    qids = [qid for qid, _cids in paper]
    assert len(qids) == total
    assert len(set(qids)) == len(qids), "a question was drawn twice"
    assert set(qids) <= set(bank.questions)
    for category, count in quotas:
        drawn_here = sum(1 for q in qids if bank.questions[q].category_id == category)
        assert drawn_here >= count
        if total == sum(n for _c, n in quotas):
            assert drawn_here == count
    for qid, cids in paper:
        bank_order = [cid for cid, _text in bank.questions[qid].choices]
        assert sorted(cids) == sorted(bank_order)
        assert len(cids) == len(set(cids))
        if not shuffle:
            assert cids == bank_order


def test_draw_fills_up_from_the_whole_bank() -> None:
    bank = build_bank([5, 5, 5])
    paper = draw_paper(bank, [(1, 2)], 9, True, rng=random.Random(7))
    qids = [q for q, _c in paper]
    assert len(qids) == len(set(qids)) == 9
    assert sum(1 for q in qids if bank.questions[q].category_id == 1) >= 2
    # Questions of categories without a quota come in too (9 > 5 of category 1).
    assert {bank.questions[q].category_id for q in qids} - {1}


def test_draw_refuses_a_short_bank() -> None:
    bank = build_bank([3, 2])
    with pytest.raises(ContestError) as quota_short:
        draw_paper(bank, [(1, 4)], 4, True)
    assert quota_short.value.code == "bank_short"
    assert quota_short.value.status == 503
    with pytest.raises(ContestError) as total_short:
        draw_paper(bank, [(1, 1)], 6, True)
    assert total_short.value.code == "bank_short"
    with pytest.raises(ContestError) as unknown_category:
        draw_paper(bank, [(99, 1)], 1, True)
    assert unknown_category.value.code == "bank_short"


def test_choices_are_shuffled_only_when_asked() -> None:
    bank = build_bank([6], choices=6)
    rng = random.Random(3)
    shuffled = draw_paper(bank, [], 6, True, rng=rng)
    kept = draw_paper(bank, [], 6, False, rng=rng)
    order = {q: [c for c, _t in bank.questions[q].choices] for q in bank.questions}
    assert all(sorted(cids) == sorted(order[q]) for q, cids in shuffled)
    assert any(cids != order[q] for q, cids in shuffled), "6 questions × 6 choices never moved"
    assert all(cids == order[q] for q, cids in kept)


# --- Scoring ------------------------------------------------------------------------


def scoring_bank() -> tuple[Bank, list[list[Any]]]:
    bank = Bank()
    bank.questions[1] = BankQuestion(
        1, 1, "Đơn", False, "", [(11, "A"), (12, "B")], frozenset({11})
    )
    bank.questions[2] = BankQuestion(
        2, 1, "Nhiều", True, "", [(21, "A"), (22, "B"), (23, "C")], frozenset({21, 23})
    )
    return bank, [[1, [11, 12]], [2, [21, 22, 23]]]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"1": [11], "2": [21, 23]}, 2),
        ({"1": [11], "2": [23, 21]}, 2),  # order does not matter
        ({"1": [12], "2": [21, 23]}, 1),  # wrong single
        ({"1": [11], "2": [21]}, 1),  # partial multiple = 0
        ({"1": [11], "2": [21, 22, 23]}, 1),  # a wrong extra = 0
        ({"1": [], "2": []}, 0),  # empty = 0
        ({}, 0),
    ],
)
def test_score_is_an_exact_set_match(answers: dict[str, Any], expected: int) -> None:
    bank, paper = scoring_bank()
    assert score_answers(bank, paper, answers) == expected


# --- The ranking key ----------------------------------------------------------------

KEYS = ["score", "prediction", "duration", "submitted"]
BASE = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def reference_order(attempts: list[Any], keys: list[str], actual: int | None) -> list[Any]:
    """Field by field, written independently of rank_key: a missing value is last."""

    def missing_last(a: Any, b: Any) -> int:
        if a is None and b is None:
            return 0
        if a is None:
            return 1
        if b is None:
            return -1
        return (a > b) - (a < b)

    def compare(x: Any, y: Any) -> int:
        for key in keys:
            if key == "score":
                c = (y.score > x.score) - (y.score < x.score)  # higher first
            elif key == "prediction":
                if actual is None:  # no answer yet: only "gave a prediction" matters
                    dx = None if x.prediction is None else 0
                    dy = None if y.prediction is None else 0
                else:
                    dx = None if x.prediction is None else abs(x.prediction - actual)
                    dy = None if y.prediction is None else abs(y.prediction - actual)
                c = missing_last(dx, dy)
            elif key == "duration":
                c = missing_last(x.duration_ms, y.duration_ms)
            else:
                c = missing_last(x.submitted_at, y.submitted_at)
            if c:
                return c
        return (x.pk > y.pk) - (x.pk < y.pk)

    return sorted(attempts, key=functools.cmp_to_key(compare))


@st.composite
def attempt_lists(draw: Any) -> list[SimpleNamespace]:
    pks = draw(st.lists(st.integers(1, 10_000), min_size=0, max_size=40, unique=True))
    # Small ranges so that ties are common and every key gets to decide.
    return [
        SimpleNamespace(
            pk=pk,
            score=draw(st.integers(0, 10)),
            prediction=draw(st.none() | st.integers(0, 30)),
            duration_ms=draw(st.none() | st.integers(0, 5).map(lambda s: s * 1000)),
            submitted_at=draw(
                st.none() | st.integers(0, 5).map(lambda m: BASE + timedelta(minutes=m))
            ),
        )
        for pk in pks
    ]


@settings(max_examples=300, deadline=None)
@given(attempt_lists(), st.none() | st.integers(0, 30))
def test_rank_key_matches_the_reference_order(attempts: list[Any], actual: int | None) -> None:
    got = sorted(attempts, key=lambda a: rank_key(a, KEYS, actual))
    assert [a.pk for a in got] == [a.pk for a in reference_order(attempts, KEYS, actual)]


@settings(max_examples=300, deadline=None)
@given(
    attempt_lists(),
    st.none() | st.integers(0, 30),
    st.permutations(KEYS).flatmap(lambda ks: st.integers(1, 4).map(lambda n: list(ks[:n]))),
)
def test_rank_key_follows_a_custom_key_order(
    attempts: list[Any], actual: int | None, keys: list[str]
) -> None:
    got = sorted(attempts, key=lambda a: rank_key(a, keys, actual))
    assert [a.pk for a in got] == [a.pk for a in reference_order(attempts, keys, actual)]


def test_rank_key_prediction_before_duration() -> None:
    near = SimpleNamespace(pk=2, score=5, prediction=98, duration_ms=90_000, submitted_at=BASE)
    fast = SimpleNamespace(pk=1, score=5, prediction=150, duration_ms=10_000, submitted_at=BASE)
    assert sorted([fast, near], key=lambda a: rank_key(a, KEYS, 100)) == [near, fast]
    by_time = ["score", "duration", "prediction"]
    assert sorted([near, fast], key=lambda a: rank_key(a, by_time, 100)) == [fast, near]


# --- The database part ----------------------------------------------------------------


@pytest.fixture
def world(db: Any) -> Any:
    """The whole bank (12 questions, 4 of them multiple) on every paper."""
    return make_world(question_count=12, max_attempts=2)


@pytest.fixture
def person(world: Any) -> Any:
    return make_participant(world.contest, world.hamlet)


def fresh_round(world: Any) -> Round:
    return Round.objects.select_related("contest").get(pk=world.round.pk)


def drawn(attempt: Attempt, multiple: bool) -> int:
    flags = dict(
        Question.objects.filter(pk__in=[q for q, _c in attempt.paper]).values_list("pk", "multiple")
    )
    return next(q for q, _c in attempt.paper if flags[q] is multiple)


def assert_untouched(attempt: Attempt, answers: dict[str, Any] | None = None) -> None:
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.answers == (answers or {})
    assert attempt.score is None
    assert attempt.submitted_at is None
    assert not attempt.counted
    assert not Attempt.objects.filter(round=attempt.round, counted=True).exists()


def test_start_draws_the_whole_bank_with_choices_as_permutations(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    qids = [q for q, _c in attempt.paper]
    assert sorted(qids) == sorted(
        Question.objects.filter(contest=world.contest).values_list("pk", flat=True)
    )
    for qid, cids in attempt.paper:
        assert sorted(cids) == sorted(
            Choice.objects.filter(question_id=qid).values_list("pk", flat=True)
        )


def test_shuffle_off_keeps_the_bank_order(db: Any) -> None:
    w = make_world(question_count=12, shuffle_choices=False)
    attempt = start_attempt(fresh_round(w), make_participant(w.contest, w.commune))
    for qid, cids in attempt.paper:
        bank_order = list(
            Choice.objects.filter(question_id=qid).order_by("position").values_list("pk", flat=True)
        )
        assert cids == bank_order


def test_start_with_a_short_bank_is_refused_and_saves_nothing(world: Any, person: Any) -> None:
    Round.objects.filter(pk=world.round.pk).update(question_count=13)
    invalidate_round(world.round)
    with pytest.raises(ContestError) as exc:
        start_attempt(fresh_round(world), person)
    assert exc.value.code == "bank_short"
    assert not Attempt.objects.exists()


def test_right_answers_score_every_question(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    result = submit_attempt(attempt.token, right_answers(attempt), "1.234")
    assert result.attempt.score == 12
    assert result.attempt.status == AttemptStatus.SUBMITTED
    assert result.attempt.prediction == 1234  # "1.234" is how Vietnamese write 1234
    assert result.attempt.counted
    assert not result.late


def test_partial_and_empty_multiple_answers_score_nothing(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    answers = right_answers(attempt)
    multi = str(drawn(attempt, multiple=True))
    single = str(drawn(attempt, multiple=False))
    answers[multi] = answers[multi][:1]
    answers[single] = []
    result = submit_attempt(attempt.token, answers, 5)
    assert result.attempt.score == 10


# --- Tampering ------------------------------------------------------------------------


def other_question(world: Any, attempt: Attempt) -> int:
    Question.objects.create(
        contest=world.contest, category=world.categories[0], text="Câu ngoài đề?"
    )
    return Question.objects.exclude(pk__in=[q for q, _c in attempt.paper]).values_list(
        "pk", flat=True
    )[0]


def tampered_answers(kind: str, world: Any, attempt: Attempt) -> dict[str, Any]:
    single = drawn(attempt, multiple=False)
    cids = dict(attempt.paper)
    if kind == "not_drawn":
        return {str(other_question(world, attempt)): []}
    if kind == "foreign_choice":
        other = next(q for q, _c in attempt.paper if q != single)
        return {str(single): [cids[other][0]]}
    if kind == "not_an_integer":
        return {str(single): ["A"]}
    if kind == "nested":
        return {str(single): [[cids[single][0]]]}
    if kind == "two_on_single":
        return {str(single): cids[single][:2]}
    raise AssertionError(kind)


TAMPERING = [
    ("not_drawn", "not_drawn"),
    ("foreign_choice", "bad_choice"),
    ("not_an_integer", "bad_choice"),
    ("nested", "bad_choice"),
    ("two_on_single", "single"),
]


@pytest.mark.parametrize(("kind", "code"), TAMPERING)
def test_tampered_autosave_is_refused(world: Any, person: Any, kind: str, code: str) -> None:
    attempt = start_attempt(fresh_round(world), person)
    with pytest.raises(ContestError) as exc:
        save_answers(attempt, tampered_answers(kind, world, attempt))
    assert exc.value.code == code
    assert_untouched(attempt)


@pytest.mark.parametrize(("kind", "code"), TAMPERING)
def test_tampered_submit_is_refused(world: Any, person: Any, kind: str, code: str) -> None:
    attempt = start_attempt(fresh_round(world), person)
    honest = {k: v for k, v in list(right_answers(attempt).items())[:3]}
    save_answers(attempt, honest)
    with pytest.raises(ContestError) as exc:
        submit_attempt(
            attempt.token, {**right_answers(attempt), **tampered_answers(kind, world, attempt)}, 10
        )
    assert exc.value.code == code
    assert_untouched(attempt, honest)


@pytest.mark.parametrize("odd", ["float", "whole_float", "bool", "negative", "unicode_digit"])
def test_a_choice_id_that_is_not_a_plain_integer_is_refused(
    world: Any, person: Any, odd: str
) -> None:
    """Regression: int() used to truncate 12.5 to 12 and accept True as 1."""
    attempt = start_attempt(fresh_round(world), person)
    single = drawn(attempt, multiple=False)
    cid = dict(attempt.paper)[single][0]
    value = {
        "float": cid + 0.5,
        "whole_float": float(cid),
        "bool": True,
        "negative": -cid,
        "unicode_digit": "".join(chr(0x0660 + int(d)) for d in str(cid)),  # Arabic-Indic
    }[odd]
    for answers in ({str(single): [value]}, {str(single): value}):
        with pytest.raises(ContestError) as exc:
            save_answers(attempt, answers)
        assert exc.value.code == "bad_choice"
    assert_untouched(attempt)


def test_a_choice_id_as_digits_is_taken(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    single = drawn(attempt, multiple=False)
    cid = dict(attempt.paper)[single][0]
    save_answers(attempt, {str(single): str(cid)})
    attempt.refresh_from_db()
    assert attempt.answers == {str(single): [cid]}


def test_unknown_token_is_refused(world: Any) -> None:
    with pytest.raises(ContestError) as exc:
        submit_attempt("khong-co-bai-nay", {}, 1)
    assert exc.value.code == "missing"
    assert exc.value.status == 404


def test_second_submit_returns_the_first_result(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    first = submit_attempt(attempt.token, right_answers(attempt), 100)
    wrong: dict[str, list[int]] = {q: [] for q in right_answers(attempt)}
    second = submit_attempt(attempt.token, wrong, 5)
    assert second.attempt.pk == first.attempt.pk
    assert second.attempt.score == first.attempt.score == 12
    assert second.attempt.prediction == 100
    assert second.attempt.submitted_at == first.attempt.submitted_at
    assert Attempt.objects.filter(participant=person).count() == 1
    assert Attempt.objects.filter(participant=person, counted=True).count() == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.prediction) == (12, 100)


def test_late_submit_keeps_only_the_autosaved_answers(world: Any, person: Any) -> None:
    t0 = world.round.opens_at + timedelta(minutes=5)
    attempt = start_attempt(fresh_round(world), person, now=t0)
    right = right_answers(attempt)
    saved = dict(list(right.items())[:5])
    save_answers(attempt, saved, now=t0 + timedelta(seconds=30))
    too_late = attempt.deadline + timedelta(seconds=world.round.grace_seconds + 1)
    result = submit_attempt(attempt.token, right, 77, now=too_late)
    assert result.late
    a = result.attempt
    assert a.status == AttemptStatus.EXPIRED
    assert a.answers == saved
    assert a.score == 5
    assert a.prediction is None  # the late prediction is ignored too
    assert a.submitted_at == a.deadline
    assert a.duration_ms == world.round.time_limit_seconds * 1000
    assert a.counted


def test_submit_within_the_grace_is_taken(world: Any, person: Any) -> None:
    t0 = world.round.opens_at + timedelta(minutes=5)
    attempt = start_attempt(fresh_round(world), person, now=t0)
    in_grace = attempt.deadline + timedelta(seconds=world.round.grace_seconds - 1)
    result = submit_attempt(attempt.token, right_answers(attempt), 3, now=in_grace)
    assert not result.late
    assert result.attempt.score == 12
    assert result.attempt.submitted_at == attempt.deadline  # never later than the deadline


def test_the_page_submitting_itself_after_the_countdown_keeps_the_answers(
    world: Any, person: Any
) -> None:
    """In the grace, without a prediction (the countdown ran out and the page sent
    the form): closed as expired, the answers sent are taken."""
    t0 = world.round.opens_at + timedelta(minutes=5)
    attempt = start_attempt(fresh_round(world), person, now=t0)
    in_grace = attempt.deadline + timedelta(seconds=2)
    result = submit_attempt(attempt.token, right_answers(attempt), None, now=in_grace)
    assert not result.late
    assert result.attempt.status == AttemptStatus.EXPIRED
    assert result.attempt.score == 12
    assert result.attempt.prediction is None
    assert result.attempt.counted


def test_autosave_after_the_deadline_is_refused(world: Any, person: Any) -> None:
    t0 = world.round.opens_at + timedelta(minutes=5)
    attempt = start_attempt(fresh_round(world), person, now=t0)
    too_late = attempt.hard_deadline() + timedelta(seconds=1)
    with pytest.raises(ContestError) as exc:
        save_answers(attempt, right_answers(attempt), now=too_late)
    assert exc.value.code == "late"
    assert_untouched(attempt)


def test_autosave_after_submit_is_refused(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    submit_attempt(attempt.token, {}, 1)
    attempt.refresh_from_db()
    with pytest.raises(ContestError) as exc:
        save_answers(attempt, right_answers(attempt))
    assert exc.value.code == "submitted"
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_autosave_merges_and_is_what_is_scored(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    right = list(right_answers(attempt).items())
    save_answers(attempt, dict(right[:2]))
    save_answers(attempt, dict(right[2:4]))
    attempt.refresh_from_db()
    assert attempt.answers == dict(right[:4])
    assert submit_attempt(attempt.token, {}, 0).attempt.score == 4


def test_start_resumes_the_attempt_in_progress(world: Any, person: Any) -> None:
    rnd = fresh_round(world)
    first = start_attempt(rnd, person)
    again = start_attempt(rnd, person)
    assert again.pk == first.pk
    assert again.token == first.token
    assert again.paper == first.paper
    assert Attempt.objects.filter(participant=person).count() == 1


def test_start_beyond_max_attempts_is_refused(world: Any, person: Any) -> None:
    rnd = fresh_round(world)
    for _ in range(2):
        submit_attempt(start_attempt(rnd, person).token, {}, 1)
    with pytest.raises(ContestError) as exc:
        start_attempt(rnd, person)
    assert exc.value.code == "limit"
    assert exc.value.status == 409
    assert Attempt.objects.filter(participant=person).count() == 2


def test_unlimited_attempts(db: Any) -> None:
    w = make_world(question_count=2, max_attempts=0)
    rnd, person = fresh_round(w), make_participant(w.contest, w.commune)
    for _ in range(4):
        submit_attempt(start_attempt(rnd, person).token, {}, 1)
    assert Attempt.objects.filter(participant=person).count() == 4


@pytest.mark.parametrize(
    ("situation", "code"),
    [
        ("closed_status", "closed"),
        ("after_close", "closed"),
        ("before_open", "not_open"),
        ("draft_contest", "not_published"),
        ("archived_contest", "not_published"),
    ],
)
def test_start_outside_an_open_round_is_refused(
    world: Any, person: Any, situation: str, code: str
) -> None:
    rnd = fresh_round(world)
    now = None
    if situation == "closed_status":
        Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)
    elif situation == "after_close":
        now = rnd.closes_at
    elif situation == "before_open":
        now = rnd.opens_at - timedelta(seconds=1)
    else:
        status = ContestStatus.DRAFT if situation == "draft_contest" else ContestStatus.ARCHIVED
        type(world.contest).objects.filter(pk=world.contest.pk).update(status=status)
    with pytest.raises(ContestError) as exc:
        start_attempt(fresh_round(world), person, now=now)
    assert exc.value.code == code
    assert not Attempt.objects.exists()


def test_a_participant_of_another_contest_cannot_start(world: Any) -> None:
    other = factories.sibling_contest(
        world, "Cuộc thi khác", "cuoc-thi-khac", ContestStatus.PUBLISHED
    )
    stranger = make_participant(other, world.commune)
    with pytest.raises(ContestError) as exc:
        start_attempt(fresh_round(world), stranger)
    assert exc.value.code == "participant"


def test_an_erased_participant_cannot_start(world: Any, person: Any) -> None:
    person.erased_at = timezone.now()
    person.save()
    with pytest.raises(ContestError) as exc:
        start_attempt(fresh_round(world), person)
    assert exc.value.code == "participant"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "prediction_missing"),
        ("", "prediction_missing"),
        ("   ", "prediction_missing"),
        ("-5", "prediction_invalid"),
        (-5, "prediction_invalid"),
        ("năm trăm", "prediction_invalid"),
        ("12a", "prediction_invalid"),
        ("1e3", "prediction_invalid"),
        ("12.5", "prediction_invalid"),
        (12.5, "prediction_invalid"),  # was read as 125
        (True, "prediction_invalid"),
        ("²", "prediction_invalid"),  # "²".isdigit(), but int("²") raised ValueError
        ("١٢٣", "prediction_invalid"),  # Arabic-Indic digits
        (str(MAX_PREDICTION + 1), "prediction_invalid"),
    ],
)
def test_bad_prediction_is_refused(world: Any, person: Any, value: Any, code: str) -> None:
    attempt = start_attempt(fresh_round(world), person)
    with pytest.raises(ContestError) as exc:
        submit_attempt(attempt.token, right_answers(attempt), value)
    assert exc.value.code == code
    assert_untouched(attempt)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.234", 1234), ("1,234", 1234), ("12.345.678", 12345678), (" 56 ", 56), (0, 0), (56, 56)],
)
def test_good_predictions(world: Any, person: Any, value: Any, expected: int) -> None:
    attempt = start_attempt(fresh_round(world), person)
    assert submit_attempt(attempt.token, {}, value).attempt.prediction == expected


def test_no_prediction_question_takes_none(db: Any) -> None:
    w = make_world(question_count=2, prediction="none")
    attempt = start_attempt(fresh_round(w), make_participant(w.contest, w.commune))
    result = submit_attempt(attempt.token, {}, "bất kỳ")
    assert result.attempt.prediction is None
    assert result.attempt.status == AttemptStatus.SUBMITTED


# --- Counted attempts ----------------------------------------------------------------


def sit(rnd: Round, person: Any, right: int) -> Attempt:
    """Start and submit an attempt with `right` questions right."""
    attempt = start_attempt(rnd, person)
    answers = dict(list(right_answers(attempt).items())[:right])
    return submit_attempt(attempt.token, answers, 10).attempt


def counted_of(person: Any) -> list[int]:
    return list(
        Attempt.objects.filter(participant=person, counted=True).values_list("number", flat=True)
    )


def test_counting_best_moves_to_a_better_later_attempt(db: Any) -> None:
    w = make_world(question_count=12, max_attempts=3, counting=Counting.BEST)
    rnd, person = fresh_round(w), make_participant(w.contest, w.commune)
    sit(rnd, person, 4)
    assert counted_of(person) == [1]
    sit(rnd, person, 9)
    assert counted_of(person) == [2]
    sit(rnd, person, 7)  # worse: the best stays counted
    assert counted_of(person) == [2]
    other = make_participant(w.contest, w.commune)
    sit(rnd, other, 1)
    assert counted_of(other) == [1]
    assert counted_of(person) == [2]


def test_counting_best_keeps_the_earlier_of_equal_scores(db: Any) -> None:
    w = make_world(question_count=12, max_attempts=2, counting=Counting.BEST)
    rnd, person = fresh_round(w), make_participant(w.contest, w.commune)
    sit(rnd, person, 6)
    second = sit(rnd, person, 6)
    assert counted_of(person) == [1] and not second.counted


def test_counting_first_keeps_the_first_attempt(db: Any) -> None:
    w = make_world(question_count=12, max_attempts=2, counting=Counting.FIRST)
    rnd, person = fresh_round(w), make_participant(w.contest, w.commune)
    sit(rnd, person, 3)
    sit(rnd, person, 12)
    assert counted_of(person) == [1]


# --- What a page may see --------------------------------------------------------------


def test_the_paper_holds_ids_only(world: Any, person: Any) -> None:
    attempt = start_attempt(fresh_round(world), person)
    attempt.refresh_from_db()
    for entry in attempt.paper:
        qid, cids = entry
        assert len(entry) == 2
        assert type(qid) is int
        assert all(type(c) is int for c in cids)
    text = json.dumps(attempt.paper)
    assert "true" not in text and "correct" not in text


@pytest.mark.parametrize(
    ("show", "during", "after_submit", "after_close"),
    [
        (ShowAnswers.NEVER, False, False, False),
        (ShowAnswers.AFTER_SUBMIT, False, True, True),
        (ShowAnswers.AFTER_CLOSE, False, False, True),
    ],
)
def test_answers_visible_follows_show_answers(
    db: Any, show: str, during: bool, after_submit: bool, after_close: bool
) -> None:
    w = make_world(question_count=2, show_answers=show)
    attempt = start_attempt(fresh_round(w), make_participant(w.contest, w.commune))
    closes = w.round.closes_at
    assert answers_visible(attempt) is during
    assert answers_visible(attempt, now=closes + timedelta(days=1)) is False  # not submitted
    attempt = submit_attempt(attempt.token, {}, 1).attempt
    assert answers_visible(attempt) is after_submit
    assert answers_visible(attempt, now=closes - timedelta(seconds=1)) is after_submit
    assert answers_visible(attempt, now=closes) is after_close


# --- Query counts ----------------------------------------------------------------------

# Measured on SQLite and PostgreSQL: three statements each plus the SAVEPOINT and
# RELEASE of `transaction.atomic` inside the test's transaction (in a request the
# BEGIN/COMMIT pair is not counted). Start: lock the participant, read their
# attempts, insert. Submit: read the attempt with its round and contest, locking
# its participant; read the counted attempt; update (on PostgreSQL these two are
# one statement: `services._store_closed`). Round, contest, bank and quotas come
# from the caller or the cache.
START_QUERIES = 5
SUBMIT_QUERIES = 5


def test_start_attempt_queries(world: Any, person: Any, django_assert_max_num_queries: Any) -> None:
    rnd = fresh_round(world)
    services.load_bank(rnd.contest_id)
    bank.round_quotas(rnd)
    with django_assert_max_num_queries(START_QUERIES):
        start_attempt(rnd, person)


def test_a_kept_round_draws_without_asking_the_shared_cache_for_its_quotas(
    world: Any, monkeypatch: Any
) -> None:
    """The round a start reads is kept in the process (ROUND_TTL seconds) with
    its quotas: the second start from it makes no round trip for them; a
    change of the quotas (`invalidate_round`) is read again at once."""
    rnd = fresh_round(world)
    start_attempt(rnd, make_participant(world.contest, world.commune))
    asked: list[str] = []
    real_get = bank.cache.get

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(bank.cache, "get", get)
    start_attempt(rnd, make_participant(world.contest, world.commune))
    assert not [key for key in asked if key.startswith("contests:quotas:")]
    invalidate_round(rnd)
    bank.round_quotas(rnd)
    assert [key for key in asked if key.startswith("contests:quotas:")]


def test_submit_attempt_queries(
    world: Any, person: Any, django_assert_max_num_queries: Any
) -> None:
    attempt = start_attempt(fresh_round(world), person)
    answers = right_answers(attempt)
    services.round_by_id(attempt.round_id)  # the round comes from the process's cache
    with django_assert_max_num_queries(SUBMIT_QUERIES):
        submit_attempt(attempt.token, answers, 10)


def test_submit_reads_its_attempt_as_the_orm_reads_it_without_raw(world: Any, person: Any) -> None:
    """The locked read is written out and its row made an instance directly
    (core.rows): the attempt it hands on is the ORM's, JSON and times included."""
    attempt = start_attempt(fresh_round(world), person)
    save_answers(attempt, {str(attempt.paper[0][0]): [attempt.paper[0][1][0]]}, timezone.now())
    stored = Attempt.objects.get(pk=attempt.pk)
    with (
        mock.patch.object(RawQuerySet, "__iter__", side_effect=AssertionError("raw() used")),
        transaction.atomic(),
    ):
        locked = services._locked_attempt(attempt.token)
    assert locked is not None
    for field in Attempt._meta.concrete_fields:
        assert getattr(locked, field.attname) == getattr(stored, field.attname), field.name
    assert locked.participant_erased_at is None
    assert locked.bank_version == world.contest.bank_version
    assert locked.round.pk == attempt.round_id
    assert services._locked_attempt("khong-co-bai-nay-0000000") is None


def test_an_attempt_by_token_is_read_with_its_relations_in_one_statement(
    world: Any, person: Any
) -> None:
    attempt = start_attempt(fresh_round(world), person)
    read = Attempt.objects.select_related("round__contest", "participant").get(pk=attempt.pk)
    with (
        mock.patch.object(QuerySet, "__iter__", side_effect=AssertionError("ORM used")),
        CaptureQueriesContext(connection) as queries,
    ):
        made = services.attempt_by_token(attempt.token)
    assert made is not None and len(queries) == 1
    pairs = [
        (made, read),
        (made.round, read.round),
        (made.round.contest, read.round.contest),
        (made.participant, read.participant),
    ]
    for mine, orm in pairs:
        assert type(mine) is type(orm)
        for field in type(orm)._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(orm, field.attname), field.name
    assert services.attempt_by_token("khong-co-bai-nay-0000000") is None

    # An autosave of it then writes, and reads nothing more (the bank version came with it).
    bank.load_bank(world.contest.pk)
    qid, cids = made.paper[0]
    with CaptureQueriesContext(connection) as queries:
        save_answers(made, {str(qid): [cids[0]]}, timezone.now(), prediction="7")
    assert [q["sql"].split()[0] for q in queries] == ["UPDATE"]
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.answers == {str(qid): [cids[0]]} == made.answers
    assert stored.prediction == made.prediction
    assert stored.status == AttemptStatus.IN_PROGRESS
