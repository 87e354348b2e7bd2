"""Mixing anonymous responses: the stored responses never keep the order in
which they were sent.

Why: rows written one by one carry their arrival order in many places a
database administrator can read: the answers' ids (a sequence), PostgreSQL's
system columns (`xmin`, the writing transaction; `ctid`, the place in the
table), SQLite's rowid. Paired with the web server's access log (the n-th
thank-you page, the n-th response), that order names the sender of each
response.

How: an anonymous submit writes ONE row into `PendingResponse` (the survey and
the answer rows as JSON; no time, a random id), see `services.submit_response`.
`mix` later turns a batch of them into `Response` and `Answer` rows in ONE
transaction: it deletes the pending rows and inserts the responses in a random
order (so answer ids and physical places follow the shuffle, and every row of
the batch carries the transaction id of the mix), all received on the day of
the mix. On PostgreSQL it then vacuums the holding table, so that the dead
images of the pending rows do not keep the order longer than needed.

When (`danvan.surveys.tasks`): time is cut into fixed windows of
`settings.SURVEY_MIX_MINUTES`; the first anonymous response of a survey in a
window queues one mix for the end of the window. That mix runs only when at
least `settings.SURVEY_MIX_BATCH` (K) responses are pending; otherwise they
wait for a later window. When a survey stops taking responses every pending
response is released, whatever their number (staff closing it, and the
nightly `manage.py shuffle_survey_guards` for a survey that closed by its
date, or a stopped worker). So the results count an anonymous response only
after its batch is mixed: up to one window later, longer while fewer than K
are pending. Identified surveys name their respondents anyway: they are
written directly.

The results tally (`danvan.surveys.tally`) counts answers by id above its
watermark: the mix takes the survey's write barrier (the shared advisory lock
that `services._insert_response_pg` takes), so no answer id of a batch is
passed over.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from danvan.surveys import tally
from danvan.surveys.models import Answer, PendingResponse, Response, Survey

DEFAULT_BATCH = 10
DEFAULT_MINUTES = 10
# PostgreSQL advisory lock key of a survey's mixer (one mix of a survey at a time).
MIX_NAMESPACE = 0x53_4D  # "SM"


def batch_size() -> int:
    """K: the fewest responses a mix of a running survey releases together."""
    return max(1, int(getattr(settings, "SURVEY_MIX_BATCH", DEFAULT_BATCH)))


def window_minutes() -> int:
    return max(1, int(getattr(settings, "SURVEY_MIX_MINUTES", DEFAULT_MINUTES)))


def pending_count(survey: Survey) -> int:
    """How many responses of the survey wait to be mixed (not in the results yet)."""
    return PendingResponse.objects.filter(survey_id=survey.pk).count()


def answer_row_json(row: tuple[Any, ...]) -> list[Any]:
    """An answer row (`services.ANSWER_COLUMNS`) as JSON values."""
    return [value.isoformat() if isinstance(value, date) else value for value in row]


def _answer(response: Response, row: list[Any]) -> Answer:
    from danvan.surveys.services import ANSWER_COLUMNS

    values = dict(zip(ANSWER_COLUMNS, row, strict=True))
    if values["date"] is not None:
        values["date"] = date.fromisoformat(values["date"])
    return Answer(response=response, **values)


def mix(survey: Survey, *, release_all: bool = False) -> int:
    """Turn the survey's pending responses into responses, in a random order,
    in one transaction; return how many. Nothing when fewer than K are pending,
    unless `release_all` (the survey no longer takes responses)."""
    from danvan.surveys.services import today_vn

    table = connection.ops.quote_name(PendingResponse._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::bigint), "
                "pg_advisory_xact_lock_shared(%s::bigint)",
                [(MIX_NAMESPACE << 32) | survey.pk, tally.barrier_key(survey.pk)],
            )
        # SQLite: this transaction holds the write lock from its start (IMMEDIATE).
        waiting = PendingResponse.objects.filter(survey_id=survey.pk).count()
        if not waiting or (waiting < batch_size() and not release_all):
            return 0
        cursor.execute(f"DELETE FROM {table} WHERE survey_id = %s RETURNING answers", [survey.pk])
        batch = [json.loads(a) if isinstance(a, str) else a for (a,) in cursor.fetchall()]
        secrets.SystemRandom().shuffle(batch)
        day = today_vn()
        responses = [Response(survey_id=survey.pk, received_on=day) for _ in batch]
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(
            [_answer(r, row) for r, rows in zip(responses, batch, strict=True) for row in rows],
            batch_size=1000,
        )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}")  # outside any transaction
    return len(batch)


def release(survey: Survey) -> int:
    """Mix whatever is pending: all when the survey no longer takes responses,
    otherwise only a batch of at least K."""
    return mix(survey, release_all=not survey.is_open)


__all__ = ["answer_row_json", "batch_size", "mix", "pending_count", "release", "window_minutes"]
