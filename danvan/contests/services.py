"""The contest hot path: drawing a paper, starting, autosaving, submitting,
scoring, and the ranking key.

The server is the only clock and the only scorer. Correct answers live in the
cached bank on the server and never go into a page before the round allows.
Every submit is idempotent: a second submit of the same attempt returns the
first result, and nothing is counted twice.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Choice,
    Contest,
    Counting,
    Participant,
    Prediction,
    Question,
    Round,
    RoundQuota,
    RoundStatus,
)
from danvan.core.cache import LocalCache

_random = secrets.SystemRandom()
# A contest's long texts, left out where a hot path reads the contest beside something else.
CONTEST_LONG_TEXTS = ("intro", "rules", "consent_text")
MAX_PREDICTION = 1_000_000_000
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


class ContestError(Exception):
    """A refusal with a Vietnamese message for the participant; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


# --- The bank, cached ------------------------------------------------------------


@dataclass
class BankQuestion:
    id: int
    category_id: int
    text: str
    multiple: bool
    explanation: str
    choices: list[tuple[int, str]]  # (choice id, text) in the bank's order
    correct: frozenset[int]


@dataclass
class Bank:
    questions: dict[int, BankQuestion] = field(default_factory=dict)
    by_category: dict[int, list[int]] = field(default_factory=dict)


def bank_version(contest_id: int) -> str:
    """The current version of a contest's bank: a random token the database
    replaces on any change of its questions or choices (migration 0004)."""
    version = Contest.objects.filter(pk=contest_id).values_list("bank_version", flat=True).first()
    return version or ""


# Banks already unpickled in this process, by (contest id, bank version): a bank
# of thousands of questions is too big to fetch from Redis on every request.
# A bank is always built from rows at least as new as the version it is kept
# under (the version is read first), and a version is never reused.
_LOCAL_BANKS: dict[tuple[int, str], Bank] = {}
_LOCAL_BANKS_MAX = 16


def load_bank(contest_id: int, version: str | None = None) -> Bank:
    """The active questions of a contest with their choices and answers.

    Cached twice, under the contest's bank version (`version` when the caller
    has just read it with its contest, else one small query): in this process
    and in the shared cache (so a new process builds it once)."""
    if version is None:
        version = bank_version(contest_id)
    local = _LOCAL_BANKS.get((contest_id, version))
    if local is not None:
        return local
    key = f"contests:bank:{contest_id}:{version}"
    bank = cache.get(key)
    if bank is not None:
        _remember_bank(contest_id, version, bank)
        return bank  # type: ignore[no-any-return]
    bank = Bank()
    questions = Question.objects.filter(contest_id=contest_id, active=True).values_list(
        "id", "category_id", "text", "multiple", "explanation"
    )
    for qid, cat, text, multiple, explanation in questions:
        bank.questions[qid] = BankQuestion(qid, cat, text, multiple, explanation, [], frozenset())
        bank.by_category.setdefault(cat, []).append(qid)
    correct: dict[int, set[int]] = {}
    rows = Choice.objects.filter(question__contest_id=contest_id, question__active=True)
    for cid, qid, text, is_correct in rows.order_by("question_id", "position").values_list(
        "id", "question_id", "text", "correct"
    ):
        bank.questions[qid].choices.append((cid, text))
        if is_correct:
            correct.setdefault(qid, set()).add(cid)
    for qid, cids in correct.items():
        bank.questions[qid].correct = frozenset(cids)
    cache.set(key, bank, 3600)
    _remember_bank(contest_id, version, bank)
    return bank


def _remember_bank(contest_id: int, version: str, bank: Bank) -> None:
    if len(_LOCAL_BANKS) >= _LOCAL_BANKS_MAX:
        _LOCAL_BANKS.clear()
    _LOCAL_BANKS[(contest_id, version)] = bank


def _quotas_key(round_id: int) -> str:
    return f"contests:quotas:{round_id}"


