"""Staff pages of the people the targets count: the communicator network,
officials and their training courses (namespace "plans_staff")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core.forms import form_error
from danvan.core.listing import StaffRequest, list_page
from danvan.core.models import Organization
from danvan.core.scope import (
    MANAGE,
    can,
    get_scope,
    get_visible_or_404,
)
from danvan.core.text import fold
from danvan.plans import forms as f
from danvan.plans import services
from danvan.plans.models import (
    Communicator,
    CommunicatorKind,
    Completion,
    Course,
    Official,
    OfficialClass,
)

NAV = "plans"


# --- The communicator network ----------------------------------------------------------------


def _communicators(request: StaffRequest) -> tuple[dict[str, str], Any]:
    qs = Communicator.objects.visible_to(request.user).select_related("area", "organization")
    chosen = {k: request.GET.get(k, "").strip() for k in ("q", "loai", "to_chuc", "con")}
    for term in fold(chosen["q"]).split():
        qs = qs.filter(full_name_folded__contains=term)
    if chosen["loai"] in CommunicatorKind.values:
        qs = qs.filter(kind=chosen["loai"])
    if chosen["to_chuc"].isascii() and chosen["to_chuc"].isdigit():
        qs = qs.filter(organization_id=int(chosen["to_chuc"]))
    else:
        chosen["to_chuc"] = ""
    if chosen["con"] == "1":
        qs = qs.active()
    return chosen, qs


@require_safe
@login_required
def communicator_list(request: StaffRequest) -> HttpResponse:
    chosen, qs = _communicators(request)
    body = (
        Organization.objects.visible_to(request.user).filter(pk=int(chosen["to_chuc"])).first()
        if chosen["to_chuc"]
        else None
    )
    return list_page(
        request,
        "plans/staff/communicator_list.html",
        qs,
        nav=NAV,
        chosen=chosen,
        body=body,
        kinds=CommunicatorKind.choices,
        can_add=get_scope(request.user).allows(MANAGE),
    )


def _communicator_form(request: StaffRequest, row: Communicator | None) -> HttpResponse:
    form = f.CommunicatorForm(request.POST or None, instance=row, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.save_communicator(row, phone=form.cleaned_data["phone"], **values)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Đã lưu {saved.full_name}.")
            return redirect("plans_staff:communicator_list")
    context = {"nav": NAV, "form": form, "row": row}
    return render(request, "plans/staff/communicator_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def communicator_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    return _communicator_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def communicator_edit(request: StaffRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(
        Communicator.objects.select_related("area", "organization"), request.user, MANAGE, pk=pk
    )
    return _communicator_form(request, row)


# --- Training of officials ---------------------------------------------------------------------


@require_safe
@login_required
def official_list(request: StaffRequest) -> HttpResponse:
    """Officials the training targets count; "chưa tập huấn": who still needs it."""
    qs = Official.objects.visible_to(request.user).select_related("organization__area")
    chosen = {k: request.GET.get(k, "").strip() for k in ("q", "nhom", "chua")}
    for term in fold(chosen["q"]).split():
        qs = qs.filter(full_name_folded__contains=term)
    if chosen["nhom"] in OfficialClass.values:
        qs = qs.filter(official_class=chosen["nhom"])
    trained_ids = Completion.objects.filter(completed=True).values("official_id")
    if chosen["chua"] == "1":
        qs = qs.exclude(pk__in=trained_ids).filter(left_on__isnull=True)
    qs = qs.annotate(done=Count("completions", filter=Q(completions__completed=True))).order_by(
        "organization__path", "full_name_folded", "pk"
    )
    return list_page(
        request,
        "plans/staff/official_list.html",
        qs,
        nav=NAV,
        chosen=chosen,
        classes=OfficialClass.choices,
        can_add=get_scope(request.user).allows(MANAGE),
    )


def _official_form(request: StaffRequest, row: Official | None) -> HttpResponse:
    form = f.OfficialForm(request.POST or None, instance=row, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        saved = services.save_official(row, **values)
        messages.success(request, f"Đã lưu {saved.full_name}.")
        return redirect("plans_staff:official_list")
    context = {"nav": NAV, "form": form, "row": row}
    return render(request, "plans/staff/official_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def official_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    return _official_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def official_edit(request: StaffRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(Official.objects.all(), request.user, MANAGE, pk=pk)
    return _official_form(request, row)


@require_safe
@login_required
def course_list(request: StaffRequest) -> HttpResponse:
    qs = (
        Course.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(people=Count("completions"))
        .order_by("-starts_on", "-pk")
    )
    can_add = get_scope(request.user).allows(MANAGE)
    return list_page(request, "plans/staff/course_list.html", qs, nav=NAV, can_add=can_add)


@require_http_methods(["GET", "POST"])
@login_required
def course_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    form = f.CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            course = services.create_course(**values)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Đã thêm lớp. Hãy ghi danh sách học viên.")
            return redirect(course)
    return render(request, "plans/staff/course_form.html", {"nav": NAV, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def course_detail(request: StaffRequest, pk: int) -> HttpResponse:
    course = get_visible_or_404(Course.objects.select_related("organization"), request.user, pk=pk)
    can_manage = can(request.user, MANAGE, course)
    form = f.CompletionForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("Không tìm thấy.")
        if form.is_valid():
            data = form.cleaned_data
            rows = [(o, data["completed"], data["certificate"]) for o in data["officials"]]
            try:
                added = services.add_completions(course, rows)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, f"Đã ghi {len(added)} học viên.")
                return redirect(course)
    completions = course.completions.select_related("official__organization").order_by(
        "official__full_name_folded"
    )
    context = {"nav": NAV, "course": course, "completions": completions, "form": form}
    return render(request, "plans/staff/course_detail.html", context)
