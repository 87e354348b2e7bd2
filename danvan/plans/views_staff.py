"""Staff pages of carrying out the plan, at /quan-ly/ke-hoach/ (namespace
"plans_staff"). Plans and tasks are read by the issuing body's scope and by
the bodies assigned; changed by the issuing body's managers; reported on by
the managers of each assigned body. Out of scope is a 404."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from danvan.core import charts
from danvan.core.cache import LocalCache
from danvan.core.documents import CheckedDocument, check_document
from danvan.core.indicators import FIGURES, INDICATORS, Figure, kept_figure
from danvan.core.listing import StaffRequest, list_page
from danvan.core.models import Area, Organization, Period, PeriodKind
from danvan.core.scope import (
    AUDIT,
    GRANT,
    MANAGE,
    VIEW,
    can,
    current_path,
    get_scope,
    get_visible_or_404,
    history_map,
    manager_only,
)
from danvan.core.text import search_folded
from danvan.core.views_common import (
    form_page,
    staff_form_view,
    staff_page,
    staff_post,
    stored_document,
    submit_form,
)
from danvan.plans import exports, services
from danvan.plans import forms as f
from danvan.plans.indicators import current_period
from danvan.plans.models import (
    FRONT_AND_UNIONS,
    CoordinationPlan,
    Plan,
    ReportFile,
    Task,
    TaskStatus,
)
from danvan.plans.models.plans import readers_key

NAV = "plans"


def _plan(request: StaffRequest, pk: int, verb: str = VIEW) -> Plan:
    qs = Plan.objects.select_related("organization__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _tasks(plan: Plan) -> Any:
    return plan.tasks.select_related("lead__area").prefetch_related(
        Prefetch("partners", queryset=Organization.objects.select_related("area")), "areas"
    )


# --- Plans -------------------------------------------------------------------------------


@staff_page
def plan_list(request: StaffRequest) -> HttpResponse:
    qs = Plan.objects.visible_to(request.user).select_related("organization")
    q = request.GET.get("q", "").strip()
    qs = search_folded(qs, q, "title_folded")
    can_add = get_scope(request.user).allows(MANAGE)
    return list_page(request, "plans/staff/plan_list.html", qs, nav=NAV, q=q, can_add=can_add)


def _plan_form(request: StaffRequest, plan: Plan | None) -> HttpResponse:
    form = f.PlanForm(request.POST or None, instance=plan, user=request.user)

    def save(data: dict[str, Any]) -> Plan:
        values = {name: data[name] for name in form.Meta.fields}
        if plan is None:
            return services.create_plan(by=request.user, **values)
        return services.update_plan(plan, **values)

    return form_page(
        request,
        form,
        save,
        done="Đã thêm kế hoạch. Hãy thêm các nhiệm vụ." if plan is None else "Đã lưu kế hoạch.",
        template="plans/staff/plan_form.html",
        context={"nav": NAV, "plan": plan},
    )


@staff_form_view
@manager_only
def plan_add(request: StaffRequest) -> HttpResponse:
    return _plan_form(request, None)


@staff_form_view
def plan_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _plan_form(request, _plan(request, pk, MANAGE))


@staff_page
def plan_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The whole plan at a glance: each task with its reports due so far."""
    plan = _plan(request, pk)
    tasks = list(_tasks(plan))
    summary: dict[int, dict[str, int]] = {t.pk: defaultdict(int) for t in tasks}
    for due in services.dues(tasks):
        summary[due.task.pk][due.state] += 1
    rows = [(t, dict(summary[t.pk])) for t in tasks]
    can_manage = can(request.user, MANAGE, plan)
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
    def save(data: dict[str, Any]) -> Task:
        values = {n: data[n] for n in ("number", "text", "lead", "recurrence", "due_on")}
        return services.save_task(
            plan, task, partners=data["partners"], areas=data["areas"], **values
        )

    return form_page(
        request,
        f.TaskForm(request.POST or None, instance=task, user=request.user),
        save,
        done=lambda saved: f"Đã lưu nhiệm vụ {saved.number}.",
        then=plan,
        template="plans/staff/task_form.html",
        context={"nav": NAV, "plan": plan, "task": task},
    )


