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
from django.db.models import Q
from django.urls import reverse

from danvan.core.models import Area, Organization, OrgKind
from danvan.core.scope import VIEW, ScopedQuerySetMixin, _prefix_q, get_scope
from danvan.core.text import fold

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


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: Any, verb: str = VIEW) -> PlanQuerySet:
        """Plans of a body in scope, and, to read, the plans with a task
        assigned to a body in scope."""
        own = _reach(user, verb, "organization")
        if own is None:
            return self.all()
        if verb != VIEW:
            return self.filter(own)
        assigned = _reach(user, verb, "tasks__lead", "tasks__partners")
        ids = Plan.objects.filter(assigned).values("pk") if assigned is not None else None
        return self.filter(own | Q(pk__in=ids)) if ids is not None else self.all()


class Plan(models.Model):
    """A plan (kế hoạch) issued by a body to carry out a document."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name="cơ quan ban hành",
    )
    number = models.CharField("số hiệu", max_length=60)
    issued_on = models.DateField("ngày ban hành")
    title = models.CharField("trích yếu", max_length=400)
    title_folded = models.CharField(max_length=500, editable=False, blank=True)
    carries_out = models.CharField("thực hiện văn bản", max_length=400, blank=True)
    starts_on = models.DateField("thực hiện từ ngày")
    ends_on = models.DateField("đến ngày")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người nhập",
    )
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="plan_period_order",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu thực hiện.",
            )
        ]

    def __str__(self) -> str:
        return f"Kế hoạch {self.number}: {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title_folded = fold(f"{self.number} {self.title}")[:500]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:plan_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


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
    lead = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="led_tasks", verbose_name="chủ trì"
    )
    partners = models.ManyToManyField(
        Organization, blank=True, related_name="partner_tasks", verbose_name="phối hợp"
    )
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
        org = self.plan.organization
        return {"area_path": org.area.path, "org_path": org.path}

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


class Report(models.Model):
    """An assigned body's progress on a task, for one due date."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="task_reports", verbose_name="đơn vị"
    )
    due_on = models.DateField("kỳ báo cáo (hạn)")
    progress = models.PositiveSmallIntegerField("mức độ hoàn thành (%)")
    text = models.TextField("kết quả thực hiện")
    figures = models.CharField("số liệu chính", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người báo cáo",
    )
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

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


class CoordinationQuerySet(ScopedQuerySetMixin, models.QuerySet["CoordinationPlan"]):
    scope_area_path = "organization__area__path"
    scope_org_path = "organization__path"


class CoordinationStatus(models.TextChoices):
    DRAFT = "draft", "Đang xây dựng"
    ISSUED = "issued", "Đã ban hành"


class CoordinationPlan(models.Model):
    """A body's coordination plan (kế hoạch phối hợp) carrying out a plan."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="coordination_plans",
        verbose_name="cơ quan, đoàn thể",
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

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


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
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="plan_targets", verbose_name="địa bàn"
    )
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


# --- Briefings (tuyên truyền, học tập, quán triệt) ------------------------------------------


class BriefingFormat(models.TextChoices):
    IN_PERSON = "in_person", "Trực tiếp (hội nghị, buổi sinh hoạt)"
    COMBINED = "combined", "Lồng ghép trong sinh hoạt chi, tổ hội"
    ONLINE = "online", "Trực tuyến"
    LOUDSPEAKER = "loudspeaker", "Loa truyền thanh"
    ZALO = "zalo", "Nhóm Zalo, mạng xã hội"
    OTHER = "other", "Hình thức khác"


class Audience(models.TextChoices):
    MEMBERS = "members", "Đoàn viên, hội viên"
    LEADERS = "leaders", "Ban công tác Mặt trận, chi hội trưởng, chi hội phó"
    OFFICIALS = "officials", "Cán bộ, đảng viên"
    PEOPLE = "people", "Nhân dân"
    ETHNIC = "ethnic", "Đồng bào dân tộc thiểu số"
    RELIGIOUS = "religious", "Đồng bào tôn giáo"


class BriefingQuerySet(ScopedQuerySetMixin, models.QuerySet["Briefing"]):
    scope_area_path = "organization__area__path"
    scope_org_path = "organization__path"


class Briefing(models.Model):
    """A session held by a body for its members or the people, with the
    attendance counted per body (a branch, a union) whose members came."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="briefings",
        verbose_name="đơn vị tổ chức",
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefings",
        verbose_name="thực hiện kế hoạch",
    )
    topic = models.CharField("nội dung (chủ trương, nghị quyết, chính sách)", max_length=300)
    topic_folded = models.CharField(max_length=300, editable=False, blank=True)
    held_on = models.DateField("ngày tổ chức")
    place = models.CharField("địa điểm", max_length=200, blank=True)
    format = models.CharField("hình thức", max_length=20, choices=BriefingFormat.choices)
    audience = models.CharField("đối tượng", max_length=20, choices=Audience.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người nhập",
    )
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        verbose_name = "buổi tuyên truyền"
        verbose_name_plural = "buổi tuyên truyền"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="briefing_held_on")]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d/%m/%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.topic_folded = fold(self.topic)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:briefing_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


