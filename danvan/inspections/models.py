"""Inspections and supervision of how the bodies carry out the plan (kiểm tra,
giám sát): a programme per reporting period (6 months or a year) issued by a
body (usually the Party committee's Inspection Committee), its inspections
(the body inspected, the team, the dates, what was checked, the findings and
conclusions), and each recommendation followed up to its deadline until done.

A programme is seen by its issuing body's scope; an inspection by the
programme's scope and by the body inspected (it receives the conclusions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from danvan.core import columns
from danvan.core.models import Period
from danvan.core.scope import OrganizationScopedQuerySet, get_scope


class ProgrammeQuerySet(OrganizationScopedQuerySet["Programme"]):
    """In scope by the body that issued the programme."""


class Programme(models.Model):
    """A programme of inspection and supervision for a period."""

    organization = columns.organization_field("cơ quan ban hành", related_name="+")
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", verbose_name="kỳ"
    )
    number = models.CharField("số", max_length=50, blank=True)
    title = models.CharField("tên chương trình", max_length=300)
    issued_on = models.DateField("ngày ban hành")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "chương trình kiểm tra, giám sát"
        verbose_name_plural = "chương trình kiểm tra, giám sát"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections_staff:programme", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.organization.area.path}


class Kind(models.TextChoices):
    INSPECTION = "inspection", "Kiểm tra"
    SUPERVISION = "supervision", "Giám sát"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "Theo kế hoạch"
    CONCLUDED = "concluded", "Đã kết luận"


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: Any, verb: str = "view") -> InspectionQuerySet:
        """The inspections of the programmes the user sees, and, to read, those
        of the bodies the user acts for (they receive the conclusions)."""
        programmes = Programme.objects.visible_to(user, verb)
        q = Q(programme__in=programmes)
        if verb == "view":
            scope = get_scope(user)
            for prefix in scope.org_prefixes(verb):
                q |= Q(inspected__path__startswith=prefix)
            for prefix in scope.area_prefixes(verb):
                q |= Q(inspected__area__path__startswith=prefix)
        return self.filter(q)


class Inspection(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="inspections", verbose_name="chương trình"
    )
    kind = models.CharField("hình thức", max_length=20, choices=Kind, default=Kind.INSPECTION)
    inspected = columns.organization_field("đơn vị được kiểm tra, giám sát", related_name="+")
    team = models.TextField("đoàn kiểm tra, giám sát", help_text="Trưởng đoàn và các thành viên.")
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    scope_text = models.TextField("nội dung kiểm tra, giám sát")
    findings = models.TextField("kết quả kiểm tra (ưu điểm, hạn chế)", blank=True)
    conclusions = models.TextField("kết luận", blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=InspectionStatus, default=InspectionStatus.PLANNED
    )
    concluded_on = models.DateField("ngày kết luận", null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "cuộc kiểm tra, giám sát"
        verbose_name_plural = "cuộc kiểm tra, giám sát"
        constraints = [
            columns.ends_after(
                "starts_on", "ends_on", inclusive=True, name="inspection_dates_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.inspected}"

    def get_absolute_url(self) -> str:
        return reverse("inspections_staff:inspection", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.inspected.area.path}


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def visible_to(self, user: Any, verb: str = "view") -> RecommendationQuerySet:
        """A recommendation follows its inspection."""
        return self.filter(inspection__in=Inspection.objects.visible_to(user, verb))


class Recommendation(models.Model):
    """A recommendation of an inspection, followed until done."""

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name="cuộc kiểm tra",
    )
    text = models.TextField("kiến nghị, yêu cầu")
    deadline = models.DateField("hạn thực hiện")
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    result = models.TextField("kết quả thực hiện", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "kiến nghị sau kiểm tra"
        verbose_name_plural = "kiến nghị sau kiểm tra"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def overdue(self, today: date | None = None) -> bool:
        today = timezone.localdate() if today is None else today
        return self.done_on is None and today > self.deadline

    @property
    def status_label(self) -> str:
        if self.done_on is not None:
            return "Đã thực hiện" if self.done_on <= self.deadline else "Thực hiện chậm"
        return "Quá hạn" if self.overdue() else "Đang thực hiện"