@staff_form_view
def task_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _task_form(request, _plan(request, pk, MANAGE), None)


@staff_form_view
def task_edit(request: StaffRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task.objects.all(), request.user, VIEW, pk=pk)
    plan = _plan(request, task.plan_id, MANAGE)
    return _task_form(request, plan, task)


@staff_post
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


@staff_form_view
def task_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """A task's due dates × assigned bodies, its reports, and the report form."""
    task = get_visible_or_404(
        Task.objects.select_related("plan__organization", "lead__area"), request.user, pk=pk
    )
    bodies = _reporting_bodies(request, task)
    form = f.ReportForm(request.POST or None, request.FILES or None, task=task, bodies=bodies)
    if request.method == "POST":
        if not bodies:
            raise Http404("Không tìm thấy.")

        def submit(data: dict[str, Any]) -> None:
            files = [(_checked(upload), str(upload.name)) for upload in data["attachments"]]
            services.submit_report(
                task,
                data["organization"],
                data["due_on"],
                by=request.user,
                progress=data["progress"],
                text=data["text"],
                figures=data["figures"],
                files=files,
            )

        done = submit_form(request, form, submit, done="Đã gửi báo cáo tiến độ.", then=task)
        if done is not None:
            return done
    dues = services.dues([task]) if task.status == TaskStatus.OPEN else []
    grid: dict[Any, list[services.Due]] = defaultdict(list)
    for due in dues:
        grid[due.due_on].append(due)
    reports = (
        task.reports.select_related("organization", "created_by")
        .prefetch_related("files")
        .order_by("-due_on", "organization__path")
    )
    can_manage = can(request.user, MANAGE, task.plan)
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


def _checked(upload: Any) -> CheckedDocument:
    """An uploaded document checked by content, refused with its own name."""
    try:
        return check_document(upload)
    except ValidationError as error:
        raise ValidationError(f"{upload.name}: {error.messages[0]}", code=error.code) from None


@staff_page
def report_file(request: StaffRequest, pk: int, report: int, file: int) -> FileResponse:
    """A file attached to a report, for whoever reads the task."""
    task = get_visible_or_404(Task.objects.all(), request.user, pk=pk)
    row = get_object_or_404(ReportFile, pk=file, report_id=report, report__task=task)
    return stored_document(row.stored, row.file_name, row.extension)


@staff_page
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


@staff_page
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


@staff_form_view
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
    form = f.CoordinationForm(request.POST or None, request.FILES or None, initial=initial)
    if current is None or not current.stored:
        del form.fields["remove_file"]

    def save(data: dict[str, Any]) -> None:
        upload = data.get("file")
        services.save_coordination_plan(
            body,
            plan,
            status=data["status"],
            number=data["number"],
            issued_on=data["issued_on"],
            document=(_checked(upload), str(upload.name)) if upload else None,
            remove_file=data.get("remove_file", False),
        )

    return form_page(
        request,
        form,
        save,
        done=f"Đã lưu kế hoạch phối hợp của {body.name}.",
        then=reverse("plans_staff:coordination", kwargs={"pk": plan.pk}),
        template="plans/staff/coordination_form.html",
        context={"nav": NAV, "plan": plan, "body": body, "current": current},
    )


@staff_page
def coordination_file(request: StaffRequest, pk: int, org: int) -> FileResponse:
    """The file of a body's coordination plan, for whoever sees that body's plan."""
    plan = _plan(request, pk)
    row = get_visible_or_404(
        CoordinationPlan.objects.filter(plan=plan).exclude(stored=""),
        request.user,
        organization_id=org,
    )
    return stored_document(row.stored, row.file_name, row.extension)


