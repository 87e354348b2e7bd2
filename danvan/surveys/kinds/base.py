"""The base of the question kinds (`QuestionKind`), what the public page draws
(`Option`, `UnitChoices`), what the results count (`Figures`, `AnswerCell`), and
the registry the kinds enter with `@register`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from danvan.core.places import Place
from danvan.core.text import fold
from danvan.surveys import cleaning
from danvan.surveys.models import Question

if TYPE_CHECKING:
    from danvan.surveys.result_types import QuestionResult
    from danvan.surveys.services import AnswerRow
    from danvan.surveys.views_public import QuestionView


AddError = Callable[[str, Any], None]


_COUNT_WORDS = {1: "một", 2: "hai"}


def form_lines(
    data: Mapping[str, Any],
    name: str,
    add_error: AddError,
    *,
    what: str,
    fewest: int,
    most: int,
    longest: int = 0,
) -> list[str]:
    """The non-blank lines of a text field of the question form (spaces
    squeezed), each one a `what` ("phương án"): fewer than `fewest`, more than
    `most`, longer than `longest` characters (when given) or repeated lines go
    to `add_error`."""
    items = [" ".join(line.split()) for line in (data.get(name) or "").splitlines() if line.strip()]
    if len(items) < fewest:
        add_error(name, f"Cần ít nhất {_COUNT_WORDS[fewest]} {what}, mỗi {what} một dòng.")
    elif len(items) > most:
        add_error(name, f"Tối đa {most} {what}.")
    elif longest and any(len(i) > longest for i in items):
        add_error(name, f"Mỗi {what} tối đa {longest} ký tự.")
    else:
        seen: set[str] = set()
        for item in items:
            key = fold(item)
            if key in seen:
                label = what[:1].upper() + what[1:]
                add_error(name, f"{label} “{item}” bị trùng; mỗi {what} một dòng khác nhau.")
                break
            seen.add(key)
    return items


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
    # Public page: the template of the inputs (`surveys/public/_question.html`
    # includes it; none for an unknown kind), the line under the question
    # (`hint`) and the type of its <input> elements, for templates shared by kinds.
    template: ClassVar[str] = ""
    hint: ClassVar[str] = ""
    input_type: ClassVar[str] = "radio"
    # The staff question form (`forms_question.QuestionForm`, which declares the
    # fields): the template of the kind's option fields (under
    # surveys/staff/options/; none when the kind has no options), and
    # `form_initial` / `form_options` between a question's options and the form.
    options_template: ClassVar[str] = ""
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
        raise cleaning._err("Loại câu hỏi không được hỗ trợ.")

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

    def form_initial(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The question form's initial values of the option fields."""
        return {}

    def form_options(self, data: Mapping[str, Any], add_error: AddError) -> dict[str, Any]:
        """The options from the question form's cleaned data; problems go to
        `add_error(field, message)`."""
        return {}

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


# --- The registry ------------------------------------------------------------------

# `Question.kind` value -> its kind object; each kind class enters it with `register`.
KINDS: dict[str, QuestionKind] = {}
K = TypeVar("K", bound=type[QuestionKind])


def register(cls: K) -> K:
    """Class decorator: one instance of the kind enters `KINDS` under its `kind`."""
    KINDS[cls.kind] = cls()
    return cls