def round_quotas(rnd: Round) -> list[tuple[int, int]]:
    quotas = cache.get(_quotas_key(rnd.pk))
    if quotas is None:
        quotas = list(rnd.quotas.values_list("category_id", "count"))
        cache.set(_quotas_key(rnd.pk), quotas, 300)
    return quotas  # type: ignore[no-any-return]


def load_bank_and_quotas(
    rnd: Round, version: str | None = None
) -> tuple[Bank, list[tuple[int, int]]]:
    """The bank (at `version`, else the current one) and the round's quotas."""
    return load_bank(rnd.contest_id, version), round_quotas(rnd)


def invalidate_round(rnd: Round) -> None:
    cache.delete(_quotas_key(rnd.pk))


# --- Drawing and scoring (pure) --------------------------------------------------


def draw_paper(
    bank: Bank,
    quotas: Sequence[tuple[int, int]],
    total: int,
    shuffle_choices: bool,
    rng: Any = _random,
) -> list[list[Any]]:
    """Questions drawn at random by the quotas (then from the whole bank up to
    `total`), never one twice; each with its choice ids in the order shown."""
    drawn: list[int] = []
    for category_id, count in quotas:
        pool = bank.by_category.get(category_id, [])
        if count > len(pool):
            raise ContestError(
                "Ngân hàng câu hỏi không đủ câu cho đợt thi này. Vui lòng báo Ban Tổ chức.",
                status=503,
                code="bank_short",
            )
        drawn.extend(rng.sample(pool, count))
    if len(drawn) < total:
        taken = set(drawn)
        rest = [q for q in bank.questions if q not in taken]
        need = total - len(drawn)
        if need > len(rest):
            raise ContestError(
                "Ngân hàng câu hỏi không đủ câu cho đợt thi này. Vui lòng báo Ban Tổ chức.",
                status=503,
                code="bank_short",
            )
        drawn.extend(rng.sample(rest, need))
    rng.shuffle(drawn)
    paper: list[list[Any]] = []
    for qid in drawn[:total] if total else drawn:
        cids = [cid for cid, _text in bank.questions[qid].choices]
        if shuffle_choices:
            rng.shuffle(cids)
        paper.append([qid, cids])
    return paper


def score_answers(bank: Bank, paper: Sequence[Sequence[Any]], answers: Mapping[str, Any]) -> int:
    """One point a question whose chosen set equals its set of right choices."""
    points = 0
    for qid, _cids in paper:
        chosen = answers.get(str(qid)) or []
        question = bank.questions.get(qid)
        if question is not None and question.correct and frozenset(chosen) == question.correct:
            points += 1
    return points


def clean_answers(
    bank: Bank, paper: Sequence[Sequence[Any]], answers: Mapping[str, Any]
) -> dict[str, list[int]]:
    """Check answers against the paper: only drawn questions, only their shown
    choices, one choice for a single-answer question. Refuse anything else."""
    shown = {str(qid): set(cids) for qid, cids in paper}
    cleaned: dict[str, list[int]] = {}
    for key, value in answers.items():
        key = str(key)
        if key not in shown:
            raise ContestError("Câu trả lời không thuộc bài thi này.", code="not_drawn")
        if value in (None, "", []):
            cleaned[key] = []
            continue
        values = value if isinstance(value, list | tuple) else [value]
        if not all(is_choice_id(v) for v in values):
            raise ContestError("Phương án trả lời không hợp lệ.", code="bad_choice")
        cids = sorted({int(v) for v in values})
        if not set(cids) <= shown[key]:
            raise ContestError("Phương án trả lời không hợp lệ.", code="bad_choice")
        question = bank.questions.get(int(key))
        if question is not None and not question.multiple and len(cids) > 1:
            raise ContestError("Câu này chỉ được chọn một phương án.", code="single")
        cleaned[key] = cids
    return cleaned


