"""Closing a round (tổng hợp kết quả đợt thi): finalise the attempts still open,
work out the answer to the prediction question, rank every counted attempt,
award the round's prizes; then publish. Also the overall prizes of a contest.

Closing runs as a background job (`danvan.contests.jobs`, kind "close_round").
It is built for a million attempts: the ranking reads only the columns it needs
(`values_list`), sorts in Python with the same `rank_key` the rest of the app
uses, and writes the ranks back in batches with one UPDATE a batch.

State machine of a round: scheduled -> closing -> closed -> published. The
"closing" state is committed first so that staff see the work is running; if
the work fails, the round goes back to "scheduled" and nothing else changes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from danvan.contests.bank import ContestError, load_bank, score_answers
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    CollectiveBasis,
    Contest,
    Counting,
    Participant,
    Prediction,
    Prize,
    PrizeKind,
    Round,
    RoundStatus,
)
from danvan.core.jobs import Progress
from danvan.core.masking import mask_name
from danvan.core.models import Area, AreaKind, Period
from danvan.core.services import member_totals

BATCH = 5_000
INDIVIDUAL_KINDS = [PrizeKind.FIRST, PrizeKind.SECOND, PrizeKind.THIRD, PrizeKind.CONSOLATION]
FINISHED = [AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED]

MSG_NOT_ENDED = "Đợt thi chưa kết thúc."
MSG_PUBLISHED = "Kết quả đợt thi đã công bố; không thể mở lại hoặc tổng hợp lại."
MSG_CLOSED = "Đợt thi đã được tổng hợp kết quả."
MSG_CLOSING = "Đợt thi đang được tổng hợp kết quả."
MSG_NOT_CLOSED = "Đợt thi chưa được tổng hợp kết quả."


@dataclass
class CloseSummary:
    round_id: int
    finalized: int  # attempts still in progress, closed as expired
    attempts: int  # submitted + expired attempts
    participants: int  # participants with a counted attempt
    perfect: int  # participants whose counted attempt has every answer right
    actual_value: int | None  # the answer to the prediction question
    ranked: int
    awards: int  # individual awards
    collective_awards: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _noop(done: int, total: int, message: str = "") -> None:
    pass


# --- Closing ------------------------------------------------------------------------


def check_closable(rnd: Round, now: datetime) -> None:
    if rnd.status == RoundStatus.PUBLISHED:
        raise ContestError(MSG_PUBLISHED, status=409, code="published")
    if rnd.status == RoundStatus.CLOSED:
        raise ContestError(MSG_CLOSED, status=409, code="closed")
    if rnd.status == RoundStatus.CLOSING:
        raise ContestError(MSG_CLOSING, status=409, code="closing")
    # Wait out the network grace too: a submit may still arrive until then.
    if now < rnd.closes_at + timedelta(seconds=rnd.grace_seconds):
        raise ContestError(MSG_NOT_ENDED, status=409, code="not_ended")


def close_round(
    rnd: Round, *, progress: Progress | None = None, now: datetime | None = None
) -> CloseSummary:
    """Close a round that has ended and award its prizes (status becomes CLOSED).

    Refused (ContestError) before `closes_at` and for a round that is not
    scheduled (being closed, closed, published). `rnd` is updated in place."""
    now = now or timezone.now()
    report = progress or _noop
    started = time.monotonic()
    with transaction.atomic():
        locked = (
            Round.objects.select_for_update(of=("self",)).select_related("contest").get(pk=rnd.pk)
        )
        check_closable(locked, now)
        locked.status = RoundStatus.CLOSING
        locked.save(update_fields=["status"])
    try:
        with transaction.atomic():
            summary = _close(locked, report)
            locked.status = RoundStatus.CLOSED
            locked.closed_at = now
            locked.actual_value = summary.actual_value
            locked.save(update_fields=["status", "closed_at", "actual_value"])
    except BaseException:
        # Nothing of the work was kept: the round can be closed again. (Inside a
        # caller's broken transaction this cannot be written; the error that
        # broke it is the one to see, so it is not masked.)
        with contextlib.suppress(DatabaseError, TransactionManagementError):
            Round.objects.filter(pk=rnd.pk, status=RoundStatus.CLOSING).update(
                status=RoundStatus.SCHEDULED
            )
        raise
    summary.seconds = round(time.monotonic() - started, 3)
    rnd.status, rnd.closed_at, rnd.actual_value = locked.status, now, summary.actual_value
    return summary


def _close(rnd: Round, report: Progress) -> CloseSummary:
    finalized = finalize_open_attempts(rnd, report)

    attempts = Attempt.objects.filter(round=rnd)
    counted = attempts.filter(counted=True, status__in=FINISHED)
    finished_count = attempts.filter(status__in=FINISHED).count()
    participants = counted.values("participant_id").distinct().count()
    perfect = counted.filter(score=rnd.question_count).values("participant_id").distinct().count()
    by_kind: dict[str, int] = {
        Prediction.PARTICIPANTS: participants,
        Prediction.ATTEMPTS: finished_count,
        Prediction.PERFECT: perfect,
    }
    actual = by_kind.get(rnd.prediction)

    prizes = {p.kind: p for p in Prize.objects.filter(round=rnd)}
    places = sum(prizes[k].quantity for k in INDIVIDUAL_KINDS if k in prizes)
    ranking = rank_round(rnd, actual, report, top=places)
    report(ranking.total, ranking.total, "Đang trao giải…")
    Award.objects.filter(prize__round=rnd).delete()
    awards = _award_individuals(rnd, prizes, ranking.top)
    collective = _award_collective(rnd, prizes.get(PrizeKind.COLLECTIVE), counted)
    report(ranking.total, ranking.total, "Đã tổng hợp kết quả.")
    return CloseSummary(
        round_id=rnd.pk,
        finalized=finalized,
        attempts=finished_count,
        participants=participants,
        perfect=perfect,
        actual_value=actual,
        ranked=ranking.total,
        awards=awards,
        collective_awards=collective,
        seconds=0.0,
    )


def finalize_open_attempts(rnd: Round, report: Progress) -> int:
    """Close every attempt still in progress as expired: scored from the answers
    saved in time (nothing new), submitted at its deadline, and the counted rule
    applied, exactly as `services.submit_attempt` does after the deadline.

    Done in bulk (a round may hold tens of thousands of abandoned attempts): the
    rows are locked, scored with `services.score_answers`, and the counted rule
    of `services._counted_decision` is replayed per participant in attempt order.
    test_closing pins this to the result of submitting them one by one."""
    rows = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(round=rnd, status=AttemptStatus.IN_PROGRESS)
        .order_by("participant_id", "number")
        .values_list("pk", "participant_id", "paper", "answers", "started_at", "deadline")
    )
    if not rows:
        return 0
    report(0, len(rows), f"Đang chốt {len(rows)} bài đang làm dở…")
    bank = load_bank(rnd.contest_id)
    limit = rnd.time_limit_seconds
    current: dict[int, tuple[int, int, int]] = {
        pid: (pk, score or 0, duration or 0)
        for pk, pid, score, duration in Attempt.objects.filter(
            round=rnd,
            counted=True,
            participant_id__in=Attempt.objects.filter(
                round=rnd, status=AttemptStatus.IN_PROGRESS
            ).values("participant_id"),
        ).values_list("pk", "participant_id", "score", "duration_ms")
    }
    finals: list[tuple[Any, ...]] = []
    uncount: set[int] = set()
    for pk, pid, paper, answers, started_at, deadline in rows:
        score = score_answers(bank, paper, answers or {})
        elapsed = (deadline - started_at).total_seconds()
        duration = max(0, int(min(elapsed, limit) * 1000))
        best = current.get(pid)
        if best is None:
            counted = True
        elif rnd.counting == Counting.FIRST:
            counted = False
        else:
            counted = score > best[1]  # equal scores: the earlier attempt stays
            if counted:
                uncount.add(best[0])
        if counted:
            current[pid] = (pk, score, duration)
        finals.append((pk, AttemptStatus.EXPIRED.value, score, duration, deadline, counted))
    bulk_set([("counted", "boolean")], [(pk, False) for pk in uncount])
    bulk_set(
        [
            ("status", "varchar"),
            ("score", "smallint"),
            ("duration_ms", "integer"),
            ("submitted_at", "timestamptz"),
            ("counted", "boolean"),
        ],
        # A finalised attempt that a later one overtook in this same pass.
        [(*row[:5], row[5] and row[0] not in uncount) for row in finals],
        report=lambda done, total: report(done, total, f"Đã chốt {done}/{total} bài làm dở."),
    )
    return len(rows)


def bulk_set(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    report: Callable[[int, int], None] | None = None,
) -> None:
    """UPDATE attempts: rows are (id, value, ...) for the (column, SQL type)
    pairs, written BATCH rows a statement, in id order (neighbouring rows share
    pages: about half the cost of writing them in rank order). PostgreSQL gets
    one UPDATE ... FROM unnest(arrays) a batch; SQLite one prepared UPDATE run
    for each row (executemany: no SQL text to build, no parameter limit)."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda r: r[0])
    qn = connection.ops.quote_name
    table = qn(Attempt._meta.db_table)
    total = len(ordered)
    with connection.cursor() as cursor:
        for start in range(0, total, BATCH):
            batch = ordered[start : start + BATCH]
            if connection.vendor == "postgresql":
                names = ["id", *(c for c, _t in columns)]
                arrays = ", ".join(f"%s::{t}[]" for t in ["bigint", *(t for _c, t in columns)])
                sets = ", ".join(f"{qn(c)} = v.{qn(c)}" for c, _t in columns)
                cursor.execute(
                    f"UPDATE {table} AS a SET {sets} FROM unnest({arrays}) "
                    f"AS v({', '.join(qn(n) for n in names)}) WHERE a.{qn('id')} = v.{qn('id')}",
                    [list(col) for col in zip(*batch, strict=True)],
                )
            elif connection.vendor == "sqlite":
                sets = ", ".join(f"{qn(c)} = %s" for c, _t in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {sets} WHERE {qn('id')} = %s",
                    [(*row[1:], row[0]) for row in batch],
                )
            else:  # pragma: no cover - other databases
                objs = []
                for row in batch:
                    obj = Attempt(pk=row[0])
                    for (column, _t), value in zip(columns, row[1:], strict=True):
                        setattr(obj, column, value)
                    objs.append(obj)
                Attempt.objects.bulk_update(objs, [c for c, _t in columns])
            if report is not None:
                report(start + len(batch), total)


