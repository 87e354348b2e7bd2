"""The summary exports carry the results' figures: every per-option count and
share (choices, scale points, ratings, units, days), every grid cell and the
number statistics in the Excel and Word summaries equal what
`results.survey_results` computed, filtered or not."""

from __future__ import annotations

import io
import random
import secrets
from datetime import timedelta
from typing import Any

import pytest
from docx import Document
from docx.table import Table

from danvan.core.models import Area, AreaKind
from danvan.core.tests.helpers import sheet_rows
from danvan.surveys import exports, result_types, results
from danvan.surveys.models import Kind, Response, Survey
from danvan.surveys.services import today_vn
from danvan.surveys.tests.factories import make_survey, store_response

pytestmark = pytest.mark.django_db

RESPONSES = 40
WORDS = ["đường", "nước sạch", "chợ", "cầu", "trường học"]


def random_answer(rng: random.Random, q: Any, hamlets: list[int]) -> Any:
    options = q.options or {}
    kind = q.kind
    if rng.random() < 0.15:
        return None  # skipped
    if kind in (Kind.SINGLE, Kind.DROPDOWN):
        n = len(options["choices"])
        if options.get("other") and rng.random() < 0.2:
            return {"choice": "other", "other": rng.choice(WORDS)}
        return rng.randrange(n)
    if kind == Kind.MULTIPLE:
        picked = rng.sample(range(len(options["choices"])), rng.randint(1, 2))
        return picked
    if kind == Kind.RATING:
        return rng.randint(1, 5)
    if kind == Kind.AGREEMENT:
        return rng.randrange(5)
    if kind == Kind.GRID:
        return [rng.choice([None, 0, 1, 2, 3, 4]) for _ in options["rows"]]
    if kind == Kind.NUMBER:
        return rng.choice([1, 2, 3, 4, 5, 6, 8, 12])
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        return f"Kiến nghị về {rng.choice(WORDS)}"
    if kind == Kind.DATE:
        return f"{rng.randint(1, 28):02d}/0{rng.randint(1, 3)}/2025"
    if kind == Kind.UNIT:
        return rng.choice(hamlets)
    raise AssertionError(kind)


@pytest.fixture
def survey() -> Survey:
    s = make_survey()
    hamlets = list(
        Area.objects.filter(path__startswith=s.target_area.path, kind=AreaKind.HAMLET).values_list(
            "pk", flat=True
        )
    )
    rng = random.Random(4)
    questions = list(s.questions.all())
    for i in range(RESPONSES):
        raw = {q.pk: random_answer(rng, q, hamlets) for q in questions}
        sent = store_response(
            s,
            {k: v for k, v in raw.items() if v is not None},
            browser_token=secrets.token_urlsafe(24),
        )
        Response.objects.filter(pk=sent.pk).update(received_on=today_vn() - timedelta(days=i % 9))
    return s


def excel_tables(data: bytes) -> dict[int, list[tuple[Any, ...]]]:
    """Question number -> the rows of its table in the "Tổng hợp" sheet."""
    rows = sheet_rows(data, "Tổng hợp")
    out: dict[int, list[tuple[Any, ...]]] = {}
    for i, row in enumerate(rows):
        first = row[0]
        if isinstance(first, str) and first.startswith("Câu ") and ". " in first:
            number = int(first[4 : first.index(".")])
            table = []
            for line in rows[i + 3 :]:  # after the title, the "answered" line, the header
                cells = [c for c in line if c is not None]
                if len(cells) < 2 or line[0] == "Tỷ lệ theo từng ý":
                    break
                table.append(line)
            out[number] = table
    return out


def word_tables(data: bytes) -> dict[int, list[list[str]]]:
    """Question number -> the rows (as text) of its table, header excluded."""
    doc = Document(io.BytesIO(data))
    out: dict[int, list[list[str]]] = {}
    number = None
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text.startswith("Câu ") and ". " in text:
                number = int(text[4 : text.index(".")])
        elif tag == "tbl" and number is not None:
            table = Table(child, doc)
            out[number] = [[c.text for c in row.cells] for row in table.rows[1:]]
    return out


def pct(value: float) -> float:
    return round(value / 100, 6)


def check_excel(found: result_types.SurveyResults, tables: dict[int, list[tuple[Any, ...]]]) -> int:
    checked = 0
    for r in found:
        table = tables.get(r.number, [])
        if r.kind == Kind.GRID:
            assert [(row[0], list(row[1:6])) for row in table] == [
                (g.label, g.counts) for g in r.grid
            ]
            checked += len(r.grid)
        elif r.kind == Kind.NUMBER:
            stats = {row[0]: row[1] for row in table}
            assert stats["Số người trả lời"] == r.numbers.count
            assert stats["Trung bình"] == pytest.approx(r.numbers.mean, abs=1e-4)
            assert stats["Trung vị"] == pytest.approx(r.numbers.median, abs=1e-4)
            checked += 1
        elif r.options:
            got = [(row[0], row[1], round(row[2], 6)) for row in table]
            assert got == [(o.label, o.count, pct(o.percent)) for o in r.options], r.text
            checked += len(r.options)
    return checked


def check_word(found: result_types.SurveyResults, tables: dict[int, list[list[str]]]) -> int:
    checked = 0
    for r in found:
        table = tables.get(r.number, [])
        if r.kind == Kind.GRID:
            for row, g in zip(table, r.grid, strict=True):
                assert row[0] == g.label
                assert [int(c.split(" ")[0]) for c in row[1:6]] == g.counts
                assert row[6] == str(g.answered)
            checked += len(r.grid)
        elif r.kind == Kind.NUMBER:
            assert dict((row[0], row[1]) for row in table)["Số người trả lời"] == str(
                r.numbers.count
            )
            checked += 1
        elif r.options:
            assert table == [[o.label, str(o.count), o.percent_display] for o in r.options]
            checked += len(r.options)
    return checked


@pytest.mark.parametrize("filtered", [False, True])
def test_summary_exports_match_the_results(survey: Survey, filtered: bool) -> None:
    kwargs: dict[str, Any] = {}
    if filtered:
        kwargs = {"date_from": today_vn() - timedelta(days=4), "date_to": today_vn()}
    found = results.survey_results(survey, **kwargs)
    assert 0 < found.total <= RESPONSES
    # Some figures to compare in every kind that has a table.
    kinds_with_counts = {r.kind for r in found if r.options or r.grid or r.numbers}
    assert {Kind.SINGLE, Kind.MULTIPLE, Kind.RATING, Kind.GRID, Kind.UNIT} <= kinds_with_counts
    assert any(o.label == "Khác" and o.count for r in found for o in r.options)

    xlsx = exports.summary_workbook(survey, found, "phạm vi thử")
    assert check_excel(found, excel_tables(xlsx)) >= 25
    docx = exports.summary_docx(survey, found, "phạm vi thử")
    assert check_word(found, word_tables(docx)) >= 25

    # And the results themselves are a recount of the stored answers.
    single = next(r for r in found if r.kind == Kind.SINGLE)
    question = survey.questions.get(pk=single.question_id)
    answers = question.answers.filter(
        response__in=results.responses_in(survey, **kwargs)
    ).values_list("choice", flat=True)
    labels = [*question.options["choices"], "Khác"]
    recount = {label: 0 for label in labels}
    for choice in answers:
        assert choice is not None
        recount[labels[choice]] += 1
    assert {o.label: o.count for o in single.options} == recount