class Attendance(models.Model):
    """How many members of one body attended a briefing."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="attendances")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name="chi hội, đoàn thể",
    )
    attendees = models.PositiveIntegerField("số người dự")

    class Meta:
        verbose_name = "số người dự"
        verbose_name_plural = "số người dự"
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "organization"],
                name="one_attendance_per_body",
                violation_error_message="Mỗi chi hội, đoàn thể chỉ ghi một dòng cho một buổi.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.attendees}"


# --- The communicator network ----------------------------------------------------------------


class CommunicatorKind(models.TextChoices):
    REPORTER = "reporter", "Báo cáo viên"
    PROPAGANDIST = "propagandist", "Tuyên truyền viên"
    COLLABORATOR = "collaborator", "Cộng tác viên dư luận xã hội"
    RESPECTED = "respected", "Người có uy tín"
    DIGNITARY = "dignitary", "Chức sắc, chức việc tôn giáo"
    RETIRED = "retired", "Cán bộ hưu trí, cựu chiến binh"


COUNTED_COMMUNICATORS = (CommunicatorKind.REPORTER, CommunicatorKind.PROPAGANDIST)
"""The kinds that make "the grassroots communicator force" of the plan's target."""


class CommunicatorQuerySet(ScopedQuerySetMixin, models.QuerySet["Communicator"]):
    scope_area_path = "area__path"
    scope_org_path = "organization__path"

    def active(self, on: date | None = None) -> CommunicatorQuerySet:
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(active_to__isnull=True) | Q(active_to__gte=on), active_from__lte=on)


