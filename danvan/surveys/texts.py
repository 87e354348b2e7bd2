"""Written answers of a survey: searched (ignoring case and diacritics) and
listed page by page, with the results page's filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from danvan.core.models import Area
from danvan.core.text import fold
from danvan.surveys import kinds
from danvan.surveys.models import Answer, Question, Survey
from danvan.surveys.results import SEARCH_LIMIT, _answer_filter


@dataclass
class TextMatches:
    question_id: int
    count: int
    texts: list[str]


def search_texts(
    survey: Survey,
    query: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
    limit: int = SEARCH_LIMIT,
) -> dict[int, TextMatches]:
    """Written answers containing `query`, ignoring case and diacritics
    (`text_folded__contains` on fold(query)): per question, how many and the first
    `limit`. Two queries."""
    needle = fold(query)
    if not needle:
        return {}
    qs = Answer.objects.filter(_answer_filter(survey, date_from, date_to, area)).filter(
        text_folded__contains=needle
    )
    counts = dict(
        qs.values("question_id").annotate(n=Count("id")).order_by().values_list("question_id", "n")
    )
    if not counts:
        return {}
    texts = first_texts(qs, limit)
    return {qid: TextMatches(qid, n, texts.get(qid, [])) for qid, n in counts.items()}


def written_answers(
    survey: Survey,
    question_id: int,
    query: str = "",
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
) -> QuerySet[Answer]:
    """Every written answer of one question (free text, or "Khác") kept by the
    filters, containing `query` when given (ignoring case and diacritics), the
    latest received first: a lazy queryset, for a page of them at a time."""
    qs = (
        Answer.objects.filter(_answer_filter(survey, date_from, date_to, area))
        .filter(question_id=question_id)
        .exclude(text="")
    )
    needle = fold(query)
    if needle:
        qs = qs.filter(text_folded__contains=needle)
    return qs.order_by("-response__received_on", "-pk")


def lists_written_answers(question: Question) -> bool:
    """Whether people write in answers to `question` (free text, or "Khác")."""
    kind = kinds.of(question)
    return kind.written or (kind.has_choices and bool((question.options or {}).get("other")))


def first_texts(qs: QuerySet[Answer], limit: int) -> dict[int, list[str]]:
    """The first `limit` written answers of each question, in one query (a window)."""
    ranked = (
        qs.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("question_id")],
                order_by=[F("response__received_on").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=limit)
        .order_by("question_id", "rank")
        .values_list("question_id", "text")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for qid, text in ranked:
        out[qid].append(text)
    return out
