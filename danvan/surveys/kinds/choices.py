"""The kinds answered with choices from a list: single, dropdown, multiple."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from danvan.core.text import fold
from danvan.surveys import cleaning, result_types
from danvan.surveys.kinds import base
from danvan.surveys.kinds.base import Option, QuestionKind, _as_str, form_lines, register
from danvan.surveys.models import Kind, Question


class ChoiceKind(QuestionKind):
    """One choice in a list (radio buttons or a dropdown), "Khác" when allowed."""

    column = "choice"
    has_choices = True
    category = True
    breaks_down = True
    compares = "choice"
    chart = "bars"
    template = "surveys/public/kinds/choices.html"
    options_template = "surveys/staff/options/choices.html"

    def clean(self, question: Question, raw: Any) -> Any:
        allow_other = bool((question.options or {}).get("other"))
        other = None
        if isinstance(raw, Mapping):
            other = raw.get("other")
            raw = raw.get("choice")
            if cleaning._blank(raw):
                if not cleaning._blank(other) and allow_other:
                    raw = -1  # wrote an "other" answer without ticking "Khác"
                else:
                    return None
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise cleaning._err("Câu hỏi này chỉ được chọn một phương án.")
            raw = raw[0]
        index = cleaning._index(raw, len(cleaning._choices(question)), allow_other)
        if index == -1:
            return {"choice": -1, "other": cleaning._other_text(other)}
        return {"choice": index}

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        text = value.get("other", "") if value["choice"] == -1 else ""
        yield (qid, value["choice"], None, None, text, fold(text), None, None)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        picked = raw.get("choice") if isinstance(raw, dict) else raw
        self._fill_choices(view, raw, {_as_str(picked)})

    @staticmethod
    def _fill_choices(view: base.QuestionView, raw: Any, picked: set[str]) -> None:
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

    def form_initial(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "choices": "\n".join(options.get("choices") or []),
            "other": bool(options.get("other")),
        }

    def form_options(self, data: Mapping[str, Any], add_error: base.AddError) -> dict[str, Any]:
        items = form_lines(
            data, "choices", add_error, what="phương án", fewest=2, most=30, longest=300
        )
        return {"choices": items, "other": bool(data.get("other"))}

    def labels(self, question: Question) -> list[str]:
        return [str(c) for c in (question.options or {}).get("choices") or []]

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        counts = figures.choice_counts()
        labels = self.labels(question)
        keys = list(range(len(labels)))
        if (question.options or {}).get("other") or counts.get(result_types.OTHER):
            keys.append(result_types.OTHER)
        result.options = result_types.category_options(labels, counts, keys, result.answered)

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        choice, text = cell.choice, cell.text
        if choice == result_types.OTHER:
            return f"{result_types.OTHER_LABEL}: {text}" if text else result_types.OTHER_LABEL
        if choice is not None and 0 <= choice < len(labels):
            return labels[choice]
        return text or ("" if choice is None else str(choice))


@register
class SingleKind(ChoiceKind):
    kind = Kind.SINGLE
    help = "Người trả lời chọn đúng một phương án (nút tròn)."
    group = True


@register
class DropdownKind(ChoiceKind):
    kind = Kind.DROPDOWN
    template = "surveys/public/kinds/dropdown.html"
    help = "Chọn một phương án trong danh sách thả xuống; hợp với danh sách dài."


@register
class MultipleKind(ChoiceKind):
    kind = Kind.MULTIPLE
    hint = "Có thể chọn nhiều ý."
    input_type = "checkbox"
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
            raise cleaning._err(cleaning.MSG_CHOICE)
        count = len(cleaning._choices(question))
        picked = sorted(
            {cleaning._index(v, count, allow_other) for v in raw if not cleaning._blank(v)}
        )
        if not picked and not cleaning._blank(other) and allow_other:
            picked = [-1]
        if not picked:
            return None
        if -1 in picked:
            picked = [i for i in picked if i != -1] + [-1]
            return {"choices": picked, "other": cleaning._other_text(other)}
        return {"choices": picked}

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        for choice in value["choices"]:
            text = value.get("other", "") if choice == -1 else ""
            yield (qid, choice, None, None, text, fold(text), None, None)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
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

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        value = super().export_value(labels, cell, previous)
        return f"{previous}; {value}" if previous else value
