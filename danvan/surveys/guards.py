"""One response per person: the keyed hashes of browser tokens, phone numbers and
invitation codes, spending them (and giving them back), making invitation codes,
and shuffling the spent guards so that they do not line up with the responses.
See the design in the docstring of `danvan.surveys.services`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from danvan.core.crypto import keyed_hash
from danvan.core.validators import normalize_phone
from danvan.surveys.cleaning import MSG_PHONE_MISSING
from danvan.surveys.models import InvitationCode, OnePer, SpentToken, Survey

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1
CODE_LENGTH = 8
MAX_CODES_PER_BATCH = 20000

MSG_ALREADY = "Bạn đã gửi phiếu cho cuộc khảo sát này."
MSG_CODE_SPENT = "Mã mời đã được sử dụng hoặc không đúng."
MSG_CODE_FORMAT = "Mã mời gồm 8 chữ và số, ví dụ ABCD-EF23. Vui lòng kiểm tra lại."
MSG_CODE_MISSING = "Vui lòng nhập mã mời."
MSG_TOKEN_MISSING = (
    "Không nhận ra trình duyệt của bạn. Vui lòng bật cookie cho trang này rồi thử lại."
)


# --- Keyed hashes ------------------------------------------------------------------


def _hmac(purpose: bytes, survey: Survey, value: str) -> str:
    return keyed_hash(purpose, f"{survey.pk}\x00{value}".encode())


def token_hash(survey: Survey, kind: str, value: str) -> str:
    """Keyed hash of a browser token or a normalised phone number, per survey."""
    return _hmac(b"danvan-survey-" + kind.encode(), survey, value)


def normalize_code(code: str) -> str:
    """ "abcd-ef23 " -> "ABCDEF23" (separators and case ignored)."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def code_hash(survey: Survey, code: str) -> str:
    return _hmac(b"danvan-survey-code", survey, normalize_code(code))


def new_browser_token() -> str:
    return secrets.token_urlsafe(32)


# --- One response per person -----------------------------------------------------


@dataclass
class _Spent:
    kind: str  # browser | phone | code
    survey: Survey
    hash: str


def is_token_spent(survey: Survey, browser_token: str | None) -> bool:
    """Whether this browser already sent a response (browser policy)."""
    if not browser_token:
        return False
    return SpentToken.objects.filter(
        survey=survey,
        kind=OnePer.BROWSER,
        token_hash=token_hash(survey, OnePer.BROWSER, browser_token),
    ).exists()


def check_code(survey: Survey, code: str) -> str:
    """Check an invitation code WITHOUT spending it: returns the normalised code,
    or raises ValidationError (wrong format, unknown or spent)."""
    plain = normalize_code(code)
    if not plain:
        raise ValidationError(MSG_CODE_MISSING, code="code_missing")
    if len(plain) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in plain):
        raise ValidationError(MSG_CODE_FORMAT, code="code_format")
    if not InvitationCode.objects.filter(
        survey=survey, code_hash=code_hash(survey, plain), spent=False
    ).exists():
        raise ValidationError(MSG_CODE_SPENT, code="code_spent")
    return plain


def _credential(
    survey: Survey,
    browser_token: str | None,
    phone: str | None,
    code: str | None,
    identity: Mapping[str, Any] | None,
) -> _Spent:
    if survey.one_per == OnePer.BROWSER:
        if not browser_token:
            raise ValidationError(MSG_TOKEN_MISSING, code="token_missing")
        return _Spent("browser", survey, token_hash(survey, OnePer.BROWSER, browser_token))
    if survey.one_per == OnePer.PHONE:
        raw = phone or (identity or {}).get("phone") or ""
        if not str(raw).strip():
            raise ValidationError(MSG_PHONE_MISSING, code="phone_missing")
        number = normalize_phone(str(raw))
        return _Spent("phone", survey, token_hash(survey, OnePer.PHONE, number))
    if survey.one_per == OnePer.CODE:
        plain = normalize_code(code or "")
        if not plain:
            raise ValidationError(MSG_CODE_MISSING, code="code_missing")
        return _Spent("code", survey, code_hash(survey, plain))
    raise ValidationError("Cách giới hạn phiếu không hợp lệ.", code="policy")


def _async_commit() -> bool:
    """Whether the commits of a response may return before PostgreSQL has flushed
    them to disk (settings.SURVEY_ASYNC_COMMIT, on by default). A crash of the
    database server can then lose the responses of its last fraction of a second
    (a token and its response together, in commit order), never half of one."""
    from django.conf import settings

    return connection.vendor == "postgresql" and bool(
        getattr(settings, "SURVEY_ASYNC_COMMIT", True)
    )


