"""Staff pages of inspections and supervision, at /quan-ly/kiem-tra/
(namespace "inspections_staff"): programmes per period, their inspections,
findings and conclusions, and the follow-up of recommendations (overdue
first, in Excel too). A programme is seen and changed in its issuing body's
scope; the body inspected reads its inspections; out of scope is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from danvan.core.excel import add_notes, append_row, workbook_bytes, write_header, xlsx_attachment
from danvan.core.listing import StaffRequest, list_page
from danvan.core.models import Organization, Period
from danvan.core.scope import MANAGE, get_visible_or_404
from danvan.core.text import format_date
from danvan.core.views_common import form_page, staff_form_view, staff_page
from danvan.inspections import forms as f
from danvan.inspections import services
from danvan.inspections.models import Inspection, Programme, Recommendation

NAV = "inspections"


def _programme(request: StaffRequest, pk: int, verb: str = "view") -> Programme:
    qs = Programme.objects.select_related("organization", "organization__area", "period")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _inspection(request: StaffRequest, pk: int, verb: str = "view") -> Inspection:
    qs = Inspection.objects.select_related(
        "programme", "programme__organization__area", "programme__period", "inspected__area"
    )
    return get_visible_or_404(qs, request.user, verb, pk=pk)


@staff_page
def programme_list(request: StaffRequest) -> HttpResponse:
    qs = (
        Programme.objects.visible_to(request.user)
        .select_related("organization", "period")
        .annotate(count=Count("inspections"))
    )
    period = request.GET.get("ky", "")
    if period.isdigit():
        qs = qs.filter(period_id=int(period))
    return list_page(
        request,
        "inspections/programme_list.html",
        qs.order_by("-period__start", "-issued_on", "-pk"),
        nav=NAV,
        periods=Period.objects.latest_first(),
        period=period,
        can_add=Organization.objects.visible_to(request.user, MANAGE).exists(),
    )


def _programme_form(request: StaffRequest, programme: Programme | None) -> HttpResponse:
    form = f.ProgrammeForm(request.POST or None, instance=programme, user=request.user)
    return form_page(
        request,
        form,
        lambda data: services.save_programme(form.instance),
        done="Đã lưu chương trình.",
        template="inspections/programme_form.html",
        context={"nav": NAV, "programme": programme},
    )


@staff_form_view
def programme_add(request: StaffRequest) -> HttpResponse:
    if not Organization.objects.visible_to(request.user, MANAGE).exists():
        raise Http404
    return _programme_form(request, None)


@staff_form_view
def programme_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _programme_form(request, _programme(request, pk, MANAGE))


@staff_page
def programme_detail(request: StaffRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    inspections = (
        programme.inspections.select_related("inspected", "inspected__area")
        .annotate(
            open=Count("recommendations", filter=Q(recommendations__done_on__isnull=True)),
            total=Count("recommendations"),
        )
        .order_by("starts_on", "pk")
    )
    return render(
        request,
        "inspections/programme_detail.html",
        {
            "nav": NAV,
            "programme": programme,
            "inspections": inspections,
            "can_manage": Programme.objects.visible_to(request.user, MANAGE)
            .filter(pk=programme.pk)
            .exists(),
        },
    )


def _inspection_form(
    request: StaffRequest, programme: Programme, inspection: Inspection | None
) -> HttpResponse:
    instance = inspection or Inspection(programme=programme)
    form = f.InspectionForm(request.POST or None, instance=instance, programme=programme)

    def save(data: dict[str, Any]) -> Inspection:
        form.instance.programme = programme
        return services.save_inspection(form.instance)

    return form_page(
        request,
        form,
        save,
        done="Đã lưu cuộc kiểm tra, giám sát.",
        template="inspections/inspection_form.html",
        context={"nav": NAV, "programme": programme, "inspection": inspection},
    )


@staff_form_view
def inspection_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _inspection_form(request, _programme(request, pk, MANAGE), None)


@staff_form_view
def inspection_edit(request: StaffRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, MANAGE)
    return _inspection_form(request, inspection.programme, inspection)


@staff_page
def inspection_detail(request: StaffRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    can_manage = Inspection.objects.visible_to(request.user, MANAGE).filter(pk=pk).exists()
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "nav": NAV,
            "inspection": inspection,
            "recommendations": inspection.recommendations.all(),
            "can_manage": can_manage,
            "add_form": f.RecommendationForm() if can_manage else None,
        },
    )


@staff_form_view
def inspection_conclude(request: StaffRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, MANAGE)
    initial = {
        "findings": inspection.findings,
        "conclusions": inspection.conclusions,
        "concluded_on": inspection.concluded_on or timezone.localdate(),
    }
    return form_page(
        request,
        f.ConcludeForm(request.POST or None, initial=initial),
        lambda data: services.conclude_inspection(inspection, **data),
        done="Đã ghi kết luận.",
        then=inspection,
        template="inspections/conclude.html",
        context={"nav": NAV, "inspection": inspection},
    )


@staff_form_view
def recommendation_add(request: StaffRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, MANAGE)
    return form_page(
        request,
        f.RecommendationForm(request.POST or None),
        lambda data: services.add_recommendation(inspection, by=request.user, **data),
        done="Đã ghi kiến nghị.",
        then=inspection,
        template="inspections/recommendation_form.html",
        context={"nav": NAV, "inspection": inspection},
    )


@staff_form_view
def recommendation_settle(request: StaffRequest, pk: int) -> HttpResponse:
    recommendation = get_visible_or_404(
        Recommendation.objects.select_related("inspection"),
        request.user,
        MANAGE,
        pk=pk,
    )
    return form_page(
        request,
        f.SettleForm(request.POST or None, initial={"done_on": timezone.localdate()}),
        lambda data: services.settle_recommendation(recommendation, **data),
        done="Đã ghi kết quả thực hiện.",
        then=recommendation.inspection,
        template="inspections/settle.html",
        context={"nav": NAV, "recommendation": recommendation},
    )


def _follow_up(request: StaffRequest) -> tuple[str, Any]:
    qs = Recommendation.objects.visible_to(request.user).select_related(
        "inspection__inspected", "inspection__programme"
    )
    state = request.GET.get("tinh_trang", "open")
    today = timezone.localdate()
    if state == "open":
        qs = qs.filter(done_on__isnull=True)
    elif state == "overdue":
        qs = qs.filter(done_on__isnull=True, deadline__lt=today)
    elif state == "done":
        qs = qs.filter(done_on__isnull=False)
    else:
        state = "all"
    return state, qs.order_by("deadline", "pk")


@staff_page
def follow_up(request: StaffRequest) -> HttpResponse:
    """The recommendations to follow, the most urgent first."""
    state, qs = _follow_up(request)
    return list_page(
        request,
        "inspections/follow_up.html",
        qs,
        nav=NAV,
        state=state,
        states=[("open", "Chưa thực hiện"), ("overdue", "Quá hạn"), ("done", "Đã thực hiện"),
                ("all", "Tất cả")],
    )  # fmt: skip


@staff_page
def follow_up_export(request: StaffRequest) -> HttpResponse:
    _state, qs = _follow_up(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kiến nghị sau kiểm tra")
    write_header(
        ws,
        [("STT", 6), ("Đơn vị được kiểm tra", 32), ("Chương trình", 36), ("Kiến nghị", 60),
         ("Hạn", 12), ("Tình trạng", 16), ("Ngày hoàn thành", 14), ("Kết quả", 50)],
    )  # fmt: skip
    for n, r in enumerate(qs, start=1):
        append_row(
            ws,
            [n, r.inspection.inspected.name, r.inspection.programme.title, r.text,
             format_date(r.deadline), r.status_label,
             format_date(r.done_on) if r.done_on else "", r.result],
        )  # fmt: skip
    add_notes(wb, ["Theo bộ lọc đang chọn, trong phạm vi của người xuất."])
    return xlsx_attachment(workbook_bytes(wb), "Kiến nghị sau kiểm tra")
