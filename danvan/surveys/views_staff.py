"""Staff views of the surveys themselves, at /quan-ly/khao-sat/ (namespace
"surveys_staff"): the list, a new survey (blank or from a template), its page,
its settings, a copy, its status (publish, close, archive, back to draft), its
sharing (link, QR code) and its invitation codes. The questionnaire (sections,
questions, their order) is in views_builder; what both share in staff_pages.

Thin function views in the habit of danvan.contests.views_staff: fetch-and-check
through the user's scope (a survey is seen with VIEW and changed with MANAGE
through `Survey.objects.visible_to`; anything out of scope is a 404, the same
answer as a missing object), a form, a call to `staff_services` (every write:
one transaction under the survey's row lock), a redirect. A GET never writes.
Every action that changes a state is a POST behind a confirmation page. See
tests/test_staff_personas.py.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from danvan.core.listing import StaffRequest, filter_list, list_page
from danvan.core.models import Organization
from danvan.core.scope import MANAGE, can, manager_only
from danvan.core.status import StatusAction, status_action
from danvan.core.views_common import staff_form_view, staff_page, staff_post
from danvan.surveys import builder, kinds, mixing, share, staff_services
from danvan.surveys import forms_question as fq
from danvan.surveys import forms_staff as f
from danvan.surveys.builder import BuilderError
from danvan.surveys.models import (
    InvitationCode,
    Mode,
    OnePer,
    Question,
    Survey,
    SurveyStatus,
)
from danvan.surveys.staff_pages import (
    NAV,
    fetch_survey,
    form_page,
    no_store,
    to_survey,
)


def _archived(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    if survey.status == SurveyStatus.ARCHIVED:
        messages.error(
            request, "Khảo sát đã lưu trữ nên không sửa được. Chuyển về bản nháp nếu cần sửa."
        )
        return to_survey(survey)
    return None


# --- Surveys --------------------------------------------------------------------------------


@staff_page
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
    return list_page(
        request,
        "surveys/staff/survey_list.html",
        filter_list(qs, form),  # few per unit: the search is in Python
        nav=NAV,
        form=form,
        can_add=Organization.objects.visible_to(request.user, MANAGE).exists(),
        templates=builder.TEMPLATES.values(),
    )


@staff_form_view
@manager_only
def survey_add(request: StaffRequest) -> HttpResponse:
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
        return to_survey(survey)
    return render(
        request,
        "surveys/staff/survey_form.html",
        {"nav": NAV, "form": form, "survey": None, "templates": builder.TEMPLATES},
    )


@staff_page
def survey_detail(request: StaffRequest, pk: int) -> HttpResponse:
    survey = fetch_survey(request, pk)
    can_manage = can(request.user, MANAGE, survey)
    ordered = builder.ordered_questions(survey)
    sections = list(survey.sections.order_by("position"))
    by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
    for n, q in enumerate(ordered, start=1):
        q.number = n  # type: ignore[attr-defined]
        q.condition = (  # type: ignore[attr-defined]
            fq.describe_condition(q.show_if, ordered) if q.show_if else ""
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
            "kinds": fq.KIND_HELP,
        },
    )


@staff_form_view
def survey_edit(request: StaffRequest, pk: int) -> HttpResponse:
    survey = fetch_survey(request, pk, MANAGE)
    if refusal := _archived(request, survey):
        return refusal
    form = f.SurveyForm(
        request.POST or None, request.FILES or None, instance=survey, user=request.user
    )

    def save() -> HttpResponse:
        staff_services.update_survey(form.save(commit=False))
        messages.success(request, "Đã lưu thông tin khảo sát.")
        return to_survey(survey)

    context = {"templates": builder.TEMPLATES}
    return form_page(request, survey, form, "surveys/staff/survey_form.html", context, save)


@staff_form_view
def survey_duplicate(request: StaffRequest, pk: int) -> HttpResponse:
    survey = fetch_survey(request, pk, MANAGE)
    if request.method == "POST":
        copy = builder.duplicate_survey(survey, user=request.user)
        messages.success(
            request,
            f"Đã nhân bản thành “{copy.title}” (bản nháp, chưa có phiếu trả lời). Hãy sửa tên, "
            "thời gian rồi công bố.",
        )
        return to_survey(copy)
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

PHONE_NOT_VERIFIED = (
    "Số điện thoại không được xác minh (hệ thống không gửi mã xác nhận): quy định “mỗi số "
    "điện thoại một phiếu” chặn việc một số gửi hai lần, không chặn được người cố ý khai "
    "nhiều số khác nhau. Trang khảo sát nói rõ điều này với người trả lời."
)


def _publish_notes(survey: Survey) -> list[str]:
    notes = list(f.publish_problems(survey).notes)
    return [*notes, PHONE_NOT_VERIFIED] if survey.one_per == OnePer.PHONE else notes


def _reopen_problems(survey: Survey) -> list[str]:
    count = staff_services.response_count(survey)
    return [staff_services.reopen_refusal(count)] if count else []


def _reopening(survey: Survey) -> bool:
    return survey.status == SurveyStatus.CLOSED


def _action(name: str, change: Any, done: str, **labels: Any) -> StatusAction:
    """A status action whose states come from `staff_services.TRANSITIONS`."""
    return StatusAction(
        name,
        staff_services.TRANSITIONS[name].sources,
        change,
        done,
        refusals=(BuilderError,),
        **labels,
    )


# The status actions of a survey (staff_services: the changes, under the row's lock).
STATUS_ACTIONS = {
    a.name: a
    for a in (
        _action(
            "publish",
            staff_services.publish_survey,
            "Đã công bố khảo sát. Người dân trả lời được từ thời điểm mở.",
            problems=lambda s: f.publish_problems(s).problems,
            notes=_publish_notes,
            problems_message="Chưa công bố được khảo sát; hãy sửa các vấn đề bên dưới.",
            blocked_note=lambda s: (
                f"Khảo sát đang ở trạng thái “{s.get_status_display()}”; "
                "chỉ công bố được khảo sát là bản nháp hoặc đã đóng."
            ),
            heading=lambda s: "Mở lại khảo sát" if _reopening(s) else "Công bố khảo sát",
            button=lambda s: "Mở lại" if _reopening(s) else "Công bố",
            crumb="Công bố",
        ),
        _action(
            "close",
            staff_services.close_survey,
            "Đã đóng khảo sát; không nhận thêm phiếu trả lời.",
            blocked_note="Khảo sát không ở trạng thái đang mở.",
            heading="Đóng khảo sát",
            danger=True,
        ),
        _action(
            "archive",
            staff_services.archive_survey,
            "Đã lưu trữ khảo sát.",
            blocked_note="Khảo sát đã được lưu trữ.",
            heading="Lưu trữ khảo sát",
            button="Lưu trữ",
            crumb="Lưu trữ",
            danger=True,
        ),
        _action(
            "reopen",
            staff_services.reopen_survey,
            "Đã chuyển khảo sát về bản nháp; người dân không còn thấy khảo sát.",
            problems=_reopen_problems,
            blocked_note="Khảo sát đang là bản nháp.",
            heading="Chuyển khảo sát về bản nháp",
            button="Về bản nháp",
            crumb="Về bản nháp",
        ),
    )
}


@staff_form_view
def survey_status(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    """One of STATUS_ACTIONS, named by the URL (survey_publish, survey_close,
    survey_archive, survey_reopen): the confirmation page, the change on POST."""
    survey = fetch_survey(request, pk, MANAGE)
    return status_action(
        request,
        survey,
        STATUS_ACTIONS[action],
        template="surveys/staff/survey_status.html",
        detail_url=reverse("surveys_staff:survey_detail", args=[survey.pk]),
        context={
            "nav": NAV,
            "survey": survey,
            "response_count": staff_services.response_count(survey),
            "mix_batch": mixing.batch_size(),
            "mix_minutes": mixing.window_minutes(),
        },
    )


# --- Sharing --------------------------------------------------------------------------------


@staff_page
def survey_share(request: StaffRequest, pk: int) -> HttpResponse:
    survey = fetch_survey(request, pk)
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
    survey = fetch_survey(request, pk)
    response = HttpResponse(data_for(share.public_url(survey, request)), content_type=content_type)
    disposition = "inline" if request.GET.get("xem") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="ma-qr-{survey.slug}.{ext}"'
    return response


@staff_page
def survey_qr_png(request: StaffRequest, pk: int) -> HttpResponse:
    return _qr_response(request, pk, share.qr_png, "png", "image/png")


@staff_page
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


@staff_form_view
def survey_codes(request: StaffRequest, pk: int) -> HttpResponse:
    """Generate invitation codes and show them ONCE, on a printable page. Nothing
    keeps them in plain text: the page carries them, and its "Tải Excel" button
    posts them back to `survey_codes_xlsx`, which checks them against the hashes."""
    from danvan.surveys.guards import generate_codes

    survey = fetch_survey(request, pk, MANAGE)
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
            return no_store(response)
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


@staff_post
def survey_codes_xlsx(request: StaffRequest, pk: int) -> HttpResponse:
    """The Excel list of the codes just generated (posted back by the printable page).
    Only codes of this survey are accepted: each is checked against the stored hashes."""
    from danvan.surveys.guards import code_hash

    survey = fetch_survey(request, pk, MANAGE)
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
    return no_store(response)
