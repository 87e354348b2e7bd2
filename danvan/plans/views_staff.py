"""Staff pages of carrying out the plan, at /quan-ly/ke-hoach/ (namespace
"plans_staff"). Plans and tasks are read by the issuing body's scope and by
the bodies assigned; changed by the issuing body's managers; reported on by
the managers of each assigned body. Out of scope is a 404."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core.forms import form_error
from danvan.core.indicators import INDICATORS, Figure, Indicator, kept_figure
from danvan.core.jobs import start_job
from danvan.core.listing import StaffRequest, list_page
from danvan.core.models import Area, Organization, Period
from danvan.core.scope import (
    MANAGE,
    VIEW,
    current_path,
    get_scope,
    get_visible_or_404,
    history_map,
)
from danvan.core.text import fold
from danvan.plans import exports, imports, services
from danvan.plans import forms as f
from danvan.plans.models import (
    FRONT_AND_UNIONS,
    AggregateReturn,
    Attendance,
    Audience,
    Briefing,
    BriefingFormat,
    Communicator,
    CommunicatorKind,
    Completion,
    CoordinationPlan,
    Course,
    Official,
    OfficialClass,
    Plan,
    Target,
    Task,
    TaskStatus,
)

NAV = "plans"


def _plan(request: StaffRequest, pk: int, verb: str = VIEW) -> Plan:
    qs = Plan.objects.select_related("organization__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _tasks(plan: Plan) -> Any:
    return plan.tasks.select_related("lead__area").prefetch_related(
        Prefetch("partners", queryset=Organization.objects.select_related("area")), "areas"
    )


# --- Plans -------------------------------------------------------------------------------


@require_safe
@login_required
def plan_list(request: StaffRequest) -> HttpResponse:
    qs = Plan.objects.visible_to(request.user).select_related("organization")
    q = request.GET.get("q", "").strip()
    for term in fold(q).split():
        qs = qs.filter(title_folded__contains=term)
    can_add = get_scope(request.user).allows(MANAGE)
    return list_page(request, "plans/staff/plan_list.html", qs, nav=NAV, q=q, can_add=can_add)


def _plan_form(request: StaffRequest, plan: Plan | None) -> HttpResponse:
    form = f.PlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if plan is None:
                saved = services.create_plan(by=request.user, **values)
                messages.success(request, "Đã thêm kế hoạch. Hãy thêm các nhiệm vụ.")
            else:
                saved = services.update_plan(plan, **values)
                messages.success(request, "Đã lưu kế hoạch.")
        except ValidationError as error:
            form_error(form, error)
        else:
            return redirect(saved)
    return render(request, "plans/staff/plan_form.html", {"nav": NAV, "form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
@login_required
def plan_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):  # a viewer changes nothing
        raise Http404("Không tìm thấy.")
    return _plan_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _plan_form(request, _plan(request, pk, MANAGE))


@require_safe
@login_required
def plan_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The whole plan at a glance: each task with its reports due so far."""
    plan = _plan(request, pk)
    tasks = list(_tasks(plan))
    summary: dict[int, dict[str, int]] = {t.pk: defaultdict(int) for t in tasks}
    for due in services.dues(tasks):
        summary[due.task.pk][due.state] += 1
    rows = [(t, dict(summary[t.pk])) for t in tasks]
    can_manage = Plan.objects.visible_to(request.user, MANAGE).filter(pk=plan.pk).exists()
    return render(
        request,
        "plans/staff/plan_detail.html",
        {
            "nav": NAV,
            "plan": plan,
            "rows": rows,
            "targets": plan.targets.select_related("area"),
            "can_manage": can_manage,
        },
    )


# --- Tasks -------------------------------------------------------------------------------


