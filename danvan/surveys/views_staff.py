"""Staff views of the surveys app, at /quan-ly/khao-sat/ (namespace "surveys_staff").

Thin function views in the habit of danvan.contests.views_staff: fetch-and-check
through the user's scope (a survey is seen with VIEW and changed with MANAGE
through `Survey.objects.visible_to`; anything out of scope is a 404, the same
answer as a missing object), a form, a call to `staff_services` (every write:
one transaction under the survey's row lock), a redirect. A GET never writes.
Every action that changes a state or deletes is a POST behind a confirmation
page; moving a section or a question is a plain POST button ("Lên", "Xuống")
that works without JavaScript. The questionnaire changes only while the survey is a
draft. See tests/test_staff_personas.py.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core.listing import StaffRequest, filter_list, paginate
from danvan.core.models import Organization
from danvan.core.scope import MANAGE, VIEW, can, get_scope, get_visible_or_404
from danvan.surveys import builder, kinds, mixing, share, staff_services
from danvan.surveys import forms_staff as f
from danvan.surveys.builder import BuilderError
from danvan.surveys.models import (
    InvitationCode,
    Mode,
    OnePer,
    Question,
    Section,
    Survey,
    SurveyStatus,
)

NAV = "surveys"


# --- Fetch-and-check helpers ----------------------------------------------------------------


def _survey(request: StaffRequest, pk: int, verb: str = VIEW) -> Survey:
    qs = Survey.objects.select_related("organization__area", "target_area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _in_surveys(qs: Any, request: StaffRequest, verb: str, pk: int) -> Any:
    """A section or question of a survey the user may `verb`, else 404."""
    allowed = Survey.objects.visible_to(request.user, verb)
    obj = qs.filter(survey__in=allowed, pk=pk).select_related("survey").first()
    if obj is None:
        raise Http404("Không tìm thấy.")
    return obj


def _detail(survey: Survey, anchor: str = "") -> HttpResponse:
    url = reverse("surveys_staff:survey_detail", args=[survey.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _not_draft(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    """Refuse changes to the questionnaire unless the survey is a draft (the
    services check it again under the survey's lock)."""
    if survey.status != SurveyStatus.DRAFT:
        messages.error(request, staff_services.not_draft_message(survey))
        return _detail(survey)
    return None


def _refused(
    request: HttpRequest, error: BuilderError, survey: Survey, anchor: str = ""
) -> HttpResponse:
    for m in error.messages:
        messages.error(request, m)
    return _detail(survey, anchor)


def _archived(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    if survey.status == SurveyStatus.ARCHIVED:
        messages.error(
            request, "Khảo sát đã lưu trữ nên không sửa được. Chuyển về bản nháp nếu cần sửa."
        )
        return _detail(survey)
    return None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


# --- Surveys --------------------------------------------------------------------------------


@require_safe
@login_required
def survey_list(request: StaffRequest) -> HttpResponse:
    form = f.SurveyFilterForm(request.GET or None)
    qs = (
        Survey.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(
            question_count=Count("questions", distinct=True),
            response_count=Count("responses", distinct=True),
        )
        .order_by("-opens_at", "-pk")
    )
    # Few per unit (tens): the search is in Python, ignoring diacritics.
    page, querystring = paginate(request, filter_list(qs, form))
    return render(
        request,
        "surveys/staff/survey_list.html",
        {
            "nav": NAV,
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "can_add": Organization.objects.visible_to(request.user, MANAGE).exists(),
            "templates": builder.TEMPLATES.values(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404
    initial: dict[str, Any] = {}
    key = request.GET.get("mau", "")
    if key in builder.TEMPLATES:
        template = builder.TEMPLATES[key]
        initial.update(template=key, title=template.title, intro=template.intro)
        initial.update(mode=template.mode, one_per=template.one_per)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial.setdefault("opens_at", now)
    initial.setdefault("closes_at", now + timedelta(days=30))
    form = f.SurveyForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data.get("template") or ""
        survey = staff_services.create_survey(
            form.save(commit=False), user=request.user, template=key
        )
        if key:
            messages.success(
                request,
                f"Đã tạo khảo sát “{survey.title}” (bản nháp) từ mẫu. Hãy xem lại các câu hỏi "
                "rồi công bố.",
            )
        else:
            messages.success(
                request,
                f"Đã tạo khảo sát “{survey.title}” (bản nháp). Tiếp theo: thêm phần và câu hỏi.",
            )
        if survey.one_per == OnePer.CODE:
            messages.info(request, "Khảo sát dùng mã mời: nhớ tạo và phát mã mời trước khi mở.")
        return _detail(survey)
    return render(
        request,
        "surveys/staff/survey_form.html",
        {"nav": NAV, "form": form, "survey": None, "templates": builder.TEMPLATES},
    )


@require_safe
@login_required
def survey_detail(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    can_manage = can(request.user, MANAGE, survey)
    ordered = builder.ordered_questions(survey)
    sections = list(survey.sections.order_by("position"))
    by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
    for n, q in enumerate(ordered, start=1):
        q.number = n  # type: ignore[attr-defined]
        q.condition = (  # type: ignore[attr-defined]
            f.describe_condition(q.show_if, ordered) if q.show_if else ""
        )
        q.summary = kinds.of(q).summary(q)  # type: ignore[attr-defined]
        by_section.setdefault(q.section_id, []).append(q)
    for s in sections:
        s.items = by_section.get(s.pk, [])  # type: ignore[attr-defined]
    readiness = f.publish_problems(survey) if can_manage else None
    response_count = survey.responses.count()
    codes = _code_counts(survey) if survey.one_per == OnePer.CODE else None
    anonymous = survey.mode == Mode.ANONYMOUS
    return render(
        request,
        "surveys/staff/survey_detail.html",
        {
            "nav": NAV,
            "survey": survey,
            "can_manage": can_manage,
            "editable": can_manage and survey.status == SurveyStatus.DRAFT,
            "sections": sections,
            "question_count": len(ordered),
            "response_count": response_count,
            "pending_count": mixing.pending_count(survey) if anonymous else 0,
            "mix_batch": mixing.batch_size(),
            "mix_minutes": mixing.window_minutes(),
            "readiness": readiness,
            "codes": codes,
            "public_url": share.public_url(survey, request),
            "results_url": reverse("surveys_results:results", args=[survey.pk]),
            "kinds": f.KIND_HELP,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey_edit(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, MANAGE)
    if refused := _archived(request, survey):
        return refused
    form = f.SurveyForm(
        request.POST or None, request.FILES or None, instance=survey, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_services.update_survey(form.save(commit=False))
        except BuilderError as error:
            return _refused(request, error, survey)
        messages.success(request, "Đã lưu thông tin khảo sát.")
        return _detail(survey)
    return render(
        request,
        "surveys/staff/survey_form.html",
        {"nav": NAV, "form": form, "survey": survey, "templates": builder.TEMPLATES},
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey_duplicate(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, MANAGE)
    if request.method == "POST":
        copy = builder.duplicate_survey(survey, user=request.user)
        messages.success(
            request,
            f"Đã nhân bản thành “{copy.title}” (bản nháp, chưa có phiếu trả lời). Hãy sửa tên, "
            "thời gian rồi công bố.",
        )
        return _detail(copy)
    return render(
        request,
        "surveys/staff/survey_duplicate.html",
        {
            "nav": NAV,
            "survey": survey,
            "section_count": survey.sections.count(),
            "question_count": survey.questions.count(),
        },
    )


# --- States ---------------------------------------------------------------------------------

# What each action does (`staff_services.TRANSITIONS`: from which states) and says.
ACTIONS: dict[str, tuple[Any, str]] = {
    "publish": (
        staff_services.publish_survey,
        "Đã công bố khảo sát. Người dân trả lời được từ thời điểm mở.",
    ),
    "close": (staff_services.close_survey, "Đã đóng khảo sát; không nhận thêm phiếu trả lời."),
    "archive": (staff_services.archive_survey, "Đã lưu trữ khảo sát."),
    "reopen": (
        staff_services.reopen_survey,
        "Đã chuyển khảo sát về bản nháp; người dân không còn thấy khảo sát.",
    ),
}


PHONE_NOT_VERIFIED = (
    "Số điện thoại không được xác minh (hệ thống không gửi mã xác nhận): quy định “mỗi số "
    "điện thoại một phiếu” chặn việc một số gửi hai lần, không chặn được người cố ý khai "
    "nhiều số khác nhau. Trang khảo sát nói rõ điều này với người trả lời."
)


def _status_action(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    survey = _survey(request, pk, MANAGE)
    change, done = ACTIONS[action]
    blocked = survey.status not in staff_services.TRANSITIONS[action].sources
    response_count = staff_services.response_count(survey)
    problems: list[str] = []
    notes: list[str] = []
    if not blocked and action == "publish":
        readiness = f.publish_problems(survey)
        problems, notes = readiness.problems, list(readiness.notes)
        if survey.one_per == OnePer.PHONE:
            notes.append(PHONE_NOT_VERIFIED)
    if not blocked and action == "reopen" and response_count:
        problems = [staff_services.reopen_refusal(response_count)]
    if request.method == "POST":
        if blocked:
            messages.error(request, f"Khảo sát đang ở trạng thái “{survey.get_status_display()}”.")
            return _detail(survey)
        if not problems:
            try:
                change(survey)  # checked again under the survey's lock
            except BuilderError as error:
                return _refused(request, error, survey)
            messages.success(request, done)
            return _detail(survey)
        messages.error(
            request,
            "Chưa công bố được khảo sát; hãy sửa các vấn đề bên dưới."
            if action == "publish"
            else problems[0],
        )
    return render(
        request,
        "surveys/staff/survey_status.html",
        {
            "nav": NAV,
            "survey": survey,
            "action": action,
            "blocked": blocked,
            "problems": problems,
            "notes": notes,
            "response_count": response_count,
            "mix_batch": mixing.batch_size(),
            "mix_minutes": mixing.window_minutes(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey_publish(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "publish")


@require_http_methods(["GET", "POST"])
@login_required
def survey_close(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "close")


@require_http_methods(["GET", "POST"])
@login_required
def survey_archive(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "archive")


@require_http_methods(["GET", "POST"])
@login_required
def survey_reopen(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "reopen")


# --- Sharing --------------------------------------------------------------------------------


@require_safe
@login_required
def survey_share(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    url = share.public_url(survey, request)
    return render(
        request,
        "surveys/staff/survey_share.html",
        {
            "nav": NAV,
            "survey": survey,
            "public_url": url,
            "og": share.og_context(survey, request),
            "png_size": share.png_size(url),
            "can_manage": can(request.user, MANAGE, survey),
            "invite_text": f"Mời ông/bà tham gia khảo sát “{survey.title}” của "
            f"{survey.organization.name}: {url}",
        },
    )


def _qr_response(
    request: StaffRequest, pk: int, data_for: Any, ext: str, content_type: str
) -> HttpResponse:
    survey = _survey(request, pk)
    response = HttpResponse(data_for(share.public_url(survey, request)), content_type=content_type)
    disposition = "inline" if request.GET.get("xem") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="ma-qr-{survey.slug}.{ext}"'
    return response


@require_safe
@login_required
def survey_qr_png(request: StaffRequest, pk: int) -> HttpResponse:
    return _qr_response(request, pk, share.qr_png, "png", "image/png")


@require_safe
@login_required
def survey_qr_svg(request: StaffRequest, pk: int) -> HttpResponse:
    return _qr_response(request, pk, share.qr_svg, "svg", "image/svg+xml")


# --- Invitation codes -----------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def _code_counts(survey: Survey) -> dict[str, int]:
    row = InvitationCode.objects.filter(survey=survey).aggregate(
        total=Count("pk"), spent=Count("pk", filter=Q(spent=True))
    )
    total, spent = row["total"] or 0, row["spent"] or 0
    return {"total": total, "spent": spent, "unused": total - spent}


@require_http_methods(["GET", "POST"])
@login_required
def survey_codes(request: StaffRequest, pk: int) -> HttpResponse:
    """Generate invitation codes and show them ONCE, on a printable page. Nothing
    keeps them in plain text: the page carries them, and its "Tải Excel" button
    posts them back to `survey_codes_xlsx`, which checks them against the hashes."""
    from danvan.surveys.services import generate_codes

    survey = _survey(request, pk, MANAGE)
    usable = survey.one_per == OnePer.CODE and survey.status != SurveyStatus.ARCHIVED
    form = f.CodesForm(request.POST or None)
    if request.method == "POST":
        if not usable:
            messages.error(request, "Khảo sát này không dùng mã mời hoặc đã lưu trữ.")
            return redirect("surveys_staff:survey_codes", pk=survey.pk)
        if form.is_valid():
            codes = generate_codes(survey, form.cleaned_data["count"])
            response = render(
                request,
                "surveys/staff/codes_print.html",
                {
                    "nav": NAV,
                    "survey": survey,
                    "codes": codes,
                    "codes_joined": " ".join(codes),
                    "public_url": share.public_url(survey, request),
                    "counts": _code_counts(survey),
                },
            )
            return _no_store(response)
    return render(
        request,
        "surveys/staff/codes.html",
        {
            "nav": NAV,
            "survey": survey,
            "form": form,
            "usable": usable,
            "counts": _code_counts(survey),
        },
    )


@require_POST
@login_required
def survey_codes_xlsx(request: StaffRequest, pk: int) -> HttpResponse:
    """The Excel list of the codes just generated (posted back by the printable page).
    Only codes of this survey are accepted: each is checked against the stored hashes."""
    from danvan.surveys.services import code_hash

    survey = _survey(request, pk, MANAGE)
    codes = (request.POST.get("codes") or "").split()
    bad = not codes or len(codes) > f.MAX_CODES or not all(CODE_RE.match(c) for c in codes)
    if not bad:
        hashes = {code_hash(survey, c) for c in codes}
        found = InvitationCode.objects.filter(survey=survey, code_hash__in=hashes).count()
        bad = found != len(hashes)
    if bad:
        messages.error(
            request,
            "Không tạo được file Excel: danh sách mã không hợp lệ. Mã chỉ tải được ngay sau "
            "khi tạo, từ trang in mã.",
        )
        return redirect("surveys_staff:survey_codes", pk=survey.pk)
    data = share.codes_xlsx(survey, codes, share.public_url(survey, request))
    response = HttpResponse(data, content_type=share.XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ma-moi-{survey.slug}-{stamp}.xlsx"'
    return _no_store(response)


# --- Sections -------------------------------------------------------------------------------


def _section_form_view(
    request: StaffRequest, survey: Survey, section: Section | None
) -> HttpResponse:
    form = f.SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        title, description = form.cleaned_data["title"], form.cleaned_data["description"]
        try:
            if section is None:
                saved = staff_services.add_section(survey, title=title, description=description)
            else:
                saved = staff_services.edit_section(section, title=title, description=description)
        except BuilderError as error:
            return _refused(request, error, survey)
        messages.success(request, "Đã lưu phần." if section else f"Đã thêm phần “{saved.title}”.")
        return _detail(survey, f"phan-{saved.pk}")
    return render(
        request,
        "surveys/staff/section_form.html",
        {"nav": NAV, "survey": survey, "section": section, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def section_add(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, MANAGE)
    if refused := _not_draft(request, survey):
        return refused
    return _section_form_view(request, survey, None)


@require_http_methods(["GET", "POST"])
@login_required
def section_edit(request: StaffRequest, pk: int) -> HttpResponse:
    section = _in_surveys(Section.objects, request, MANAGE, pk)
    if refused := _not_draft(request, section.survey):
        return refused
    return _section_form_view(request, section.survey, section)


@require_http_methods(["GET", "POST"])
@login_required
def section_delete(request: StaffRequest, pk: int) -> HttpResponse:
    section = _in_surveys(Section.objects, request, MANAGE, pk)
    survey = section.survey
    if refused := _not_draft(request, survey):
        return refused
    ordered = builder.ordered_questions(survey)
    inside = {q.pk for q in ordered if q.section_id == section.pk}
    dependents = [
        (n, q)
        for n, q in enumerate(ordered, start=1)
        if q.pk not in inside and (q.show_if or {}).get("question") in inside
    ]
    if request.method == "POST":
        try:
            deleted = staff_services.delete_section(section)
        except BuilderError as error:
            return _refused(request, error, survey)
        messages.success(request, f"Đã xóa phần “{section.title}” và {deleted} câu hỏi.")
        return _detail(survey)
    return render(
        request,
        "surveys/staff/section_delete.html",
        {
            "nav": NAV,
            "survey": survey,
            "section": section,
            "question_count": len(inside),
            "dependents": dependents,
        },
    )


def _moved(request: HttpRequest, what: str, ok: bool, direction: str) -> None:
    if ok:
        messages.success(
            request, f"Đã chuyển {what} {'lên' if direction == builder.UP else 'xuống'}."
        )
    else:
        messages.info(
            request,
            f"{what[0].upper()}{what[1:]} đã ở {'đầu' if direction == builder.UP else 'cuối'}.",
        )


@require_POST
@login_required
def section_move(request: StaffRequest, pk: int) -> HttpResponse:
    section = _in_surveys(Section.objects, request, MANAGE, pk)
    survey = section.survey
    if refused := _not_draft(request, survey):
        return refused
    direction = request.POST.get("direction")
    if direction not in (builder.UP, builder.DOWN):
        messages.error(request, "Hãy chọn chuyển lên hoặc xuống.")
        return _detail(survey)
    try:
        ok = staff_services.move_section(section, direction)
    except BuilderError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        _moved(request, f"phần “{section.title}”", ok, direction)
    return _detail(survey, f"phan-{section.pk}")


# --- Questions ------------------------------------------------------------------------------


def _question_form_view(
    request: StaffRequest, survey: Survey, question: Question | None, section: Section | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    if question is None and request.GET.get("loai") in f.KIND_HELP:
        initial["kind"] = request.GET["loai"]
    form = f.QuestionForm(data, instance=question, survey=survey, section=section, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()  # staff_services.save_question
        except BuilderError as error:
            return _refused(request, error, survey)
        number = next(
            (
                n
                for n, q in enumerate(builder.ordered_questions(survey), start=1)
                if q.pk == saved.pk
            ),
            0,
        )
        messages.success(request, f"Đã lưu Câu {number}." if question else f"Đã thêm Câu {number}.")
        for note in getattr(form, "remap_notes", []):
            messages.info(request, note)
        if question is None and "them_tiep" in request.POST:
            url = reverse("surveys_staff:question_add", args=[survey.pk])
            return redirect(f"{url}?phan={saved.section_id}&loai={saved.kind}")
        return _detail(survey, f"cau-{saved.pk}")
    return render(
        request,
        "surveys/staff/question_form.html",
        {"nav": NAV, "survey": survey, "question": question, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_add(request: StaffRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, MANAGE)
    if refused := _not_draft(request, survey):
        return refused
    sections = list(survey.sections.order_by("position"))
    # Without sections the form asks for none: saving the first question makes "Phần 1".
    wanted = request.GET.get("phan", "")
    section = next((s for s in sections if str(s.pk) == wanted), sections[-1] if sections else None)
    return _question_form_view(request, survey, None, section)


@require_http_methods(["GET", "POST"])
@login_required
def question_edit(request: StaffRequest, pk: int) -> HttpResponse:
    question = _in_surveys(Question.objects, request, MANAGE, pk)
    if refused := _not_draft(request, question.survey):
        return refused
    return _question_form_view(request, question.survey, question, None)


@require_http_methods(["GET", "POST"])
@login_required
def question_delete(request: StaffRequest, pk: int) -> HttpResponse:
    question = _in_surveys(Question.objects, request, MANAGE, pk)
    survey = question.survey
    if refused := _not_draft(request, survey):
        return refused
    ordered = builder.ordered_questions(survey)
    number = next(n for n, q in enumerate(ordered, start=1) if q.pk == question.pk)
    dependents = [
        (n, q)
        for n, q in enumerate(ordered, start=1)
        if (q.show_if or {}).get("question") == question.pk
    ]
    if request.method == "POST":
        try:
            staff_services.delete_question(question)
        except BuilderError as error:
            return _refused(request, error, survey)
        messages.success(request, f"Đã xóa Câu {number}.")
        return _detail(survey, f"phan-{question.section_id}")
    return render(
        request,
        "surveys/staff/question_delete.html",
        {
            "nav": NAV,
            "survey": survey,
            "question": question,
            "number": number,
            "dependents": dependents,
        },
    )


@require_POST
@login_required
def question_move(request: StaffRequest, pk: int) -> HttpResponse:
    """Up, down (across sections at the edges), or to the end of a chosen section."""
    question = _in_surveys(Question.objects, request, MANAGE, pk)
    survey = question.survey
    if refused := _not_draft(request, survey):
        return refused
    direction = request.POST.get("direction")
    try:
        if direction in (builder.UP, builder.DOWN):
            ok = staff_services.move_question(question, direction)
            _moved(request, "câu hỏi", ok, direction)
        else:
            form = f.MoveToSectionForm(request.POST, survey=survey)
            if not form.is_valid():
                messages.error(request, "Hãy chọn phần cần chuyển câu hỏi đến.")
                return _detail(survey, f"cau-{question.pk}")
            target = form.cleaned_data["section"]
            staff_services.move_question_to_section(question, target)
            messages.success(request, f"Đã chuyển câu hỏi sang phần “{target.title}”.")
    except BuilderError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return _detail(survey, f"cau-{question.pk}")


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


@require_POST
@login_required
def survey_reorder(request: StaffRequest, pk: int) -> HttpResponse:
    """The whole order of sections and questions at once (drag and drop). Checked
    like the "Lên"/"Xuống" buttons: refused when it would break a show-if
    condition. Answers JSON to the page's script, else a redirect with a message."""
    survey = _survey(request, pk, MANAGE)
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
    return _detail(survey)
