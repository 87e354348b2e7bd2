"""The kinds answered with a typed value: number, rating, texts, date."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from danvan.core.templatetags.vi import vnnumber
from danvan.core.text import fold, format_date
from danvan.surveys import cleaning, result_types
from danvan.surveys.kinds import base
from danvan.surveys.kinds.base import Option, QuestionKind, _as_str, register
from danvan.surveys.models import Kind, Question


def _export_number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@register
class NumberKind(QuestionKind):
    kind = Kind.NUMBER
    help = "Một con số, có thể giới hạn nhỏ nhất, lớn nhất."
    column = "number"
    compares = "number"
    template = "surveys/public/kinds/number.html"
    options_template = "surveys/staff/options/number.html"

    def clean(self, question: Question, raw: Any) -> Any:
        return cleaning._number(raw, question.options or {})

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
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

    def form_initial(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"number_min": options.get("min"), "number_max": options.get("max")}

    def form_options(self, data: Mapping[str, Any], add_error: base.AddError) -> dict[str, Any]:
        low, high = data.get("number_min"), data.get("number_max")
        if low is not None and high is not None and low >= high:
            add_error("number_max", "Số lớn nhất phải lớn hơn số nhỏ nhất.")
        return {"min": low, "max": high}

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        s = figures.summary
        result.numbers = (
            result_types.NumberSummary(s["n"], s["mean"], s["low"], s["high"])
            if s
            else result_types.NumberSummary()
        )

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        number = cell.number if cell.number is not None else cell.choice
        return _export_number(number)


@register
class RatingKind(NumberKind):
    kind = Kind.RATING
    help = "Chấm điểm từ 1 đến 5 hoặc từ 1 đến 10."
    group = True
    category = True
    compares = "choice"
    chart = "scores"
    table_head = "Điểm"
    template = "surveys/public/kinds/rating.html"
    options_template = "surveys/staff/options/rating.html"

    def clean(self, question: Question, raw: Any) -> Any:
        low, high = cleaning.rating_bounds(question)
        return cleaning._int_in(raw, low, high, f"Vui lòng chọn điểm từ {low} đến {high}.")

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        low, high = cleaning.rating_bounds(view.question)
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

    def form_initial(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "scale": options.get("max") or 5,
            "min_label": options.get("min_label", ""),
            "max_label": options.get("max_label", ""),
        }

    def form_options(self, data: Mapping[str, Any], add_error: base.AddError) -> dict[str, Any]:
        return {
            "min": 1,
            "max": data.get("scale") or 5,
            "min_label": (data.get("min_label") or "").strip(),
            "max_label": (data.get("max_label") or "").strip(),
        }

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        low, high = result_types.rating_bounds(question)
        result.rating_min, result.rating_max = low, high
        values: list[float] = [float(v) for v in range(low, high + 1)]
        values += sorted(v for v in figures.ratings if v not in values)
        result.options = [
            result_types.option(
                result_types.rating_label(v), figures.ratings.get(v, 0), result.answered
            )
            for v in values
        ]
        result.average = figures.summary["mean"] if figures.summary else None

    def average_note(self, result: base.QuestionResult) -> str:
        return f"thang {result.rating_min}–{result.rating_max}"


class TextKind(QuestionKind):
    column = "text"
    written = True
    limit: ClassVar[int] = 0  # characters

    def clean(self, question: Question, raw: Any) -> Any:
        return cleaning._text(raw, self.limit) or None

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        yield (qid, None, None, None, value, fold(value), None, None)


@register
class ShortTextKind(TextKind):
    kind = Kind.SHORT_TEXT
    help = "Một dòng chữ."
    compares = "text"
    template = "surveys/public/kinds/short_text.html"
    limit = 300


@register
class LongTextKind(TextKind):
    kind = Kind.LONG_TEXT
    help = "Một đoạn văn."
    format_hint = True
    hint = "Tối đa 5.000 ký tự."
    template = "surveys/public/kinds/long_text.html"
    limit = 5000


@register
class DateKind(QuestionKind):
    kind = Kind.DATE
    help = "Một ngày (ngày/tháng/năm)."
    column = "date"
    chart = "days"
    table_head = "Ngày"
    template = "surveys/public/kinds/date.html"

    def clean(self, question: Question, raw: Any) -> Any:
        return cleaning.parse_date(raw)

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        yield (qid, None, None, None, "", "", date.fromisoformat(value), None)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        view.value = _as_str(raw)
        if view.value:
            with contextlib.suppress(ValidationError):
                view.value = cleaning.parse_date(raw)  # ISO, which <input type=date> wants

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        result.options = result_types.date_options(figures.days, result.answered)

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        return format_date(cell.day)
