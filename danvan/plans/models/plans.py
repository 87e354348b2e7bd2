"""Carrying out the plan (thực hiện kế hoạch): a plan issued by a body, its
tasks assigned to lead and partner bodies with a deadline or a recurrence,
each assigned body's progress reports per due date, the coordination plans
(kế hoạch phối hợp) each Front body and organisation issues, and the plan's
targets (chỉ tiêu), computed from the records through `core.indicators`.

Who sees what: a plan is seen by the scope of its issuing body and by the
bodies its tasks are assigned to (`PlanQuerySet.visible_to`); a task by the
same; a report by the scope of the body that wrote it and of the plan.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from danvan.core import columns
from danvan.core.cache import LocalCache, Version
from danvan.core.documents import StoredFile
from danvan.core.models import Area, OrgKind
from danvan.core.scope import VIEW, OrganizationScopedQuerySet, _prefix_q, get_scope

FRONT_AND_UNIONS = (
    OrgKind.FRONT,
    OrgKind.WOMEN,
    OrgKind.FARMERS,
    OrgKind.YOUTH,
    OrgKind.VETERANS,
)
"""The Front and the socio-political organisations: the bodies that must each
issue a coordination plan (the plan's first target)."""


class Recurrence(models.TextChoices):
    ONCE = "once", "Một lần (theo hạn)"
    QUARTERLY = "quarterly", "Hằng quý"
    HALF_YEARLY = "half_yearly", "6 tháng một lần"
    YEARLY = "yearly", "Hằng năm"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"
    CANCELLED = "cancelled", "Không thực hiện nữa"


def _reach(user: Any, verb: str, *paths: str) -> Q | None:
    """Rows whose organisations at `paths` (each "<relation>__path" and its
    "<relation>__area__path") are in the user's scope; None for everything."""
    scope = get_scope(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.is_system_admin:
        return None
    q = Q(pk__in=[])
    areas, orgs = scope.area_prefixes(verb), scope.org_prefixes(verb)
    for rel in paths:
        if areas:
            q |= _prefix_q(f"{rel}__area__path", areas)
        if orgs:
            q |= _prefix_q(f"{rel}__path", orgs)
    return q


READERS = Version("plans:readers:version")
"""Raised by every write that changes who reads a plan (the plan's body, its
tasks' lead and partners: signals in danvan.plans.apps), for what is kept per
reader's scope (the target dashboard); a change of a role, a unit or a body
raises the scope version."""


def readers_key(user: Any, *also: Version) -> tuple[Any, ...] | None:
    """What decides which plans `user` reads and changes: the readers version,
    the scope version and the user's scope itself (users of the same scope
    share it), and the versions `also` (read in the same round trip). None
    without a shared cache: a version raised in one process would not reach
    the others, so nothing is kept per scope."""
    from django.core.cache import cache

    from danvan.core.scope import MANAGE, SCOPE_VERSION_KEY, scope_version

    if not getattr(settings, "SHARED_CACHE", False):
        return None
    versions = cache.get_many([READERS.key, SCOPE_VERSION_KEY, *(v.key for v in also)])
    current = versions.get(SCOPE_VERSION_KEY)
    scope = get_scope(user, current)  # (no round trip of its own)
    if current is None:  # (none yet: get_scope has set one)
        current = scope_version()
    return (
        int(versions.get(READERS.key, 0)),
        current,
        *(int(versions.get(v.key, 0)) for v in also),
        scope.user_id is None,
        scope.is_system_admin,
        *(tuple(scope.area_prefixes(verb)) for verb in (VIEW, MANAGE)),
        *(tuple(scope.org_prefixes(verb)) for verb in (VIEW, MANAGE)),
    )


_READABLE = LocalCache(ttl=300, size=1024)


def readable_plans(user: Any, key: Any = ...) -> dict[int, Plan] | None:
    """`Plan.objects.visible_to(user)` by pk, kept in the process under
    `readers_key` (every write of a plan raises its readers version, so a
    kept plan is never older than its row; `key`: that key, when the caller
    has read it); None when not kept (no shared cache). The plans are shared:
    read them, never change them."""
    if key is ...:
        key = readers_key(user)
    if key is None:
        return None
    plans: dict[int, Plan] | None = _READABLE.get(key)
    if plans is None:
        plans = {plan.pk: plan for plan in Plan.objects.visible_to(user)}
        _READABLE.set(key, plans)
    return plans


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: Any, verb: str = VIEW) -> PlanQuerySet:
        """Plans of a body in scope, and, to read, the plans with a task
        assigned to a body in scope."""
        own = _reach(user, verb, "organization")
        if own is None:
            return self.all()
        if verb != VIEW:
            return self.filter(own)
        # Each plan's own tasks, tested where the plan is (EXISTS): an OR over
        # the lead's and the partners' paths in one subquery would join every
        # task partner with every organisation, for every plan.
        reached: Any = own
        for relation in ("lead", "partners"):
            assigned = _reach(user, verb, relation)
            if assigned is None:
                return self.all()
            if assigned == Q(pk__in=[]):  # no prefix: nothing to test
                continue
            reached |= Exists(Task.objects.filter(assigned, plan=OuterRef("pk")))
        return self.filter(reached)


class Plan(columns.OrganizationAudited, columns.FoldedCopies, models.Model):
    """A plan (kế hoạch) issued by a body to carry out a document."""

    folded = {"title_folded": ("number", "title")}

    organization = columns.organization_field("cơ quan ban hành", related_name="plans")
    number = models.CharField("số hiệu", max_length=60)
    issued_on = models.DateField("ngày ban hành")
    title = models.CharField("trích yếu", max_length=400)
    title_folded = models.CharField(max_length=500, editable=False, blank=True)
    carries_out = models.CharField("thực hiện văn bản", max_length=400, blank=True)
    starts_on = models.DateField("thực hiện từ ngày")
    ends_on = models.DateField("đến ngày")
    created_by = columns.staff_user_field("người nhập", blank=False)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            columns.ends_after(
                "starts_on",
                "ends_on",
                inclusive=True,
                name="plan_period_order",
                message="Ngày kết thúc phải sau ngày bắt đầu thực hiện.",
            )
        ]

    def __str__(self) -> str:
        return f"Kế hoạch {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:plan_detail", args=[self.pk])


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: Any, verb: str = VIEW) -> TaskQuerySet:
        """To read: tasks of a plan of a body in scope, or assigned to one. To
        report (MANAGE), the bodies assigned; to change it, the issuing body."""
        q = _reach(user, verb, "plan__organization", "lead", "partners")
        if q is None:
            return self.all()
        return self.filter(pk__in=Task.objects.filter(q).values("pk"))


