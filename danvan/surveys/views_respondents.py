"""Who answered an identified survey, with full phone numbers (staff).

Only for those who MANAGE the survey, only for identified surveys: anything
else is a 404, the same answer as a missing survey. Every look at the list and
every download is recorded in the audit trail (`respondents.log_access`), and
the pages are never cached. See danvan.surveys.respondents.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from danvan.core import excel
from danvan.core.listing import StaffRequest, paginate
from danvan.core.scope import MANAGE
from danvan.core.views_common import staff_page
from danvan.surveys import respondents
from danvan.surveys.models import Mode, Survey
from danvan.surveys.staff_pages import NAV, fetch_survey, no_store


def _identified(request: StaffRequest, pk: int) -> Survey:
    survey = fetch_survey(request, pk, MANAGE)
    if survey.mode != Mode.IDENTIFIED:
        raise Http404("Không tìm thấy.")
    return survey


@staff_page
def survey_respondents(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _identified(request, pk)
    q = request.GET.get("q", "").strip()[:100]
    page, querystring = paginate(request, respondents.respondents_of(survey, q))
    respondents.log_access(survey, respondents.ACCESS_PAGE)
    response = render(
        request,
        "surveys/staff/respondents.html",
        {
            "nav": NAV,
            "survey": survey,
            "q": q,
            "page_obj": page,
            "querystring": querystring,
            "erased": respondents.erased_count(survey),
            "deadline": respondents.retention_deadline(survey),
            "retention_days": respondents.retention_days(),
            "versions": respondents.consent_versions(survey),
        },
    )
    return no_store(response)


@staff_page
def survey_respondents_xlsx(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _identified(request, pk)
    data = respondents.respondents_workbook(survey)
    respondents.log_access(survey, respondents.ACCESS_XLSX)
    return no_store(excel.xlsx_attachment(data, f"Người trả lời {survey.title}"))
