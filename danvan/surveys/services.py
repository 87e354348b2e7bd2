"""Taking a survey: validating answers, the one-response policies, storing a
response without anything that points back to the person.

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
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from danvan.core.cache import LocalCache
from danvan.core.crypto import keyed_hash
from danvan.core.models import Area
from danvan.core.ratelimit import RateLimits
from danvan.core.text import VN_TZ, format_datetime
from danvan.core.validators import normalize_phone
from danvan.surveys import kinds, logic, tally
from danvan.surveys.mixing import answer_row_json
from danvan.surveys.models import (
    Answer,
    InvitationCode,
    Mode,
    OnePer,
    PendingResponse,
    Question,
    Respondent,
    Response,
    SpentToken,
    Survey,
    SurveyStatus,
)

__all__ = [
    "CODE_ALPHABET",
    "LONG_TEXT_MAX",
    "SHORT_TEXT_MAX",
    "AnswersInvalid",
    "Evaluation",
    "check_code",
    "check_open",
    "check_rate",
    "clean_answer",
    "clean_answers",
    "clean_identity",
    "code_hash",
    "evaluate",
    "generate_codes",
    "is_token_spent",
    "new_browser_token",
    "normalize_code",
    "ordered_questions",
    "parse_date",
    "rating_bounds",
    "shuffle_guards",
    "submit_response",
    "survey_questions",
    "today_vn",
    "token_hash",
    "unit_choices",
]

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 300
NAME_MAX = 150
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1
CODE_LENGTH = 8
MAX_CODES_PER_BATCH = 20000

MSG_REQUIRED = "Vui lòng trả lời câu hỏi này."
MSG_GRID_REQUIRED = "Vui lòng chọn mức độ cho tất cả các dòng."
MSG_CHOICE = "Lựa chọn không hợp lệ. Vui lòng chọn lại."
MSG_OTHER_TEXT = "Bạn đã chọn “Khác”: vui lòng ghi rõ ý kiến."
MSG_NO_OTHER = "Câu hỏi này không có lựa chọn “Khác”."
MSG_UNKNOWN_QUESTION = "Câu hỏi không thuộc phiếu khảo sát này."
MSG_DATE = "Ngày không hợp lệ. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 15/03/2025."
MSG_UNIT = "Vui lòng chọn một địa bàn (xã, ấp) trong danh sách."
MSG_NUMBER = "Vui lòng nhập một số, ví dụ 12."
MSG_CLOSED = "Cuộc khảo sát đã đóng."
MSG_NOT_OPEN = "Cuộc khảo sát không nhận phiếu."
MSG_ALREADY = "Bạn đã gửi phiếu cho cuộc khảo sát này."
MSG_CODE_SPENT = "Mã mời đã được sử dụng hoặc không đúng."
MSG_CODE_FORMAT = "Mã mời gồm 8 chữ và số, ví dụ ABCD-EF23. Vui lòng kiểm tra lại."
MSG_CODE_MISSING = "Vui lòng nhập mã mời."
MSG_TOKEN_MISSING = (
    "Không nhận ra trình duyệt của bạn. Vui lòng bật cookie cho trang này rồi thử lại."
)
MSG_PHONE_MISSING = "Vui lòng nhập số điện thoại."
MSG_NAME_MISSING = "Vui lòng nhập họ và tên."
MSG_CONSENT = "Vui lòng đánh dấu đồng ý để gửi phiếu có ghi họ tên."


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


# --- Answers ---------------------------------------------------------------------


def ordered_questions(survey: Survey) -> list[Question]:
    """The survey's questions in survey order (section, then position)."""
    questions = list(
        survey.questions.select_related("section").order_by("section__position", "position", "pk")
    )
    for question in questions:
        question.survey = survey  # unit answers need it; no query per question
    return questions


# The respondent pages' questions, kept in the process under (survey id, revision):
# the database raises the revision whenever a section or question changes
# (migration 0005), and the pages read it with the survey on every request.
_QUESTIONS = LocalCache(ttl=600, size=128)


def survey_questions(survey: Survey) -> list[Question]:
    """`ordered_questions(survey)`, from this process when the survey's questions
    have not changed since they were read. Treat the list and the questions as
    read-only: they are shared by the requests of this process."""
    key = (survey.pk, survey.revision)
    questions: list[Question] | None = _QUESTIONS.get(key)
    if questions is None:
        questions = ordered_questions(survey)
        _QUESTIONS.set(key, questions)
    else:
        for question in questions:
            question.survey = survey  # the survey row of this request
    return questions


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | dict | set):
        return not raw
    return False