class Task(models.Model):
    """A task of a plan: what, by whom (lead and partners), where, by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField("mục", max_length=20, help_text="Ví dụ: III.2")
    text = models.TextField("nội dung nhiệm vụ")
    lead = columns.organization_field("chủ trì", related_name="led_tasks")
    partners = columns.partners_field("partner_tasks", verbose_name="phối hợp")
    areas = models.ManyToManyField(
        Area, blank=True, related_name="plan_tasks", verbose_name="đơn vị áp dụng"
    )
    recurrence = models.CharField(
        "thời hạn", max_length=20, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    due_on = models.DateField("hạn hoàn thành", null=True, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    position = models.PositiveIntegerField(default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:task_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return columns.organization_paths(self.plan.organization)

    def due_dates(self) -> list[date]:
        """When a report is due: the deadline of a one-off task (the plan's end
        without one), else the end of each quarter, half-year or year that
        falls within the plan's period (and its last day)."""
        start, end = self.plan.starts_on, self.plan.ends_on
        if self.recurrence == Recurrence.ONCE:
            return [self.due_on or end]
        months = {Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6, Recurrence.YEARLY: 12}[
            Recurrence(self.recurrence)
        ]
        dates = []
        for year in range(start.year, end.year + 1):
            for month in range(months, 13, months):
                last = date(year, month, calendar.monthrange(year, month)[1])
                if start <= last <= end:
                    dates.append(last)
        if not dates or dates[-1] < end:
            dates.append(end)
        return dates


