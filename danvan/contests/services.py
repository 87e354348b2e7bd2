"""The contest hot path: starting, autosaving and submitting an attempt (the bank,
drawing, scoring and the ranking key are in bank.py).

The server is the only clock and the only scorer. Correct answers live in the
cached bank on the server and never go into a page before the round allows.
Every submit is idempotent: a second submit of the same attempt returns the
first result, and nothing is counted twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from danvan.contests.bank import (
    ContestError,
    clean_answers,
    clean_prediction,
    draw_paper,
    load_bank,
    load_bank_and_quotas,
    score_answers,
)
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Contest,
    Counting,
    Participant,
    Round,
    RoundStatus,
)
from danvan.core.cache import LocalCache
from danvan.core.rows import ModelRows

# A contest's long texts, left out where a hot path reads the contest beside something else.
CONTEST_LONG_TEXTS = ("intro", "rules", "consent_text")


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
    # The start commits without waiting for the disk (CONTEST_ASYNC_START, on by
    # default): a crash in the next fraction of a second loses the attempt, and
    # the participant starts again, with nothing counted. The setting is local to
    # this transaction, and rides on this statement (no round trip of its own).
    async_commit = connection.vendor == "postgresql" and getattr(
        settings, "CONTEST_ASYNC_START", True
    )
    sql = (
        "SELECT a.number, a.status, a.deadline, a.token, c.bank_version"
        + (", set_config('synchronous_commit', 'off', true)" if async_commit else "")
        + f" FROM {Participant._meta.db_table} p"
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
    for number, status, deadline, token, *_rest in rows:
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
            attempt = Attempt(
                round=rnd,
                participant_id=participant_id,
                number=(attempts[0][0] + 1) if attempts else 1,
                token=secrets.token_urlsafe(18),
                started_at=now,
                deadline=deadline,
                paper=paper,
            )
            # Written out (no signal listens to an attempt's save): the ORM's
            # insert cost more to build than to run.
            return _ATTEMPTS.insert(attempt)  # type: ignore[no-any-return]
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
    rnd = attempt.round
    # The bank version read with the attempt (`attempt_by_token`), else one query.
    version = rnd.contest.bank_version if Round.contest.is_cached(rnd) else None
    bank = load_bank(rnd.contest_id, version)
    cleaned = clean_answers(bank, attempt.paper, answers)
    fields: dict[str, Any] = {"answers": {**attempt.answers, **cleaned}}
    if prediction not in (None, ""):
        fields["prediction"] = clean_prediction(rnd, prediction)
    # Written out (an autosave comes with every click at a deadline): the ORM's
    # update cost more to build than to run. Only while the attempt runs.
    sets, values = _assignments(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Attempt._meta.db_table)} SET {sets}"
            " WHERE id = %s AND status = %s",
            [*values, attempt.pk, AttemptStatus.IN_PROGRESS],
        )
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


_ATTEMPTS = ModelRows(Attempt)


def _assignments(values: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The SET list of a written-out UPDATE of an attempt's fields (name ->
    value) and its parameters, the values prepared as the ORM prepares them."""
    sets, params = [], []
    for name, value in values.items():
        field: Any = Attempt._meta.get_field(name)
        sets.append(f"{connection.ops.quote_name(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    return ", ".join(sets), params


_ROUNDS = ModelRows(Round)
_CONTESTS = ModelRows(Contest)
_PARTICIPANTS = ModelRows(Participant)


def attempt_by_token(token: str) -> Attempt | None:
    """The attempt with this token with its round, the round's contest and its
    participant (as `select_related("round__contest", "participant")` reads
    them), in one written-out statement: the attempt's page, its autosaves and
    its result read it on every request."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {_ATTEMPTS.columns('a')}, {_ROUNDS.columns('r')},"
        f" {_CONTESTS.columns('c')}, {_PARTICIPANTS.columns('p')}"
        f" FROM {quote(Attempt._meta.db_table)} a"
        f" JOIN {quote(Round._meta.db_table)} r ON r.id = a.round_id"
        f" JOIN {quote(Contest._meta.db_table)} c ON c.id = r.contest_id"
        f" JOIN {quote(Participant._meta.db_table)} p ON p.id = a.participant_id"
        " WHERE a.token = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [token])
        row = cursor.fetchone()
    if row is None:
        return None
    at = 0
    made = []
    for rows in (_ATTEMPTS, _ROUNDS, _CONTESTS, _PARTICIPANTS):
        made.append(rows.instance(row[at : at + rows.width]))
        at += rows.width
    attempt, rnd, contest, participant = made
    rnd.contest = contest
    attempt.round = rnd
    attempt.participant = participant
    return attempt  # type: ignore[no-any-return]


def _locked_attempt(token: str) -> Attempt | None:
    """The attempt with this token, in the statement that locks its participant
    (PostgreSQL; SQLite's IMMEDIATE transaction serialises instead), with
    `participant_erased_at` and `bank_version` (its contest's) set and its round
    from `round_by_id`. Written out, its row made an instance by
    `core.rows.ModelRows`: the ORM spent longer building the select, and
    `raw()` longer matching its columns, than the database spent running it."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {_ATTEMPTS.columns('a')}, p.erased_at, c.bank_version"
        f" FROM {quote(Attempt._meta.db_table)} a"
        f" JOIN {quote(Participant._meta.db_table)} p ON p.id = a.participant_id"
        f" JOIN {quote(Contest._meta.db_table)} c ON c.id = p.contest_id WHERE a.token = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF p"
    with connection.cursor() as cursor:
        cursor.execute(sql, [token])
        row = cursor.fetchone()
    if row is None:
        return None
    attempt = _ATTEMPTS.instance(row)
    # As raw() set them, as the database gives them (the erasure is only tested for None).
    attempt.participant_erased_at, attempt.bank_version = row[_ATTEMPTS.width :]
    attempt.round = round_by_id(attempt.round_id)
    return attempt  # type: ignore[no-any-return]


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
        # Guarded by the status: whatever closed the attempt meanwhile (an
        # autosave cannot, closing the round can) wins, and is returned.
        if not _store_closed(attempt):
            return SubmitResult(Attempt.objects.select_related("round__contest").get(pk=attempt.pk))
    return SubmitResult(attempt, late=late)


_CLOSED = ("answers", "prediction", "status", "submitted_at", "score", "duration_ms")


def _store_closed(attempt: Attempt) -> bool:
    """Write the closed attempt (its `_CLOSED` fields) if it is still in
    progress, with the counted rule (`_counted_decision`): set
    `attempt.counted`, and uncount the attempt it displaces. False when
    something else closed it first (nothing written). The caller holds the
    participant's lock.

    On PostgreSQL one statement: the counted read, the update and the
    displacement as data-modifying CTEs. Each statement of a READ COMMITTED
    transaction reads a snapshot taken when it starts, after the lock, so
    the counted attempts it reads are those every earlier holder of the
    lock committed."""
    if connection.vendor != "postgresql":
        displaced = _counted_decision(attempt)
        closed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            counted=attempt.counted, **{name: getattr(attempt, name) for name in _CLOSED}
        )
        if closed and displaced is not None:
            Attempt.objects.filter(pk=displaced).update(counted=False)
        return bool(closed)
    sets, values = _assignments({name: getattr(attempt, name) for name in _CLOSED})
    # The best score counts (among equal scores the earlier attempt stays), or
    # the first attempt finished: then any counted one stays.
    stays = "cur.score >= %s" if attempt.round.counting == Counting.BEST else "TRUE"
    table = connection.ops.quote_name(Attempt._meta.db_table)
    sql = (
        f"WITH cur AS (SELECT id, COALESCE(score, 0) AS score FROM {table}"
        " WHERE round_id = %s AND participant_id = %s AND counted AND id <> %s),"
        f" mine AS (UPDATE {table} SET {sets},"
        f" counted = NOT EXISTS (SELECT 1 FROM cur WHERE {stays})"
        " WHERE id = %s AND status = %s RETURNING counted),"
        f" gone AS (UPDATE {table} a SET counted = FALSE FROM mine"
        " WHERE mine.counted AND a.id IN (SELECT id FROM cur))"
        " SELECT (SELECT counted FROM mine)"  # (a data-modifying CTE runs unread)
    )
    params: list[Any] = [attempt.round_id, attempt.participant_id, attempt.pk, *values]
    if attempt.round.counting == Counting.BEST:
        params.append(attempt.score or 0)
    params += [attempt.pk, AttemptStatus.IN_PROGRESS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (counted,) = cursor.fetchone()
    if counted is None:
        return False
    attempt.counted = counted
    return True


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