# --- Targets ------------------------------------------------------------------------------


@staff_form_view
def target_add(request: StaffRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, MANAGE)
    form = f.TargetForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda data: services.add_target(plan, **{name: data[name] for name in form.Meta.fields}),
        done="Đã thêm chỉ tiêu.",
        then=reverse("plans_staff:dashboard", kwargs={"pk": plan.pk}),
        template="plans/staff/target_form.html",
        context={"nav": NAV, "plan": plan},
    )


def light(value: float | None, goal: Decimal) -> str:
    """ "ok" when the target is reached, "near" within 10 points of it, else "far"."""
    if value is None:
        return "none"
    if value >= float(goal):
        return "ok"
    return "near" if value >= float(goal) - 10 else "far"


def _chart(figure: Figure) -> str:
    """The share reached in each unit below, as bars drawn on the server."""
    bars = [
        (area.name, round(100 * done / total))
        for area, done, total in figure.parts
        if total and len(figure.parts) > 1
    ]
    if not bars:
        return ""
    return mark_safe(charts.bar_chart(bars, "Tỷ lệ đạt theo đơn vị (%)", unit="%"))


_DASHBOARDS = LocalCache(ttl=600, size=128)
"""What `dashboard` keeps in this process (the plan, may it be changed, the
rendered cards of `_dashboard_targets.html`: 240 kB for a city of 100
communes, 20 kB for a commune) under its key; the cards also in the shared
cache (`_SHARED_TTL`), so that a change costs one rendering for all
processes, not one each."""
_SHARED_TTL = 600


def _targets_html(request: StaffRequest, plan: Plan, unit_pk: int | None) -> str:
    """The cards of the plan's targets for the unit `unit_pk` (None: where each
    target's unit now counts) as the user's scope shows them; 404 when the
    unit is out of scope."""
    targets = list(plan.targets.select_related("area"))
    visible_units = Area.objects.visible_to(request.user)
    unit: Area | None = None
    if unit_pk is not None:
        unit = visible_units.filter(pk=unit_pk).first()
        if unit is None:
            raise Http404("Không tìm thấy.")
    history = history_map()
    shown: list[tuple[Any, ...]] = []
    recent = list(  # the trend: the last four half-years begun, oldest first
        Period.objects.filter(
            kind=PeriodKind.HALF_YEAR, start__lte=timezone.localdate()
        ).latest_first()[:4]
    )[::-1]
    current = current_period() if recent else None
    today = timezone.localdate()
    found: dict[str, Area | None] = {}  # the unit shown for a target's unit, looked up once
    for target in targets:
        indicator = INDICATORS.get(target.indicator)
        here = unit
        if here is None:
            path = current_path(target.area.path, history)
            if path not in found:
                found[path] = (
                    visible_units.filter(path=path).first()
                    or visible_units.filter(Q(path__startswith=path))
                    .order_by("depth", "path")
                    .first()
                )
            here = found[path]
        if indicator is None or here is None:
            shown.append((target, indicator, None, None, "none", "", []))
            continue
        trend = (
            [(p, kept_figure(indicator, here, plan, p)) for p in recent] if indicator.trend else []
        )
        # The trend's current half-year is the figure (`Indicator.trend`), but
        # a state's only while that half-year runs (else it was read on its end).
        same = indicator.trend is indicator.compute or (current and current.end >= today)
        figure: Figure = (
            trend[-1][1]
            if trend and recent[-1] == current and same
            else kept_figure(indicator, here, plan)
        )
        shown.append(
            (target, indicator, here, figure, light(figure.percent, target.value), _chart(figure),
             trend)
        )  # fmt: skip
    ancestors = Area.objects.get_ancestors(unit).filter(pk__in=visible_units) if unit else []
    crumbs = [*ancestors, unit] if unit else []
    context = {"plan": plan, "shown": shown, "crumbs": crumbs}
    return render_to_string("plans/staff/_dashboard_targets.html", context)


