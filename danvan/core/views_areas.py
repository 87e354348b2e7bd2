"""Staff pages of areas: the tree, hamlets (added, imported, edited) and
restructuring (rename, split, merge)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from danvan.core import forms as f
from danvan.core import restructuring, services
from danvan.core.imports import hamlet_template as build_hamlet_template
from danvan.core.listing import StaffRequest, tree_list_page
from danvan.core.models import Area, AreaKind, Organization, OrgKind, Period, Restructuring
from danvan.core.scope import MANAGE_TREE, VIEW, can, get_scope, get_visible_or_404
from danvan.core.text import vn_sort_key
from danvan.core.views_common import form_page, import_page, staff_form_view, staff_page

# --- Areas --------------------------------------------------------------------------


@staff_page
def area_list(request: StaffRequest) -> HttpResponse:
    return tree_list_page(
        request,
        "staff/area_list.html",
        Area.objects.visible_to(request.user),
        f.AreaFilterForm(request.GET or None),
        related="successor",
        nav="areas",
        can_import=get_scope(request.user).allows(MANAGE_TREE),
    )


def chosen_period(request: HttpRequest, periods: list[Period], area: Area) -> Period | None:
    """The period asked for (?ky=), else the latest one with figures for the unit
    (for an ended unit: among the periods it lived through)."""
    wanted = request.GET.get("ky", "")
    for p in periods:
        if str(p.pk) == wanted:
            return p
    lived = [p for p in periods if area.valid_to is None or p.start < area.valid_to]
    for p in lived[:8]:
        if services.member_totals(area, p)["total"]:
            return p
    return lived[0] if lived else (periods[0] if periods else None)


@staff_page
def area_detail(request: StaffRequest, pk: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects, request.user, VIEW, pk=pk)
    children = sorted(
        Area.objects.get_children(area), key=lambda a: (a.valid_to is not None, vn_sort_key(a.name))
    )
    ancestors = list(Area.objects.get_ancestors(area))
    periods = list(Period.objects.latest_first())
    period = chosen_period(request, periods, area)
    totals = services.member_totals(area, period) if period else None
    lineage = [a for a in area.lineage() if a.pk != area.pk and a.valid_to is not None]
    history = (
        Restructuring.objects.filter(Q(predecessors=area) | Q(successors=area))
        .prefetch_related("predecessors", "successors")
        .distinct()
    )
    orgs = Organization.objects.filter(area=area).order_by("valid_to", "kind", "name")
    return render(
        request,
        "staff/area_detail.html",
        {
            "nav": "areas",
            "area": area,
            "ancestors": ancestors,
            "children": children,
            "orgs": orgs,
            "period": period,
            "periods": periods,
            "totals": totals,
            "kinds": dict(OrgKind.choices),
            "lineage": lineage,
            "history": history,
            "can_manage_tree": area.is_current and can(request.user, MANAGE_TREE, area),
        },
    )


@staff_form_view
def hamlet_add(request: StaffRequest, pk: int) -> HttpResponse:
    commune = get_visible_or_404(
        Area.objects.filter(kind=AreaKind.COMMUNE), request.user, MANAGE_TREE, pk=pk
    )
    return form_page(
        request,
        f.HamletForm(request.POST or None),
        lambda data: services.add_hamlet(commune, **data),
        done=lambda hamlet: f"Đã thêm {hamlet.name} vào {commune.name}.",
        then=commune,
        template="staff/hamlet_form.html",
        context={"nav": "areas", "area": commune},
    )


@staff_form_view
def hamlet_import(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE_TREE):
        raise Http404
    return import_page(
        request,
        f.HamletImportForm(request.POST or None, request.FILES or None),
        kind="import_hamlets",
        title=lambda data: f"Nhập ấp, khu vực từ {data['file'].name}",
        started="Đã nhận file; hệ thống đang kiểm tra và nhập dữ liệu.",
        template="staff/hamlet_import.html",
        context={"nav": "areas"},
    )


@staff_page
def hamlet_template(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE_TREE):
        raise Http404
    response = HttpResponse(
        build_hamlet_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-ap-khu-vuc.xlsx"'
    return response


def _restructure_view(
    request: StaffRequest, pk: int, template: str, make_form: Any, apply: Any
) -> HttpResponse:
    area = get_visible_or_404(
        Area.objects.filter(valid_to__isnull=True), request.user, MANAGE_TREE, pk=pk
    )
    form = make_form(area, request.POST or None)
    return form_page(
        request,
        form,
        lambda _data: apply(area, form),
        done="Đã ghi nhận việc sắp xếp đơn vị hành chính.",
        then=reverse("staff:area_detail", kwargs={"pk": area.pk}),
        template=template,
        context={"nav": "areas", "area": area},
    )


@staff_form_view
def area_rename(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        restructuring.rename_area(request.user, area, **form.cleaned_data)

    return _restructure_view(
        request, pk, "staff/area_rename.html", lambda a, d: f.RenameForm(d), apply
    )


def _restructure_with_preview(
    request: StaffRequest,
    pk: int,
    template: str,
    make_form: Any,
    preview: Any,
    apply: Any,
) -> HttpResponse:
    """A destructive restructuring in two steps: the form, then a page showing what
    ends, what moves and what takes over, with the form's values carried in hidden
    fields; "Xác nhận" records it, "Quay lại sửa" returns to the filled form.
    The preview runs the write and rolls it back, so refusals show before it."""
    area = get_visible_or_404(
        Area.objects.filter(valid_to__isnull=True), request.user, MANAGE_TREE, pk=pk
    )
    form = make_form(area, request.POST or None)
    editing = "edit" in request.POST
    if request.method == "POST" and not editing and form.is_valid():
        if "confirm" in request.POST:
            try:
                apply(area, form)
            except ValidationError as exc:
                f.form_error(form, exc)
            else:
                messages.success(request, "Đã ghi nhận việc sắp xếp đơn vị hành chính.")
                return redirect("staff:area_detail", pk=area.pk)
        else:
            plan = preview(area, form)
            try:
                restructuring.dry_run(lambda: apply(area, form))
            except ValidationError as exc:
                f.form_error(form, exc)
            else:
                return render(
                    request,
                    "staff/restructure_preview.html",
                    {"nav": "areas", "area": area, "form": form, "plan": plan},
                )
    return render(request, template, {"nav": "areas", "area": area, "form": form})


@staff_form_view
def area_split(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        d = form.cleaned_data
        restructuring.split_area(
            request.user,
            area,
            d["parts"],
            effective_on=d["effective_on"],
            decision=d["decision"],
        )

    def preview(area: Area, form: Any) -> restructuring.RestructuringPreview:
        d = form.cleaned_data
        return restructuring.preview_split(
            area, d["parts"], effective_on=d["effective_on"], decision=d["decision"]
        )

    return _restructure_with_preview(
        request,
        pk,
        "staff/area_split.html",
        lambda a, d: f.SplitForm(d, area=a),
        preview,
        apply,
    )


def _merge_arguments(area: Area, form: Any) -> dict[str, Any]:
    d = form.cleaned_data
    existing = d["target_mode"] == "existing"
    return {
        "effective_on": d["effective_on"],
        "into": d["into"] if existing else None,
        "new_unit": None if existing else form.new_unit(),
        "parent": None if existing else d["parent"],
        "decision": d["decision"],
    }


@staff_form_view
def area_merge(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        others = list(form.cleaned_data["others"])
        restructuring.merge_areas(request.user, [area, *others], **_merge_arguments(area, form))

    def preview(area: Area, form: Any) -> restructuring.RestructuringPreview:
        others = list(form.cleaned_data["others"])
        return restructuring.preview_merge([area, *others], **_merge_arguments(area, form))

    return _restructure_with_preview(
        request,
        pk,
        "staff/area_merge.html",
        lambda a, d: f.MergeForm(d, area=a, user=request.user),
        preview,
        apply,
    )


@staff_form_view
def hamlet_edit(request: StaffRequest, pk: int) -> HttpResponse:
    """Correct a hamlet's name, type or population (a data fix, audited)."""
    hamlet = get_visible_or_404(
        Area.objects.filter(kind=AreaKind.HAMLET, valid_to__isnull=True),
        request.user,
        MANAGE_TREE,
        pk=pk,
    )
    form = f.HamletForm(
        request.POST or None,
        initial={
            "name": hamlet.name,
            "unit_type": hamlet.unit_type,
            "population": hamlet.population,
        },
    )
    return form_page(
        request,
        form,
        lambda data: services.update_hamlet(hamlet, **data),
        done=lambda saved: f"Đã cập nhật {saved.name}.",
        template="staff/hamlet_edit.html",
        context={"nav": "areas", "area": hamlet},
    )
