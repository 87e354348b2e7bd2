"""The question bank of a contest, cached; drawing and scoring a paper (pure);
and which answers are safe to show while other rounds can still draw them.

Correct answers live in the cached bank on the server and never go into a page
before the round allows. The attempt lifecycle (start, save, submit) is in
services.py.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from danvan.contests.models import (
    Attempt,
    Choice,
    Contest,
    Prediction,
    Question,
    Round,
    RoundQuota,
    RoundStatus,
)

_random = secrets.SystemRandom()
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
    """The round's quotas (category id, count): kept on the round object, so a
    round kept in the process (`public_helpers.ROUNDS`, `services.ROUNDS_BY_ID`:
    ROUND_TTL seconds) costs a start no round trip for them, and in the shared
    cache until `invalidate_round`."""
    kept: list[tuple[int, int]] | None = rnd.__dict__.get("_quotas")
    if kept is not None:
        return kept
    quotas = cache.get(_quotas_key(rnd.pk))
    if quotas is None:
        quotas = list(rnd.quotas.values_list("category_id", "count"))
        cache.set(_quotas_key(rnd.pk), quotas, 300)
    rnd.__dict__["_quotas"] = quotas
    return quotas  # type: ignore[no-any-return]


def load_bank_and_quotas(
    rnd: Round, version: str | None = None
) -> tuple[Bank, list[tuple[int, int]]]:
    """The bank (at `version`, else the current one) and the round's quotas."""
    return load_bank(rnd.contest_id, version), round_quotas(rnd)


def invalidate_round(rnd: Round) -> None:
    """After a change of the round's quotas: other processes see it within
    ROUND_TTL seconds (the rounds they keep expire), this one at once."""
    rnd.__dict__.pop("_quotas", None)
    cache.delete(_quotas_key(rnd.pk))


# --- Drawing and scoring (pure) --------------------------------------------------


def _sample(rng: Any, pool: list[int], count: int) -> list[int]:
    """`count` question ids of `pool` at random; the bank is short if it has fewer."""
    if count > len(pool):
        raise ContestError(
            "Ngân hàng câu hỏi không đủ câu cho đợt thi này. Vui lòng báo Ban Tổ chức.",
            status=503,
            code="bank_short",
        )
    return rng.sample(pool, count)  # type: ignore[no-any-return]


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
        drawn.extend(_sample(rng, bank.by_category.get(category_id, []), count))
    if len(drawn) < total:
        taken = set(drawn)
        rest = [q for q in bank.questions if q not in taken]
        drawn.extend(_sample(rng, rest, total - len(drawn)))
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
