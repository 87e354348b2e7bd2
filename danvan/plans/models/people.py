"""The communicator network and the training of officials."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse

from danvan.core import columns
from danvan.core.scope import OrganizationScopedQuerySet, ScopedQuerySetMixin

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


class Communicator(columns.EncryptedPhone, columns.FoldedCopies, models.Model):
    """A person of the communicator network (lực lượng tuyên truyền), in a
    unit, usually for a body. The phone is kept encrypted and shown masked in
    lists."""

    folded = {"full_name_folded": ("full_name",)}

    kind = models.CharField("loại", max_length=20, choices=CommunicatorKind.choices)
    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True)
    area = columns.area_field(related_name="communicators")
    organization = columns.organization_field(
        "thuộc tổ chức", null=True, blank=True, related_name="communicators"
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
            columns.ends_after(
                "active_from",
                "active_to",
                inclusive=True,
                open_ended=True,
                name="communicator_active_order",
                message="Ngày kết thúc phải sau ngày tham gia.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:communicator_edit", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        data = {"area_path": self.area.path}
        if self.organization_id:
            data["org_path"] = self.organization.path
        return data


# --- Training of officials (tập huấn, bồi dưỡng) ------------------------------------------------


class OfficialClass(models.TextChoices):
    GRASSROOTS = "grassroots", "Trực tiếp làm công tác dân vận, dân tộc, tôn giáo ở cơ sở"
    PUBLIC_FACING = (
        "public_facing",
        ("Bộ phận trực tiếp liên quan với Nhân dân; lãnh đạo, chuyên viên theo dõi dân vận"),
    )


class OfficialQuerySet(OrganizationScopedQuerySet["Official"]):
    """In scope by the body the official works for."""


class Official(columns.OrganizationAudited, columns.FoldedCopies, models.Model):
    """An official the plan's training targets count, in the body they work for."""

    folded = {"full_name_folded": ("full_name",)}

    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True)
    position = models.CharField("chức vụ", max_length=150, blank=True)
    organization = columns.organization_field("cơ quan", related_name="officials")
    official_class = models.CharField("nhóm", max_length=20, choices=OfficialClass.choices)
    left_on = models.DateField("thôi công tác từ ngày", null=True, blank=True)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = "cán bộ cần tập huấn"
        verbose_name_plural = "cán bộ cần tập huấn"
        ordering = ["organization__path", "full_name_folded"]

    def __str__(self) -> str:
        return self.full_name


class CourseQuerySet(OrganizationScopedQuerySet["Course"]):
    """In scope by the body that runs the course."""


class Course(columns.OrganizationAudited, models.Model):
    """A training course (lớp tập huấn, bồi dưỡng) and who completed it."""

    title = models.CharField("tên lớp", max_length=300)
    organization = columns.organization_field("đơn vị mở lớp", related_name="courses")
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
            columns.ends_after(
                "starts_on",
                "ends_on",
                inclusive=True,
                name="course_period_order",
                message="Ngày kết thúc phải sau ngày bắt đầu.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:course_detail", args=[self.pk])


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
