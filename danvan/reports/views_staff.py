"""Staff pages of the review reports, mounted at /quan-ly/bao-cao/ (namespace
"reports_staff"). Every view is scoped by the issuing body (a report out of
scope is a 404); see tests/test_staff_personas.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from danvan.core.excel import XLSX, filenames
from danvan.core.forms import form_error
from danvan.core.listing import StaffRequest, list_page
from danvan.core.models import JobStatus
from danvan.core.review import review_sections
from danvan.core.scope import MANAGE, VIEW, can, get_scope, get_visible_or_404
from danvan.core.views_common import staff_form_view, staff_page, staff_post
from danvan.reports import forms as f
from danvan.reports import services
from danvan.reports.jobs import file_stem
from danvan.reports.models import Draft, Export, ReviewReport

NAV = "reports"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _reports():  # type: ignore[no-untyped-def]
    return ReviewReport.objects.select_related("organization__area", "period")


def _managed(request: StaffRequest, pk: int) -> ReviewReport:
    report: ReviewReport = get_visible_or_404(_reports(), request.user, MANAGE, pk=pk)
    return report


@staff_page
def report_list(request: StaffRequest) -> HttpResponse:
    qs = ReviewReport.objects.visible_to(request.user).select_related(
        "organization__area", "period"
    )
    can_add = get_scope(request.user).allows(MANAGE)
    return list_page(request, "reports/staff/report_list.html", qs, nav=NAV, can_add=can_add)


@staff_form_view
def report_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    form = f.ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            report = services.create_report(request.user, **values)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Đã tạo báo cáo. Hãy viết phần nội dung rồi xuất báo cáo.")
            return redirect(report)
    return render(request, "reports/staff/report_form.html", {"nav": NAV, "form": form})


@staff_page
def report_detail(request: StaffRequest, pk: int) -> HttpResponse:
    report: ReviewReport = get_visible_or_404(_reports(), request.user, VIEW, pk=pk)
    exports = list(report.exports.select_related("job", "created_by")[:10])
    running = any(e.job and e.job.status in (JobStatus.QUEUED, JobStatus.RUNNING) for e in exports)
    context = {
        "nav": NAV,
        "report": report,
        "draft": report.latest_draft(),
        "exports": exports,
        "running": running,
        "can_manage": can(request.user, MANAGE, report),
        "sections": review_sections(),
        "provisional_as_of": report.provisional_as_of(),
    }
    return render(request, "reports/staff/report_detail.html", context)


@staff_form_view
def report_edit(request: StaffRequest, pk: int) -> HttpResponse:
    report = _managed(request, pk)
    form = f.ReportEditForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.update_report(report, **values)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Đã lưu thông tin báo cáo.")
            return redirect(report)
    context = {"nav": NAV, "form": form, "report": report}
    return render(request, "reports/staff/report_edit.html", context)


@staff_form_view
def draft_edit(request: StaffRequest, pk: int) -> HttpResponse:
    """The narrative parts, filled with the latest version; saving adds a version."""
    report = _managed(request, pk)
    latest = report.latest_draft()
    form = f.DraftForm(request.POST or None, initial=latest.values() if latest else None)
    if request.method == "POST" and form.is_valid():
        draft = services.save_draft(report, request.user, **form.cleaned_data)
        if latest is not None and draft.pk == latest.pk:
            messages.info(request, "Nội dung không thay đổi, không tạo phiên bản mới.")
        else:
            messages.success(request, f"Đã lưu nội dung (phiên bản {draft.version}).")
        return redirect(report)
    context = {"nav": NAV, "form": form, "report": report, "latest": latest}
    return render(request, "reports/staff/draft_form.html", context)


@staff_page
def draft_list(request: StaffRequest, pk: int) -> HttpResponse:
    report: ReviewReport = get_visible_or_404(_reports(), request.user, VIEW, pk=pk)
    drafts = report.drafts.select_related("created_by").order_by("-version")
    context = {"nav": NAV, "report": report, "drafts": drafts}
    return render(request, "reports/staff/draft_list.html", context)


@staff_page
def draft_detail(request: StaffRequest, pk: int, draft: int) -> HttpResponse:
    report: ReviewReport = get_visible_or_404(_reports(), request.user, VIEW, pk=pk)
    version = get_object_or_404(Draft.objects.select_related("created_by"), pk=draft, report=report)
    latest = report.latest_draft()
    context = {
        "nav": NAV,
        "report": report,
        "draft": version,
        "is_latest": latest is not None and latest.pk == version.pk,
        "can_manage": can(request.user, MANAGE, report),
    }
    return render(request, "reports/staff/draft_detail.html", context)


@staff_post
def draft_restore(request: StaffRequest, pk: int, draft: int) -> HttpResponse:
    report = _managed(request, pk)
    version = get_object_or_404(Draft, pk=draft, report=report)
    restored = services.restore_draft(version, request.user)
    messages.success(
        request, f"Đã khôi phục phiên bản {version.version} thành phiên bản {restored.version}."
    )
    return redirect(report)


@staff_post
def export_start(request: StaffRequest, pk: int) -> HttpResponse:
    report = _managed(request, pk)
    export = services.start_export(report, request.user)
    what = "bản dự thảo (kỳ chưa kết thúc)" if export.provisional else "báo cáo"
    messages.success(request, f"Đang tạo {what}. Trang sẽ tự cập nhật khi xong.")
    return redirect(report)


def _export_file(request: StaffRequest, pk: int, export: int, which: str) -> FileResponse:
    report: ReviewReport = get_visible_or_404(_reports(), request.user, VIEW, pk=pk)
    row = get_object_or_404(Export, pk=export, report=report)
    stored = row.document if which == "docx" else row.annex
    if not stored:
        raise Http404("Báo cáo chưa được tạo xong.")
    try:
        stream = default_storage.open(str(stored.name), "rb")
    except OSError:
        raise Http404("Không tìm thấy tệp.") from None
    stem = file_stem(report, provisional=row.provisional) + (
        "" if which == "docx" else " - phụ lục"
    )
    name = filenames(stem, which)[1]
    content_type = DOCX if which == "docx" else XLSX
    response = FileResponse(stream, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_page
def export_docx(request: StaffRequest, pk: int, export: int) -> FileResponse:
    return _export_file(request, pk, export, "docx")


@staff_page
def export_xlsx(request: StaffRequest, pk: int, export: int) -> FileResponse:
    return _export_file(request, pk, export, "xlsx")
