"""The staff workspace. Thin function views: fetch-and-check through the user's
scope (`get_visible_or_404`), a form, a service call, a redirect."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core import forms as f
from danvan.core import services
from danvan.core.imports import hamlet_template as build_hamlet_template
from danvan.core.jobs import start_job
from danvan.core.models import (
    Area,
    AreaKind,
    Job,
    JobStatus,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    Restructuring,
    RoleAssignment,
    User,
)
from danvan.core.scope import (
    AUDIT,
    GRANT,
    MANAGE,
    MANAGE_TREE,
    VIEW,
    can,
    get_scope,
    get_visible_or_404,
)
from danvan.core.text import vn_sort_key

PAGE_SIZE = 25


class StaffRequest(HttpRequest):
    """A request behind login_required: the user is a signed-in staff User."""

    user: User  # type: ignore[assignment]


def _page(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return page, urlencode(params)


def _form_error(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- Dashboard ----------------------------------------------------------------------


@require_safe
@login_required
def dashboard(request: StaffRequest) -> HttpResponse:
    user = request.user
    scope = get_scope(user)
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related("area", "organization__area")
    )
    period = Period.objects.latest_first().first()
    blocks = []
    for ra in assignments:
        if ra.area is not None:
            unit = ra.area
            children = sorted(
                Area.objects.get_children(unit).filter(valid_to__isnull=True)
                if unit.is_current
                else Area.objects.get_children(unit),
                key=lambda a: vn_sort_key(a.name),
            )
            orgs = Organization.objects.filter(area=unit).order_by("kind", "name")
        elif ra.organization is not None:
            unit = ra.organization.area
            children = []
            orgs = Organization.objects.get_descendants(ra.organization).select_related("area")[:50]
        else:
            continue
        totals = services.member_totals(unit, period) if period else None
        blocks.append(
            {
                "assignment": ra,
                "unit": unit,
                "children": children,
                "orgs": orgs,
                "totals": totals,
                "kinds": dict(OrgKind.choices),
            }
        )
    counts = {
        "areas": Area.objects.visible_to(user).filter(valid_to__isnull=True).count(),
        "hamlets": Area.objects.visible_to(user)
        .filter(kind=AreaKind.HAMLET, valid_to__isnull=True)
        .count(),
        "orgs": Organization.objects.visible_to(user).filter(valid_to__isnull=True).count(),
    }
    return render(
        request,
        "staff/dashboard.html",
        {
            "nav": "dashboard",
            "blocks": blocks,
            "period": period,
            "counts": counts,
            "is_system_admin": scope.is_system_admin,
            "recent_jobs": Job.objects.visible_to(user).filter(created_by=user)[:5],
        },
    )


# --- Areas --------------------------------------------------------------------------


@require_safe
@login_required
def area_list(request: StaffRequest) -> HttpResponse:
    form = f.AreaFilterForm(request.GET or None)
    qs = Area.objects.visible_to(request.user)
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.search(data["q"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        status = data["status"]
    if status == "ended":
        qs = qs.filter(valid_to__isnull=False)
    elif status != "all":
        qs = qs.filter(valid_to__isnull=True)
    page, querystring = _page(request, qs.select_related("successor").order_by("path"))
    return render(
        request,
        "staff/area_list.html",
        {
            "nav": "areas",
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "can_import": get_scope(request.user).allows(MANAGE_TREE),
        },
    )


def _chosen_period(request: HttpRequest, periods: list[Period], area: Area) -> Period | None:
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


@require_safe
@login_required
def area_detail(request: StaffRequest, pk: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects, request.user, VIEW, pk=pk)
    children = sorted(
        Area.objects.get_children(area), key=lambda a: (a.valid_to is not None, vn_sort_key(a.name))
    )
    ancestors = list(Area.objects.get_ancestors(area))
    periods = list(Period.objects.latest_first())
    period = _chosen_period(request, periods, area)
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


@require_http_methods(["GET", "POST"])
@login_required
def hamlet_add(request: StaffRequest, pk: int) -> HttpResponse:
    commune = get_visible_or_404(
        Area.objects.filter(kind=AreaKind.COMMUNE), request.user, MANAGE_TREE, pk=pk
    )
    form = f.HamletForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hamlet = services.add_hamlet(commune, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Đã thêm {hamlet.name} vào {commune.name}.")
            return redirect(commune)
    return render(
        request, "staff/hamlet_form.html", {"nav": "areas", "area": commune, "form": form}
    )


@require_http_methods(["GET", "POST"])
@login_required
def hamlet_import(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE_TREE):
        raise Http404
    form = f.HamletImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_job(
            request.user,
            "import_hamlets",
            f"Nhập ấp, khu vực từ {form.cleaned_data['file'].name}",
            input_file=form.cleaned_data["file"],
        )
        messages.info(request, "Đã nhận file; hệ thống đang kiểm tra và nhập dữ liệu.")
        return redirect(job)
    return render(request, "staff/hamlet_import.html", {"nav": "areas", "form": form})


@require_safe
@login_required
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
    if request.method == "POST" and form.is_valid():
        try:
            apply(area, form)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Đã ghi nhận việc sắp xếp đơn vị hành chính.")
            return redirect("staff:area_detail", pk=area.pk)
    return render(request, template, {"nav": "areas", "area": area, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def area_rename(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        services.rename_area(request.user, area, **form.cleaned_data)

    return _restructure_view(
        request, pk, "staff/area_rename.html", lambda a, d: f.RenameForm(d), apply
    )


@require_http_methods(["GET", "POST"])
@login_required
def area_split(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        d = form.cleaned_data
        services.split_area(
            request.user,
            area,
            d["parts"],
            effective_on=d["effective_on"],
            decision=d["decision"],
        )

    return _restructure_view(
        request, pk, "staff/area_split.html", lambda a, d: f.SplitForm(d, area=a), apply
    )


@require_http_methods(["GET", "POST"])
@login_required
def area_merge(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        d = form.cleaned_data
        existing = d["target_mode"] == "existing"
        services.merge_areas(
            request.user,
            [area, *d["others"]],
            effective_on=d["effective_on"],
            into=d["into"] if existing else None,
            new_unit=None if existing else form.new_unit(),
            parent=None if existing else d["parent"],
            decision=d["decision"],
        )

    return _restructure_view(
        request,
        pk,
        "staff/area_merge.html",
        lambda a, d: f.MergeForm(d, area=a, user=request.user),
        apply,
    )


# --- Organisations ---------------------------------------------------------------------


@require_safe
@login_required
def org_list(request: StaffRequest) -> HttpResponse:
    form = f.OrgFilterForm(request.GET or None, user=request.user)
    qs = Organization.objects.visible_to(request.user).filter(valid_to__isnull=True)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.search(data["q"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["area"]:
            qs = qs.filter(area__path__startswith=data["area"].path)
    page, querystring = _page(request, qs.select_related("area").order_by("path"))
    return render(
        request,
        "staff/org_list.html",
        {
            "nav": "orgs",
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "can_add": get_scope(request.user).allows(MANAGE_TREE),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def org_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE_TREE):
        raise Http404
    initial = {}
    if request.GET.get("area"):
        initial["area"] = request.GET["area"]
    form = f.OrganizationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(**form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Đã thêm {org.name}.")
            return redirect(org)
    return render(request, "staff/org_form.html", {"nav": "orgs", "form": form})


@require_safe
@login_required
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
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def member_count_edit(request: StaffRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization.objects, request.user, MANAGE, pk=pk)
    period = Period.objects.latest_first().first()
    existing = MemberCount.objects.filter(organization=org, period=period).first()
    form = f.MemberCountForm(
        request.POST or None,
        initial={"period": period, "members": existing.members if existing else None},
    )
    if request.method == "POST" and form.is_valid():
        services.set_member_count(org, form.cleaned_data["period"], form.cleaned_data["members"])
        messages.success(request, "Đã cập nhật số hội viên.")
        return redirect(org)
    return render(
        request, "staff/member_count_form.html", {"nav": "orgs", "org": org, "form": form}
    )


# --- Roles ---------------------------------------------------------------------------------


@require_safe
@login_required
def role_list(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(GRANT):
        raise Http404
    qs = RoleAssignment.objects.visible_to(request.user, GRANT).select_related(
        "user", "area", "organization"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__full_name__icontains=q))
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role=role)
    page, querystring = _page(request, qs.order_by("user__username", "role"))
    return render(
        request,
        "staff/role_list.html",
        {"nav": "roles", "page_obj": page, "querystring": querystring, "q": q, "role": role},
    )


@require_http_methods(["GET", "POST"])
@login_required
def role_grant(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(GRANT):
        raise Http404
    form = f.RoleGrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = d["user"]
            if user is None:
                password_validation.validate_password(d["new_password"])
                user = services.create_staff_user(
                    username=d["new_username"],
                    full_name=d["new_full_name"],
                    password=d["new_password"],
                )
                if d["new_phone"]:
                    user.phone = d["new_phone"]
                    user.save(update_fields=["phone"])
            services.grant_role(
                request.user, user, d["role"], area=d["area"], organization=d["organization"]
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Đã phân quyền cho {user.get_full_name()}.")
            return redirect("staff:role_list")
    return render(request, "staff/role_form.html", {"nav": "roles", "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def role_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    assignment = get_visible_or_404(
        RoleAssignment.objects.select_related("user", "area", "organization"),
        request.user,
        GRANT,
        pk=pk,
    )
    error = ""
    if request.method == "POST":
        try:
            services.revoke_role(request.user, assignment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Đã thu hồi quyền.")
            return redirect("staff:role_list")
    return render(
        request,
        "staff/role_revoke.html",
        {"nav": "roles", "assignment": assignment, "error": error},
    )


# --- Jobs -----------------------------------------------------------------------------------


@require_safe
@login_required
def job_list(request: StaffRequest) -> HttpResponse:
    page, querystring = _page(request, Job.objects.visible_to(request.user))
    return render(
        request,
        "staff/job_list.html",
        {"nav": "jobs", "page_obj": page, "querystring": querystring},
    )


@require_safe
@login_required
def job_detail(request: StaffRequest, pk: int) -> HttpResponse:
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    download_url = job.result.get("download_url", "") if isinstance(job.result, dict) else ""
    return render(
        request,
        "staff/job_detail.html",
        {
            "nav": "jobs",
            "job": job,
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            "download_url": download_url,
        },
    )


# --- Audit ------------------------------------------------------------------------------------


def _visible_log(user: Any) -> QuerySet[LogEntry]:
    scope = get_scope(user)
    qs = LogEntry.objects.select_related("actor", "content_type")
    if scope.is_system_admin:
        return qs
    prefixes = scope.area_prefixes(AUDIT)
    if not prefixes:
        return qs.none()
    q = Q()
    for p in prefixes:
        q |= Q(additional_data__area_path__startswith=p)
    return qs.filter(q)


@require_safe
@login_required
def audit_list(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(AUDIT):
        raise Http404
    qs = _visible_log(request.user)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor__username__icontains=actor)
    day = request.GET.get("day", "")
    if day:
        try:
            qs = qs.filter(timestamp__date=date.fromisoformat(day))
        except ValueError:
            messages.error(request, "Ngày không hợp lệ.")
    page, querystring = _page(request, qs.order_by("-timestamp", "-pk"))
    actions = {0: "Tạo mới", 1: "Sửa", 2: "Xóa", 3: "Truy cập"}
    return render(
        request,
        "staff/audit_list.html",
        {
            "nav": "audit",
            "page_obj": page,
            "querystring": querystring,
            "actor": actor,
            "day": day,
            "actions": actions,
        },
    )