@dataclass
class Ranking:
    total: int  # counted attempts ranked
    top: list[Any]  # the first ones (pk, participant_id, score), best first


def rank_order(keys: Sequence[str], actual: int | None) -> tuple[str, list[Any]]:
    """The SQL ORDER BY of the round's tie-break `keys` (and the id last): the
    order of `bank.rank_key`, written so that PostgreSQL and SQLite agree
    (missing values last, by explicit flags rather than the vendors' NULL order)."""
    parts: list[str] = []
    params: list[Any] = []
    for key in keys:
        if key == "score":
            parts.append("COALESCE(score, 0) DESC")
        elif key == "prediction":
            parts.append("CASE WHEN prediction IS NULL THEN 1 ELSE 0 END")
            if actual is not None:
                parts.append("ABS(prediction - %s)")
                params.append(actual)
        elif key == "duration":
            parts.append(f"COALESCE(duration_ms, {2**62})")
        elif key == "submitted":
            parts.append("CASE WHEN submitted_at IS NULL THEN 1 ELSE 0 END, submitted_at")
    parts.append("id")
    return ", ".join(parts), params


def rank_round(rnd: Round, actual: int | None, report: Progress, *, top: int = 0) -> Ranking:
    """Rank the counted attempts by the round's tie-break order; store `rank`
    (1 is best) on them and clear it on the others. Returns how many were
    ranked and the first `top` of them.

    The database ranks them (a window function into a temporary table: no row
    travels to Python and back), then the ranks are written BATCH rows a
    statement in id order (neighbouring rows share pages), with progress."""
    order, params = rank_order(rnd.tie_break_keys(), actual)
    Attempt.objects.filter(round=rnd, rank__isnull=False).filter(
        Q(counted=False) | ~Q(status__in=FINISHED)
    ).update(rank=None)
    qn = connection.ops.quote_name
    table = qn(Attempt._meta.db_table)
    statuses = ", ".join(["%s"] * len(FINISHED))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS danvan_rank")
        cursor.execute(
            f"CREATE TEMPORARY TABLE danvan_rank AS SELECT id, "
            f"ROW_NUMBER() OVER (ORDER BY {order}) AS rn FROM {table} "
            f"WHERE round_id = %s AND counted AND status IN ({statuses})",
            [*params, rnd.pk, *FINISHED],
        )
        cursor.execute("CREATE INDEX danvan_rank_id ON danvan_rank (id)")
        cursor.execute("SELECT COUNT(*) FROM danvan_rank")
        total = int(cursor.fetchone()[0])
        report(0, total, f"Đang xếp hạng {total} lượt thi…")
        cursor.execute(
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k FROM danvan_rank) t "
            "WHERE k %% %s = 0 ORDER BY id",
            [BATCH],
        )
        bounds = [row[0] for row in cursor.fetchall()]
        low: int | None = None
        for done, high in enumerate([*bounds, None], start=1):
            where = ["r.id > %s"] if low is not None else []
            where += ["r.id <= %s"] if high is not None else []
            cursor.execute(
                f"UPDATE {table} SET rank = r.rn FROM danvan_rank AS r "
                f"WHERE {table}.id = r.id" + "".join(f" AND {w}" for w in where),
                [v for v in (low, high) if v is not None],
            )
            low = high
            written = min(done * BATCH, total)
            if written > (done - 1) * BATCH:  # the last statement may have had nothing left
                report(written, total, f"Đã xếp hạng {written}/{total} lượt thi.")
        best = (
            list(
                Attempt.objects.raw(
                    f"SELECT a.id, a.participant_id, a.score FROM danvan_rank AS r "
                    f"JOIN {table} AS a ON a.id = r.id WHERE r.rn <= %s ORDER BY r.rn",
                    [top],
                )
            )
            if top
            else []
        )
        cursor.execute("DROP TABLE danvan_rank")
    return Ranking(total, best)


