"""Staff pages of the people the targets count: the communicator network,
officials and their training courses (namespace "plans_staff")."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render

from danvan.core.listing import StaffRequest, by_choice, list_page
from danvan.core.models import Organization
from danvan.core.scope import (
    MANAGE,
    can,
    get_scope,
    get_visible_or_404,
    manager_only,
)
from danvan.core.text import search_folded
from danvan.core.views_common import form_page, staff_form_view, staff_page, submit_form
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
    qs = search_folded(qs, chosen["q"], "full_name_folded")
    qs = by_choice(qs, "kind", chosen["loai"], CommunicatorKind)
    if chosen["to_chuc"].isascii() and chosen["to_chuc"].isdigit():
        qs = qs.filter(organization_id=int(chosen["to_chuc"]))
    else:
        chosen["to_chuc"] = ""
    if chosen["con"] == "1":
        qs = qs.active()
    return chosen, qs


@staff_page
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

    def save(data: dict[str, Any]) -> Communicator:
        values = {name: data[name] for name in form.Meta.fields}
        return services.save_communicator(row, phone=data["phone"], **values)

    return form_page(
        request,
        form,
        save,
        done=lambda saved: f"Đã lưu {saved.full_name}.",
        then="plans_staff:communicator_list",
        template="plans/staff/communicator_form.html",
        context={"nav": NAV, "row": row},
    )


@staff_form_view
@manager_only
def communicator_add(request: StaffRequest) -> HttpResponse:
    return _communicator_form(request, None)


@staff_form_view
def communicator_edit(request: StaffRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(
        Communicator.objects.select_related("area", "organization"), request.user, MANAGE, pk=pk
    )
    return _communicator_form(request, row)


# --- Training of officials ---------------------------------------------------------------------


@staff_page
def official_list(request: StaffRequest) -> HttpResponse:
    """Officials the training targets count; "chưa tập huấn": who still needs it."""
    qs = Official.objects.visible_to(request.user).select_related("organization__area")
    chosen = {k: request.GET.get(k, "").strip() for k in ("q", "nhom", "chua")}
    qs = search_folded(qs, chosen["q"], "full_name_folded")
    qs = by_choice(qs, "official_class", chosen["nhom"], OfficialClass)
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
    return form_page(
        request,
        form,
        lambda data: services.save_official(row, **{name: data[name] for name in form.Meta.fields}),
        done=lambda saved: f"Đã lưu {saved.full_name}.",
        then="plans_staff:official_list",
        template="plans/staff/official_form.html",
        context={"nav": NAV, "row": row},
    )


@staff_form_view
@manager_only
def official_add(request: StaffRequest) -> HttpResponse:
    return _official_form(request, None)


@staff_form_view
def official_edit(request: StaffRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(Official.objects.all(), request.user, MANAGE, pk=pk)
    return _official_form(request, row)


@staff_page
def course_list(request: StaffRequest) -> HttpResponse:
    qs = (
        Course.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(people=Count("completions"))
        .order_by("-starts_on", "-pk")
    )
    can_add = get_scope(request.user).allows(MANAGE)
    return list_page(request, "plans/staff/course_list.html", qs, nav=NAV, can_add=can_add)


@staff_form_view
@manager_only
def course_add(request: StaffRequest) -> HttpResponse:
    form = f.CourseForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda data: services.create_course(**{name: data[name] for name in form.Meta.fields}),
        done="Đã thêm lớp. Hãy ghi danh sách học viên.",
        template="plans/staff/course_form.html",
        context={"nav": NAV},
    )


@staff_form_view
def course_detail(request: StaffRequest, pk: int) -> HttpResponse:
    course = get_visible_or_404(Course.objects.select_related("organization"), request.user, pk=pk)
    can_manage = can(request.user, MANAGE, course)
    form = f.CompletionForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("Không tìm thấy.")
        done = submit_form(
            request,
            form,
            lambda data: services.add_completions(
                course, [(o, data["completed"], data["certificate"]) for o in data["officials"]]
            ),
            done=lambda added: f"Đã ghi {len(added)} học viên.",
            then=course,
        )
        if done is not None:
            return done
    completions = course.completions.select_related("official__organization").order_by(
        "official__full_name_folded"
    )
    context = {"nav": NAV, "course": course, "completions": completions, "form": form}
    return render(request, "plans/staff/course_detail.html", context)
