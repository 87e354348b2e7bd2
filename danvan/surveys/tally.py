"""The results tally: exact counts behind a survey's unfiltered results page,
brought up to date incrementally, so the page never aggregates every answer.

What is kept (`Tally` rows, a few hundred a survey):

* per question, how many responses answered it;
* per question and value (grid row, choice, number, unit, date), how many
  answers hold it; a number question keeps one row per distinct value, from
  which its mean, minimum, maximum and median are exact;
* per question, how many answers carry a text (free text or "Khác");
* per day, how many responses were received (days that can no longer change).

How it moves forward (`refresh`): `TallyState.watermark` is the highest answer
id already counted. A refresh reads the current top answer id, aggregates only
the answers of the survey between the watermark and that top (a range of the
primary key: the answers that arrived since the last refresh) and adds them in.
One refresher at a time: the state row is locked (`SELECT ... FOR UPDATE`)
while the counts are merged and the watermark moved, in one transaction.

Why the top id is safe to use: answer ids come from a sequence when a response
is written, and transactions commit in any order, so an id below the highest
committed one can still be in flight. On PostgreSQL every response is written
holding a shared advisory lock of its survey (`services.submit_response`); the
refresher takes that lock exclusively for the instant it reads the top id, so
no response of the survey is in flight at that moment, and every response
written later gets higher ids. A response's answers are written in one
transaction, so they are always counted together. SQLite writes one
transaction at a time: an uncommitted answer always has a higher id than any
committed one.

Responses that answered nothing have no answer row: the total number of
responses is counted per received day. Days at least `SETTLE_DAYS` old are
final (a response's day is set when it is written) and kept in the tally; the
recent days are counted at each refresh (an index range of two days).

Deletions: the app never deletes single responses (they go with their survey,
and the tally with it; a question can only be deleted from a draft, and its
tally rows go with it). Code that deletes responses must call `forget(survey)`
afterwards: the next refresh then counts everything again from the start.

Nothing here records a time of day: when the figures were computed lives in
the cache entry of the results (see `results.survey_results`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from danvan.core.text import VN_TZ
from danvan.surveys.models import Answer, Response, Survey, Tally, TallyPart, TallyState

SETTLE_DAYS = 2  # a day this many days back or more takes no new response
# PostgreSQL advisory lock key of a survey's write barrier: (namespace << 32) | survey id.
BARRIER_NAMESPACE = 0x53_56  # "SV"


def barrier_key(survey_id: int) -> int:
    return (BARRIER_NAMESPACE << 32) | int(survey_id)


def _today() -> date:
    from django.utils import timezone

    return timezone.now().astimezone(VN_TZ).date()


def _top_answer_id(survey_id: int) -> int:
    """The highest answer id such that no answer of the survey with a lower id
    can still appear (see the module docstring)."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT max(id) FROM {table}")
            row = cursor.fetchone()
            return int(row[0] or 0) if row else 0
        key = barrier_key(survey_id)
        # A session lock, held for two statements only (not to the end of any
        # transaction the caller may be in). The second statement's snapshot is
        # taken after the lock was granted: it sees every finished response.
        cursor.execute("SELECT pg_advisory_lock(%s::bigint)", [key])
        try:
            cursor.execute(
                f"SELECT (SELECT max(id) FROM {table}), pg_advisory_unlock(%s::bigint)", [key]
            )
            row = cursor.fetchone()
        except BaseException:
            try:
                cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [key])
            except Exception:
                connection.close()  # never hand a pooled connection back holding it
            raise
    return int(row[0] or 0) if row else 0


def _state_for_update(survey_id: int) -> TallyState:
    qs = TallyState.objects.select_for_update()
    state = qs.filter(survey_id=survey_id).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return TallyState.objects.create(survey_id=survey_id)
    except IntegrityError:  # created meanwhile by another refresher
        return qs.get(survey_id=survey_id)


@dataclass
class Counts:
    """The tally of a survey, read back: what `results` assembles the page from."""

    total: int = 0
    answered: dict[int, int] = field(default_factory=dict)
    # question -> {(row, choice, number, area, date): answers}
    values: dict[int, dict[tuple[Any, ...], int]] = field(default_factory=lambda: defaultdict(dict))
    written: dict[int, int] = field(default_factory=dict)


Key = tuple[int | None, str, int | None, int | None, float | None, int | None, date | None]


def _key(row: Tally) -> Key:
    return (row.question_id, row.part, row.row, row.choice, row.number, row.area_id, row.date)