def _err(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _index(value: Any, count: int, allow_other: bool) -> int:
    """A choice index (int), or -1 for "other"."""
    if isinstance(value, str):
        value = value.strip()
        if value.lower() == "other":
            value = -1
    if isinstance(value, bool):
        raise _err(MSG_CHOICE)
    try:
        index = int(value)
    except (TypeError, ValueError):
        raise _err(MSG_CHOICE) from None
    if isinstance(value, float) and value != index:
        raise _err(MSG_CHOICE)
    if index == -1:
        if not allow_other:
            raise _err(MSG_NO_OTHER)
        return -1
    if not 0 <= index < count:
        raise _err(MSG_CHOICE)
    return index


def _other_text(raw: Any) -> str:
    text = " ".join(str(raw or "").split())
    if not text:
        raise _err(MSG_OTHER_TEXT, "other_required")
    if len(text) > OTHER_TEXT_MAX:
        raise _err(f"Ý kiến khác không được dài quá {OTHER_TEXT_MAX} ký tự.", "too_long")
    return text


def _int_in(raw: Any, low: int, high: int, message: str) -> int:
    if isinstance(raw, bool):
        raise _err(message)
    if isinstance(raw, str):
        raw = raw.strip()
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _err(message) from None
    if isinstance(raw, float) and raw != value:
        raise _err(message)
    if not low <= value <= high:
        raise _err(message)
    return value


_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# Vietnamese writing: "." groups thousands, "," marks decimals ("5.000.000", "2,5").
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")


def _number(raw: Any, options: Mapping[str, Any]) -> int | float:
    if isinstance(raw, bool):
        raise _err(MSG_NUMBER)
    if isinstance(raw, int | float):
        value: float = float(raw)
    else:
        text = str(raw).strip().replace(" ", "")
        if _GROUPED_RE.match(text):
            text = text.replace(".", "")
        elif not _NUMBER_RE.match(text):
            raise _err(MSG_NUMBER)
        value = float(text.replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise _err(MSG_NUMBER)
    low, high = options.get("min"), options.get("max")
    if low is not None and high is not None and not low <= value <= high:
        raise _err(f"Vui lòng nhập số từ {low} đến {high}.", "out_of_range")
    if low is not None and value < low:
        raise _err(f"Vui lòng nhập số không nhỏ hơn {low}.", "out_of_range")
    if high is not None and value > high:
        raise _err(f"Vui lòng nhập số không lớn hơn {high}.", "out_of_range")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _text(raw: Any, limit: int) -> str:
    text = str(raw).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise _err(
            f"Câu trả lời không được dài quá {limit} ký tự (hiện có {len(text)} ký tự).",
            "too_long",
        )
    return text


def parse_date(raw: Any) -> str:
    """A date as typed (dd/mm/yyyy, yyyy-mm-dd...) or a date, as ISO text."""
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            raise _err(MSG_DATE)
        return parsed.isoformat()
    raise _err(MSG_DATE)


def unit_choices(survey: Survey) -> list[Area]:
    """Current units a `unit` question may be answered with: the target area and
    everything under it (every current unit when the survey has no target)."""
    qs = Area.objects.current()
    if survey.target_area is not None:
        qs = qs.filter(path__startswith=survey.target_area.path)
    return list(qs.order_by("path"))


def _unit(raw: Any, question: Question) -> int | None:
    if isinstance(raw, Mapping):  # the page's two lists: {"commune": id, "hamlet": id}
        return _unit_pair(raw, question)
    try:
        area_id = int(str(raw).strip())
    except (TypeError, ValueError):
        raise _err(MSG_UNIT) from None
    # A unit found valid once is not looked up again for the same question
    # object (the page checks the answers, then submit_response checks them again).
    if area_id not in _current_unit_ids(question.survey):
        raise _err(
            "Địa bàn đã chọn không thuộc địa bàn khảo sát hoặc đã ngừng hoạt động. "
            "Vui lòng chọn lại.",
            "unit",
        )
    return area_id


# The ids of the current units under each survey area, kept a minute in the
# process (the unit tree changes a few times a year; a unit ended in the last
# minute may still be accepted, and its figures roll up to its successor).
_UNIT_IDS = LocalCache(ttl=60, size=256)


# Published surveys by slug for the respondent pages (views_public.public_survey),
# kept a second in the process; any save of a survey empties it in the process.
SURVEY_TTL = 1
SURVEYS = LocalCache(ttl=SURVEY_TTL, size=256)


def forget_surveys() -> None:
    SURVEYS.clear()


# Survey target areas by id, kept a minute like the units below them.
_AREAS = LocalCache(ttl=60, size=256)


def survey_area(area_id: int) -> Area:
    area: Area | None = _AREAS.get(area_id)
    if area is None:
        area = Area.objects.get(pk=area_id)
        _AREAS.set(area_id, area)
    return area


def forget_units() -> None:
    _AREAS.clear()
    _UNIT_IDS.clear()
    _UNIT_PARENTS.clear()


def _current_unit_ids(survey: Survey) -> frozenset[int]:
    path = survey.target_area.path if survey.target_area is not None else ""
    ids: frozenset[int] | None = _UNIT_IDS.get(path)
    if ids is None:
        qs = Area.objects.current()
        if path:
            qs = qs.filter(path__startswith=path)
        ids = frozenset(qs.values_list("pk", flat=True))
        _UNIT_IDS.set(path, ids)
    return ids


MSG_UNIT_HAMLET = "Vui lòng chọn cả ấp, khu vực (sau khi chọn xã, phường)."
MSG_UNIT_OUTSIDE = (
    "Ấp, khu vực đã chọn không thuộc xã, phường đã chọn. Vui lòng chọn lại ấp, khu vực."
)
# Parent of each current unit under a survey area (and the set of units with
# current children), kept a minute in the process like `_UNIT_IDS`.
_UNIT_PARENTS = LocalCache(ttl=60, size=256)


def _unit_parents(survey: Survey) -> tuple[dict[int, int | None], frozenset[int]]:
    """(parent of each current unit under the survey's area, the units that have
    current units below them)."""
    path = survey.target_area.path if survey.target_area is not None else ""
    tree: tuple[dict[int, int | None], frozenset[int]] | None = _UNIT_PARENTS.get(path)
    if tree is None:
        qs = Area.objects.current()
        if path:
            qs = qs.filter(path__startswith=path)
        rows = list(qs.values_list("pk", "path"))
        by_path = {p: pk for pk, p in rows}
        parents = {pk: by_path.get(p[: -Area.steplen]) for pk, p in rows}
        tree = (parents, frozenset(v for v in parents.values() if v is not None))
        _UNIT_PARENTS.set(path, tree)
    return tree


def _unit_pair(raw: Mapping[str, Any], question: Question) -> int | None:
    """A commune (or any unit above the hamlets) and a hamlet in it, as the page's
    two lists send them; the answer is the hamlet, or the commune when it has no
    hamlets. The hamlet must lie in the commune; a commune that has hamlets needs
    one (so the survey's target itself is never an answer when it has units
    below it). Either may be missing: the commune when the survey targets one
    commune (only its hamlets are listed), the hamlet when none applies."""
    commune_raw, hamlet_raw = raw.get("commune"), raw.get("hamlet")
    if isinstance(commune_raw, Mapping) or isinstance(hamlet_raw, Mapping):
        raise _err(MSG_UNIT)
    if _blank(commune_raw) and _blank(hamlet_raw):
        return None
    commune = None if _blank(commune_raw) else _unit(commune_raw, question)
    parents, with_children = _unit_parents(question.survey)
    if _blank(hamlet_raw):
        if commune in with_children:
            raise _err(MSG_UNIT_HAMLET, "unit_hamlet")
        return commune
    hamlet = _unit(hamlet_raw, question)
    if hamlet is None:  # not reached: a plain value is an id or an error
        raise _err(MSG_UNIT)
    if commune is not None and parents.get(hamlet) != commune:
        raise _err(MSG_UNIT_OUTSIDE, "unit_outside")
    if hamlet in with_children:  # not a hamlet: it has units below it
        raise _err(MSG_UNIT_HAMLET, "unit_hamlet")
    return hamlet


def _choices(question: Question) -> list[str]:
    return list((question.options or {}).get("choices") or [])


def rating_bounds(question: Question) -> tuple[int, int]:
    options = question.options or {}
    low = int(options.get("min", 1) if options.get("min") is not None else 1)
    high = int(options.get("max", 5) if options.get("max") is not None else 5)
    return low, high


def clean_answer(question: Question, raw: Any) -> Any:
    """Validate one raw answer to `question` and return its cleaned value, or None
    when nothing was answered. Raises ValidationError with a Vietnamese message.
    Does not check `required` (that depends on skip logic): see `clean_answers`."""
    if _blank(raw):
        return None
    return kinds.of(question).clean(question, raw)


@dataclass
class Evaluation:
    """The result of checking a set of raw answers against a survey's questions."""

    answers: dict[int, Any] = field(default_factory=dict)  # visible, valid, answered
    errors: dict[int, str] = field(default_factory=dict)  # visible questions only
    visible: set[int] = field(default_factory=set)


def _key_id(key: Any) -> int | None:
    try:
        return int(str(key).removeprefix("q_"))
    except (TypeError, ValueError):
        return None


def evaluate(
    questions: Sequence[Question],
    raw_answers: Mapping[Any, Any],
    *,
    required_check: bool = True,
) -> Evaluation:
    """Clean every answer, apply skip logic (hidden questions' answers are dropped,
    whatever they hold) and check required questions that are shown.
    `raw_answers` is keyed by question id (int or str). Unknown question ids are
    reported under key 0."""
    result = Evaluation()
    known = {q.pk: q for q in questions}
    raw_by_id: dict[int, Any] = {}
    for key, raw in raw_answers.items():
        qid = _key_id(key)
        if qid is None or qid not in known:
            result.errors[0] = MSG_UNKNOWN_QUESTION
            continue
        raw_by_id[qid] = raw
    cleaned: dict[int, Any] = {}
    problems: dict[int, str] = {}
    for question in questions:
        if question.pk not in raw_by_id:
            continue
        try:
            value = clean_answer(question, raw_by_id[question.pk])
        except ValidationError as error:
            problems[question.pk] = error.messages[0]
            continue
        if value is not None:
            cleaned[question.pk] = value
    result.visible = logic.visible_question_ids(questions, cleaned)
    for question in questions:
        qid = question.pk
        if qid not in result.visible:
            continue
        if qid in problems:
            result.errors[qid] = problems[qid]
            continue
        value = cleaned.get(qid)
        if value is not None:
            result.answers[qid] = value
        if required_check and question.required:
            if value is None:
                result.errors[qid] = MSG_REQUIRED
            elif kinds.of(question).incomplete(value):
                result.errors[qid] = MSG_GRID_REQUIRED
    return result


class AnswersInvalid(ValidationError):
    """Some answers are invalid; `question_errors` maps question id -> message (0: not a
    question of the survey), `evaluation` holds what was understood."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.question_errors = dict(evaluation.errors)
        super().__init__({str(k): [v] for k, v in self.question_errors.items()})


def clean_answers(
    survey: Survey, raw_answers: Mapping[Any, Any], *, questions: Sequence[Question] | None = None
) -> dict[int, Any]:
    """The cleaned answers of the visible questions, or AnswersInvalid."""
    questions = list(questions) if questions is not None else ordered_questions(survey)
    evaluation = evaluate(questions, raw_answers)
    if evaluation.errors:
        raise AnswersInvalid(evaluation)
    return evaluation.answers


# --- Identity (identified surveys only) -------------------------------------------


def clean_identity(survey: Survey, identity: Mapping[str, Any] | None) -> dict[str, Any]:
    """{"full_name", "phone", "consent"} checked: raises ValidationError keyed by field."""
    identity = identity or {}
    errors: dict[str, str] = {}
    full_name = " ".join(str(identity.get("full_name") or "").split())
    if not full_name:
        errors["full_name"] = MSG_NAME_MISSING
    elif len(full_name) > NAME_MAX:
        errors["full_name"] = f"Họ và tên không được dài quá {NAME_MAX} ký tự."
    phone = ""
    raw_phone = str(identity.get("phone") or "").strip()
    if not raw_phone:
        errors["phone"] = MSG_PHONE_MISSING
    else:
        try:
            phone = normalize_phone(raw_phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if identity.get("consent") not in (True, "on", "1", "true", 1):
        errors["consent"] = MSG_CONSENT
    if errors:
        raise ValidationError({k: [ValidationError(v, code=k)] for k, v in errors.items()})
    return {"full_name": full_name, "phone": phone, "consent": True}


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


# The columns of an answer row, as `_answer_rows` yields them after the response id.
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