# --- Places: a participant's commune -------------------------------------------------


def communes_of(area_ids: Iterable[int]) -> tuple[dict[int, Area | None], dict[int, Area]]:
    """For each area id: the commune it is in (itself if a commune, else the
    nearest commune above it, or None). Also returns the areas themselves."""
    areas = {a.pk: a for a in Area.objects.filter(pk__in=set(area_ids))}
    step = Area.steplen
    wanted: set[str] = set()
    for area in areas.values():
        if area.kind != AreaKind.COMMUNE:
            wanted.update(area.path[:k] for k in range(step, len(area.path), step))
    above = {a.path: a for a in Area.objects.filter(path__in=wanted, kind=AreaKind.COMMUNE)}
    out: dict[int, Area | None] = {}
    for pk, area in areas.items():
        if area.kind == AreaKind.COMMUNE:
            out[pk] = area
            continue
        prefixes = [area.path[:k] for k in range(step, len(area.path), step)]
        out[pk] = next((above[p] for p in reversed(prefixes) if p in above), None)
    return out, areas


def _places(participant_ids: Iterable[int]) -> dict[int, tuple[str, str, int]]:
    """participant id -> (full name, published place, area id)."""
    people = list(
        Participant.objects.filter(pk__in=set(participant_ids)).values_list(
            "pk", "full_name", "area_id"
        )
    )
    communes, areas = communes_of(area for _pk, _name, area in people)
    out = {}
    for pk, name, area_id in people:
        commune = communes.get(area_id)
        place = commune.name if commune is not None else areas[area_id].name
        out[pk] = (name, place, area_id)
    return out