class Communicator(models.Model):
    """A person of the communicator network (lực lượng tuyên truyền), in a
    unit, usually for a body. The phone is kept encrypted and shown masked in
    lists."""

    kind = models.CharField("loại", max_length=20, choices=CommunicatorKind.choices)
    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="communicators", verbose_name="địa bàn"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communicators",
        verbose_name="thuộc tổ chức",
    )
    ethnicity = models.CharField("dân tộc", max_length=50, default="Kinh")
    languages = models.CharField(
        "tiếng nói sử dụng", max_length=200, default="Tiếng Việt", blank=True
    )
    phone_encrypted = models.TextField(editable=False, blank=True)
    active_from = models.DateField("tham gia từ ngày")
    active_to = models.DateField("đến ngày", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = CommunicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "người trong lực lượng tuyên truyền"
        verbose_name_plural = "lực lượng tuyên truyền"
        ordering = ["area__path", "full_name_folded"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="communicator_active_order",
                violation_error_message="Ngày kết thúc phải sau ngày tham gia.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_kind_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:communicator_edit", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        data = {"area_path": self.area.path}
        if self.organization_id:
            data["org_path"] = self.organization.path  # type: ignore[union-attr]
        return data

    @property
    def phone(self) -> str:
        from danvan.core.crypto import decrypt

        return decrypt(self.phone_encrypted) if self.phone_encrypted else ""


# --- Training of officials (tập huấn, bồi dưỡng) ------------------------------------------------


class OfficialClass(models.TextChoices):
    GRASSROOTS = "grassroots", "Trực tiếp làm công tác dân vận, dân tộc, tôn giáo ở cơ sở"
    PUBLIC_FACING = (
        "public_facing",
        ("Bộ phận trực tiếp liên quan với Nhân dân; lãnh đạo, chuyên viên theo dõi dân vận"),
    )


class OfficialQuerySet(ScopedQuerySetMixin, models.QuerySet["Official"]):
    scope_area_path = "organization__area__path"
    scope_org_path = "organization__path"


class Official(models.Model):
    """An official the plan's training targets count, in the body they work for."""

    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True)
    position = models.CharField("chức vụ", max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="officials", verbose_name="cơ quan"
    )
    official_class = models.CharField("nhóm", max_length=20, choices=OfficialClass.choices)
    left_on = models.DateField("thôi công tác từ ngày", null=True, blank=True)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = "cán bộ cần tập huấn"
        verbose_name_plural = "cán bộ cần tập huấn"
        ordering = ["organization__path", "full_name_folded"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


class CourseQuerySet(ScopedQuerySetMixin, models.QuerySet["Course"]):
    scope_area_path = "organization__area__path"
    scope_org_path = "organization__path"


class Course(models.Model):
    """A training course (lớp tập huấn, bồi dưỡng) and who completed it."""

    title = models.CharField("tên lớp", max_length=300)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name="đơn vị mở lớp",
    )
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    place = models.CharField("địa điểm", max_length=200, blank=True)
    officials = models.ManyToManyField(
        Official, through="Completion", related_name="courses", verbose_name="học viên"
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = "lớp tập huấn"
        verbose_name_plural = "lớp tập huấn"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="course_period_order",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:course_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        org = self.organization
        return {"area_path": org.area.path, "org_path": org.path}


class Completion(models.Model):
    """An official who attended a course: completed it or not, with the certificate."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="completions")
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="completions")
    completed = models.BooleanField("hoàn thành", default=True)
    certificate = models.CharField("số giấy chứng nhận", max_length=60, blank=True)

    class Meta:
        verbose_name = "học viên"
        verbose_name_plural = "học viên"
        constraints = [
            models.UniqueConstraint(
                fields=["course", "official"],
                name="one_completion_per_course",
                violation_error_message="Học viên đã có trong lớp này.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.course}"


# --- Aggregate returns (báo cáo số liệu tổng hợp) ----------------------------------------------


class ReturnQuerySet(ScopedQuerySetMixin, models.QuerySet["AggregateReturn"]):
    scope_area_path = "area__path"


class AggregateReturn(models.Model):
    """A unit's totals for an indicator in a period, where it reports totals
    rather than rows (typical in the first year): counted for the unit when no
    row is recorded under it, flagged when it contradicts the rows."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="aggregate_returns", verbose_name="đơn vị"
    )
    period = models.ForeignKey(
        "core.Period",
        on_delete=models.PROTECT,
        related_name="aggregate_returns",
        verbose_name="kỳ báo cáo",
    )
    indicator = models.CharField("chỉ số", max_length=40)
    done = models.PositiveIntegerField("số đạt")
    total = models.PositiveIntegerField("tổng số")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người nhập",
    )
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo số liệu tổng hợp"
        verbose_name_plural = "báo cáo số liệu tổng hợp"
        ordering = ["area__path", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "indicator"],
                name="one_return_per_unit_period_indicator",
                violation_error_message="Đơn vị đã có báo cáo tổng hợp chỉ số này trong kỳ.",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="return_done_within_total",
                violation_error_message="Số đạt không được lớn hơn tổng số.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.indicator} {self.done}/{self.total}"

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.area.path}
