"""Cleaning a survey's answers: raw answers into cleaned values (the formats are
in the docstring of `danvan.surveys.services`), skip logic and required
questions (`evaluate`, `clean_answers`), the identity of identified surveys, and
what the respondent pages keep in the process (questions, units, surveys).

Each kind's own cleaning is its class in `danvan.surveys.kinds`, which calls
the helpers here (`_err`, `_blank`, `_index`...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from danvan.core.cache import LocalCache
from danvan.core.models import Area
from danvan.core.validators import normalize_phone
from danvan.surveys import kinds, logic
from danvan.surveys.models import Question, Survey

OTHER_TEXT_MAX = 300
NAME_MAX = 150

MSG_REQUIRED = "Vui lòng trả lời câu hỏi này."
MSG_GRID_REQUIRED = "Vui lòng chọn mức độ cho tất cả các dòng."
MSG_CHOICE = "Lựa chọn không hợp lệ. Vui lòng chọn lại."
MSG_OTHER_TEXT = "Bạn đã chọn “Khác”: vui lòng ghi rõ ý kiến."
MSG_NO_OTHER = "Câu hỏi này không có lựa chọn “Khác”."
MSG_UNKNOWN_QUESTION = "Câu hỏi không thuộc phiếu khảo sát này."
MSG_DATE = "Ngày không hợp lệ. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 15/03/2025."
MSG_UNIT = "Vui lòng chọn một địa bàn (xã, ấp) trong danh sách."
MSG_NUMBER = "Vui lòng nhập một số, ví dụ 12."
MSG_PHONE_MISSING = "Vui lòng nhập số điện thoại."
MSG_NAME_MISSING = "Vui lòng nhập họ và tên."
MSG_CONSENT = "Vui lòng đánh dấu đồng ý để gửi phiếu có ghi họ tên."


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