def is_choice_id(value: Any) -> bool:
    """An integer id, or a string of ASCII digits; never a bool or a float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isascii() and value.isdigit()


def clean_prediction(rnd: Round, value: Any) -> int | None:
    if rnd.prediction == Prediction.NONE:
        return None
    if isinstance(value, bool | float):
        raise ContestError(
            "Câu trả lời dự đoán phải là một số nguyên không âm.", code="prediction_invalid"
        )
    text = str(value if value is not None else "").strip()
    if not text:
        raise ContestError("Vui lòng trả lời câu hỏi dự đoán.", code="prediction_missing")
    if _GROUPED.match(text):  # "1.250" or "1,250": Vietnamese thousands separators
        text = text.replace(".", "").replace(",", "")
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PREDICTION:
        raise ContestError(
            "Câu trả lời dự đoán phải là một số nguyên không âm.", code="prediction_invalid"
        )
    return int(text)


def rank_key(
    attempt: Any, keys: Iterable[str], actual: int | None
) -> tuple[float | int | datetime, ...]:
    """Sort key: smaller is better. `attempt` needs score, prediction,
    duration_ms, submitted_at (and pk as the last, stable tie-break)."""
    parts: list[Any] = []
    for key in keys:
        if key == "score":
            parts.append(-(attempt.score or 0))
        elif key == "prediction":
            if actual is None or attempt.prediction is None:
                parts.append(float("inf") if attempt.prediction is None else 0)
            else:
                parts.append(abs(attempt.prediction - actual))
        elif key == "duration":
            parts.append(attempt.duration_ms if attempt.duration_ms is not None else 2**62)
        elif key == "submitted":
            parts.append(attempt.submitted_at.timestamp() if attempt.submitted_at else float("inf"))
    parts.append(attempt.pk or 0)
    return tuple(parts)


# --- Starting, saving, submitting ------------------------------------------------


def check_round_open(rnd: Round, now: datetime) -> None:
    if rnd.contest.status != "published":
        raise ContestError("Cuộc thi chưa được công bố.", status=404, code="not_published")
    if rnd.status != RoundStatus.SCHEDULED or now >= rnd.closes_at:
        raise ContestError("Đợt thi đã kết thúc.", status=409, code="closed")
    if now < rnd.opens_at:
        raise ContestError("Đợt thi chưa mở.", status=409, code="not_open")


def _lock_participant(
    participant_id: int, rnd: Round
) -> tuple[list[tuple[int, str, datetime, str]], str] | None:
    """Lock the participant (of the round's contest, not erased) and list their
    attempts of the round, newest first, as (number, status, deadline, token),
    with the contest's bank version; None when there is no such participant.
    Called inside a transaction.

    One statement, written out: it is the first thing every start does, and the
    ORM spent longer building it (FilteredRelation, FOR UPDATE OF) than the
    database spent running it."""
    sql = (
        "SELECT a.number, a.status, a.deadline, a.token, c.bank_version"
        f" FROM {Participant._meta.db_table} p"
        f" JOIN {Contest._meta.db_table} c ON c.id = p.contest_id"
        f" LEFT JOIN {Attempt._meta.db_table} a ON a.participant_id = p.id AND a.round_id = %s"
        " WHERE p.id = %s AND p.contest_id = %s AND p.erased_at IS NULL"
        " ORDER BY a.number DESC"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF p"
    with connection.cursor() as cursor:
        cursor.execute(sql, [rnd.pk, participant_id, rnd.contest_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    attempts = []
    for number, status, deadline, token, _version in rows:
        if number is None:  # the participant has no attempt in the round
            continue
        if isinstance(deadline, str):  # SQLite hands back the stored text
            deadline = datetime.fromisoformat(deadline)
        if timezone.is_naive(deadline):  # stored in UTC
            deadline = timezone.make_aware(deadline, UTC)
        attempts.append((number, status, deadline, token))
    return attempts, rows[0][4]


def _draw(rnd: Round, version: str) -> list[list[Any]]:
    """A paper for the round from the bank at `version`."""
    bank, quotas = load_bank_and_quotas(rnd, version)
    return draw_paper(bank, quotas, rnd.question_count, rnd.shuffle_choices)


def start_attempt(
    rnd: Round, participant: Participant | int, now: datetime | None = None
) -> Attempt:
    """Start (or resume) an attempt. Two starts racing for the last allowed
    attempt give one attempt: the participant row is locked (PostgreSQL) or the
    transaction is IMMEDIATE (SQLite), and the number is unique per round.
    `participant` may be its id: the row is read once, locked.

    The paper is drawn before the lock from the bank of the version read with
    the round's contest (perhaps a few seconds old: rounds are kept in the
    process); should the statement that locks the participant find another
    version (the bank changed since), it is drawn again from that one."""
    now = now or timezone.now()
    check_round_open(rnd, now)
    participant_id = participant if isinstance(participant, int) else participant.pk
    version = rnd.contest.bank_version
    paper = _draw(rnd, version)
    try:
        with transaction.atomic():
            locked = _lock_participant(participant_id, rnd)
            if locked is None:
                raise ContestError(
                    "Thông tin người dự thi không hợp lệ.", status=403, code="participant"
                )
            attempts, current = locked
            if current != version:
                paper = _draw(rnd, current)
            for _number, status, deadline, token in attempts:
                if status == AttemptStatus.IN_PROGRESS and deadline > now:
                    return Attempt.objects.select_related("round").get(token=token)
            if rnd.max_attempts and len(attempts) >= rnd.max_attempts:
                raise ContestError(
                    f"Bạn đã dùng hết {rnd.max_attempts} lượt thi của đợt này.",
                    status=409,
                    code="limit",
                )
            deadline = min(now + timedelta(seconds=rnd.time_limit_seconds), rnd.closes_at)
            return Attempt.objects.create(
                round=rnd,
                participant_id=participant_id,
                number=(attempts[0][0] + 1) if attempts else 1,
                token=secrets.token_urlsafe(18),
                started_at=now,
                deadline=deadline,
                paper=paper,
            )
    except IntegrityError:
        # Another start won the race for this number (a double tap: the statement
        # above read the attempts as they were before the lock was granted).
        # Its attempt, if running, is this one too.
        running = (
            Attempt.objects.select_related("round")
            .filter(
                round=rnd,
                participant_id=participant_id,
                status=AttemptStatus.IN_PROGRESS,
                deadline__gt=now,
            )
            .first()
        )
        if running is not None:
            return running
        raise ContestError(
            "Lượt thi đang được bắt đầu ở một cửa sổ khác. Vui lòng tải lại trang.",
            status=409,
            code="race",
        ) from None


def save_answers(
    attempt: Attempt,
    answers: Mapping[str, Any],
    now: datetime | None = None,
    prediction: Any = None,
) -> None:
    """Autosave while the attempt runs (answers, and the prediction when given);
    refused once it is over."""
    now = now or timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ContestError("Bài thi đã nộp.", status=409, code="submitted")
    if now > attempt.hard_deadline():
        raise ContestError("Đã hết thời gian làm bài.", status=409, code="late")
    bank = load_bank(attempt.round.contest_id)
    cleaned = clean_answers(bank, attempt.paper, answers)
    fields: dict[str, Any] = {"answers": {**attempt.answers, **cleaned}}
    if prediction not in (None, ""):
        fields["prediction"] = clean_prediction(attempt.round, prediction)
    Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(**fields)
    for name, value in fields.items():
        setattr(attempt, name, value)


@dataclass
class SubmitResult:
    attempt: Attempt
    late: bool = False


# Rounds by id for submitting, kept ROUND_TTL seconds in the process (what may
# lag is a change by staff to a running round, by at most that long); emptied
# in this process when a round or contest is saved (apps.ContestsConfig.ready).
ROUND_TTL = 2
ROUNDS_BY_ID = LocalCache(ttl=ROUND_TTL)


def round_by_id(round_id: int) -> Round:
    rnd = ROUNDS_BY_ID.get(round_id)
    if rnd is None:
        rnd = Round.objects.get(pk=round_id)
        ROUNDS_BY_ID.set(round_id, rnd)
    return rnd  # type: ignore[no-any-return]


def _locked_attempt(token: str) -> Attempt | None:
    """The attempt with this token, in the statement that locks its participant
    (PostgreSQL; SQLite's IMMEDIATE transaction serialises instead), with
    `participant_erased_at` and `bank_version` (its contest's) set and its round
    from `round_by_id`. Written out: the ORM spent longer building the select
    than the database spent running it."""
    sql = (
        "SELECT a.*, p.erased_at AS participant_erased_at, c.bank_version AS bank_version"
        f" FROM {Attempt._meta.db_table} a"
        f" JOIN {Participant._meta.db_table} p ON p.id = a.participant_id"
        f" JOIN {Contest._meta.db_table} c ON c.id = p.contest_id WHERE a.token = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF p"
    found = list(Attempt.objects.raw(sql, [token]))
    if not found:
        return None
    attempt = found[0]
    attempt.round = round_by_id(attempt.round_id)
    return attempt


def submit_attempt(
    token: str,
    answers: Mapping[str, Any] | Callable[[Attempt], Mapping[str, Any]],
    prediction: Any,
    now: datetime | None = None,
    *,
    owner: Callable[[Attempt], bool] | None = None,
) -> SubmitResult:
    """Score and close an attempt, once. A second submit returns the first result.
    After the deadline (plus grace) the new answers are refused and the attempt is
    closed with what was saved in time.

    `answers` may be a function of the attempt (answers read off a form need its
    paper); `owner`, when given, must accept the attempt or nothing happens
    (ContestError "missing"). The attempt is read once, in the same statement
    that locks its participant: one person's attempts of a round are finished
    one at a time (every change of `counted` holds that lock), so that exactly
    one of them is counted."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(token)
        if (
            attempt is None
            or getattr(attempt, "participant_erased_at", None) is not None
            or (owner is not None and not owner(attempt))
        ):
            raise ContestError("Không tìm thấy bài thi.", status=404, code="missing")
        if attempt.status != AttemptStatus.IN_PROGRESS:
            return SubmitResult(attempt)
        rnd = attempt.round
        bank = load_bank(rnd.contest_id, attempt.bank_version)  # type: ignore[attr-defined]
        late = now > attempt.hard_deadline()
        if late:
            final_answers = dict(attempt.answers)
            final_prediction = attempt.prediction
            status = AttemptStatus.EXPIRED
            submitted_at = attempt.deadline
        else:
            given = answers(attempt) if callable(answers) else answers
            final_answers = {**attempt.answers, **clean_answers(bank, attempt.paper, given)}
            status = AttemptStatus.SUBMITTED
            if prediction in (None, "") and now > attempt.deadline:
                # The countdown ran out and the page submitted itself: close the
                # paper with the prediction saved so far rather than refuse it.
                final_prediction = attempt.prediction
                status = AttemptStatus.EXPIRED
            else:
                final_prediction = clean_prediction(rnd, prediction)
            submitted_at = min(now, attempt.deadline)
        attempt.answers = final_answers
        attempt.prediction = final_prediction
        attempt.status = status
        attempt.submitted_at = submitted_at
        attempt.score = score_answers(bank, attempt.paper, final_answers)
        elapsed = (submitted_at - attempt.started_at).total_seconds()
        attempt.duration_ms = max(0, int(min(elapsed, rnd.time_limit_seconds) * 1000))
        displaced = _counted_decision(attempt)
        # Guarded by the status: whatever closed the attempt meanwhile (an
        # autosave cannot, closing the round can) wins, and is returned.
        closed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            answers=final_answers,
            prediction=final_prediction,
            status=status,
            submitted_at=submitted_at,
            score=attempt.score,
            duration_ms=attempt.duration_ms,
            counted=attempt.counted,
        )
        if not closed:
            return SubmitResult(Attempt.objects.select_related("round__contest").get(pk=attempt.pk))
        if displaced is not None:
            Attempt.objects.filter(pk=displaced).update(counted=False)
    return SubmitResult(attempt, late=late)


def _counted_decision(attempt: Attempt) -> int | None:
    """Keep one counted attempt per participant and round, by the round's rule:
    set `attempt.counted`; return the id of the attempt it displaces, if any.
    The caller holds the participant's lock."""
    current = (
        Attempt.objects.filter(
            round_id=attempt.round_id, participant_id=attempt.participant_id, counted=True
        )
        .exclude(pk=attempt.pk)
        .values_list("pk", "score")
        .first()
    )
    if current is None:
        attempt.counted = True
        return None
    if attempt.round.counting == Counting.FIRST:
        attempt.counted = False
        return None
    # The best score counts; among equal scores the earlier attempt stays.
    current_pk, current_score = current
    attempt.counted = (attempt.score or 0) > (current_score or 0)
    return current_pk if attempt.counted else None


def answers_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """May the participant see the right answers of this attempt now?"""
    now = now or timezone.now()
    rnd = attempt.round
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return False
    if rnd.show_answers == "after_submit":
        return True
    if rnd.show_answers == "after_close":
        return now >= rnd.closes_at
    return False


# --- Which answers are safe to show ------------------------------------------------


@dataclass(frozen=True)
class DrawScope:
    """The questions a round can put on a paper: those of its topics, or any of
    the bank when its topic counts add up to fewer than its question count."""

    categories: frozenset[int]
    whole_bank: bool

    def covers(self, category_id: int) -> bool:
        return self.whole_bank or category_id in self.categories

    def overlaps(self, other: DrawScope) -> bool:
        return self.whole_bank or other.whole_bank or bool(self.categories & other.categories)


def draw_scope(rnd: Round, quotas: Iterable[tuple[int, int]]) -> DrawScope:
    """As `draw_paper` draws: the quotas first, then the whole bank up to the count."""
    counted = {category: count for category, count in quotas if count > 0}
    whole = bool(rnd.question_count) and sum(counted.values()) < rnd.question_count
    return DrawScope(frozenset(counted), whole)


def rounds_still_drawing(
    contest_id: int, now: datetime, exclude: int
) -> list[tuple[Round, DrawScope]]:
    """The contest's rounds but `exclude` open at `now` or yet to open (a
    participant can still be given their questions), by closing time, each with
    what it can draw."""
    rounds = list(
        Round.objects.filter(contest_id=contest_id, status=RoundStatus.SCHEDULED, closes_at__gt=now)
        .exclude(pk=exclude)
        .order_by("closes_at", "number")
    )
    if not rounds:
        return []
    quotas: dict[int, list[tuple[int, int]]] = {}
    for round_id, category_id, count in RoundQuota.objects.filter(round__in=rounds).values_list(
        "round_id", "category_id", "count"
    ):
        quotas.setdefault(round_id, []).append((category_id, count))
    return [(rnd, draw_scope(rnd, quotas.get(rnd.pk, []))) for rnd in rounds]


def withheld_answers(attempt: Attempt, bank: Bank, now: datetime | None = None) -> dict[int, Round]:
    """The questions of the attempt whose answers (and explanations) must stay
    hidden because another round, open now or to come, can still draw them;
    each with the last such round to close (their answers are safe after it).
    The attempt's own round is left out: showing its answers while it is open
    is what "after submit" means."""
    now = now or timezone.now()
    drawing = rounds_still_drawing(attempt.round.contest_id, now, exclude=attempt.round_id)
    withheld: dict[int, Round] = {}
    for qid, _cids in attempt.paper:
        question = bank.questions.get(qid)
        if question is None:
            continue
        for rnd, scope in drawing:  # by closing time: the last one wins
            if scope.covers(question.category_id):
                withheld[qid] = rnd
    return withheld