def _spend(spent: _Spent) -> None:
    """Spend the token or code in its own transaction (one statement, autocommit:
    ON CONFLICT tells a token already spent without an error to roll back)."""
    if spent.kind == "code":
        with transaction.atomic():
            flipped = InvitationCode.objects.filter(
                survey=spent.survey, code_hash=spent.hash, spent=False
            ).update(spent=True)
        if flipped != 1:
            raise ValidationError(MSG_CODE_SPENT, code="code_spent")
        return
    table = connection.ops.quote_name(SpentToken._meta.db_table)
    values: list[Any] = [uuid.uuid4().hex, spent.survey.pk, spent.kind, spent.hash]
    if _async_commit():
        sql = (
            f"INSERT INTO {table} (id, survey_id, kind, token_hash) SELECT %s, %s, %s, %s "
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async "
            "ON CONFLICT DO NOTHING"
        )
    else:
        sql = (
            f"INSERT INTO {table} (id, survey_id, kind, token_hash) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        stored = cursor.rowcount
    if stored != 1:
        raise ValidationError(MSG_ALREADY, code="already")


def _give_back(spent: _Spent) -> None:
    """Compensate a spent token or code when the response could not be stored."""
    with transaction.atomic():
        if spent.kind == "code":
            InvitationCode.objects.filter(survey=spent.survey, code_hash=spent.hash).update(
                spent=False
            )
        else:
            SpentToken.objects.filter(
                survey=spent.survey, kind=spent.kind, token_hash=spent.hash
            ).delete()


# --- Invitation codes --------------------------------------------------------------


def _format_code(plain: str) -> str:
    return f"{plain[:4]}-{plain[4:]}"


def generate_codes(survey: Survey, n: int) -> list[str]:
    """Create `n` single-use invitation codes ("ABCD-EF23": 8 characters from an
    alphabet without look-alikes). Only their keyed hashes are stored: the plain
    codes are returned once and cannot be shown again."""
    if not 1 <= n <= MAX_CODES_PER_BATCH:
        raise ValidationError(
            f"Số mã mời mỗi lần tạo phải từ 1 đến {MAX_CODES_PER_BATCH}.", code="count"
        )
    existing = set(InvitationCode.objects.filter(survey=survey).values_list("code_hash", flat=True))
    codes: dict[str, str] = {}
    while len(codes) < n:
        plain = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        hashed = code_hash(survey, plain)
        if hashed in existing or hashed in codes:
            continue
        codes[hashed] = plain
    with transaction.atomic():
        InvitationCode.objects.bulk_create(
            [InvitationCode(survey=survey, code_hash=h) for h in codes]
        )
    return [_format_code(plain) for plain in codes.values()]


# --- Forgetting the order of spending ----------------------------------------------


def shuffle_guards(survey: Survey) -> int:
    """Rewrite the survey's spent browser/phone hashes and spent invitation codes
    in a random order, in one transaction of their own; return how many rows
    were rewritten.

    Why: a guard is spent in the transaction just before the one that writes
    its response, so, left alone, the guards line up with the responses: on
    PostgreSQL their transaction ids (xmin, one apart) and their physical order
    (ctid), on SQLite their row order (rowid). The rewrite deletes the guards
    and inserts them again, shuffled, with new ids, so that every guard carries
    the transaction id of the rewrite and sits in a random place.

    PostgreSQL: one statement per table (a DELETE ... RETURNING feeding an
    INSERT ordered by a strong random key, `gen_random_uuid()`), so nothing
    goes through Python and nothing is held in memory. Rows spent meanwhile
    are not in the DELETE's snapshot and stay as they are (a later shuffle
    takes them); a concurrent spend of the same hash waits for the rewrite and
    then finds the guard spent. SQLite: the DELETE ... RETURNING runs under
    the write lock that the transaction takes at its start (IMMEDIATE), the
    rows are shuffled with `secrets.SystemRandom` and inserted again.

    The storage may keep old row images for a while (PostgreSQL's dead tuples
    until VACUUM, SQLite's free pages and WAL until overwritten, and backups):
    database files and backups are protected like the responses themselves.
    Run when a survey stops taking responses, every few minutes after responses
    arrive (`danvan.surveys.tasks`) and nightly (`shuffle_survey_guards`)."""
    tokens = connection.ops.quote_name(SpentToken._meta.db_table)
    codes = connection.ops.quote_name(InvitationCode._meta.db_table)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"WITH moved AS (DELETE FROM {tokens} WHERE survey_id = %s "
                "RETURNING kind, token_hash) "
                f"INSERT INTO {tokens} (id, survey_id, kind, token_hash) "
                "SELECT gen_random_uuid(), %s, kind, token_hash FROM moved "
                "ORDER BY gen_random_uuid()",
                [survey.pk, survey.pk],
            )
            rewritten = cursor.rowcount
            cursor.execute(
                f"WITH moved AS (DELETE FROM {codes} WHERE survey_id = %s AND spent "
                "RETURNING code_hash) "
                f"INSERT INTO {codes} (survey_id, code_hash, spent) "
                "SELECT %s, code_hash, true FROM moved ORDER BY gen_random_uuid()",
                [survey.pk, survey.pk],
            )
            return rewritten + cursor.rowcount
    rng = secrets.SystemRandom()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {tokens} WHERE survey_id = %s RETURNING kind, token_hash",
                [survey.pk],
            )
            spent_tokens = list(cursor.fetchall())
            cursor.execute(
                f"DELETE FROM {codes} WHERE survey_id = %s AND spent = %s RETURNING code_hash",
                [survey.pk, True],
            )
            spent_codes = [h for (h,) in cursor.fetchall()]
        rng.shuffle(spent_tokens)
        rng.shuffle(spent_codes)
        SpentToken.objects.bulk_create(
            [SpentToken(survey=survey, kind=kind, token_hash=h) for kind, h in spent_tokens],
            batch_size=500,
        )
        InvitationCode.objects.bulk_create(
            [InvitationCode(survey=survey, code_hash=h, spent=True) for h in spent_codes],
            batch_size=500,
        )
    return len(spent_tokens) + len(spent_codes)