def refresh(survey: Survey, question_ids: Iterable[int]) -> Counts:
    """Count the answers and responses that arrived since the last refresh, and
    return the whole tally (read in the same transaction, under the lock)."""
    qids = list(question_ids)
    top = _top_answer_id(survey.pk)
    settle = _today() - timedelta(days=SETTLE_DAYS)
    with transaction.atomic():
        state = _state_for_update(survey.pk)
        rows = {_key(row): row for row in Tally.objects.filter(survey_id=survey.pk)}
        delta: dict[Key, int] = defaultdict(int)
        if top > state.watermark and qids:
            fresh = Answer.objects.filter(
                question_id__in=qids, id__gt=state.watermark, id__lte=top
            ).order_by()
            for qid, row, choice, number, area_id, day, n in (
                fresh.values("question_id", "row", "choice", "number", "area_id", "date")
                .annotate(n=Count("id"))
                .values_list("question_id", "row", "choice", "number", "area_id", "date", "n")
            ):
                delta[(qid, TallyPart.VALUE, row, choice, number, area_id, day)] += n
            for qid, n in (
                fresh.values("question_id")
                .annotate(n=Count("response_id", distinct=True))
                .values_list("question_id", "n")
            ):
                delta[(qid, TallyPart.ANSWERED, None, None, None, None, None)] += n
            for qid, n in (
                fresh.exclude(text="")
                .values("question_id")
                .annotate(n=Count("id"))
                .values_list("question_id", "n")
            ):
                delta[(qid, TallyPart.WRITTEN, None, None, None, None, None)] += n
            state.watermark = top
        if state.settled_until is None or state.settled_until < settle:
            days = Response.objects.filter(survey_id=survey.pk, received_on__lte=settle)
            if state.settled_until is not None:
                days = days.filter(received_on__gt=state.settled_until)
            for day, n in (
                days.values("received_on")
                .annotate(n=Count("id"))
                .order_by()
                .values_list("received_on", "n")
            ):
                delta[(None, TallyPart.DAY, None, None, None, None, day)] += n
            state.settled_until = settle
        if delta:
            _merge(survey.pk, rows, delta)
            state.save(update_fields=["watermark", "settled_until"])
        recent = Response.objects.filter(survey_id=survey.pk, received_on__gt=settle)
        counts = _counts(rows.values())
        counts.total += recent.aggregate(n=Count("id"))["n"] or 0
    return counts


def _merge(survey_id: int, rows: dict[Key, Tally], delta: dict[Key, int]) -> None:
    """Add `delta` to the survey's tally `rows` (in place), updating the rows
    that changed and creating the new ones."""
    changed: list[Tally] = []
    created: list[Tally] = []
    for key, n in delta.items():
        if not n:
            continue
        row = rows.get(key)
        if row is not None:
            row.n += n
            changed.append(row)
        else:
            qid, part, grid_row, choice, number, area_id, day = key
            rows[key] = row = Tally(
                survey_id=survey_id,
                question_id=qid,
                part=part,
                row=grid_row,
                choice=choice,
                number=number,
                area_id=area_id,
                date=day,
                n=n,
            )
            created.append(row)
    if changed:
        Tally.objects.bulk_update(changed, ["n"], batch_size=500)
    if created:
        Tally.objects.bulk_create(created, batch_size=500)


def forget(survey: Survey) -> None:
    """Drop the survey's tally: the next refresh counts everything again. Call
    after deleting responses or answers of a survey that is not being deleted."""
    with transaction.atomic():
        TallyState.objects.filter(survey_id=survey.pk).delete()
        Tally.objects.filter(survey_id=survey.pk).delete()
    from danvan.surveys import results

    results.forget_cached(survey)


def _counts(rows: Iterable[Tally]) -> Counts:
    out = Counts()
    for row in rows:
        if row.part == TallyPart.DAY:
            out.total += row.n
        elif row.part == TallyPart.ANSWERED and row.question_id is not None:
            out.answered[row.question_id] = row.n
        elif row.part == TallyPart.WRITTEN and row.question_id is not None:
            out.written[row.question_id] = row.n
        elif row.question_id is not None:
            out.values[row.question_id][
                (row.row, row.choice, row.number, row.area_id, row.date)
            ] = row.n
    return out


def total_settled(survey: Survey) -> int:
    """Responses counted in the settled day rows (what a refresh need not count)."""
    rows = Tally.objects.filter(survey_id=survey.pk, part=TallyPart.DAY)
    return int(sum(rows.values_list("n", flat=True)))
