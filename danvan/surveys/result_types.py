"""What a survey's results are made of, as the results page, the exports and
the question kinds (`danvan.surveys.kinds`) read them: a question's result
(`QuestionResult`) with its categories (`Option`, counted out of the
respondents who answered), grid rows and number summary, the labels of its
choices, and the Vietnamese way of writing figures ("12,3%", "3,5").
`danvan.surveys.results` computes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from danvan.core.text import format_date
from danvan.surveys import kinds
from danvan.surveys.models import Question

DAYS_SHOWN = 62  # a date question spanning more days is counted per month
OTHER = -1  # Answer.choice of "Khác"
OTHER_LABEL = "Khác"
NO_UNIT = "Không rõ địa bàn"


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def percent_vi(value: float) -> str:
    """12.345 -> "12,3%"."""
    return f"{value:.1f}%".replace(".", ",")


def decimal_vi(value: float | None, digits: int = 2) -> str:
    """3.456 -> "3,46"; 4.0 -> "4"; None -> "—"."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- Result types ------------------------------------------------------------------


@dataclass
class Option:
    """One category of a question: a choice, a scale point, a rating, a unit, a day."""

    label: str
    count: int
    percent: float = 0.0  # of the respondents who answered the question

    @property
    def percent_display(self) -> str:
        return percent_vi(self.percent)


@dataclass
class GridRow:
    label: str
    counts: list[int]  # per point of AGREEMENT_SCALE
    answered: int = 0
    average: float | None = None

    @property
    def cells(self) -> list[tuple[int, str]]:
        return [(n, percent_vi(_percent(n, self.answered))) for n in self.counts]

    @property
    def average_display(self) -> str:
        return decimal_vi(self.average)


@dataclass
class NumberSummary:
    count: int = 0
    mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    median: float | None = None

    @property
    def display(self) -> dict[str, str]:
        """Mean, median, min and max written the Vietnamese way ("3,5")."""
        return {
            "mean": decimal_vi(self.mean),
            "median": decimal_vi(self.median),
            "minimum": decimal_vi(self.minimum),
            "maximum": decimal_vi(self.maximum),
        }


@dataclass
class QuestionResult:
    question_id: int
    number: int  # "Câu 1", "Câu 2"... in the order of the questionnaire
    section: str
    kind: str
    kind_label: str
    text: str
    responses: int  # responses kept by the filters
    answered: int = 0  # respondents who answered this question
    options: list[Option] = field(default_factory=list)
    average: float | None = None  # rating, agreement
    scale: list[str] = field(default_factory=list)  # grid columns
    grid: list[GridRow] = field(default_factory=list)
    numbers: NumberSummary | None = None
    texts: list[str] = field(default_factory=list)  # a sample of what people wrote
    text_count: int = 0  # how many written answers (free text, or "Khác")
    rating_min: int | None = None
    rating_max: int | None = None

    @property
    def skipped(self) -> int:
        return max(0, self.responses - self.answered)

    @property
    def answered_percent(self) -> str:
        return percent_vi(_percent(self.answered, self.responses))

    @property
    def average_display(self) -> str:
        return decimal_vi(self.average)

    @property
    def is_category(self) -> bool:
        return kinds.kind_of(self.kind).category

    @property
    def is_text(self) -> bool:
        return kinds.kind_of(self.kind).written


class SurveyResults(list[QuestionResult]):
    """The questions' results, with the number of responses and when computed."""

    total: int = 0
    computed_at: datetime | None = None
    # Units named in the answers to the survey's unit question, and the choices
    # of the results page's unit filter made of them (communes, then their hamlets).
    area_ids: list[int]
    unit_choices: list[tuple[int, str]]
    tallied: bool = False  # from the tally (unfiltered) or counted directly (filtered)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.area_ids = []
        self.unit_choices = []


# --- Labels ------------------------------------------------------------------------


def choices_of(question: Question) -> list[str]:
    """The labels of the categories an answer's `choice` indexes (none: [])."""
    return kinds.of(question).labels(question)


def rating_bounds(question: Question) -> tuple[int, int]:
    options = question.options or {}
    low = int(options.get("min") or 1)
    high = int(options.get("max") or 5)
    return low, max(low, high)


def grid_rows_of(question: Question) -> list[str]:
    return [str(r) for r in (question.options or {}).get("rows") or []]


def _choice_label(labels: list[str], index: int | None) -> str:
    if index == OTHER:
        return OTHER_LABEL
    if index is not None and 0 <= index < len(labels):
        return labels[index]
    return f"Lựa chọn {index}" if index is not None else "—"


def rating_label(value: float | None) -> str:
    return decimal_vi(value) if value is not None else "—"


def option(label: str, count: int, base: int) -> Option:
    """A category counted `count` times out of `base` respondents."""
    return Option(label, count, _percent(count, base))


def category_options(
    labels: list[str], counts: dict[int, int], keys: list[int], base: int
) -> list[Option]:
    """The categories `keys` (indexes of `labels`, or OTHER), then any other
    choice counted, with their counts out of `base` respondents."""
    keys = keys + sorted(k for k in counts if k not in keys)
    return [option(_choice_label(labels, k), counts.get(k, 0), base) for k in keys]


def date_options(days: list[tuple[Any, int]], base: int) -> list[Option]:
    """Answers per day, or per month when they span more than `DAYS_SHOWN` days."""
    if days and (days[-1][0] - days[0][0]).days >= DAYS_SHOWN:
        months: dict[str, int] = {}
        for day, n in days:
            label = f"{day.month:02d}/{day.year}"
            months[label] = months.get(label, 0) + n
        return [Option(label, n, _percent(n, base)) for label, n in months.items()]
    return [Option(format_date(day), n, _percent(n, base)) for day, n in days]