# --- Awards --------------------------------------------------------------------------


def _award_individuals(rnd: Round, prizes: dict[str, Prize], ranked: Sequence[Any]) -> int:
    """First, second, third, consolation prizes in rank order."""
    winners: list[tuple[Prize, Any, int]] = []
    position = 0
    for kind in INDIVIDUAL_KINDS:
        prize = prizes.get(kind)
        if prize is None:
            continue
        for _ in range(prize.quantity):
            if position >= len(ranked):
                break
            winners.append((prize, ranked[position], position + 1))
            position += 1
    places = _places(row.participant_id for _p, row, _r in winners)
    Award.objects.bulk_create(
        Award(
            prize=prize,
            round=rnd,
            participant_id=row.participant_id,
            attempt_id=row.pk,
            rank=rank,
            published_name=mask_name(places[row.participant_id][0]),
            published_place=places[row.participant_id][1],
            value=row.score,
        )
        for prize, row, rank in winners
    )
    return len(winners)


def latest_member_period() -> Period | None:
    """The latest reporting period that has member counts."""
    return Period.objects.filter(member_counts__isnull=False).latest_first().distinct().first()


def commune_standings(rnd: Round, basis: str, counted: Any) -> list[tuple[Area, int, float]]:
    """Communes of the contest's target area with participants in the round:
    (commune, participants, value by the basis), best first. A commune without a
    population (rate_population) or without members (rate_members) is left out."""
    per_area = (
        counted.values("participant__area_id")
        .annotate(n=Count("participant_id", distinct=True))
        .values_list("participant__area_id", "n")
    )
    per_area = list(per_area)
    communes, _areas = communes_of(area_id for area_id, _n in per_area)
    target = rnd.contest.target_area.path
    counts: dict[int, int] = {}
    by_pk: dict[int, Area] = {}
    for area_id, n in per_area:
        commune = communes.get(area_id)
        if commune is None or not commune.path.startswith(target):
            continue
        counts[commune.pk] = counts.get(commune.pk, 0) + n
        by_pk[commune.pk] = commune
    period = latest_member_period() if basis == CollectiveBasis.RATE_MEMBERS else None
    standings: list[tuple[Area, int, float]] = []
    for pk, n in counts.items():
        commune = by_pk[pk]
        if basis == CollectiveBasis.RATE_POPULATION:
            if not commune.population:
                continue
            value = n / commune.population
        elif basis == CollectiveBasis.RATE_MEMBERS:
            members = member_totals(commune, period)["total"] if period else 0
            if not members:
                continue
            value = n / members
        else:
            value = float(n)
        standings.append((commune, n, value))
    standings.sort(key=lambda s: (-s[2], -s[1], s[0].name_folded, s[0].pk))
    return standings


