"""Taking a survey: storing a response without anything that points back to the
person. Cleaning the answers is in `danvan.surveys.cleaning`, the one-response
guards (tokens, phones, invitation codes) in `danvan.surveys.guards`.

Design (see the docstrings of `danvan.surveys.models`):

- Whatever proves "one response per person" (a browser token, a phone number,
  an invitation code) is spent FIRST, in its own transaction, as a keyed hash
  (HMAC with the site's key) in `SpentToken` / `InvitationCode`, with no link
  to the response and no time.
- The response and its answers are then written in a SECOND transaction. If
  that fails, the token or code is given back in a compensating transaction.
  So the row that spends a code is never written in the transaction that
  writes the response.
- An anonymous response is first written to `PendingResponse` (answers only),
  and becomes a `Response` with its `Answer` rows when its batch is mixed, in
  a random order (`danvan.surveys.mixing`): the stored responses do not keep
  the order in which they arrived. An identified one is written directly.
- A `Response` holds only the survey and a day (in Việt Nam: the day its batch
  was mixed, or for an identified survey the day it arrived); a `Respondent`
  (name, phone, consent) exists only for identified surveys.

Raw answers (`clean_answer`'s input), by kind (each kind's code is its class in
`danvan.surveys.kinds`):

- single / dropdown: the index of the choice (``1`` or ``"1"``), or
  ``{"choice": "other", "other": "text"}`` (``"other"`` or ``-1``) when the
  question allows "other";
- multiple: a list of indices, possibly with ``"other"``, or
  ``{"choices": [0, "other"], "other": "text"}``;
- rating / agreement / number: a number or a numeric string;
- grid: a list with one value (0..4 or None) per row, or ``{row: value}``;
- short_text / long_text: a string; date: ``dd/mm/yyyy``, ``yyyy-mm-dd`` or a date;
- unit: an `Area` id.

Cleaned answers (JSON-friendly; what `danvan.surveys.logic` compares):
``{"choice": i}`` / ``{"choice": -1, "other": text}``, ``{"choices": [...], "other": text}``,
``int`` (rating, agreement), ``int | float`` (number), ``list[int | None]`` (grid),
``str`` (texts), ``"yyyy-mm-dd"`` (date), ``int`` (unit). ``None``: not answered.

How answers are stored (`Answer` rows):

- single / dropdown: ``choice`` (-1 = other, with ``text``);
- multiple: one row per choice (-1 = other, with ``text``);
- agreement: ``choice`` 0..4; grid: one row per answered row, ``row`` and ``choice`` 0..4;
- rating / number: ``number``; texts: ``text`` and ``text_folded``;
- date: ``date``; unit: ``area``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from danvan.core.crypto import keyed_hash
from danvan.core.ratelimit import RateLimits
from danvan.core.text import VN_TZ, format_datetime
from danvan.surveys import kinds, tally
from danvan.surveys.cleaning import (
    Evaluation,
    clean_answers,
    clean_identity,
    forget_surveys,
    forget_units,
    ordered_questions,
    survey_questions,
)
from danvan.surveys.guards import (
    _async_commit,
    _credential,
    _give_back,
    _spend,
    code_hash,
    generate_codes,
)
from danvan.surveys.mixing import answer_row_json
from danvan.surveys.models import (
    Answer,
    Mode,
    PendingResponse,
    Question,
    Respondent,
    Response,
    Survey,
    SurveyStatus,
)

# `code_hash`, `forget_*`, `generate_codes` and `survey_questions` live in `answers`
# and `guards`; they are named here for the modules that read them from this one
# (apps, tally and some tests).
__all__ = [
    "check_open",
    "check_rate",
    "code_hash",
    "forget_surveys",
    "forget_units",
    "generate_codes",
    "submit_response",
    "survey_questions",
    "today_vn",
]

MSG_CLOSED = "Cuộc khảo sát đã đóng."
MSG_NOT_OPEN = "Cuộc khảo sát không nhận phiếu."


# --- Time and state ----------------------------------------------------------------


def today_vn() -> date:
    return timezone.now().astimezone(VN_TZ).date()


def check_open(survey: Survey, *, now: datetime | None = None) -> None:
    """Raise ValidationError (codes: not_open, not_yet, closed) unless the survey
    takes responses now."""
    now = now or timezone.now()
    if survey.status == SurveyStatus.CLOSED or (
        survey.status == SurveyStatus.PUBLISHED and now >= survey.closes_at
    ):
        raise ValidationError(MSG_CLOSED, code="closed")
    if survey.status != SurveyStatus.PUBLISHED:
        raise ValidationError(MSG_NOT_OPEN, code="not_open")
    if now < survey.opens_at:
        raise ValidationError(
            f"Cuộc khảo sát chưa mở. Mời ông/bà quay lại từ {format_datetime(survey.opens_at)}.",
            code="not_yet",
        )


# --- Rate limit ----------------------------------------------------------------------

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "submit": (30, 600),  # a commune hall behind one address: generous
    "code": (30, 600),  # checking invitation codes (guessing)
}


LIMITS = RateLimits("surveys:rl", DEFAULT_LIMITS, setting="SURVEY_RATE_LIMITS")


def check_rate(name: str, address: str, *, now: float | None = None) -> None:
    """Count one event for (name, address) in a fixed window; raise
    danvan.core.ratelimit.RateLimited over the limit. The cache key holds a keyed
    hash of the address, never the address itself. Limits:
    settings.SURVEY_RATE_LIMITS overrides DEFAULT_LIMITS."""
    who = keyed_hash(b"danvan-survey-ratelimit", address.encode())[:32]
    LIMITS.check(name, who, now=now)


ANSWER_COLUMNS = (
    "question_id",
    "choice",
    "row",
    "number",
    "text",
    "text_folded",
    "date",
    "area_id",
)
AnswerRow = tuple[int, int | None, int | None, float | None, str, str, date | None, int | None]


def _answer_rows(question: Question, value: Any) -> Iterable[AnswerRow]:
    """The stored rows of one cleaned answer (see the module docstring)."""
    return kinds.of(question).rows(question.pk, value)


# PostgreSQL types of the answer columns: the answers go as one array a column,
# so the statement's text (and psycopg's parsed form of it) is the same whatever
# the number of answers.
_PG_TYPES = ("bigint", "smallint", "smallint", "double precision", "text", "text", "date", "bigint")


# A response (or pending response) is inserted by a statement that reads its
# survey's row, locks it FOR SHARE until the commit and inserts nothing unless the
# survey is published at that moment. A staff change of the survey's state locks
# the row too (`staff_services`), so the two exclude each other: a row lock that
# had to wait reads the row's newest version, and a response cannot land in a
# survey that went back to draft or closed while it was on its way (the survey
# kept in the process may be a second old). No statement more on the submit.


def _survey_still_open(stored: int) -> None:
    if not stored:
        raise ValidationError(MSG_NOT_OPEN, code="not_open")


def _insert_response_pg(survey: Survey, response_id: uuid.UUID, rows: list[AnswerRow]) -> None:
    """The response and its answers in ONE statement, so one transaction of its
    own when not inside another (autocommit). The statement first takes the
    survey's write barrier (a shared advisory lock held to the commit: the
    results tally reads the top answer id only when no response of the survey is
    being written, see `danvan.surveys.tally`) and a share lock on the survey's
    row (nothing is written unless it is still published), then writes the
    response, then the answers."""
    response_table = connection.ops.quote_name(Response._meta.db_table)
    answer_table = connection.ops.quote_name(Answer._meta.db_table)
    survey_table = connection.ops.quote_name(Survey._meta.db_table)
    settings_sql = ", set_config('synchronous_commit', 'off', true)" if _async_commit() else ""
    head = (
        f"INSERT INTO {response_table} (id, survey_id, received_on) SELECT %s, s.id, %s "
        f"FROM {survey_table} s, "
        f"(SELECT pg_advisory_xact_lock_shared(%s::bigint){settings_sql}) AS barrier "
        "WHERE s.id = %s AND s.status = %s FOR SHARE OF s"
    )
    params: list[Any] = [
        response_id,
        today_vn(),
        tally.barrier_key(survey.pk),
        survey.pk,
        SurveyStatus.PUBLISHED,
    ]
    sql = head
    if rows:
        arrays = ", ".join(f"%s::{t}[]" for t in _PG_TYPES)
        columns = ", ".join(connection.ops.quote_name(c) for c in ANSWER_COLUMNS)
        sql = (
            f"WITH response AS ({head} RETURNING id) "
            f"INSERT INTO {answer_table} (response_id, {columns}) "
            f"SELECT response.id, v.* FROM response, unnest({arrays}) AS v"
        )
        params.extend(list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        _survey_still_open(cursor.rowcount)  # no answer written: no response either


def _insert_response(survey: Survey, rows: list[AnswerRow]) -> Response:
    """Write the response and its answers (inside the caller's transaction, or
    as one transaction of their own on PostgreSQL)."""
    response = Response(survey=survey, received_on=today_vn())
    if connection.vendor == "postgresql":
        _insert_response_pg(survey, response.id, rows)
        response._state.adding = False
        response._state.db = connection.alias
        return response
    response_table = connection.ops.quote_name(Response._meta.db_table)
    survey_table = connection.ops.quote_name(Survey._meta.db_table)
    # SQLite keeps a UUID as its 32 hex digits and a date as its ISO text.
    params: list[Any] = [
        response.id.hex,
        response.received_on.isoformat(),
        survey.pk,
        SurveyStatus.PUBLISHED,
    ]
    with transaction.atomic():  # SQLite: under the write lock from its start
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {response_table} (id, survey_id, received_on) SELECT %s, id, %s "
                f"FROM {survey_table} WHERE id = %s AND status = %s",
                params,
            )
            _survey_still_open(cursor.rowcount)
        response._state.adding = False
        response._state.db = connection.alias
        Answer.objects.bulk_create(
            Answer(response=response, **dict(zip(ANSWER_COLUMNS, row, strict=True))) for row in rows
        )
    return response


def _store_pending(survey: Survey, rows: list[AnswerRow]) -> PendingResponse:
    """Write an anonymous response into the holding table, to be mixed with
    others later (`danvan.surveys.mixing`): one INSERT, its own transaction when
    not inside another (autocommit), which inserts nothing unless the survey is
    still published (see `_survey_still_open`)."""
    pending = PendingResponse(survey=survey, answers=[answer_row_json(row) for row in rows])
    table = connection.ops.quote_name(PendingResponse._meta.db_table)
    survey_table = connection.ops.quote_name(Survey._meta.db_table)
    pk: Any = pending.pk
    if connection.vendor == "postgresql":
        async_sql = (
            ", (SELECT set_config('synchronous_commit', 'off', true)) AS async"
            if _async_commit()
            else ""
        )
        sql = (
            f"INSERT INTO {table} (id, survey_id, answers) SELECT %s, s.id, %s::jsonb "
            f"FROM {survey_table} s{async_sql} WHERE s.id = %s AND s.status = %s FOR SHARE OF s"
        )
    else:  # SQLite (a UUID as its hex digits): a writing statement reads the newest data
        pk = pending.pk.hex
        sql = (
            f"INSERT INTO {table} (id, survey_id, answers) SELECT %s, id, %s "
            f"FROM {survey_table} WHERE id = %s AND status = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, json.dumps(pending.answers), survey.pk, SurveyStatus.PUBLISHED])
        _survey_still_open(cursor.rowcount)
    pending._state.adding = False
    pending._state.db = connection.alias
    return pending


def submit_response(
    survey: Survey,
    raw_answers: Mapping[Any, Any],
    *,
    browser_token: str | None = None,
    phone: str | None = None,
    code: str | None = None,
    identity: Mapping[str, Any] | None = None,
    questions: Sequence[Question] | None = None,
    evaluation: Evaluation | None = None,
) -> Response | PendingResponse:
    """Store one response: a `Response` for an identified survey; for an
    anonymous one a `PendingResponse`, which becomes a `Response` when its batch
    is mixed (`danvan.surveys.mixing`). Raises ValidationError (survey not open, policy
    credential missing or already used) or AnswersInvalid (answers).

    `browser_token` / `phone` / `code` serve the survey's one-response policy
    (for a phone policy on an identified survey the identity's phone is used
    when `phone` is not given). `identity` ({"full_name", "phone", "consent"})
    is required for identified surveys and ignored for anonymous ones.
    `questions`: the survey's `ordered_questions`, when the caller has them;
    `evaluation`: what `evaluate(questions, raw_answers)` returned for them, when
    the caller has just checked the answers (it is used only if it found no error).

    Statements: the credential (one INSERT or UPDATE, its own transaction), then
    for an anonymous survey the pending response (one INSERT), for an identified
    one the response, its answers and the respondent (one transaction), besides
    the questions (unless given) and a look-up per unit answer."""
    check_open(survey)
    questions = list(questions) if questions is not None else ordered_questions(survey)
    if evaluation is not None and not evaluation.errors:
        answers = evaluation.answers
    else:
        answers = clean_answers(survey, raw_answers, questions=questions)
    person = clean_identity(survey, identity) if survey.mode == Mode.IDENTIFIED else None
    spent = _credential(survey, browser_token, phone, code, identity)
    _spend(spent)  # transaction 1
    by_id = {q.pk: q for q in questions}
    rows = [row for qid, value in answers.items() for row in _answer_rows(by_id[qid], value)]
    try:
        if person is None:
            return _store_pending(survey, rows)  # transaction 2
        with transaction.atomic():  # transaction 2
            response = _insert_response(survey, rows)
            Respondent.objects.create(
                response=response,
                full_name=person["full_name"],
                phone=person["phone"],
                consent_version=survey.consent_version,
                consented_at=timezone.now(),
            )
        return response
    except BaseException:
        _give_back(spent)  # transaction 3 (compensation)
        raise
