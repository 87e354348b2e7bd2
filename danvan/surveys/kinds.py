"""Survey question kinds as objects: one class per `Kind`, registered in `KINDS`.

A kind holds what differs from one kind of question to another:

* cleaning a raw answer into its cleaned value (`clean`; the formats are in the
  docstring of `danvan.surveys.services`) and the `Answer` rows of that value
  (`rows`, `column`);
* what the public page needs to draw it (`fill_view`, `is_group`, `raw_from_post`;
  the inputs themselves are in `surveys/public/_question.html`);
* how the results count and show it (`column`, `fill`, `labels`, `chart`) and
  what a crosstab can do with it (`category`, `breaks_down`);
* how the exports write it (`export_value`, `table_head`, `average_note`);
* what the staff pages say of it (`help`, `summary`, `publish_problem`) and how
  skip logic may test it (`compares`, `condition_values`).

Adding a kind: a value of `Kind`, a class here in `KINDS`, its cases in
`tests/test_kinds.py`, and its inputs in the public page's template (and its
option fields in `forms_staff.QuestionForm` when it has options).

Kinds are stateless singletons: the hot path of a submit looks one up in a dict.

`services` and `results` use this module inside their functions only
(``from danvan.surveys import kinds``), and this module uses them inside its
methods only, so any of them may be imported first.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from django.core.exceptions import ValidationError

from danvan.core.places import Place
from danvan.core.templatetags.vi import vnnumber
from danvan.core.text import fold, format_date
from danvan.surveys import results, services
from danvan.surveys.models import AGREEMENT_SCALE, Kind, Question

if TYPE_CHECKING:
    from danvan.surveys.results import QuestionResult
    from danvan.surveys.services import AnswerRow
    from danvan.surveys.views_public import QuestionView


def _as_str(value: Any) -> str:
    return "" if value is None else str(value)


# --- What the public page draws --------------------------------------------------


@dataclass
class Option:
    """An input of the public page: a choice, a scale point, a rating."""

    value: str
    label: str
    checked: bool = False


@dataclass
class UnitChoices:
    """What the unit question offers: first a commune (or ward, township; any unit
    above the hamlets), then a hamlet of it. `groups` are the communes, under the
    name of the unit above them when there are several such units; `hamlets` the
    hamlets by commune (commune id, commune name, hamlets). When the survey
    targets one commune that has hamlets, `fixed` is its name and only its
    hamlets are asked. The survey's target is never offered when it has units
    below it. Values are area ids, as strings."""

    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    hamlets: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    fixed: str = ""
    commune_of: dict[str, str] = field(default_factory=dict)  # hamlet id -> commune id

    @property
    def has_hamlets(self) -> bool:
        return any(items for _c, _n, items in self.hamlets)


# --- The figures of one question, as the results counted them --------------------


@dataclass
class Figures:
    """The counts of one question's answers (`results._assemble` gathers them)."""

    cells: dict[tuple[Any, Any], int]  # (grid row, choice) -> answers
    ratings: dict[Any, int]  # value given -> answers (ratings)
    summary: dict[str, Any] | None  # n, mean, low, high (numbers and ratings)
    units: dict[int, int]  # area id -> answers
    days: list[tuple[Any, int]]  # (day, answers), by day
    places: dict[int, Place]  # area id -> place (`core.places.area_places`)

    def choice_counts(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for (_row, choice), n in self.cells.items():
            counts[choice] += n
        return counts


class AnswerCell(NamedTuple):
    """One stored answer row, as the raw responses export reads it."""

    choice: int | None
    number: float | None
    text: str
    day: date | None
    place: Place | None  # of `Answer.area`


# --- The kinds ---------------------------------------------------------------------


class QuestionKind:
    """A kind of question. The defaults are those of a question answered with a
    typed value (number, texts); the base itself stands for an unknown kind."""

    kind: ClassVar[str] = ""
    help: ClassVar[str] = ""  # one line on the question form
    # The `Answer` column holding the answers: "choice", "number", "text", "date", "area".
    column: ClassVar[str] = ""
    has_choices: ClassVar[bool] = False  # a list of choices, "Khác" when allowed
    per_row: ClassVar[bool] = False  # answered row by row (one export column a row)
    group: ClassVar[bool] = False  # public page: a fieldset with a legend
    format_hint: ClassVar[bool] = False  # public page: a line on the length allowed
    uses_units: ClassVar[bool] = False  # public page: needs the survey's unit lists
    category: ClassVar[bool] = False  # a few categories: the rows of a crosstab
    breaks_down: ClassVar[bool] = False  # what a crosstab's columns can be
    written: ClassVar[bool] = False  # free text: listed and searched on the results
    # Skip logic: "choice" (compare with one of `condition_values`), "number" or
    # "text" (with a typed value), "" (only "answered").
    compares: ClassVar[str] = ""
    chart: ClassVar[str] = ""  # "bars", "scores", "agreement", "days" or none
    table_head: ClassVar[str] = "Phương án"  # first column of the summary's table

    # Taking the survey.

    def clean(self, question: Question, raw: Any) -> Any:
        """The cleaned value of a raw answer (not blank), or None; ValidationError."""
        raise services._err("Loại câu hỏi không được hỗ trợ.")

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        """The stored rows of a cleaned value (columns: `services.ANSWER_COLUMNS`)."""
        return ()

    def incomplete(self, value: Any) -> bool:
        """Whether a required question's cleaned value leaves a part unanswered."""
        return False

    # The public page.

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        view.value = _as_str(raw)

    def is_group(self, view: QuestionView) -> bool:
        return self.group

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        return data.get(name, "")

    # Staff pages.

    def condition_values(self, question: Question) -> list[tuple[Any, str]]:
        """The values a skip-logic condition on `question` can compare with, and
        their labels (none: the value is typed)."""
        return []

    def publish_problem(self, question: Question) -> str:
        """What keeps the question from being published ("" when nothing)."""
        return ""

    def summary(self, question: Question) -> str:
        """Its options in one line, for the questionnaire page ("" when none)."""
        return ""

    # Results and exports.

    def labels(self, question: Question) -> list[str]:
        """The categories an answer's `choice` indexes."""
        return []

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        """Put the question's figures into its result."""

    def average_note(self, result: QuestionResult) -> str:
        """The scale of the average, "" when the kind has no average."""
        return ""

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        """One answer row in its cell of the raw responses (`previous`: what the
        cell holds already)."""
        return cell.text


class ChoiceKind(QuestionKind):
    """One choice in a list (radio buttons or a dropdown), "Khác" when allowed."""

    column = "choice"
    has_choices = True
    category = True
    breaks_down = True
    compares = "choice"
    chart = "bars"

    def clean(self, question: Question, raw: Any) -> Any:
        allow_other = bool((question.options or {}).get("other"))
        other = None
        if isinstance(raw, Mapping):
            other = raw.get("other")
            raw = raw.get("choice")
            if services._blank(raw):
                if not services._blank(other) and allow_other:
                    raw = -1  # wrote an "other" answer without ticking "Khác"
                else:
                    return None
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise services._err("Câu hỏi này chỉ được chọn một phương án.")
            raw = raw[0]
        index = services._index(raw, len(services._choices(question)), allow_other)
        if index == -1:
            return {"choice": -1, "other": services._other_text(other)}
        return {"choice": index}

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        text = value.get("other", "") if value["choice"] == -1 else ""
        yield (qid, value["choice"], None, None, text, fold(text), None, None)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        picked = raw.get("choice") if isinstance(raw, dict) else raw
        self._fill_choices(view, raw, {_as_str(picked)})

    @staticmethod
    def _fill_choices(view: QuestionView, raw: Any, picked: set[str]) -> None:
        options = view.question.options or {}
        view.other_allowed = bool(options.get("other"))
        view.other_text = _as_str(raw.get("other")) if isinstance(raw, dict) else ""
        view.other_checked = bool(picked & {"other", "-1"})
        view.options = [
            Option(str(i), str(label), str(i) in picked)
            for i, label in enumerate(options.get("choices") or [])
        ]

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        choice = data.get(name, "")
        if (question.options or {}).get("other"):
            other = data.get(f"{name}_other", "")
            if choice or other.strip():
                return {"choice": choice, "other": other}
            return ""
        return choice

    def condition_values(self, question: Question) -> list[tuple[Any, str]]:
        options = question.options or {}
        out: list[tuple[Any, str]] = list(enumerate(options.get("choices") or []))
        if options.get("other"):
            out.append((-1, "Khác (người trả lời tự ghi)"))
        return out

    def publish_problem(self, question: Question) -> str:
        if len((question.options or {}).get("choices") or []) < 2:
            return "cần ít nhất hai phương án trả lời."
        return ""

    def summary(self, question: Question) -> str:
        options = question.options or {}
        choices = list(options.get("choices") or [])
        if options.get("other"):
            choices.append("Khác…")
        return " · ".join(choices)

    def labels(self, question: Question) -> list[str]:
        return [str(c) for c in (question.options or {}).get("choices") or []]

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        counts = figures.choice_counts()
        labels = self.labels(question)
        keys = list(range(len(labels)))
        if (question.options or {}).get("other") or counts.get(results.OTHER):
            keys.append(results.OTHER)
        result.options = results.category_options(labels, counts, keys, result.answered)

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        choice, text = cell.choice, cell.text
        if choice == results.OTHER:
            return f"{results.OTHER_LABEL}: {text}" if text else results.OTHER_LABEL
        if choice is not None and 0 <= choice < len(labels):
            return labels[choice]
        return text or ("" if choice is None else str(choice))


class SingleKind(ChoiceKind):
    kind = Kind.SINGLE
    help = "Người trả lời chọn đúng một phương án (nút tròn)."
    group = True


class DropdownKind(ChoiceKind):
    kind = Kind.DROPDOWN
    help = "Chọn một phương án trong danh sách thả xuống; hợp với danh sách dài."


class MultipleKind(ChoiceKind):
    kind = Kind.MULTIPLE
    help = "Người trả lời chọn một hoặc nhiều phương án (ô vuông)."
    group = True

    def clean(self, question: Question, raw: Any) -> Any:
        allow_other = bool((question.options or {}).get("other"))
        other = None
        if isinstance(raw, Mapping):
            other = raw.get("other")
            raw = raw.get("choices") or []
        if isinstance(raw, str | int):
            raw = [raw]
        if not isinstance(raw, list | tuple | set):
            raise services._err(services.MSG_CHOICE)
        count = len(services._choices(question))
        picked = sorted(
            {services._index(v, count, allow_other) for v in raw if not services._blank(v)}
        )
        if not picked and not services._blank(other) and allow_other:
            picked = [-1]
        if not picked:
            return None
        if -1 in picked:
            picked = [i for i in picked if i != -1] + [-1]
            return {"choices": picked, "other": services._other_text(other)}
        return {"choices": picked}

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        for choice in value["choices"]:
            text = value.get("other", "") if choice == -1 else ""
            yield (qid, choice, None, None, text, fold(text), None, None)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        picked = raw.get("choices") if isinstance(raw, dict) else raw
        picked_set = {_as_str(v) for v in (picked or [])} if isinstance(picked, list) else set()
        self._fill_choices(view, raw, picked_set)

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        picked = [v for v in data.getlist(name) if v]
        if (question.options or {}).get("other"):
            other = data.get(f"{name}_other", "")
            if picked or other.strip():
                return {"choices": picked, "other": other}
            return []
        return picked

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        value = super().export_value(labels, cell, previous)
        return f"{previous}; {value}" if previous else value


def _scale_text(choice: int | None) -> str:
    if choice is not None and 0 <= choice < len(AGREEMENT_SCALE):
        return AGREEMENT_SCALE[choice]
    return "" if choice is None else str(choice)


def _scale_options(raw: Any) -> list[Option]:
    current = _as_str(raw)
    return [Option(str(i), label, current == str(i)) for i, label in enumerate(AGREEMENT_SCALE)]


class AgreementKind(QuestionKind):
    kind = Kind.AGREEMENT
    help = "Năm mức: " + ", ".join(AGREEMENT_SCALE).lower() + "."
    column = "choice"
    group = True
    category = True
    breaks_down = True
    compares = "choice"
    chart = "bars"
    table_head = "Mức độ"

    def clean(self, question: Question, raw: Any) -> Any:
        return services._int_in(
            raw, 0, len(AGREEMENT_SCALE) - 1, "Vui lòng chọn một mức độ đồng ý."
        )

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        yield (qid, value, None, None, "", "", None, None)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        view.options = _scale_options(raw)

    def condition_values(self, question: Question) -> list[tuple[Any, str]]:
        return list(enumerate(AGREEMENT_SCALE))

    def labels(self, question: Question) -> list[str]:
        return list(AGREEMENT_SCALE)

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        counts = figures.choice_counts()
        labels = self.labels(question)
        keys = list(range(len(labels)))
        result.options = results.category_options(labels, counts, keys, result.answered)
        given = {k: n for k, n in counts.items() if 0 <= k < len(AGREEMENT_SCALE)}
        total = sum(given.values())
        if total:
            result.average = sum((k + 1) * n for k, n in given.items()) / total

    def average_note(self, result: QuestionResult) -> str:
        return "1 = rất không đồng ý … 5 = rất đồng ý"

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        return _scale_text(cell.choice)


class GridKind(QuestionKind):
    kind = Kind.GRID
    help = "Nhiều ý, mỗi ý trả lời theo năm mức đồng ý."
    column = "choice"
    per_row = True
    group = True
    chart = "agreement"

    def clean(self, question: Question, raw: Any) -> Any:
        rows = list((question.options or {}).get("rows") or [])
        values: list[Any] = [None] * len(rows)
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                try:
                    r = int(key)
                except (TypeError, ValueError):
                    raise services._err("Dòng không hợp lệ.") from None
                if not 0 <= r < len(rows):
                    raise services._err("Dòng không hợp lệ.")
                values[r] = value
        elif isinstance(raw, list | tuple):
            if len(raw) > len(rows):
                raise services._err("Dòng không hợp lệ.")
            values[: len(raw)] = list(raw)
        else:
            raise services._err("Vui lòng chọn mức độ cho từng dòng.")
        cleaned = [
            None
            if services._blank(v)
            else services._int_in(
                v, 0, len(AGREEMENT_SCALE) - 1, f"Dòng “{rows[i]}”: mức độ không hợp lệ."
            )
            for i, v in enumerate(values)
        ]
        return cleaned if any(v is not None for v in cleaned) else None

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        for row, choice in enumerate(value):
            if choice is not None:
                yield (qid, choice, row, None, "", "", None, None)

    def incomplete(self, value: Any) -> bool:
        return any(v is None for v in value)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        values = raw if isinstance(raw, list) else []
        for r, label in enumerate((view.question.options or {}).get("rows") or []):
            view.rows.append((r, str(label), _scale_options(values[r] if r < len(values) else "")))

    def publish_problem(self, question: Question) -> str:
        if not (question.options or {}).get("rows"):
            return "bảng mức độ đồng ý cần ít nhất một ý."
        return ""

    def summary(self, question: Question) -> str:
        return " · ".join((question.options or {}).get("rows") or [])

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        rows = (question.options or {}).get("rows") or []
        values = [data.get(f"{name}_r{r}") or None for r in range(len(rows))]
        return values if any(v is not None for v in values) else []

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        result.scale = list(AGREEMENT_SCALE)
        for r, label in enumerate(results.grid_rows_of(question)):
            counts = [figures.cells.get((r, c), 0) for c in range(len(AGREEMENT_SCALE))]
            total = sum(counts)
            avg = sum((c + 1) * n for c, n in enumerate(counts)) / total if total else None
            result.grid.append(results.GridRow(label, counts, total, avg))

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        return _scale_text(cell.choice)


def _export_number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class NumberKind(QuestionKind):
    kind = Kind.NUMBER
    help = "Một con số, có thể giới hạn nhỏ nhất, lớn nhất."
    column = "number"
    compares = "number"

    def clean(self, question: Question, raw: Any) -> Any:
        return services._number(raw, question.options or {})

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        yield (qid, None, None, float(value), "", "", None, None)

    def summary(self, question: Question) -> str:
        options = question.options or {}
        low, high = options.get("min"), options.get("max")
        if low is not None and high is not None:
            return f"Từ {vnnumber(low)} đến {vnnumber(high)}"
        if low is not None:
            return f"Từ {vnnumber(low)} trở lên"
        if high is not None:
            return f"Tối đa {vnnumber(high)}"
        return ""

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        s = figures.summary
        result.numbers = (
            results.NumberSummary(s["n"], s["mean"], s["low"], s["high"])
            if s
            else results.NumberSummary()
        )

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        number = cell.number if cell.number is not None else cell.choice
        return _export_number(number)


class RatingKind(NumberKind):
    kind = Kind.RATING
    help = "Chấm điểm từ 1 đến 5 hoặc từ 1 đến 10."
    group = True
    category = True
    compares = "choice"
    chart = "scores"
    table_head = "Điểm"

    def clean(self, question: Question, raw: Any) -> Any:
        low, high = services.rating_bounds(question)
        return services._int_in(raw, low, high, f"Vui lòng chọn điểm từ {low} đến {high}.")

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        low, high = services.rating_bounds(view.question)
        view.options = [
            Option(str(v), str(v), _as_str(raw) == str(v)) for v in range(low, high + 1)
        ]
        options = view.question.options or {}
        low_label = str(options.get("min_label") or "thấp nhất")
        high_label = str(options.get("max_label") or "cao nhất")
        view.scale_hint = f"{low} điểm: {low_label}; {high} điểm: {high_label}."

    def condition_values(self, question: Question) -> list[tuple[Any, str]]:
        options = question.options or {}
        low, high = int(options.get("min") or 1), int(options.get("max") or 5)
        return [(n, str(n)) for n in range(low, high + 1)]

    def summary(self, question: Question) -> str:
        o = question.options or {}
        labels = ", ".join(x for x in (o.get("min_label"), o.get("max_label")) if x)
        return f"Từ {o.get('min', 1)} đến {o.get('max', 5)}" + (f" ({labels})" if labels else "")

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        low, high = results.rating_bounds(question)
        result.rating_min, result.rating_max = low, high
        values: list[float] = [float(v) for v in range(low, high + 1)]
        values += sorted(v for v in figures.ratings if v not in values)
        result.options = [
            results.option(results.rating_label(v), figures.ratings.get(v, 0), result.answered)
            for v in values
        ]
        result.average = figures.summary["mean"] if figures.summary else None

    def average_note(self, result: QuestionResult) -> str:
        return f"thang {result.rating_min}–{result.rating_max}"


class TextKind(QuestionKind):
    column = "text"
    written = True

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        yield (qid, None, None, None, value, fold(value), None, None)


class ShortTextKind(TextKind):
    kind = Kind.SHORT_TEXT
    help = "Một dòng chữ."
    compares = "text"

    def clean(self, question: Question, raw: Any) -> Any:
        return services._text(raw, services.SHORT_TEXT_MAX) or None


class LongTextKind(TextKind):
    kind = Kind.LONG_TEXT
    help = "Một đoạn văn."
    format_hint = True

    def clean(self, question: Question, raw: Any) -> Any:
        return services._text(raw, services.LONG_TEXT_MAX) or None


class DateKind(QuestionKind):
    kind = Kind.DATE
    help = "Một ngày (ngày/tháng/năm)."
    column = "date"
    chart = "days"
    table_head = "Ngày"

    def clean(self, question: Question, raw: Any) -> Any:
        return services.parse_date(raw)

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        yield (qid, None, None, None, "", "", date.fromisoformat(value), None)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        view.value = _as_str(raw)
        if view.value:
            with contextlib.suppress(ValidationError):
                view.value = services.parse_date(raw)  # ISO, which <input type=date> wants

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        result.options = results.date_options(figures.days, result.answered)

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        return format_date(cell.day)


class UnitKind(QuestionKind):
    kind = Kind.UNIT
    help = "Chọn xã, phường rồi chọn ấp, khu vực trong địa bàn khảo sát."
    column = "area"
    uses_units = True
    breaks_down = True
    chart = "bars"
    table_head = "Địa bàn"

    def clean(self, question: Question, raw: Any) -> Any:
        return services._unit(raw, question)

    def rows(self, qid: int, value: Any) -> Iterable[AnswerRow]:
        yield (qid, None, None, None, "", "", None, value)

    def fill_view(self, view: QuestionView, raw: Any, units: UnitChoices | None) -> None:
        view.unit = units or UnitChoices()
        view.commune_value, view.hamlet_value = _unit_values(raw, view.unit)

    def is_group(self, view: QuestionView) -> bool:
        # Two lists, unless only the hamlets are asked.
        return view.unit is not None and not view.unit.fixed and view.unit.has_hamlets

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        # The commune list and the hamlet list.
        commune, hamlet = data.get(name, ""), data.get(f"{name}_hamlet", "")
        if commune.strip() or hamlet.strip():
            return {"commune": commune, "hamlet": hamlet}
        return ""

    def fill(self, result: QuestionResult, question: Question, figures: Figures) -> None:
        by_label: dict[str, int] = defaultdict(int)
        for area_id, n in figures.units.items():
            by_label[_place_label(figures.places.get(area_id), results.NO_UNIT)] += n
        result.options = sorted(
            (results.option(label, n, result.answered) for label, n in by_label.items()),
            key=lambda o: (-o.count, o.label),
        )

    def export_value(self, labels: list[str], cell: AnswerCell, previous: Any) -> Any:
        return _place_label(cell.place, cell.text)


def _place_label(place: Place | None, unknown: str) -> str:
    """A hamlet as "Ấp A, Xã B", a commune as "Xã B", `unknown` without a place."""
    if place is None:
        return unknown
    if place.hamlet_id is not None:
        return f"{place.hamlet}, {place.commune}"
    return place.commune


def _unit_values(raw: Any, units: UnitChoices) -> tuple[str, str]:
    """(commune, hamlet) chosen, from a raw answer: the two lists' values, or one
    area id (a hamlet's commune is found from the lists)."""
    if isinstance(raw, dict):
        return _as_str(raw.get("commune")).strip(), _as_str(raw.get("hamlet")).strip()
    value = _as_str(raw).strip()
    if value in units.commune_of:
        return ("" if units.fixed else units.commune_of[value]), value
    return value, ""


# --- The registry ------------------------------------------------------------------

KINDS: dict[str, QuestionKind] = {
    k.kind: k
    for k in (
        SingleKind(),
        MultipleKind(),
        DropdownKind(),
        RatingKind(),
        AgreementKind(),
        GridKind(),
        NumberKind(),
        ShortTextKind(),
        LongTextKind(),
        DateKind(),
        UnitKind(),
    )
}
UNKNOWN = QuestionKind()


def kind_of(kind: str) -> QuestionKind:
    """The kind object of a `Question.kind` value (`UNKNOWN` for none)."""
    return KINDS.get(kind, UNKNOWN)


def of(question: Question) -> QuestionKind:
    return KINDS.get(question.kind, UNKNOWN)


def kinds_where(flag: str) -> tuple[str, ...]:
    """The `Kind` values whose kind object has `flag` set, in the order of `Kind`."""
    return tuple(k for k in Kind.values if getattr(KINDS[k], flag))