def _award_collective(
    rnd: Round, prize: Prize | None, counted: Any, *, overall: bool = False
) -> int:
    """The collective prize to the best communes; `value` is the participant
    count (basis count) or participants per inhabitant / per member (a ratio).
    `overall`: a contest-wide prize over `counted` of every published round."""
    if prize is None or not prize.quantity:
        return 0
    standings = commune_standings(rnd, prize.basis or CollectiveBasis.COUNT, counted)
    winners = standings[: prize.quantity]
    parents = dict(
        Area.objects.filter(
            path__in={c.path[: -Area.steplen] for c, _n, _v in winners}
        ).values_list("path", "name")
    )
    Award.objects.bulk_create(
        Award(
            prize=prize,
            round=None if overall else rnd,
            area=commune,
            rank=i,
            published_name=commune.name,
            published_place=parents.get(commune.path[: -Area.steplen], ""),
            value=value,
        )
        for i, (commune, _n, value) in enumerate(winners, 1)
    )
    return len(winners)


# --- Publishing, overall prizes -----------------------------------------------------


def publish_round(rnd: Round, *, now: datetime | None = None) -> Round:
    """Make the results of a closed round public (CLOSED -> PUBLISHED)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=rnd.pk)
        if locked.status == RoundStatus.PUBLISHED:
            raise ContestError(MSG_PUBLISHED, status=409, code="published")
        if locked.status != RoundStatus.CLOSED:
            raise ContestError(MSG_NOT_CLOSED, status=409, code="not_closed")
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
    rnd.status, rnd.published_at = locked.status, now
    return locked


def overall_standings(contest: Contest) -> list[dict[str, Any]]:
    """Participants by the sum of their counted scores over the published rounds
    (higher first), then by the total time taken (shorter first)."""
    qs = (
        Attempt.objects.filter(
            round__contest=contest,
            round__status=RoundStatus.PUBLISHED,
            counted=True,
            status__in=FINISHED,
        )
        .values("participant_id")
        .annotate(total=Sum("score"), duration=Sum("duration_ms"), rounds=Count("pk"))
        .order_by()
    )
    rows: list[dict[str, Any]] = [dict(r) for r in qs]
    rows.sort(key=lambda r: (-(r["total"] or 0), r["duration"] or 0, r["participant_id"]))
    return rows


@transaction.atomic
def award_overall(contest: Contest) -> list[Award]:
    """Award the contest's overall prizes (round empty) on the cumulative results
    of the published rounds. Running it again replaces the previous overall awards."""
    if not Round.objects.filter(contest=contest, status=RoundStatus.PUBLISHED).exists():
        raise ContestError("Chưa có đợt thi nào công bố kết quả.", status=409, code="no_results")
    prizes = {
        p.kind: p
        for p in Prize.objects.filter(contest=contest, round__isnull=True).exclude(
            kind=PrizeKind.COLLECTIVE
        )
    }
    Award.objects.filter(prize__contest=contest, prize__round__isnull=True).delete()
    standings = overall_standings(contest)
    winners: list[tuple[Prize, dict[str, Any], int]] = []
    for kind in INDIVIDUAL_KINDS:
        prize = prizes.get(kind)
        for _ in range(prize.quantity if prize else 0):
            if len(winners) >= len(standings):
                break
            assert prize is not None
            winners.append((prize, standings[len(winners)], len(winners) + 1))
    places = _places(row["participant_id"] for _p, row, _r in winners)
    collective = Prize.objects.filter(
        contest=contest, round__isnull=True, kind=PrizeKind.COLLECTIVE
    ).first()
    published = Round.objects.select_related("contest__target_area").filter(
        contest=contest, status=RoundStatus.PUBLISHED
    )
    counted = Attempt.objects.filter(round__in=published, counted=True, status__in=FINISHED)
    first_round = published.first()
    if first_round is not None:
        _award_collective(first_round, collective, counted, overall=True)
    return Award.objects.bulk_create(
        Award(
            prize=prize,
            round=None,
            participant_id=row["participant_id"],
            rank=rank,
            published_name=mask_name(places[row["participant_id"]][0]),
            published_place=places[row["participant_id"]][1],
            value=row["total"],
        )
        for prize, row, rank in winners
    )