class Report(columns.OrganizationAudited, models.Model):
    """An assigned body's progress on a task, for one due date."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    organization = columns.organization_field("đơn vị", related_name="task_reports")
    due_on = models.DateField("kỳ báo cáo (hạn)")
    progress = models.PositiveSmallIntegerField("mức độ hoàn thành (%)")
    text = models.TextField("kết quả thực hiện")
    figures = models.CharField("số liệu chính", max_length=500, blank=True)
    created_by = columns.staff_user_field("người báo cáo", blank=False)
    created_at = models.DateTimeField("thời điểm báo cáo", auto_now_add=True)

    class Meta:
        verbose_name = "báo cáo tiến độ"
        verbose_name_plural = "báo cáo tiến độ"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "organization", "due_on"],
                name="one_report_per_due_date",
                violation_error_message="Đơn vị đã báo cáo kỳ này của nhiệm vụ.",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="report_progress_max",
                violation_error_message="Mức độ hoàn thành từ 0 đến 100%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.task} ({self.due_on:%d/%m/%Y})"


class ReportFile(StoredFile):
    """A document attached to a progress report (PDF, Word, Excel, checked by
    content in `danvan.core.documents`), kept in `default_storage` under a
    random name; gone from the storage when the row goes."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = "tệp đính kèm báo cáo"
        verbose_name_plural = "tệp đính kèm báo cáo"
        ordering = ["pk"]


class CoordinationQuerySet(OrganizationScopedQuerySet["CoordinationPlan"]):
    """In scope by the body whose coordination plan it is."""


class CoordinationStatus(models.TextChoices):
    DRAFT = "draft", "Đang xây dựng"
    ISSUED = "issued", "Đã ban hành"


class CoordinationPlan(columns.OrganizationAudited, models.Model):
    """A body's coordination plan (kế hoạch phối hợp) carrying out a plan."""

    organization = columns.organization_field(
        "cơ quan, đoàn thể", related_name="coordination_plans"
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        related_name="coordination_plans",
        verbose_name="thực hiện kế hoạch",
    )
    number = models.CharField("số hiệu", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    status = models.CharField(
        "trạng thái",
        max_length=20,
        choices=CoordinationStatus.choices,
        default=CoordinationStatus.DRAFT,
    )
    file_name = models.CharField("tệp kế hoạch", max_length=200, blank=True)
    stored = models.CharField(max_length=200, editable=False, blank=True)
    extension = models.CharField(max_length=10, editable=False, blank=True)
    size = models.PositiveIntegerField("dung lượng tệp (byte)", default=0)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = CoordinationQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch phối hợp"
        verbose_name_plural = "kế hoạch phối hợp"
        ordering = ["organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "plan"],
                name="one_coordination_plan_per_body",
                violation_error_message="Cơ quan này đã có kế hoạch phối hợp cho kế hoạch này.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(issued_on__isnull=False) & ~Q(number="")),
                name="issued_coordination_plan_has_number_and_date",
                violation_error_message="Kế hoạch đã ban hành cần có số hiệu và ngày ban hành.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.number or 'chưa ban hành'}"


class TargetQuerySet(models.QuerySet["Target"]):
    def visible_to(self, user: Any, verb: str = VIEW) -> TargetQuerySet:
        """Targets of a plan the user sees."""
        return self.filter(plan__in=Plan.objects.visible_to(user, verb))


class Target(models.Model):
    """A target (chỉ tiêu) of a plan: an indicator to reach a value in a unit by a date."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name="kế hoạch"
    )
    indicator = models.CharField("chỉ số", max_length=40)
    text = models.CharField("chỉ tiêu (như trong kế hoạch)", max_length=400)
    value = models.DecimalField("mức phấn đấu (%)", max_digits=5, decimal_places=1)
    area = columns.area_field(related_name="plan_targets")
    deadline = models.DateField("thời hạn")
    position = models.PositiveIntegerField(default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100),
                name="target_value_percent",
                violation_error_message="Mức phấn đấu từ 0 đến 100%.",
            )
        ]

    def __str__(self) -> str:
        return self.text
