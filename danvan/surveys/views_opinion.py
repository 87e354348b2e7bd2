"""Public-opinion reports and the board's hot issues (staff).

Thin function views: fetch-and-check through the user's scope, a form, a
service call (`opinion`), a redirect. A report out of scope, or someone
else's draft, answers 404 like a missing one; so does a unit out of scope on
the hot-issues pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from danvan.core import excel
from danvan.core.listing import paginate
from danvan.core.models import Area, Period
from danvan.core.text import search_folded
from danvan.core.views_common import staff_page
from danvan.surveys import exports, opinion
from danvan.surveys.forms_opinion import (
    TOPIC_LIST_ID,
    FollowUpForm,
    HotIssuesForm,
    MergeTopicsForm,
    ReportFilterForm,
    ReportForm,
)
from danvan.surveys.models import Field, OpinionReport, ReportStatus

NAV = "opinion"


def _report(request: HttpRequest, pk: int) -> OpinionReport:
    try:
        report: OpinionReport = (
            opinion.visible_reports(request.user)
            .select_related("period", "area", "author")
            .get(pk=pk)
        )
    except OpinionReport.DoesNotExist:
        raise Http404("Không tìm thấy.") from None
    return report


DraftView = Callable[[HttpRequest, OpinionReport], HttpResponse]


def _own_draft(sent: str) -> Callable[[DraftView], Callable[..., HttpResponse]]:
    """A view of one of the user's own drafts, called with the draft instead of
    its pk. When the report is theirs but already sent: back to it with the
    message `sent`; 404 otherwise."""

    def decorate(view: DraftView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            report = _report(request, pk)
            if report.author_id != request.user.pk:
                raise Http404("Không tìm thấy.")
            if report.status != ReportStatus.DRAFT:
                messages.info(request, sent)
                return redirect("opinion:report_detail", pk=pk)
            if not opinion.editable_reports(request.user).filter(pk=report.pk).exists():
                raise Http404("Không tìm thấy.")
            return view(request, report)

        return wrapper

    return decorate


# --- Reports -----------------------------------------------------------------------


@staff_page
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None, user=request.user)
    qs = opinion.visible_reports(request.user).select_related("period", "area", "author")
    if form.is_bound and "dia_ban" in form.errors:
        raise Http404("Không tìm thấy.")  # a unit out of the user's scope
    if form.is_valid():
        data = form.cleaned_data
        if data["ky"]:
            qs = qs.filter(period=data["ky"])
        if data["dia_ban"]:
            qs = qs.filter(
                opinion.in_unit(opinion.scope_areas(request.user).get(pk=data["dia_ban"]))
            )
        if data["linh_vuc"]:
            qs = qs.filter(field=data["linh_vuc"])
        if data["trang_thai"]:
            qs = qs.filter(status=data["trang_thai"])
        qs = search_folded(qs, data["tim"] or "", "topic_folded")
    page, querystring = paginate(request, qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "surveys/opinion/report_list.html",
        {
            "nav": NAV,
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "can_file": opinion.can_file(request.user),
        },
    )


def _save(
    request: HttpRequest, form: ReportForm, report: OpinionReport | None
) -> HttpResponse | None:
    """Save the draft; "Gửi báo cáo" then asks for confirmation (report_submit):
    a sent report can no longer be changed."""
    submit = request.POST.get("action") == "submit"
    try:
        saved = opinion.save_report(request.user, form.cleaned_data, report=report)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None
    except PermissionDenied:
        raise Http404("Không tìm thấy.") from None
    if submit:
        messages.info(
            request,
            "Đã lưu bản nháp. Kiểm tra lại nội dung rồi bấm “Gửi báo cáo” để gửi; báo cáo đã "
            "gửi không sửa được nữa.",
        )
        return redirect("opinion:report_submit", pk=saved.pk)
    messages.success(request, "Đã lưu bản nháp. Bạn có thể sửa tiếp rồi gửi.")
    return redirect("opinion:report_detail", pk=saved.pk)


def _form_context(request: HttpRequest, form: ReportForm, report: OpinionReport | None) -> Any:
    """The form page's context, with the topics already reported in the chosen period."""
    chosen = form["period"].value()
    try:
        period = Period.objects.filter(pk=int(chosen)).first() if chosen else None
    except (TypeError, ValueError):
        period = None
    return {
        "nav": NAV,
        "form": form,
        "report": report,
        "topic_list_id": TOPIC_LIST_ID,
        "topic_suggestions": opinion.topic_suggestions(request.user, period),
    }


