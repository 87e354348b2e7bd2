"""The periodic review report (báo cáo sơ kết 6 tháng, tổng kết năm) of a body
for a reporting period, its narrative drafts kept as versions, and its exports.

The figures are never stored here: they are counted from the records of the
period when the report is exported (`core.review`). What staff write (the
results, shortcomings, causes, lessons, tasks ahead) is a `Draft`: each save is
a new version, so earlier wording can be read and restored; the latest is
exported.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from danvan.core import columns
from danvan.core.models import Area, Job, Period, PeriodKind
from danvan.core.scope import OrganizationScopedQuerySet


class ReviewReportQuerySet(OrganizationScopedQuerySet["ReviewReport"]):
    """In scope by the issuing body."""


class ReviewReport(columns.OrganizationAudited, models.Model):
    """A review report of the issuing body's unit for a period, in the layout of
    Hướng dẫn 36-HD/VPTW (rendered by `render.py`)."""

    organization = columns.organization_field("cơ quan ban hành", related_name="review_reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name="kỳ báo cáo")
    party_committee = models.CharField(
        "đảng bộ (dòng đầu tiêu đề)", max_length=200, help_text="Ví dụ: ĐẢNG BỘ TỈNH HẬU GIANG"
    )
    issuer = models.CharField(
        "tên cơ quan ban hành (in đậm)", max_length=200, help_text="Ví dụ: HUYỆN ỦY PHỤNG HIỆP"
    )
    number = models.CharField(
        "số", max_length=20, blank=True, help_text="Để trống khi chưa lấy số (in chỗ trống)."
    )
    symbol = models.CharField("ký hiệu", max_length=40, default="BC/BDV", help_text="Ví dụ: BC/HU")
    place = models.CharField("địa danh", max_length=100, help_text="Ví dụ: Phụng Hiệp")
    dated = models.DateField(
        "ngày báo cáo", null=True, blank=True, help_text="Để trống khi chưa ký (in chỗ trống)."
    )
    subject = models.CharField(
        "trích yếu",
        max_length=400,
        help_text="Dòng dưới chữ BÁO CÁO, ví dụ: Sơ kết 6 tháng đầu năm 2026 công tác dân vận",
    )
    signer_capacity = models.CharField(
        "thẩm quyền ký", max_length=100, default="T/M BAN THƯỜNG VỤ", blank=True
    )
    signer_title = models.CharField("chức vụ người ký", max_length=100, blank=True)
    signer_name = models.CharField("họ tên người ký", max_length=150, blank=True)
    recipients = models.TextField(
        "nơi nhận", blank=True, help_text="Mỗi dòng một nơi nhận, ví dụ: Thường trực Tỉnh ủy,"
    )
    created_by = columns.staff_user_field("người tạo")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm sửa", auto_now=True)

    objects = ReviewReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo sơ kết, tổng kết"
        verbose_name_plural = "báo cáo sơ kết, tổng kết"
        ordering = ["-period__end", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.period.name} — {self.organization.name}"

    def get_absolute_url(self) -> str:
        return reverse("reports_staff:report_detail", args=[self.pk])

    @property
    def area(self) -> Area:
        """The unit whose figures the report counts: the issuing body's."""
        return self.organization.area

    @property
    def kind_label(self) -> str:
        return "Tổng kết" if self.period.kind == PeriodKind.YEAR else "Sơ kết"

    def latest_draft(self) -> Draft | None:
        return self.drafts.order_by("-version").first()

    def provisional_as_of(self, today: date | None = None) -> date | None:
        """The day the figures are counted to when the period has not ended yet
        (today, in Vietnam): an export then is only a draft. None once ended."""
        today = today or timezone.localdate()
        return today if self.period.end >= today else None


NARRATIVE = [
    ("results", "Kết quả đạt được (nhận xét chung)"),
    ("shortcomings", "Hạn chế"),
    ("causes", "Nguyên nhân"),
    ("lessons", "Bài học kinh nghiệm"),
    ("tasks_ahead", "Phương hướng, nhiệm vụ thời gian tới"),
]
"""The parts staff write, in the report's order: (field, label)."""


class Draft(models.Model):
    """One saved version of the narrative parts of a report (never changed)."""

    report = models.ForeignKey(
        ReviewReport, on_delete=models.CASCADE, related_name="drafts", verbose_name="báo cáo"
    )
    version = models.PositiveIntegerField("phiên bản")
    results = models.TextField("kết quả đạt được", blank=True)
    shortcomings = models.TextField("hạn chế", blank=True)
    causes = models.TextField("nguyên nhân", blank=True)
    lessons = models.TextField("bài học kinh nghiệm", blank=True)
    tasks_ahead = models.TextField("phương hướng, nhiệm vụ", blank=True)
    restored_from = models.PositiveIntegerField("khôi phục từ phiên bản", null=True, blank=True)
    created_by = columns.staff_user_field("người lưu")
    created_at = models.DateTimeField("thời điểm lưu", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản nội dung báo cáo"
        verbose_name_plural = "phiên bản nội dung báo cáo"
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="review_draft_version_once")
        ]

    def __str__(self) -> str:
        return f"Phiên bản {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports_staff:draft_detail", args=[self.report_id, self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return self.report.get_additional_data()

    def parts(self) -> list[tuple[str, str, str]]:
        """(field, label, text) of each narrative part."""
        return [(name, label, str(getattr(self, name))) for name, label in NARRATIVE]

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, _label in NARRATIVE}


class Export(models.Model):
    """One export of a report: the Word document and the Excel annex, made by a job."""

    report = models.ForeignKey(
        ReviewReport, on_delete=models.CASCADE, related_name="exports", verbose_name="báo cáo"
    )
    draft = models.ForeignKey(
        Draft,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="phiên bản nội dung",
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.FileField("báo cáo (Word)", upload_to="reports/%Y/%m/", blank=True)
    annex = models.FileField("phụ lục (Excel)", upload_to="reports/%Y/%m/", blank=True)
    seconds = models.FloatField("thời gian tạo (giây)", null=True, blank=True)
    counted_to = models.DateField(
        "số liệu tính đến ngày",
        null=True,
        blank=True,
        help_text="Có giá trị khi kỳ báo cáo chưa kết thúc lúc xuất: bản xuất là dự thảo.",
    )
    created_by = columns.staff_user_field("người xuất")
    created_at = models.DateTimeField("thời điểm xuất", auto_now_add=True)

    class Meta:
        verbose_name = "bản xuất báo cáo"
        verbose_name_plural = "bản xuất báo cáo"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Bản xuất {self.pk} của {self.report}"

    @property
    def ready(self) -> bool:
        return bool(self.document)

    @property
    def provisional(self) -> bool:
        """Exported before its period ended: a draft ("DỰ THẢO"), counted to `counted_to`."""
        return self.counted_to is not None
