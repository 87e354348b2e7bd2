"""The kinds answered on a fixed scale: agreement and the agreement grid."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from danvan.surveys import cleaning, result_types
from danvan.surveys.kinds import base
from danvan.surveys.kinds.base import Option, QuestionKind, _as_str, form_lines, register
from danvan.surveys.models import AGREEMENT_SCALE, Kind, Question


def _scale_text(choice: int | None) -> str:
    if choice is not None and 0 <= choice < len(AGREEMENT_SCALE):
        return AGREEMENT_SCALE[choice]
    return "" if choice is None else str(choice)


def _scale_options(raw: Any) -> list[Option]:
    current = _as_str(raw)
    return [Option(str(i), label, current == str(i)) for i, label in enumerate(AGREEMENT_SCALE)]


@register
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
    template = "surveys/public/kinds/choices.html"  # the five levels, as radio buttons

    def clean(self, question: Question, raw: Any) -> Any:
        return cleaning._int_in(
            raw, 0, len(AGREEMENT_SCALE) - 1, "Vui lòng chọn một mức độ đồng ý."
        )

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        yield (qid, value, None, None, "", "", None, None)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        view.options = _scale_options(raw)

    def condition_values(self, question: Question) -> list[tuple[Any, str]]:
        return list(enumerate(AGREEMENT_SCALE))

    def labels(self, question: Question) -> list[str]:
        return list(AGREEMENT_SCALE)

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        counts = figures.choice_counts()
        labels = self.labels(question)
        keys = list(range(len(labels)))
        result.options = result_types.category_options(labels, counts, keys, result.answered)
        given = {k: n for k, n in counts.items() if 0 <= k < len(AGREEMENT_SCALE)}
        total = sum(given.values())
        if total:
            result.average = sum((k + 1) * n for k, n in given.items()) / total

    def average_note(self, result: base.QuestionResult) -> str:
        return "1 = rất không đồng ý … 5 = rất đồng ý"

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        return _scale_text(cell.choice)


@register
class GridKind(QuestionKind):
    kind = Kind.GRID
    help = "Nhiều ý, mỗi ý trả lời theo năm mức đồng ý."
    column = "choice"
    per_row = True
    group = True
    chart = "agreement"
    template = "surveys/public/kinds/grid.html"
    options_template = "surveys/staff/options/grid.html"

    def clean(self, question: Question, raw: Any) -> Any:
        rows = list((question.options or {}).get("rows") or [])
        values: list[Any] = [None] * len(rows)
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                try:
                    r = int(key)
                except (TypeError, ValueError):
                    raise cleaning._err("Dòng không hợp lệ.") from None
                if not 0 <= r < len(rows):
                    raise cleaning._err("Dòng không hợp lệ.")
                values[r] = value
        elif isinstance(raw, list | tuple):
            if len(raw) > len(rows):
                raise cleaning._err("Dòng không hợp lệ.")
            values[: len(raw)] = list(raw)
        else:
            raise cleaning._err("Vui lòng chọn mức độ cho từng dòng.")
        cleaned = [
            None
            if cleaning._blank(v)
            else cleaning._int_in(
                v, 0, len(AGREEMENT_SCALE) - 1, f"Dòng “{rows[i]}”: mức độ không hợp lệ."
            )
            for i, v in enumerate(values)
        ]
        return cleaned if any(v is not None for v in cleaned) else None

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        for row, choice in enumerate(value):
            if choice is not None:
                yield (qid, choice, row, None, "", "", None, None)

    def incomplete(self, value: Any) -> bool:
        return any(v is None for v in value)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        values = raw if isinstance(raw, list) else []
        for r, label in enumerate((view.question.options or {}).get("rows") or []):
            view.rows.append((r, str(label), _scale_options(values[r] if r < len(values) else "")))

    def publish_problem(self, question: Question) -> str:
        if not (question.options or {}).get("rows"):
            return "bảng mức độ đồng ý cần ít nhất một ý."
        return ""

    def summary(self, question: Question) -> str:
        return " · ".join((question.options or {}).get("rows") or [])

    def form_initial(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"rows": "\n".join(options.get("rows") or [])}

    def form_options(self, data: Mapping[str, Any], add_error: base.AddError) -> dict[str, Any]:
        items = form_lines(data, "rows", add_error, what="ý", fewest=1, most=20)
        return {"rows": items}

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        rows = (question.options or {}).get("rows") or []
        values = [data.get(f"{name}_r{r}") or None for r in range(len(rows))]
        return values if any(v is not None for v in values) else []

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        result.scale = list(AGREEMENT_SCALE)
        for r, label in enumerate(result_types.grid_rows_of(question)):
            counts = [figures.cells.get((r, c), 0) for c in range(len(AGREEMENT_SCALE))]
            total = sum(counts)
            avg = sum((c + 1) * n for c, n in enumerate(counts)) / total if total else None
            result.grid.append(result_types.GridRow(label, counts, total, avg))

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        return _scale_text(cell.choice)