@staff_page
def dashboard(request: StaffRequest, pk: int) -> HttpResponse:
    """Each target of the plan with its figure for a unit (by default where the
    target's unit now counts), the units below it and the rows that make it.

    What a reader's scope shows of a plan (the plan, whether it may be read
    and changed, the cards) is worked out once and, with a shared cache
    (`readers_key`), kept in the process (the cards in the shared cache too)
    under the figures
    version (raised by every write a figure or a card reads: the records
    counted, units, bodies, member counts, periods, the plan and its targets),
    the plan's readers version (the plan, its tasks and their partners), the
    scope version, the reader's scope itself (its prefixes: readers of the
    same scope share it, no one gets another scope's), the day, the plan and
    the unit asked. A page out of scope is a 404 and is not kept. The whole
    page is kept too, per reader (`_page_key`), with its CSRF token put in
    afresh for every answer."""
    raw = request.GET.get("don_vi", "")
    unit_pk = int(raw) if raw.isascii() and raw.isdigit() else None
    readers = readers_key(request.user, FIGURES)  # None: nothing kept (no shared cache)
    key = (readers, timezone.localdate(), pk, unit_pk) if readers is not None else None
    # The whole page, for this reader (the name in its header, the menu its
    # roles open), when no message waits to be shown on it; its CSRF token is
    # put in afresh (`_CSRF_MARK`) for every request.
    page_key = _page_key(request, key) if key is not None else None
    if page_key is not None:
        page = _PAGES.get(page_key)
        if page is not None:
            return HttpResponse(page.replace(_CSRF_MARK, get_token(request)))
    kept = _DASHBOARDS.get(key) if key is not None else None
    if kept is None:
        qs = Plan.objects.select_related("organization__area").annotate(
            manageable=Exists(
                Plan.objects.visible_to(request.user, MANAGE).filter(pk=OuterRef("pk"))
            )
        )
        plan = get_visible_or_404(qs, request.user, VIEW, pk=pk)
        shared = "plans:dashboard:" + hashlib.sha256(repr(key).encode()).hexdigest()[:40]
        html = cache.get(shared) if key is not None else None
        if html is None:
            html = _targets_html(request, plan, unit_pk)
            if key is not None:
                cache.set(shared, html, _SHARED_TTL)
        kept = (plan, bool(getattr(plan, "manageable", False)), html)
        if key is not None:
            _DASHBOARDS.set(key, kept)
    plan, can_manage, html = kept
    context = {
        "nav": NAV,
        "plan": plan,
        "targets_html": mark_safe(html),  # rendered by our template, which escaped it
        "can_manage": can_manage,
    }
    if page_key is None:
        return render(request, "plans/staff/dashboard.html", context)
    context["csrf_token"] = _CSRF_MARK
    page = render_to_string("plans/staff/dashboard.html", context, request)
    _PAGES.set(page_key, page)
    return HttpResponse(page.replace(_CSRF_MARK, get_token(request)))


_PAGES = LocalCache(ttl=600, size=64)
"""Whole dashboard pages (`dashboard`), rendered with `_CSRF_MARK` for the
CSRF token, under the page's key and what the staff layout shows of the
reader (`_page_key`)."""
_CSRF_MARK = "csrfmark" + secrets.token_hex(24)


def _page_key(request: StaffRequest, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The key of the whole page for this reader: the dashboard's `key`, who
    reads it (their name is in the header) and which menu entries their scope
    opens; None while a message waits to be shown (the page shows it once)."""
    if len(get_messages(request)):
        return None
    user = request.user
    scope = get_scope(user)
    return (
        key,
        user.pk,
        user.get_username(),
        user.get_full_name(),
        scope.allows(GRANT),
        scope.allows(AUDIT),
    )


@staff_page
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
