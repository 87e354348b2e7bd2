"""Staff pages of organisations: list, add, detail, member counts, edit, close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from danvan.core import forms as f
from danvan.core import restructuring, services
from danvan.core.listing import StaffRequest, tree_list_page
from danvan.core.models import MemberCount, Organization, Period, RoleAssignment
from danvan.core.scope import MANAGE, MANAGE_TREE, can, get_scope, get_visible_or_404
from danvan.core.text import format_date
from danvan.core.views_common import form_page, staff_form_view, staff_page

# --- Organisations ---------------------------------------------------------------------


@staff_page
def org_list(request: StaffRequest) -> HttpResponse:
    return tree_list_page(
        request,
        "staff/org_list.html",
        Organization.objects.visible_to(request.user),
        f.OrgFilterForm(request.GET or None, user=request.user),
        related="area",
        nav="orgs",
        can_add=get_scope(request.user).allows(MANAGE_TREE),
    )


@staff_form_view
def org_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE_TREE):
        raise Http404
    initial = {}
    if request.GET.get("area"):
        initial["area"] = request.GET["area"]
    return form_page(
        request,
        f.OrganizationForm(request.POST or None, user=request.user, initial=initial),
        lambda data: services.create_organization(**data),
        done=lambda org: f"Đã thêm {org.name}.",
        template="staff/org_form.html",
        context={"nav": "orgs"},
    )


@staff_page
def org_detail(request: StaffRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization.objects.select_related("area"), request.user, pk=pk)
    counts = MemberCount.objects.filter(organization=org).select_related("period")
    children = Organization.objects.get_children(org).select_related("area")
    return render(
        request,
        "staff/org_detail.html",
        {
            "nav": "orgs",
            "org": org,
            "parent": Organization.objects.get_parent(org),
            "children": children,
            "counts": counts,
            "can_manage": can(request.user, MANAGE, org),
            "can_change": org.valid_to is None and can(request.user, MANAGE_TREE, org),
        },
    )


@staff_form_view
def member_count_edit(request: StaffRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization.objects, request.user, MANAGE, pk=pk)
    period = Period.objects.latest_first().first()
    existing = MemberCount.objects.filter(organization=org, period=period).first()
    form = f.MemberCountForm(
        request.POST or None,
        initial={"period": period, "members": existing.members if existing else None},
    )
    return form_page(
        request,
        form,
        lambda data: services.set_member_count(org, data["period"], data["members"]),
        done="Đã cập nhật số hội viên.",
        then=org,
        template="staff/member_count_form.html",
        context={"nav": "orgs", "org": org},
    )


def _org_to_change(request: StaffRequest, pk: int) -> Organization:
    """A body in force that the user may change (board administrators in scope)."""
    return get_visible_or_404(
        Organization.objects.filter(valid_to__isnull=True).select_related("area"),
        request.user,
        MANAGE_TREE,
        pk=pk,
    )


@staff_form_view
def org_edit(request: StaffRequest, pk: int) -> HttpResponse:
    org = _org_to_change(request, pk)
    parent = Organization.objects.get_parent(org)
    form = f.OrganizationEditForm(
        request.POST or None,
        org=org,
        user=request.user,
        initial={"name": org.name, "kind": org.kind, "parent": parent},
    )
    return form_page(
        request,
        form,
        lambda data: services.update_organization(org, **data),
        done=lambda saved: f"Đã cập nhật {saved.name}.",
        template="staff/org_edit.html",
        context={"nav": "orgs", "org": org},
    )


@staff_form_view
def org_close(request: StaffRequest, pk: int) -> HttpResponse:
    """Record that a body stopped working: a date, then a confirmation page listing
    the bodies below it that end with it and the roles that become history."""
    org = _org_to_change(request, pk)
    form = f.OrganizationCloseForm(request.POST or None)
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        ended_on = form.cleaned_data["ended_on"]
        if "confirm" in request.POST:
            try:
                ended = services.close_organization(org, ended_on=ended_on)
            except ValidationError as exc:
                f.form_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Đã ghi nhận {org.name} ngừng hoạt động từ {format_date(ended_on)}"
                    + (f" (cùng {len(ended) - 1} tổ chức trực thuộc)." if len(ended) > 1 else "."),
                )
                return redirect(org)
        else:
            try:
                restructuring.dry_run(lambda: services.close_organization(org, ended_on=ended_on))
            except ValidationError as exc:
                f.form_error(form, exc)
            else:
                closing = services.org_closing_preview(org)
                roles = RoleAssignment.objects.filter(
                    organization__in=[o.pk for o in closing]
                ).select_related("user", "organization")
                return render(
                    request,
                    "staff/org_close_confirm.html",
                    {
                        "nav": "orgs",
                        "org": org,
                        "form": form,
                        "ended_on": ended_on,
                        "closing": closing,
                        "roles": roles,
                    },
                )
    return render(request, "staff/org_close.html", {"nav": "orgs", "org": org, "form": form})
