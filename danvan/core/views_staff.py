"""The staff workspace. Thin function views: fetch-and-check through the user's
scope (`get_visible_or_404`), a form, a service call, a redirect."""

from __future__ import annotations

from datetime import date
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core import accounts, audit, services, signin
from danvan.core import forms as f
from danvan.core.audit import PASSWORD_CHANGED
from danvan.core.imports import hamlet_template as build_hamlet_template
from danvan.core.jobs import fail_stale_jobs, start_job
from danvan.core.listing import StaffRequest, paginate
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
    Role,
    RoleAssignment,
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
from danvan.core.text import format_date, vn_sort_key


def _form_error(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- Signing in ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a successful sign-in makes the browser a known
    device of the account (the per-account throttle lets it through)."""

    authentication_form = f.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        signin.remember_device(self.request, response, form.get_user().get_username())
        return response


# --- Dashboard ----------------------------------------------------------------------


@require_safe
@login_required
def dashboard(request: StaffRequest) -> HttpResponse:
    """The user's scope: one block per role, with the figures of the latest period
    the unit lived through. A unit ended by a restructuring shows its history,
    labelled as such, with a link to the unit that took over."""
    user = request.user
    scope = get_scope(user)
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related(
            "area__successor", "organization__area__successor"
        )
    )
    periods = list(Period.objects.latest_first())
    blocks: list[dict[str, Any]] = []
    for ra in assignments:
        if ra.area is not None:
            unit = ra.area
            history = not unit.is_current
            children_qs = Area.objects.get_children(unit)
            if not history:
                children_qs = children_qs.filter(valid_to__isnull=True)
            children = sorted(children_qs, key=lambda a: vn_sort_key(a.name))
            orgs_qs = Organization.objects.filter(area=unit)
            if not history:
                orgs_qs = orgs_qs.filter(valid_to__isnull=True)
            orgs = list(orgs_qs.order_by("kind", "name"))
        elif ra.organization is not None:
            unit = ra.organization.area
            history = not unit.is_current or ra.organization.valid_to is not None
            children = []
            orgs = list(
                Organization.objects.get_descendants(ra.organization).select_related("area")[:50]
            )
        else:
            continue
        period = _chosen_period(request, periods, unit)
        blocks.append(
            {
                "assignment": ra,
                "unit": unit,
                "history": history,
                "children": children,
                "orgs": orgs,
                "period": period,
                "totals": services.member_totals(unit, period) if period else None,
                "kinds": dict(OrgKind.choices),
            }
        )
    # Units in force first, history last; grouped by role.
    role_order = {role: n for n, role in enumerate(Role.values)}
    blocks.sort(
        key=lambda b: (
            b["history"],
            role_order.get(b["assignment"].role, 99),
            vn_sort_key(b["unit"].name),
        )
    )
    visible_areas = Area.objects.visible_to(user)
    counts = {
        "areas": visible_areas.filter(valid_to__isnull=True).count(),
        "hamlets": visible_areas.filter(kind=AreaKind.HAMLET, valid_to__isnull=True).count(),
        "orgs": Organization.objects.visible_to(user).filter(valid_to__isnull=True).count(),
    }
    history_counts = None
    if not counts["areas"] and not scope.is_system_admin:
        ended = visible_areas.filter(valid_to__isnull=False).count()
        if ended:
            history_counts = {
                "areas": ended,
                "orgs": Organization.objects.visible_to(user)
                .filter(valid_to__isnull=False)
                .count(),
            }
    return render(
        request,
        "staff/dashboard.html",
        {
            "nav": "dashboard",
            "blocks": blocks,
            "compact": len(blocks) > 3,
            "counts": counts,
            "history_counts": history_counts,
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
    page, querystring = paginate(request, qs.select_related("successor").order_by("path"))
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
                _form_error(form, exc)
            else:
                messages.success(request, "Đã ghi nhận việc sắp xếp đơn vị hành chính.")
                return redirect("staff:area_detail", pk=area.pk)
        else:
            plan = preview(area, form)
            try:
                services.dry_run(lambda: apply(area, form))
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                return render(
                    request,
                    "staff/restructure_preview.html",
                    {"nav": "areas", "area": area, "form": form, "plan": plan},
                )
    return render(request, template, {"nav": "areas", "area": area, "form": form})


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

    def preview(area: Area, form: Any) -> services.RestructuringPreview:
        d = form.cleaned_data
        return services.preview_split(
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


@require_http_methods(["GET", "POST"])
@login_required
def area_merge(request: StaffRequest, pk: int) -> HttpResponse:
    def apply(area: Area, form: Any) -> None:
        others = list(form.cleaned_data["others"])
        services.merge_areas(request.user, [area, *others], **_merge_arguments(area, form))

    def preview(area: Area, form: Any) -> services.RestructuringPreview:
        others = list(form.cleaned_data["others"])
        return services.preview_merge([area, *others], **_merge_arguments(area, form))

    return _restructure_with_preview(
        request,
        pk,
        "staff/area_merge.html",
        lambda a, d: f.MergeForm(d, area=a, user=request.user),
        preview,
        apply,
    )


# --- Organisations ---------------------------------------------------------------------


@require_safe
@login_required
def org_list(request: StaffRequest) -> HttpResponse:
    form = f.OrgFilterForm(request.GET or None, user=request.user)
    qs = Organization.objects.visible_to(request.user)
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.search(data["q"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["area"]:
            qs = qs.filter(area__path__startswith=data["area"].path)
        status = data["status"]
    if status == "ended":
        qs = qs.filter(valid_to__isnull=False)
    elif status != "all":
        qs = qs.filter(valid_to__isnull=True)
    page, querystring = paginate(request, qs.select_related("area").order_by("path"))
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
            "can_change": org.valid_to is None and can(request.user, MANAGE_TREE, org),
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
        qs = accounts.search_accounts(qs, q, prefix="user__")
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role=role)
    page, querystring = paginate(
        request, qs.order_by("user__full_name_folded", "user__username", "role")
    )
    # Accounts whose roles all lie in scope get a link to their account page.
    manageable = set(
        accounts.accounts_in_scope(request.user)
        .filter(pk__in=[ra.user_id for ra in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "staff/role_list.html",
        {
            "nav": "roles",
            "page_obj": page,
            "querystring": querystring,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "manageable": manageable,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def role_grant(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(GRANT):
        raise Http404
    form = f.RoleGrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = d["area"] or (d["organization"].area if d["organization"] else None)
        try:
            # A new account and its first role are written together or not at all.
            with transaction.atomic():
                user = d["user"]
                if user is None:
                    user = services.create_staff_user(
                        username=d["new_username"],
                        full_name=d["new_full_name"],
                        password=d["new_password"],
                        phone=d["new_phone"],
                        audit_area_path=target.path if target else "",
                    )
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
    fail_stale_jobs()
    page, querystring = paginate(request, Job.objects.visible_to(request.user))
    return render(
        request,
        "staff/job_list.html",
        {"nav": "jobs", "page_obj": page, "querystring": querystring},
    )


@require_safe
@login_required
def job_detail(request: StaffRequest, pk: int) -> HttpResponse:
    fail_stale_jobs()
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


_SHOWN_VALUES = {"True": "Có", "False": "Không", "None": "—", "": "—"}


def _change_rows(entry: LogEntry) -> list[tuple[str, str, str]]:
    """What an entry changed, as (field, before, after) rows in Vietnamese:
    field names from the models, choices by their labels, yes/no for flags."""
    try:
        changes: dict[str, Any] = entry.changes_display_dict
    except Exception:  # a model removed since: show the raw record
        changes = entry.changes_dict
    rows = []
    for field, values in changes.items():
        name = str(field)[:1].upper() + str(field)[1:]
        if values == PASSWORD_CHANGED["password"]:
            rows.append((name, "", "đã đổi (nhật ký không ghi mật khẩu)"))
            continue
        if isinstance(values, dict):  # many-to-many: {"operation": "add", "objects": [...]}
            verb = "thêm" if values.get("operation") == "add" else "bỏ"
            objects = ", ".join(map(str, values.get("objects", [])))
            rows.append((name, "", f"{verb}: {objects}"))
            continue
        before, after = [*values, "", ""][:2]
        rows.append(
            (
                name,
                _SHOWN_VALUES.get(str(before), str(before)),
                _SHOWN_VALUES.get(str(after), str(after)),
            )
        )
    return rows


@require_safe
@login_required
def audit_list(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(AUDIT):
        raise Http404
    qs = _visible_log(request.user)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = accounts.search_accounts(qs, actor, prefix="actor__")
    day = request.GET.get("day", "")
    if day:
        try:
            qs = qs.filter(timestamp__date=date.fromisoformat(day))
        except ValueError:
            messages.error(request, "Ngày không hợp lệ.")
    page, querystring = paginate(request, qs.order_by("-timestamp", "-pk"))
    actions = {0: "Tạo mới", 1: "Sửa", 2: "Xóa", 3: "Truy cập"}
    # Values only for the entries whose object the user may see now; the others
    # keep who, when, what kind of change and which unit.
    shown = audit.entries_with_values(request.user, page)
    paths = {(e.additional_data or {}).get("area_path", "") for e in page}
    units = dict(Area.objects.filter(path__in=paths - {""}).values_list("path", "name"))
    return render(
        request,
        "staff/audit_list.html",
        {
            "nav": "audit",
            "page_obj": page,
            "entries": [
                (
                    entry,
                    _change_rows(entry) if entry.pk in shown else None,
                    units.get((entry.additional_data or {}).get("area_path", ""), ""),
                )
                for entry in page
            ],
            "querystring": querystring,
            "actor": actor,
            "day": day,
            "actions": actions,
        },
    )


# --- Upkeep: organisations, hamlets, reporting periods --------------------------------


@require_http_methods(["GET", "POST"])
@login_required
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
    if request.method == "POST" and form.is_valid():
        try:
            hamlet = services.update_hamlet(hamlet, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Đã cập nhật {hamlet.name}.")
            return redirect(hamlet)
    return render(request, "staff/hamlet_edit.html", {"nav": "areas", "area": hamlet, "form": form})


def _org_to_change(request: StaffRequest, pk: int) -> Organization:
    """A body in force that the user may change (board administrators in scope)."""
    return get_visible_or_404(
        Organization.objects.filter(valid_to__isnull=True).select_related("area"),
        request.user,
        MANAGE_TREE,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@login_required
def org_edit(request: StaffRequest, pk: int) -> HttpResponse:
    org = _org_to_change(request, pk)
    parent = Organization.objects.get_parent(org)
    form = f.OrganizationEditForm(
        request.POST or None,
        org=org,
        user=request.user,
        initial={"name": org.name, "kind": org.kind, "parent": parent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.update_organization(org, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Đã cập nhật {org.name}.")
            return redirect(org)
    return render(request, "staff/org_edit.html", {"nav": "orgs", "org": org, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
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
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Đã ghi nhận {org.name} ngừng hoạt động từ {format_date(ended_on)}"
                    + (f" (cùng {len(ended) - 1} tổ chức trực thuộc)." if len(ended) > 1 else "."),
                )
                return redirect(org)
        else:
            try:
                services.dry_run(lambda: services.close_organization(org, ended_on=ended_on))
            except ValidationError as exc:
                _form_error(form, exc)
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


def may_open_periods(user: Any) -> bool:
    """Reporting periods are shared by every unit: system administrators and the
    board administrators of a province or city in force open them."""
    scope = get_scope(user)
    if scope.is_system_admin:
        return True
    paths = [g.area_path for g in scope.grants if g.role == "board_admin" and g.area_path]
    return Area.objects.filter(path__in=paths, depth=1, valid_to__isnull=True).exists()


@require_safe
@login_required
def period_list(request: StaffRequest) -> HttpResponse:
    periods = list(Period.objects.latest_first())
    entered = dict(
        MemberCount.objects.visible_to(request.user)
        .values_list("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    today = timezone.localdate()
    rows = [
        {"period": p, "entered": entered.get(p.pk, 0), "now": p.start <= today <= p.end}
        for p in periods
    ]
    return render(
        request,
        "staff/period_list.html",
        {"nav": "periods", "rows": rows, "can_open": may_open_periods(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def period_add(request: StaffRequest) -> HttpResponse:
    if not may_open_periods(request.user):
        raise Http404
    form = f.PeriodForm(request.POST or None, initial=services.suggest_next_period())
    if request.method == "POST" and form.is_valid():
        try:
            period = services.open_period(**form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                f"Đã mở kỳ báo cáo {period.name} ({format_date(period.start)} – "
                f"{format_date(period.end)}).",
            )
            return redirect("staff:period_list")
    return render(request, "staff/period_form.html", {"nav": "periods", "form": form})


# --- Accounts of the officials in scope ----------------------------------------------------


def _account_admin_or_404(request: StaffRequest) -> None:
    if not get_scope(request.user).allows(GRANT):
        raise Http404


@require_safe
@login_required
def account_list(request: StaffRequest) -> HttpResponse:
    _account_admin_or_404(request)
    form = f.AccountFilterForm(request.GET or None)
    qs = accounts.accounts_in_scope(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = accounts.search_accounts(qs, data["q"])
        if data["status"] == "active":
            qs = qs.filter(is_active=True)
        elif data["status"] == "inactive":
            qs = qs.filter(is_active=False)
    roles = RoleAssignment.objects.select_related("area", "organization").order_by("pk")
    qs = qs.prefetch_related(Prefetch("roles", queryset=roles))
    page, querystring = paginate(request, qs.order_by("full_name_folded", "username"))
    return render(
        request,
        "staff/account_list.html",
        {"nav": "accounts", "form": form, "page_obj": page, "querystring": querystring},
    )


@require_safe
@login_required
def account_detail(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    roles = RoleAssignment.objects.filter(user=account).select_related(
        "area", "organization__area", "granted_by"
    )
    return render(
        request,
        "staff/account_detail.html",
        {"nav": "accounts", "account": account, "roles": roles, "is_self": account == request.user},
    )


@require_http_methods(["GET", "POST"])
@login_required
def account_password_reset(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    form = f.AccountPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            temporary = accounts.reset_password(
                request.user, account, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            # Shown once, in this response only: not in a message, a session or a log.
            response = render(
                request,
                "staff/account_password_done.html",
                {"nav": "accounts", "account": account, "temporary": temporary},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "staff/account_password_reset.html",
        {
            "nav": "accounts",
            "account": account,
            "form": form,
            "is_self": account == request.user,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def account_set_active(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    form = f.AccountActiveForm(
        request.POST or None, initial={"active": "0" if account.is_active else "1"}
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        active = form.cleaned_data["active"]
        try:
            accounts.set_account_active(request.user, account, active)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            name = account.get_full_name()
            messages.success(
                request,
                f"Đã mở khóa tài khoản của {name}."
                if active
                else f"Đã khóa tài khoản của {name}; người này không đăng nhập được nữa.",
            )
            return redirect("staff:account_detail", pk=account.pk)
    return render(
        request,
        "staff/account_set_active.html",
        {
            "nav": "accounts",
            "account": account,
            "form": form,
            "error": error,
            "is_self": account == request.user,
        },
    )