def _report_form(request: HttpRequest, report: OpinionReport | None) -> HttpResponse:
    """The report form (`report` None: a new draft): saved on a valid POST (see
    `_save`), shown again with its errors otherwise."""
    form = ReportForm(request.POST or None, instance=report, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, report)
        if done is not None:
            return done
    return render(request, "surveys/opinion/report_form.html", _form_context(request, form, report))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_add(request: HttpRequest) -> HttpResponse:
    if not opinion.can_file(request.user):
        raise Http404("Không tìm thấy.")
    return _report_form(request, None)


@staff_page
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    is_draft = report.status == ReportStatus.DRAFT
    own_draft = is_draft and report.author_id == request.user.pk
    return render(
        request,
        "surveys/opinion/report_detail.html",
        {
            "nav": NAV,
            "report": report,
            "can_edit": own_draft
            and opinion.editable_reports(request.user).filter(pk=report.pk).exists(),
            "can_delete": own_draft,
            "follow_text": "\n".join(t for t in (report.what_people_say, report.proposals) if t),
            "follow_note": f"Báo cáo dư luận xã hội: {report.topic}",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_own_draft("Báo cáo đã gửi, không sửa được nữa.")
def report_edit(request: HttpRequest, report: OpinionReport) -> HttpResponse:
    return _report_form(request, report)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_own_draft("Báo cáo này đã được gửi.")
def report_submit(request: HttpRequest, report: OpinionReport) -> HttpResponse:
    if request.method == "POST":
        try:
            opinion.submit_report(request.user, report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Đã gửi báo cáo. Báo cáo đã gửi không sửa được nữa.")
        return redirect("opinion:report_detail", pk=report.pk)
    return render(request, "surveys/opinion/report_submit.html", {"nav": NAV, "report": report})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's own drafts, after a confirmation page."""
    report = _report(request, pk)
    if report.author_id != request.user.pk:
        raise Http404("Không tìm thấy.")
    if report.status != ReportStatus.DRAFT:
        messages.info(request, "Báo cáo đã gửi, không xóa được.")
        return redirect("opinion:report_detail", pk=pk)
    if request.method == "POST":
        try:
            opinion.delete_draft(request.user, report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("opinion:report_detail", pk=pk)
        except PermissionDenied:
            raise Http404("Không tìm thấy.") from None
        messages.success(request, f"Đã xóa bản nháp “{report.topic}”.")
        return redirect("opinion:report_list")
    return render(request, "surveys/opinion/report_delete.html", {"nav": NAV, "report": report})


# --- Hot issues --------------------------------------------------------------------


def _period_and_scope(request: HttpRequest) -> tuple[HotIssuesForm, Period | None, Area | None]:
    """The period (default: the latest) and the unit (default: the user's widest)
    asked for; a unit or period that is not a valid choice answers 404."""
    form = HotIssuesForm(request.GET or None, user=request.user)
    period = Period.objects.latest_first().first()
    area = opinion.default_scope(request.user)
    if form.is_bound:
        if not form.is_valid():
            raise Http404("Không tìm thấy.")
        period = form.cleaned_data["ky"] or period
        if form.cleaned_data["dia_ban"]:
            area = opinion.scope_areas(request.user).get(pk=form.cleaned_data["dia_ban"])
    if not form.is_bound or not form.is_valid():
        form = HotIssuesForm(
            initial={"ky": period.pk if period else None, "dia_ban": area.pk if area else None},
            user=request.user,
        )
    return form, period, area


def _issue_query(period: Period, area: Area, **extra: str) -> str:
    return urlencode({"ky": period.pk, "dia_ban": area.pk, **extra})


@staff_page
def hot_issues(request: HttpRequest) -> HttpResponse:
    form, period, area = _period_and_scope(request)
    hot = opinion.hot_issues(period, area, with_proposals=True) if period and area else None
    can_follow = (
        area is not None and opinion.follow_up_areas(request.user).filter(pk=area.pk).exists()
    )
    rows = []
    if hot is not None and period is not None and area is not None:
        for i, issue in enumerate(hot.issues, start=1):
            rows.append(
                {
                    "rank": i,
                    "issue": issue,
                    "follow_query": _issue_query(
                        period, area, linh_vuc=issue.field, van_de=issue.topic_folded
                    ),
                }
            )
    return render(
        request,
        "surveys/opinion/hot_issues.html",
        {
            "nav": NAV,
            "form": form,
            "period": period,
            "area": area,
            "hot": hot,
            "rows": rows,
            "can_follow": can_follow,
            "score_rule": opinion.SCORE_RULE,
            "query": _issue_query(period, area) if period and area else "",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def follow_up(request: HttpRequest) -> HttpResponse:
    params = request.GET
    try:
        period = Period.objects.get(pk=int(params.get("ky", "")))
        area = opinion.follow_up_areas(request.user).get(pk=int(params.get("dia_ban", "")))
    except (ValueError, Period.DoesNotExist, Area.DoesNotExist):
        raise Http404("Không tìm thấy.") from None
    field, topic_folded = params.get("linh_vuc", ""), params.get("van_de", "")
    if field not in Field.values or not opinion.issue_exists(period, area, field, topic_folded):
        raise Http404("Không tìm thấy.")
    hot = opinion.hot_issues(period, area)
    issue = next(
        (i for i in hot.issues if i.field == field and i.topic_folded == topic_folded), None
    )
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opinion.add_follow_up(
            request.user,
            period=period,
            scope_area=area,
            field=field,
            topic_folded=topic_folded,
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Đã ghi nhận việc theo dõi, xử lý vấn đề.")
        return redirect(reverse("opinion:hot_issues") + "?" + _issue_query(period, area))
    return render(
        request,
        "surveys/opinion/follow_up.html",
        {
            "nav": NAV,
            "form": form,
            "period": period,
            "area": area,
            "issue": issue,
            "back": reverse("opinion:hot_issues") + "?" + _issue_query(period, area),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def merge_topics(request: HttpRequest) -> HttpResponse:
    """The board merges one issue of a period into another (two spellings of one
    problem): choose the issue, check what will change, confirm."""
    params = request.GET
    try:
        period = Period.objects.get(pk=int(params.get("ky", "")))
        area = opinion.follow_up_areas(request.user).get(pk=int(params.get("dia_ban", "")))
    except (ValueError, Period.DoesNotExist, Area.DoesNotExist):
        raise Http404("Không tìm thấy.") from None
    hot = opinion.hot_issues(period, area)
    by_value = {opinion.issue_value(i.field, i.topic_folded): i for i in hot.issues}
    source_key = opinion.issue_value(params.get("linh_vuc", ""), params.get("van_de", ""))
    source = by_value.get(source_key)
    if source is None:
        raise Http404("Không tìm thấy.")
    choices = [
        (
            value,
            f"{i.topic} ({i.field_label}; {i.units} địa bàn, {i.reports} báo cáo)",
        )
        for value, i in by_value.items()
        if value != source_key
    ]
    back = reverse("opinion:hot_issues") + "?" + _issue_query(period, area)
    data = request.POST if request.method == "POST" else None
    form = MergeTopicsForm(data, choices=choices)
    target = None
    if request.method == "POST" and form.is_valid():
        target = by_value[form.cleaned_data["vao"]]
        if request.POST.get("xac_nhan") == "1":
            try:
                changed = opinion.merge_topics(
                    request.user,
                    period=period,
                    scope_area=area,
                    source=(source.field, source.topic_folded),
                    target=(target.field, target.topic_folded),
                )
            except PermissionDenied:
                raise Http404("Không tìm thấy.") from None
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(back)
            messages.success(
                request,
                f"Đã gộp vấn đề “{source.topic}” vào “{target.topic}” ({changed} báo cáo).",
            )
            return redirect(back)
    return render(
        request,
        "surveys/opinion/merge_topics.html",
        {
            "nav": NAV,
            "form": form,
            "period": period,
            "area": area,
            "source": source,
            "target": target,
            "back": back,
        },
    )


@staff_page
def hot_issues_docx(request: HttpRequest) -> HttpResponse:
    _form, period, area = _period_and_scope(request)
    if period is None or area is None:
        raise Http404("Không tìm thấy.")
    hot = opinion.hot_issues(period, area, with_proposals=True)
    data = exports.opinion_docx(hot)
    names = excel.filenames(f"Báo cáo dư luận xã hội {area.name} {period.name}", "docx")
    return excel.attachment(data, exports.DOCX, names)
