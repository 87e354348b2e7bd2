"""Staff pages of the work the targets count: briefings and their
attendance, briefing materials, aggregate returns (namespace "plans_staff")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from danvan.core.documents import check_document
from danvan.core.forms import form_error
from danvan.core.indicators import INDICATORS
from danvan.core.listing import StaffRequest, by_choice, list_page
from danvan.core.models import Area, AreaKind, Organization, Period
from danvan.core.scope import (
    MANAGE,
    can,
    get_scope,
    get_visible_or_404,
    manager_only,
)
from danvan.core.text import search_folded
from danvan.core.views_common import (
    confirm_page,
    form_page,
    import_page,
    staff_form_view,
    staff_page,
    stored_document,
    submit_form,
)
from danvan.plans import briefings, exports, imports, services
from danvan.plans import forms as f
from danvan.plans import forms_briefing as fb
from danvan.plans.models import (
    ATTENDING,
    AggregateReturn,
    Attendance,
    Attendee,
    Audience,
    Briefing,
    BriefingFormat,
    Language,
    Material,
    MaterialFile,
)
from danvan.plans.models.plans import readers_key

NAV = "plans"


# --- Briefings ---------------------------------------------------------------------------------


def _briefings(request: StaffRequest) -> tuple[dict[str, str], Any]:
    qs = Briefing.objects.visible_to(request.user).select_related("organization__area")
    chosen = {
        k: request.GET.get(k, "").strip() for k in ("q", "hinh_thuc", "doi_tuong", "tu", "den")
    }
    qs = search_folded(qs, chosen["q"], "topic_folded", "organization__name_folded")
    qs = by_choice(qs, "format", chosen["hinh_thuc"], BriefingFormat)
    qs = by_choice(qs, "audience", chosen["doi_tuong"], Audience)
    for key, lookup in (("tu", "held_on__gte"), ("den", "held_on__lte")):
        try:
            qs = qs.filter(**{lookup: date.fromisoformat(chosen[key])}) if chosen[key] else qs
        except ValueError:
            chosen[key] = ""
    return chosen, qs.annotate(people=Sum("attendances__attendees")).order_by("-held_on", "-pk")


@staff_page
def briefing_list(request: StaffRequest) -> HttpResponse:
    chosen, qs = _briefings(request)
    return list_page(
        request,
        "plans/staff/briefing_list.html",
        qs,
        nav=NAV,
        chosen=chosen,
        formats=BriefingFormat.choices,
        audiences=Audience.choices,
        can_add=get_scope(request.user).allows(MANAGE),
        export_query=request.GET.urlencode(),
    )


@staff_page
def briefing_export(request: StaffRequest) -> HttpResponse:
    _chosen, qs = _briefings(request)
    rows = qs.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("organization"))
    )
    return exports.excel(exports.briefings_workbook(rows), "Các buổi tuyên truyền")


UNIT_FIRST = 300
"""A user who may record the briefings of more bodies than this (a province's
thousands) first chooses the unit: the page then lists that unit's bodies
only, not every body of the province in each row."""


UNITS_SHOWN = 200


def _briefing_unit(request: StaffRequest) -> Area | None:
    """The unit chosen for the briefing (`don_vi`, in the query string or the
    form), a current unit above the hamlets in the user's scope; None when
    none was chosen. A unit out of scope, or no unit, is a 404."""
    raw = request.POST.get("don_vi") or request.GET.get("don_vi", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Http404("Không tìm thấy.")
    return get_object_or_404(_briefing_units(request), pk=int(raw))


def _briefing_units(request: StaffRequest) -> Any:
    return (
        Area.objects.visible_to(request.user)
        .current()
        .exclude(kind=AreaKind.HAMLET)
        .order_by("path")
    )


@staff_form_view
def briefing_add(request: StaffRequest) -> HttpResponse:
    readers = readers_key(request.user)  # first: it reads the scope version too
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    unit = _briefing_unit(request)
    form = fb.BriefingForm(request.POST or None, user=request.user, unit=unit, readers=readers)
    bodies = fb.scoped(  # the bodies whose members attend: the Front, the unions and their branches
        form.readers,
        "attending",
        lambda: (
            Organization.objects.visible_to(request.user)
            .current()
            .filter(kind__in=ATTENDING)
            .select_related("area")
            .order_by("path")
        ),
    )
    if unit is not None:
        bodies = bodies.filter(fb.of_unit(unit))
    elif request.method == "GET" and bodies.count() > UNIT_FIRST:
        units = _briefing_units(request)
        q = request.GET.get("q", "").strip()
        units = search_folded(units, q, "name_folded")
        context = {"nav": NAV, "q": q, "count": units.count(), "shown": units[:UNITS_SHOWN]}
        return render(request, "plans/staff/briefing_unit.html", context)
    names_sent = request.method == "POST" and "ten-TOTAL_FORMS" in request.POST
    attendance, rows = None, None
    if request.method == "POST":
        kept = fb.kept_bodies(form.readers, f"attending:{getattr(unit, 'pk', '')}", bodies)

        def found(pks: set[int]) -> dict[int, Organization]:
            if kept is not None:
                return kept
            return {body.pk: body for body in bodies.filter(pk__in=pks)}

        attendance = fb.attendance_from(request.POST, found)
        if attendance is None:  # a row to show with its message
            rows = fb.AttendanceRows(
                request.POST, prefix=fb.ROWS_PREFIX, form_kwargs={"bodies": bodies, "known": kept}
            )
            if rows.is_valid():
                attendance = [
                    (r["organization"], r["attendees"])
                    for r in rows.cleaned_data
                    if r.get("organization")
                ]
    # The names are optional: a POST without their rows at all records counts only.
    names = fb.NamedRows(
        request.POST if names_sent else None, prefix="ten", form_kwargs={"bodies": bodies}
    )
    asked = False
    # Every part checked (so each shows its errors), the names only when sent.
    valid = [form.is_valid(), attendance is not None, not names_sent or names.is_valid()]
    if request.method == "POST" and all(valid):
        assert attendance is not None
        data = form.cleaned_data
        fields = {n: data[n] for n in ("plan", "topic", "held_on", "place", "format", "audience")}
        named = fb.named_from(names) if names_sent else []
        try:
            briefing = briefings.record_briefing(
                by=request.user,
                organization=data["organization"],
                attendance=attendance,
                named=named,
                confirmed=data["confirmed"],
                **fields,
            )
        except ValidationError as error:
            form_error(form, error)
            asked = error.code == "above_members"
        else:
            total = sum(n for _b, n, _f in briefings.attendance_rows(attendance, named))
            messages.success(request, f"Đã ghi buổi tuyên truyền với {total} người dự.")
            return redirect(briefing)
    if rows is None:
        rows = fb.AttendanceRows(
            request.POST or None, prefix=fb.ROWS_PREFIX, form_kwargs={"bodies": bodies}
        )
    context = {"nav": NAV, "form": form, "rows": rows, "names": names, "asked": asked}
    context["unit"] = unit
    return render(request, "plans/staff/briefing_form.html", context)


@staff_page
def briefing_detail(request: StaffRequest, pk: int) -> HttpResponse:
    briefing = get_visible_or_404(
        Briefing.objects.select_related("organization__area", "plan", "created_by"),
        request.user,
        pk=pk,
    )
    attendances = list(
        briefing.attendances.select_related("organization__area").order_by("organization__path")
    )
    people = list(briefing.named_attendees.select_related("organization"))
    listed: dict[int, int] = defaultdict(int)
    for person in people:
        listed[person.organization_id] += 1
    rows = [(a, listed[a.organization_id]) for a in attendances]
    total = sum(a.attendees for a in attendances)
    can_manage = can(request.user, MANAGE, briefing)
    context = {
        "nav": NAV, "briefing": briefing, "rows": rows, "total": total, "people": people,
        "can_manage": can_manage,
    }  # fmt: skip
    return render(request, "plans/staff/briefing_detail.html", context)


def _briefing_to_manage(request: StaffRequest, pk: int) -> Briefing:
    return get_visible_or_404(
        Briefing.objects.select_related("organization__area"), request.user, MANAGE, pk=pk
    )


@staff_form_view
def attendee_add(request: StaffRequest, pk: int) -> HttpResponse:
    """People who attended, listed by name, several at once."""
    briefing = _briefing_to_manage(request, pk)
    bodies = imports.attending_bodies(request.user, briefing)
    names = fb.MoreNamedRows(request.POST or None, prefix="ten", form_kwargs={"bodies": bodies})
    errors: list[str] = []
    if request.method == "POST" and names.is_valid():
        try:
            added = briefings.add_attendees(briefing, fb.named_from(names))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"Đã thêm {len(added)} người dự.")
            return redirect(briefing)
    elif request.method == "POST":
        errors = ["Hãy sửa các dòng có lỗi bên dưới."]
    context = {"nav": NAV, "briefing": briefing, "names": names, "errors": errors}
    return render(request, "plans/staff/attendee_form.html", context)


@staff_form_view
def attendee_import(request: StaffRequest, pk: int) -> HttpResponse:
    """A briefing's attendees from an Excel list, checked and written by a job."""
    briefing = _briefing_to_manage(request, pk)
    return import_page(
        request,
        fb.AttendeeImportForm(request.POST or None, request.FILES or None),
        kind="import_attendees",
        title=lambda data: (
            f"Nhập danh sách người dự buổi “{briefing.topic}” từ {data['file'].name}"
        ),
        params=lambda data: {"briefing": briefing.pk},
        template="plans/staff/attendee_import.html",
        context={"nav": NAV, "briefing": briefing},
    )


