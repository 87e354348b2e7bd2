"""The results page of a survey and its exports (staff).

Thin function views: fetch-and-check through the user's scope
(`Survey.objects.visible_to`: the survey's organisation), compute
(`results`), draw (`core.charts`), render. A survey out of scope answers
404, like a missing one. Filters (dates, unit) and the text search travel in
the query string, so the exports follow what the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from danvan.core import charts, excel
from danvan.core.cache import LocalCache
from danvan.core.models import Area
from danvan.core.scope import MANAGE, can, get_visible_or_404
from danvan.core.text import format_date
from danvan.core.views_common import staff_page
from danvan.surveys import (
    crosstabs,
    exports,
    kinds,
    mixing,
    respondents,
    result_types,
    results,
    texts,
)
from danvan.surveys.models import Kind, Mode, Question, Survey

CHART_ROWS = 15  # bars drawn per chart; the table lists every row
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _svg(markup: str) -> SafeString:
    # charts.* escape every piece of text they draw.
    return mark_safe(markup)


# --- Filters -----------------------------------------------------------------------


class ResultFilterForm(forms.Form):
    tu = forms.DateField(label="Từ ngày", required=False, widget=DATE_WIDGET)
    den = forms.DateField(label="Đến ngày", required=False, widget=DATE_WIDGET)
    dia_ban = forms.TypedChoiceField(label="Địa bàn", required=False, coerce=int)
    tim = forms.CharField(
        label="Tìm trong câu trả lời tự do",
        required=False,
        max_length=100,
        help_text="Không phân biệt chữ hoa, chữ thường, có dấu hay không dấu.",
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["dia_ban"]
        field.choices = [("", "Mọi địa bàn"), *units]
        if not units:
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu"), data.get("den")
        if start and end and start > end:
            raise forms.ValidationError("“Từ ngày” phải trước hoặc bằng “Đến ngày”.")
        return data


def unit_choices(survey: Survey, unit_question: Question | None) -> list[tuple[int, str]]:
    """Communes (and their hamlets) named in the answers to the unit question:
    those of the unfiltered results (from the tally, not a scan of the answers)."""
    if unit_question is None:
        return []
    return list(results.survey_results(survey).unit_choices)


@dataclass
class Filters:
    form: ResultFilterForm
    date_from: date | None = None
    date_to: date | None = None
    area: Area | None = None
    query: str = ""
    querystring: str = ""  # the filters only (not the search), for exports and links

    @property
    def kwargs(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "date_to": self.date_to, "area": self.area}

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            start = format_date(self.date_from) if self.date_from else "…"
            end = format_date(self.date_to) if self.date_to else "…"
            parts.append(f"phiếu nhận từ {start} đến {end}")
        else:
            parts.append("mọi phiếu đã nhận")
        if self.area is not None:
            parts.append(f"người trả lời ở {self.area.name}")
        return ", ".join(parts)


def _filters(request: HttpRequest, survey: Survey, unit_question: Question | None) -> Filters:
    units = unit_choices(survey, unit_question)
    form = ResultFilterForm(request.GET or None, units=units)
    out = Filters(form)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        out.date_from, out.date_to = data.get("tu"), data.get("den")
        if data.get("dia_ban"):
            out.area = Area.objects.filter(pk=data["dia_ban"]).first()
        out.query = (data.get("tim") or "").strip()
    params = {
        "tu": out.date_from.isoformat() if out.date_from else "",
        "den": out.date_to.isoformat() if out.date_to else "",
        "dia_ban": str(out.area.pk) if out.area else "",
    }
    out.querystring = urlencode({k: v for k, v in params.items() if v})
    return out


# --- Charts ------------------------------------------------------------------------


def _chart(r: result_types.QuestionResult) -> SafeString | None:
    title = f"Câu {r.number}. {r.text}"
    if not r.answered:
        return None
    chart = kinds.kind_of(r.kind).chart
    if chart == "bars":
        bars = [(f"{o.label} ({o.percent_display})", o.count) for o in r.options[:CHART_ROWS]]
        return _svg(charts.bar_chart(bars, title, unit=" người"))
    if chart == "scores":
        return _svg(
            charts.column_chart(
                [(o.label, o.count) for o in r.options],
                title,
                x_title="Điểm",
                y_title="Số người",
                unit=" người",
            )
        )
    if chart == "agreement":
        agree = [
            (g.label, round(100 * (g.counts[3] + g.counts[4]) / g.answered) if g.answered else 0)
            for g in r.grid
        ]
        return _svg(charts.bar_chart(agree, f"{title} — tỷ lệ đồng ý và rất đồng ý (%)", unit="%"))
    if chart == "days":
        return _svg(
            charts.column_chart(
                [(o.label[:5] if len(o.label) == 10 else o.label, o.count) for o in r.options],
                title,
                y_title="Số người",
                unit=" người",
            )
        )
    return None


# --- Pages -------------------------------------------------------------------------


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey: Survey = get_visible_or_404(
        Survey.objects.select_related("organization", "target_area"), request.user, pk=pk
    )
    return survey


def _crosstab(
    request: HttpRequest, survey: Survey, questions: list[Question], filters: Filters
) -> dict[str, Any]:
    rows = [q for q in questions if crosstabs.can_crosstab(q)]
    bys = [q for q in questions if crosstabs.can_break_down_by(q)]
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    out: dict[str, Any] = {
        "rows": [(q.pk, f"Câu {numbers[q.pk]}. {q.text}") for q in rows],
        "bys": [(q.pk, f"Câu {numbers[q.pk]}. {q.text}") for q in bys],
        "table": None,
        "error": "",
        "question_id": None,
        "by_id": None,
    }
    wanted, by_wanted = request.GET.get("cau", ""), request.GET.get("theo", "")
    if not wanted or not by_wanted:
        return out
    question = next((q for q in rows if str(q.pk) == wanted), None)
    by = next((q for q in bys if str(q.pk) == by_wanted), None)
    out["question_id"] = question.pk if question else None
    out["by_id"] = by.pk if by else None
    if question is None or by is None:
        out["error"] = "Chọn một câu hỏi và một câu hỏi để phân tổ trong danh sách."
    elif question.pk == by.pk:
        out["error"] = "Chọn hai câu hỏi khác nhau."
    else:
        out["table"] = crosstabs.crosstab(survey, question, by, **filters.kwargs)
        out["label"] = f"Câu {numbers[question.pk]}"
        out["by_label"] = f"Câu {numbers[by.pk]}"
    return out


# Drawn bodies of the unfiltered page, also kept in the process: a body never
# changes under its key (the key holds the time of its figures).
_BODIES = LocalCache(ttl=results.RESULTS_TTL, size=64)


def _page_key(survey: Survey, found: result_types.SurveyResults) -> str:
    stamp = found.computed_at.isoformat() if found.computed_at else ""
    return f"surveys:results-page:{survey.pk}:{stamp}"


@staff_page
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    page_key = None
    if not request.GET:
        # The unfiltered page is the same for every officer who may see the
        # survey: drawn once per computation of the results (at most every
        # RESULTS_TTL s) and kept in the cache under that computation's time.
        overall = results.survey_results(survey)
        page_key = _page_key(survey, overall)
        body = _BODIES.get(page_key) or cache.get(page_key)
        if body is not None:
            _BODIES.set(page_key, body)
            return _page(request, survey, overall, body)
    questions = list(
        Question.objects.filter(survey_id=survey.pk).order_by("section__position", "position", "pk")
    )
    unit_q = next((q for q in questions if q.kind == Kind.UNIT), None)
    filters = _filters(request, survey, unit_q)
    found = results.survey_results(survey, **filters.kwargs)
    matches = texts.search_texts(survey, filters.query, **filters.kwargs) if filters.query else None
    items = [{"r": r, "svg": _chart(r), "match": (matches or {}).get(r.question_id)} for r in found]
    context = {
        "survey": survey,
        "results": found,
        "items": items,
        "filters": filters,
        "form": filters.form,
        "matches": matches,
        "match_total": sum(m.count for m in (matches or {}).values()),
        "has_unit_question": unit_q is not None,
        "crosstab": _crosstab(request, survey, questions, filters),
        "ttl": results.RESULTS_TTL,
        "anonymous": survey.mode == Mode.ANONYMOUS,
        "pending_count": mixing.pending_count(survey) if survey.mode == Mode.ANONYMOUS else 0,
        "mix_batch": mixing.batch_size(),
        "mix_minutes": mixing.window_minutes(),
    }
    body = render_to_string("surveys/results/_content.html", context, request=request)
    if page_key is not None:
        cache.set(page_key, body, results.LOCK_SECONDS)
        _BODIES.set(page_key, body)
    return _page(request, survey, found, body, context)


def _page(
    request: HttpRequest,
    survey: Survey,
    found: result_types.SurveyResults,
    body: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "surveys/results/results.html",
        {
            **(context or {}),
            "nav": "surveys",
            "survey": survey,
            "results": found,
            "content_html": mark_safe(body),  # our own template's output, escaped there
        },
    )


# --- Exports -----------------------------------------------------------------------


def _export_filters(request: HttpRequest, survey: Survey) -> Filters:
    return _filters(request, survey, results.unit_question(survey))


@staff_page
def export_responses(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    filters = _export_filters(request, survey)
    # Names and phones of an identified survey only for those who manage it (as
    # the respondents page), and every such download is audited.
    personal = survey.mode == Mode.IDENTIFIED and can(request.user, MANAGE, survey)
    data = exports.responses_workbook(survey, personal=personal, **filters.kwargs)
    if personal:
        respondents.log_access(survey, respondents.ACCESS_RESPONSES_XLSX)
    return excel.xlsx_attachment(data, f"Phiếu trả lời {survey.title}")


def _summary(
    request: HttpRequest, pk: int, write: Callable[..., bytes], content_type: str, ext: str
) -> HttpResponse:
    """The results under the chosen filters, written by `write` (Excel or Word)."""
    survey = _survey(request, pk)
    filters = _export_filters(request, survey)
    found = results.survey_results(survey, **filters.kwargs)
    data = write(survey, found, filters.describe())
    names = excel.filenames(f"Kết quả khảo sát {survey.title}", ext)
    return excel.attachment(data, content_type, names)


@staff_page
def export_summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _summary(request, pk, exports.summary_workbook, excel.XLSX, "xlsx")


@staff_page
def export_summary_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _summary(request, pk, exports.summary_docx, exports.DOCX, "docx")


# --- Written answers, a page at a time -----------------------------------------------

TEXTS_PER_PAGE = 50


@staff_page
def text_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every written answer of one question (free text or "Khác"), 50 a page,
    with the page's filters and the search that ignores diacritics: the
    results page lists only the newest few and the first search hits."""
    survey = _survey(request, pk)
    questions = list(
        Question.objects.filter(survey_id=survey.pk).order_by("section__position", "position", "pk")
    )
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    listed = [q for q in questions if texts.lists_written_answers(q)]
    wanted = request.GET.get("cau", "")
    question = next((q for q in listed if str(q.pk) == wanted), listed[0] if listed else None)
    unit_q = next((q for q in questions if q.kind == Kind.UNIT), None)
    filters = _filters(request, survey, unit_q)
    page = None
    if question is not None:
        qs = texts.written_answers(survey, question.pk, filters.query, **filters.kwargs)
        page = Paginator(qs.values_list("text", flat=True), TEXTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    if question is not None:
        params["cau"] = str(question.pk)
    return render(
        request,
        "surveys/results/texts.html",
        {
            "nav": "surveys",
            "survey": survey,
            "questions": [(q.pk, f"Câu {numbers[q.pk]}. {q.text}") for q in listed],
            "question": question,
            "number": numbers.get(question.pk) if question else None,
            "follow_note": (
                f"Khảo sát “{survey.title}”, câu {numbers[question.pk]}" if question else ""
            ),
            "is_other": question is not None and not kinds.of(question).written,
            "filters": filters,
            "form": filters.form,
            "has_unit_question": unit_q is not None,
            "page_obj": page,
            "first": (page.start_index() if page and page.paginator.count else 0),
            "querystring": urlencode(params),
        },
    )
