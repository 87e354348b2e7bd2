"""Staff views of a survey's questionnaire, at /quan-ly/khao-sat/ (namespace
"surveys_staff"): its sections and questions (a question's choices are edited
in its form), their order and moves.

The questionnaire changes only while the survey is a draft: every view here is
behind `_in_draft` (signed in, managing the survey, else a 404; refused with a
message while the survey is not a draft), and `staff_services` checks it again
under the survey's row lock. Deleting is a POST behind a confirmation page;
moving a section or a question is a plain POST button ("Lên", "Xuống") that
works without JavaScript, and the drag and drop of the survey's page posts the
whole order at once (`survey_reorder`). See tests/test_staff_personas.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from danvan.core.listing import StaffRequest
from danvan.core.scope import MANAGE
from danvan.core.views_common import staff_post
from danvan.surveys import builder, staff_services
from danvan.surveys import forms_question as fq
from danvan.surveys import forms_staff as f
from danvan.surveys.builder import BuilderError
from danvan.surveys.models import Question, Section, Survey, SurveyStatus
from danvan.surveys.staff_pages import NAV, fetch_survey, form_page, refused, to_survey

PartView = Callable[[StaffRequest, Survey, Any], HttpResponse]
UrlView = Callable[[StaffRequest, int], HttpResponse]


# --- Fetch-and-check ------------------------------------------------------------------------


def _in_surveys(qs: Any, request: StaffRequest, verb: str, pk: int) -> Any:
    """A section or question of a survey the user may `verb`, else 404."""
    allowed = Survey.objects.visible_to(request.user, verb)
    obj = qs.filter(survey__in=allowed, pk=pk).select_related("survey").first()
    if obj is None:
        raise Http404("Không tìm thấy.")
    return obj


def _not_draft(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    """Refuse changes to the questionnaire unless the survey is a draft (the
    services check it again under the survey's lock)."""
    if survey.status != SurveyStatus.DRAFT:
        messages.error(request, staff_services.not_draft_message(survey))
        return to_survey(survey)
    return None


def _in_draft(
    model: type[Survey] | type[Section] | type[Question], *, post_only: bool = False
) -> Callable[[PartView], UrlView]:
    """The view of the `model` object at the URL's `pk` (a survey, or a section
    or question of one), called with the survey and the part (None for the
    survey itself): signed in and managing the survey (else 404), answered with
    a refusal while the survey is not a draft. GET and POST, or POST only."""

    def decorate(view: PartView) -> UrlView:
        @wraps(view)
        def wrapper(request: StaffRequest, pk: int) -> HttpResponse:
            part: Any = None
            if model is Survey:
                survey = fetch_survey(request, pk, MANAGE)
            else:
                part = _in_surveys(model.objects, request, MANAGE, pk)
                survey = part.survey
            if refusal := _not_draft(request, survey):
                return refusal
            return view(request, survey, part)

        methods = require_POST if post_only else require_http_methods(["GET", "POST"])
        return methods(login_required(wrapper))

    return decorate


# --- Shared pieces --------------------------------------------------------------------------


def _number(ordered: list[Question], pk: int) -> int:
    """The number of question `pk` in the questionnaire (0: not in it)."""
    return next((n for n, q in enumerate(ordered, start=1) if q.pk == pk), 0)


def _dependents(
    ordered: list[Question], refs: set[int], skip: set[int] | None = None
) -> list[tuple[int, Question]]:
    """The questions (with their numbers) shown only on an answer to one of
    `refs`, but for those in `skip`."""
    return [
        (n, q)
        for n, q in enumerate(ordered, start=1)
        if q.pk not in (skip or set()) and (q.show_if or {}).get("question") in refs
    ]


def _delete_page(
    request: StaffRequest,
    survey: Survey,
    template: str,
    context: dict[str, Any],
    delete: Callable[[], str],
    anchor: str = "",
) -> HttpResponse:
    """The confirmation page of a deletion; on POST `delete()` (which returns
    its message), then back to the survey."""
    if request.method == "POST":
        try:
            done = delete()
        except BuilderError as error:
            return refused(request, error, survey)
        messages.success(request, done)
        return to_survey(survey, anchor)
    return render(request, template, {"nav": NAV, "survey": survey, **context})


def _move(
    request: HttpRequest, survey: Survey, anchor: str, what: str, move: Callable[[str], bool]
) -> HttpResponse:
    """`move` up or down (the posted `direction`), say what happened, and go
    back to the survey at `anchor`."""
    direction = request.POST["direction"]
    try:
        ok = move(direction)
    except BuilderError as error:
        return refused(request, error, survey, anchor)
    up = direction == builder.UP
    if ok:
        messages.success(request, f"Đã chuyển {what} {'lên' if up else 'xuống'}.")
    else:
        messages.info(request, f"{what[0].upper()}{what[1:]} đã ở {'đầu' if up else 'cuối'}.")
    return to_survey(survey, anchor)


# --- Sections -------------------------------------------------------------------------------


def _section_form(request: StaffRequest, survey: Survey, section: Section | None) -> HttpResponse:
    """A new section of the survey (`section` None), or that section's title and description."""
    form = f.SectionForm(request.POST or None, instance=section)

    def save() -> HttpResponse:
        title, description = form.cleaned_data["title"], form.cleaned_data["description"]
        if section is None:
            saved = staff_services.add_section(survey, title=title, description=description)
        else:
            saved = staff_services.edit_section(section, title=title, description=description)
        messages.success(request, "Đã lưu phần." if section else f"Đã thêm phần “{saved.title}”.")
        return to_survey(survey, f"phan-{saved.pk}")

    context = {"section": section}
    return form_page(request, survey, form, "surveys/staff/section_form.html", context, save)


section_add = _in_draft(Survey)(_section_form)
section_edit = _in_draft(Section)(_section_form)


@_in_draft(Section)
def section_delete(request: StaffRequest, survey: Survey, section: Section) -> HttpResponse:
    ordered = builder.ordered_questions(survey)
    inside = {q.pk for q in ordered if q.section_id == section.pk}

    def delete() -> str:
        deleted = staff_services.delete_section(section)
        return f"Đã xóa phần “{section.title}” và {deleted} câu hỏi."

    context = {
        "section": section,
        "question_count": len(inside),
        "dependents": _dependents(ordered, inside, skip=inside),
    }
    return _delete_page(request, survey, "surveys/staff/section_delete.html", context, delete)


@_in_draft(Section, post_only=True)
def section_move(request: StaffRequest, survey: Survey, section: Section) -> HttpResponse:
    if request.POST.get("direction") not in (builder.UP, builder.DOWN):
        messages.error(request, "Hãy chọn chuyển lên hoặc xuống.")
        return to_survey(survey)
    move = partial(staff_services.move_section, section)
    return _move(request, survey, f"phan-{section.pk}", f"phần “{section.title}”", move)


# --- Questions ------------------------------------------------------------------------------


def _question_form(
    request: StaffRequest, survey: Survey, question: Question | None, section: Section | None = None
) -> HttpResponse:
    """A new question of the survey (`question` None; in `section`), or that question."""
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    if question is None and request.GET.get("loai") in fq.KIND_HELP:
        initial["kind"] = request.GET["loai"]
    form = fq.QuestionForm(data, instance=question, survey=survey, section=section, initial=initial)

    def save() -> HttpResponse:
        saved = form.save()  # staff_services.save_question
        number = _number(builder.ordered_questions(survey), saved.pk)
        messages.success(request, f"Đã lưu Câu {number}." if question else f"Đã thêm Câu {number}.")
        for note in getattr(form, "remap_notes", []):
            messages.info(request, note)
        if question is None and "them_tiep" in request.POST:
            url = reverse("surveys_staff:question_add", args=[survey.pk])
            return redirect(f"{url}?phan={saved.section_id}&loai={saved.kind}")
        return to_survey(survey, f"cau-{saved.pk}")

    context = {"question": question}
    return form_page(request, survey, form, "surveys/staff/question_form.html", context, save)


@_in_draft(Survey)
def question_add(request: StaffRequest, survey: Survey, _: None) -> HttpResponse:
    sections = list(survey.sections.order_by("position"))
    # Without sections the form asks for none: saving the first question makes "Phần 1".
    wanted = request.GET.get("phan", "")
    section = next((s for s in sections if str(s.pk) == wanted), sections[-1] if sections else None)
    return _question_form(request, survey, None, section)


question_edit = _in_draft(Question)(_question_form)


@_in_draft(Question)
def question_delete(request: StaffRequest, survey: Survey, question: Question) -> HttpResponse:
    ordered = builder.ordered_questions(survey)
    number = _number(ordered, question.pk)

    def delete() -> str:
        staff_services.delete_question(question)
        return f"Đã xóa Câu {number}."

    context = {
        "question": question,
        "number": number,
        "dependents": _dependents(ordered, {question.pk}),
    }
    return _delete_page(
        request,
        survey,
        "surveys/staff/question_delete.html",
        context,
        delete,
        anchor=f"phan-{question.section_id}",
    )


@_in_draft(Question, post_only=True)
def question_move(request: StaffRequest, survey: Survey, question: Question) -> HttpResponse:
    """Up, down (across sections at the edges), or to the end of a chosen section."""
    anchor = f"cau-{question.pk}"
    if request.POST.get("direction") in (builder.UP, builder.DOWN):
        move = partial(staff_services.move_question, question)
        return _move(request, survey, anchor, "câu hỏi", move)
    form = fq.MoveToSectionForm(request.POST, survey=survey)
    if not form.is_valid():
        messages.error(request, "Hãy chọn phần cần chuyển câu hỏi đến.")
        return to_survey(survey, anchor)
    target = form.cleaned_data["section"]
    try:
        staff_services.move_question_to_section(question, target)
    except BuilderError as error:
        return refused(request, error, survey, anchor)
    messages.success(request, f"Đã chuyển câu hỏi sang phần “{target.title}”.")
    return to_survey(survey, anchor)


# --- The whole order at once ----------------------------------------------------------------


def _order_from_post(raw: str) -> list[tuple[int, list[int]]] | None:
    """The order posted by the questionnaire page's drag and drop (survey-builder.js):
    JSON ``[{"section": id, "questions": [id, ...]}, ...]``; None when malformed."""
    try:
        data = json.loads(raw)
        order = [
            (int(item["section"]), [int(q) for q in item["questions"]])
            for item in data
            if isinstance(item, dict)
        ]
    except (TypeError, ValueError, KeyError):
        return None
    return order if isinstance(data, list) and len(order) == len(data) else None


@staff_post
def survey_reorder(request: StaffRequest, pk: int) -> HttpResponse:
    """The whole order of sections and questions at once (drag and drop). Checked
    like the "Lên"/"Xuống" buttons: refused when it would break a show-if
    condition. Answers JSON to the page's script, else a redirect with a message."""
    survey = fetch_survey(request, pk, MANAGE)
    wants_json = "application/json" in request.headers.get("Accept", "")
    errors: list[str] = []
    moved = False
    if survey.status != SurveyStatus.DRAFT:
        errors = [
            f"Khảo sát đang ở trạng thái “{survey.get_status_display()}”: chỉ đổi được thứ tự "
            "khi khảo sát là bản nháp."
        ]
    else:
        order = _order_from_post(request.POST.get("order", ""))
        if order is None:
            errors = [builder.MSG_STALE_ORDER]
        else:
            try:
                moved = staff_services.reorder_questions(survey, order)
            except BuilderError as exc:
                errors = exc.messages
    done = "Đã lưu thứ tự mới." if moved else "Thứ tự không thay đổi."
    if wants_json:
        if errors:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return JsonResponse({"ok": True, "message": done})
    for m in errors:
        messages.error(request, m)
    if not errors:
        messages.success(request, done)
    return to_survey(survey)