@staff_page
def attendee_template(request: StaffRequest, pk: int) -> HttpResponse:
    briefing = _briefing_to_manage(request, pk)
    data = imports.attendee_template(request.user, briefing)
    return exports.excel(data, f"Mẫu danh sách người dự {briefing.held_on:%d-%m-%Y}")


@staff_form_view
def attendee_delete(request: StaffRequest, pk: int, person: int) -> HttpResponse:
    """Take a person off the list: GET asks, POST does it."""
    briefing = _briefing_to_manage(request, pk)
    row = get_object_or_404(
        Attendee.objects.select_related("organization"), pk=person, briefing=briefing
    )
    return confirm_page(
        request,
        lambda: briefings.remove_attendee(row),
        done=f"Đã bỏ {row.full_name} khỏi danh sách người dự.",
        then=briefing,
        template="plans/staff/attendee_delete.html",
        context={"nav": NAV, "briefing": briefing, "person": row},
    )


# --- Aggregate returns -------------------------------------------------------------------------


@staff_page
def return_list(request: StaffRequest) -> HttpResponse:
    qs = AggregateReturn.objects.visible_to(request.user).select_related("area", "period")
    period = request.GET.get("ky", "")
    if period.isascii() and period.isdigit():
        qs = qs.filter(period_id=int(period))
    indicator = request.GET.get("chi_so", "")
    if indicator in INDICATORS:
        qs = qs.filter(indicator=indicator)
    labels = {code: i.label for code, i in INDICATORS.items()}
    return list_page(
        request,
        "plans/staff/return_list.html",
        qs,
        nav=NAV,
        labels=labels,
        periods=Period.objects.latest_first(),
        chosen={"ky": period, "chi_so": indicator},
        can_add=get_scope(request.user).allows(MANAGE),
    )


