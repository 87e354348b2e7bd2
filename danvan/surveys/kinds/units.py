"""The unit question: a commune (or ward), then a hamlet of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from danvan.core.places import Place
from danvan.surveys import cleaning, result_types
from danvan.surveys.kinds import base
from danvan.surveys.kinds.base import QuestionKind, _as_str, register
from danvan.surveys.models import Kind, Question


@register
class UnitKind(QuestionKind):
    kind = Kind.UNIT
    help = "Chọn xã, phường rồi chọn ấp, khu vực trong địa bàn khảo sát."
    column = "area"
    uses_units = True
    breaks_down = True
    chart = "bars"
    table_head = "Địa bàn"
    template = "surveys/public/kinds/unit.html"

    def clean(self, question: Question, raw: Any) -> Any:
        return cleaning._unit(raw, question)

    def rows(self, qid: int, value: Any) -> Iterable[base.AnswerRow]:
        yield (qid, None, None, None, "", "", None, value)

    def fill_view(self, view: base.QuestionView, raw: Any, units: base.UnitChoices | None) -> None:
        view.unit = units or base.UnitChoices()
        view.commune_value, view.hamlet_value = _unit_values(raw, view.unit)

    def is_group(self, view: base.QuestionView) -> bool:
        # Two lists, unless only the hamlets are asked.
        return view.unit is not None and not view.unit.fixed and view.unit.has_hamlets

    def raw_from_post(self, question: Question, data: Any, name: str) -> Any:
        # The commune list and the hamlet list.
        commune, hamlet = data.get(name, ""), data.get(f"{name}_hamlet", "")
        if commune.strip() or hamlet.strip():
            return {"commune": commune, "hamlet": hamlet}
        return ""

    def fill(self, result: base.QuestionResult, question: Question, figures: base.Figures) -> None:
        by_label: dict[str, int] = defaultdict(int)
        for area_id, n in figures.units.items():
            by_label[_place_label(figures.places.get(area_id), result_types.NO_UNIT)] += n
        result.options = sorted(
            (result_types.option(label, n, result.answered) for label, n in by_label.items()),
            key=lambda o: (-o.count, o.label),
        )

    def export_value(self, labels: list[str], cell: base.AnswerCell, previous: Any) -> Any:
        return _place_label(cell.place, cell.text)


def _place_label(place: Place | None, unknown: str) -> str:
    """A hamlet as "Ấp A, Xã B", a commune as "Xã B", `unknown` without a place."""
    if place is None:
        return unknown
    if place.hamlet_id is not None:
        return f"{place.hamlet}, {place.commune}"
    return place.commune


def _unit_values(raw: Any, units: base.UnitChoices) -> tuple[str, str]:
    """(commune, hamlet) chosen, from a raw answer: the two lists' values, or one
    area id (a hamlet's commune is found from the lists)."""
    if isinstance(raw, dict):
        return _as_str(raw.get("commune")).strip(), _as_str(raw.get("hamlet")).strip()
    value = _as_str(raw).strip()
    if value in units.commune_of:
        return ("" if units.fixed else units.commune_of[value]), value
    return value, ""