def _task_form(request: StaffRequest, plan: Plan, task: Task | None) -> HttpResponse:
    form = f.TaskForm(request.POST or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {n: data[n] for n in ("number", "text", "lead", "recurrence", "due_on")}
        try:
            saved = services.save_task(
                plan, task, partners=data["partners"], areas=data["areas"], **values
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Đã lưu nhiệm vụ {saved.number}.")
            return redirect(plan)
    context = {"nav": NAV, "form": form, "plan": plan, "task": task}
    return render(request, "plans/staff/task_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def task_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _task_form(request, _plan(request, pk, MANAGE), None)


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request: StaffRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task.objects.all(), request.user, VIEW, pk=pk)
    plan = _plan(request, task.plan_id, MANAGE)
    return _task_form(request, plan, task)


@require_POST
@login_required
def task_status(request: StaffRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task.objects.all(), request.user, VIEW, pk=pk)
    _plan(request, task.plan_id, MANAGE)
    status = request.POST.get("status", "")
    if status not in TaskStatus.values:
        messages.error(request, "Trạng thái không hợp lệ.")
    else:
        services.set_task_status(task, status)
        messages.success(request, f"Nhiệm vụ {task.number}: {TaskStatus(status).label}.")
    return redirect(task)


def _reporting_bodies(request: StaffRequest, task: Task) -> Any:
    """The task's assigned bodies the user may report for."""
    assigned = [task.lead_id, *task.partners.values_list("pk", flat=True)]
    return (
        Organization.objects.visible_to(request.user, MANAGE)
        .filter(pk__in=assigned)
        .select_related("area")
        .order_by("path")
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """A task's due dates × assigned bodies, its reports, and the report form."""
    task = get_visible_or_404(
        Task.objects.select_related("plan__organization", "lead__area"), request.user, pk=pk
    )
    bodies = _reporting_bodies(request, task)
    form = f.ReportForm(request.POST or None, task=task, bodies=bodies)
    if request.method == "POST":
        if not bodies:
            raise Http404("Không tìm thấy.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_report(
                    task,
                    data["organization"],
                    data["due_on"],
                    by=request.user,
                    progress=data["progress"],
                    text=data["text"],
                    figures=data["figures"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, "Đã gửi báo cáo tiến độ.")
                return redirect(task)
    dues = services.dues([task]) if task.status == TaskStatus.OPEN else []
    grid: dict[Any, list[services.Due]] = defaultdict(list)
    for due in dues:
        grid[due.due_on].append(due)
    reports = task.reports.select_related("organization", "created_by").order_by(
        "-due_on", "organization__path"
    )
    can_manage = Plan.objects.visible_to(request.user, MANAGE).filter(pk=task.plan_id).exists()
    return render(
        request,
        "plans/staff/task_detail.html",
        {
            "nav": NAV,
            "task": task,
            "plan": task.plan,
            "grid": sorted(grid.items()),
            "reports": reports,
            "form": form if bodies else None,
            "can_manage": can_manage,
            "statuses": TaskStatus.choices,
        },
    )


@require_safe
@login_required
def overdue(request: StaffRequest) -> HttpResponse:
    """Reports past their date, per body in the user's scope."""
    tasks = (
        Task.objects.visible_to(request.user)
        .filter(status=TaskStatus.OPEN)
        .select_related("plan", "lead__area")
        .prefetch_related(
            Prefetch("partners", queryset=Organization.objects.select_related("area"))
        )
    )
    seen = set(Organization.objects.visible_to(request.user).values_list("pk", flat=True))
    per_body: dict[Organization, list[services.Due]] = defaultdict(list)
    for due in services.dues(tasks):
        if due.state == "overdue" and due.organization.pk in seen:
            per_body[due.organization].append(due)
    groups = sorted(per_body.items(), key=lambda item: (-len(item[1]), item[0].path))
    return render(
        request,
        "plans/staff/overdue.html",
        {"nav": NAV, "groups": groups, "total": sum(len(d) for _b, d in groups)},
    )


# --- Coordination plans ---------------------------------------------------------------------


@require_safe
@login_required
def coordination(request: StaffRequest, pk: int) -> HttpResponse:
    """Each Front body and organisation in scope: its coordination plan for
    this plan, or missing (listed first), per unit."""
    plan = _plan(request, pk)
    bodies = (
        Organization.objects.visible_to(request.user)
        .current()
        .filter(kind__in=FRONT_AND_UNIONS)
        .select_related("area")
        .order_by("area__path", "path")
    )
    plans = {c.organization_id: c for c in CoordinationPlan.objects.filter(plan=plan)}
    managed = set(
        Organization.objects.visible_to(request.user, MANAGE).values_list("pk", flat=True)
    )
    rows = [(b, plans.get(b.pk), b.pk in managed) for b in bodies]
    rows.sort(key=lambda r: (r[1] is not None and r[1].status == "issued", r[0].area.path))
    issued = sum(1 for _b, c, _m in rows if c is not None and c.status == "issued")
    context = {"nav": NAV, "plan": plan, "rows": rows, "issued": issued}
    return render(request, "plans/staff/coordination.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def coordination_edit(request: StaffRequest, pk: int, org: int) -> HttpResponse:
    plan = _plan(request, pk)
    body = get_visible_or_404(
        Organization.objects.select_related("area").filter(kind__in=FRONT_AND_UNIONS),
        request.user,
        MANAGE,
        pk=org,
    )
    current = CoordinationPlan.objects.filter(plan=plan, organization=body).first()
    initial = (
        {"status": current.status, "number": current.number, "issued_on": current.issued_on}
        if current
        else {}
    )
    form = f.CoordinationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_coordination_plan(body, plan, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Đã lưu kế hoạch phối hợp của {body.name}.")
            return redirect("plans_staff:coordination", pk=plan.pk)
    context = {"nav": NAV, "plan": plan, "body": body, "form": form}
    return render(request, "plans/staff/coordination_form.html", context)


# --- Targets ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def target_add(request: StaffRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, MANAGE)
    form = f.TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.add_target(plan, **values)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Đã thêm chỉ tiêu.")
            return redirect("plans_staff:dashboard", pk=plan.pk)
    return render(request, "plans/staff/target_form.html", {"nav": NAV, "plan": plan, "form": form})


def light(value: float | None, goal: Decimal) -> str:
    """ "ok" when the target is reached, "near" within 10 points of it, else "far"."""
    if value is None:
        return "none"
    if value >= float(goal):
        return "ok"
    return "near" if value >= float(goal) - 10 else "far"


@require_safe
@login_required
def dashboard(request: StaffRequest, pk: int) -> HttpResponse:
    """Each target of the plan with its figure for a unit (by default where the
    target's unit now counts), the units below it and the rows that make it."""
    plan = _plan(request, pk)
    targets = list(plan.targets.select_related("area"))
    visible_units = Area.objects.visible_to(request.user)
    raw = request.GET.get("don_vi", "")
    unit: Area | None = None
    if raw.isascii() and raw.isdigit():
        unit = visible_units.filter(pk=int(raw)).first()
        if unit is None:
            raise Http404("Không tìm thấy.")
    history = history_map()
    shown: list[tuple[Target, Indicator | None, Area | None, Figure | None, str]] = []
    for target in targets:
        indicator = INDICATORS.get(target.indicator)
        here = unit
        if here is None:
            path = current_path(target.area.path, history)
            here = (
                visible_units.filter(path=path).first()
                or visible_units.filter(Q(path__startswith=path)).order_by("depth", "path").first()
            )
        if indicator is None or here is None:
            shown.append((target, indicator, None, None, "none"))
            continue
        figure: Figure = kept_figure(indicator, here, plan)
        shown.append((target, indicator, here, figure, light(figure.percent, target.value)))
    ancestors = Area.objects.get_ancestors(unit).filter(pk__in=visible_units) if unit else []
    crumbs = [*ancestors, unit] if unit else []
    return render(
        request,
        "plans/staff/dashboard.html",
        {
            "nav": NAV,
            "plan": plan,
            "shown": shown,
            "unit": unit,
            "crumbs": crumbs,
            "can_manage": Plan.objects.visible_to(request.user, MANAGE).filter(pk=pk).exists(),
        },
    )


@require_safe
@login_required
def target_export(request: StaffRequest, pk: int, target: int) -> HttpResponse:
    """One target's table for a unit (as the dashboard shows it), in Excel."""
    plan = _plan(request, pk)
    row = get_object_or_404(plan.targets.select_related("area"), pk=target)
    indicator = INDICATORS.get(row.indicator)
    visible_units = Area.objects.visible_to(request.user)
    raw = request.GET.get("don_vi", "")
    if raw.isascii() and raw.isdigit():
        unit = visible_units.filter(pk=int(raw)).first()
    else:
        path = current_path(row.area.path, history_map())
        unit = visible_units.filter(path__startswith=path).order_by("depth", "path").first()
    if indicator is None or unit is None:
        raise Http404("Không tìm thấy.")
    figure = indicator.compute(unit, plan)
    data = exports.target_workbook(row, indicator, unit, figure)
    return exports.excel(data, f"Chỉ tiêu {row.pk} - {unit.name}")


# --- Briefings ---------------------------------------------------------------------------------


def _briefings(request: StaffRequest) -> tuple[dict[str, str], Any]:
    qs = Briefing.objects.visible_to(request.user).select_related("organization__area")
    chosen = {
        k: request.GET.get(k, "").strip() for k in ("q", "hinh_thuc", "doi_tuong", "tu", "den")
    }
    for term in fold(chosen["q"]).split():
        qs = qs.filter(Q(topic_folded__contains=term) | Q(organization__name_folded__contains=term))
    if chosen["hinh_thuc"] in BriefingFormat.values:
        qs = qs.filter(format=chosen["hinh_thuc"])
    if chosen["doi_tuong"] in Audience.values:
        qs = qs.filter(audience=chosen["doi_tuong"])
    for key, lookup in (("tu", "held_on__gte"), ("den", "held_on__lte")):
        try:
            qs = qs.filter(**{lookup: date.fromisoformat(chosen[key])}) if chosen[key] else qs
        except ValueError:
            chosen[key] = ""
    return chosen, qs.annotate(people=Sum("attendances__attendees"))


@require_safe
@login_required
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


@require_safe
@login_required
def briefing_export(request: StaffRequest) -> HttpResponse:
    _chosen, qs = _briefings(request)
    rows = qs.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("organization"))
    )
    return exports.excel(exports.briefings_workbook(rows), "Các buổi tuyên truyền")


@require_http_methods(["GET", "POST"])
@login_required
def briefing_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    form = f.BriefingForm(request.POST or None, user=request.user)
    bodies = (
        Organization.objects.visible_to(request.user)
        .current()
        .select_related("area")
        .order_by("path")
    )
    rows = f.AttendanceRows(request.POST or None, prefix="nguoi-du", form_kwargs={"bodies": bodies})
    asked = False
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        attendance = [
            (r["organization"], r["attendees"]) for r in rows.cleaned_data if r.get("organization")
        ]
        fields = {n: data[n] for n in ("plan", "topic", "held_on", "place", "format", "audience")}
        try:
            briefing = services.record_briefing(
                by=request.user,
                organization=data["organization"],
                attendance=attendance,
                confirmed=data["confirmed"],
                **fields,
            )
        except ValidationError as error:
            form_error(form, error)
            asked = error.code == "above_members"
        else:
            total = sum(n for _b, n in attendance)
            messages.success(request, f"Đã ghi buổi tuyên truyền với {total} người dự.")
            return redirect(briefing)
    context = {"nav": NAV, "form": form, "rows": rows, "asked": asked}
    return render(request, "plans/staff/briefing_form.html", context)


@require_safe
@login_required
def briefing_detail(request: StaffRequest, pk: int) -> HttpResponse:
    briefing = get_visible_or_404(
        Briefing.objects.select_related("organization__area", "plan", "created_by"),
        request.user,
        pk=pk,
    )
    attendances = briefing.attendances.select_related("organization__area").order_by(
        "organization__path"
    )
    total = sum(a.attendees for a in attendances)
    context = {"nav": NAV, "briefing": briefing, "attendances": attendances, "total": total}
    return render(request, "plans/staff/briefing_detail.html", context)


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
    qs = qs.annotate(done=Count("completions", filter=Q(completions__completed=True)))
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
    can_manage = Course.objects.visible_to(request.user, MANAGE).filter(pk=pk).exists()
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


# --- Aggregate returns -------------------------------------------------------------------------


@require_safe
@login_required
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


@require_http_methods(["GET", "POST"])
@login_required
def return_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    form = f.ReturnForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_return(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Đã lưu số liệu tổng hợp của {saved.area.name}.")
            return redirect("plans_staff:return_list")
    return render(request, "plans/staff/return_form.html", {"nav": NAV, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def return_import(request: StaffRequest) -> HttpResponse:
    """Returns of many units from the Excel template, checked and written by a job."""
    if not get_scope(request.user).allows(MANAGE):
        raise Http404("Không tìm thấy.")
    form = f.ReturnImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        period = form.cleaned_data["period"]
        job = start_job(
            request.user,
            "import_returns",
            f"Nhập số liệu tổng hợp kỳ {period.name} từ {upload.name}"[:200],
            input_file=upload,
            params={"period": period.pk},
        )
        messages.info(request, "Đã nhận file; hệ thống đang kiểm tra và nhập.")
        return redirect(job)
    return render(request, "plans/staff/return_import.html", {"nav": NAV, "form": form})


@require_safe
@login_required
def return_template(request: StaffRequest) -> HttpResponse:
    return exports.excel(imports.return_template(request.user), "Mẫu số liệu tổng hợp")