@staff_form_view
@manager_only
def return_add(request: StaffRequest) -> HttpResponse:
    return form_page(
        request,
        f.ReturnForm(request.POST or None, user=request.user),
        lambda data: services.save_return(by=request.user, **data),
        done=lambda saved: f"Đã lưu số liệu tổng hợp của {saved.area.name}.",
        then="plans_staff:return_list",
        template="plans/staff/return_form.html",
        context={"nav": NAV},
    )


@staff_form_view
@manager_only
def return_import(request: StaffRequest) -> HttpResponse:
    """Returns of many units from the Excel template, checked and written by a job."""
    return import_page(
        request,
        f.ReturnImportForm(request.POST or None, request.FILES or None),
        kind="import_returns",
        title=lambda data: f"Nhập số liệu tổng hợp kỳ {data['period'].name} từ {data['file'].name}",
        params=lambda data: {"period": data["period"].pk},
        template="plans/staff/return_import.html",
        context={"nav": NAV},
    )


@staff_page
def return_template(request: StaffRequest) -> HttpResponse:
    return exports.excel(imports.return_template(request.user), "Mẫu số liệu tổng hợp")


# --- Briefing materials ---------------------------------------------------------------------


@staff_page
def material_list(request: StaffRequest) -> HttpResponse:
    qs = Material.objects.visible_to(request.user).select_related("organization")
    chosen = {k: request.GET.get(k, "").strip() for k in ("q", "doi_tuong", "ngon_ngu", "con")}
    qs = search_folded(qs, chosen["q"], "title_folded")
    qs = by_choice(qs, "audience", chosen["doi_tuong"], Audience)
    qs = by_choice(qs, "files__language", chosen["ngon_ngu"], Language)
    if chosen["con"] == "1":
        today = timezone.localdate()
        qs = qs.filter(valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    qs = (
        qs.prefetch_related("files")
        .annotate(sent=Count("dispatches", distinct=True))
        .order_by("-valid_from", "-pk")
    )
    return list_page(
        request,
        "plans/staff/material_list.html",
        qs.distinct(),
        nav=NAV,
        chosen=chosen,
        audiences=Audience.choices,
        languages=Language.choices,
        can_add=get_scope(request.user).allows(MANAGE),
    )


@staff_form_view
@manager_only
def material_add(request: StaffRequest) -> HttpResponse:
    form = f.MaterialForm(request.POST or None, request.FILES or None, user=request.user)

    def create(data: dict[str, Any]) -> Material:
        checked = check_document(data["file"])
        with transaction.atomic():
            values = {name: data[name] for name in form.Meta.fields}
            material = services.create_material(**values)
            services.add_material_file(
                material, checked, language=data["language"], file_name=data["file"].name
            )
        return material

    return form_page(
        request,
        form,
        create,
        done="Đã thêm tài liệu.",
        template="plans/staff/material_form.html",
        context={"nav": NAV},
    )


@staff_form_view
def material_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """A material's language versions and the units it was sent to; its
    managers add a version or record where it was sent."""
    material = get_visible_or_404(
        Material.objects.select_related("organization"), request.user, pk=pk
    )
    can_manage = can(request.user, MANAGE, material)
    file_form = f.MaterialFileForm(prefix="tep")
    send_form = f.DispatchForm(prefix="gui", user=request.user)
    if request.method == "POST":
        if not can_manage:
            raise Http404("Không tìm thấy.")
        if "tep-language" in request.POST:
            file_form = f.MaterialFileForm(request.POST, request.FILES, prefix="tep")
            done = submit_form(
                request,
                file_form,
                lambda data: services.add_material_file(
                    material, check_document(data["file"]),
                    language=data["language"], file_name=data["file"].name,
                ),
                done="Đã thêm bản tài liệu.",
                then=material,
            )  # fmt: skip
        else:
            send_form = f.DispatchForm(request.POST, prefix="gui", user=request.user)
            done = submit_form(
                request,
                send_form,
                lambda data: services.send_material(material, **data),
                done=lambda n: f"Đã ghi {n} nơi nhận mới.",
                then=material,
            )
        if done is not None:
            return done
    dispatches = material.dispatches.select_related("area").order_by("area__path")
    return render(
        request,
        "plans/staff/material_detail.html",
        {
            "nav": NAV,
            "material": material,
            "files": material.files.order_by("language"),
            "dispatches": dispatches,
            "can_manage": can_manage,
            "file_form": file_form,
            "send_form": send_form,
        },
    )


@staff_page
def material_download(request: StaffRequest, pk: int, file_pk: int) -> FileResponse:
    material = get_visible_or_404(Material.objects.all(), request.user, pk=pk)
    row = get_object_or_404(MaterialFile, pk=file_pk, material=material)
    return stored_document(row.stored, row.file_name, row.extension)
