"""Briefings with their attendance, and the briefing materials."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from danvan.core import columns
from danvan.core.documents import StoredFile
from danvan.core.models import OrgKind
from danvan.core.scope import VIEW, OrganizationScopedQuerySet, _prefix_q, get_scope
from danvan.plans.models.plans import Plan, _reach

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


ATTENDING = (
    OrgKind.FRONT, OrgKind.WOMEN, OrgKind.FARMERS, OrgKind.YOUTH, OrgKind.VETERANS,
    OrgKind.TRADE_UNION, OrgKind.FRONT_COMMITTEE, OrgKind.BRANCH, OrgKind.YOUTH_BRANCH,
    OrgKind.PARTY, OrgKind.PARTY_CELL,
)  # fmt: skip
"""The bodies whose members attend briefings: the Front, the unions and their branches."""


class BriefingQuerySet(OrganizationScopedQuerySet["Briefing"]):
    """In scope by the body that held the briefing."""


class Briefing(columns.OrganizationAudited, columns.FoldedCopies, models.Model):
    """A session held by a body for its members or the people, with the
    attendance counted per body (a branch, a union) whose members came."""

    folded = {"topic_folded": ("topic",)}

    organization = columns.organization_field("đơn vị tổ chức", related_name="briefings")
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
    created_by = columns.staff_user_field("người nhập", blank=False)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        verbose_name = "buổi tuyên truyền"
        verbose_name_plural = "buổi tuyên truyền"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="briefing_held_on")]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:briefing_detail", args=[self.pk])


class Attendance(models.Model):
    """How many members of one body attended a briefing: the figure the
    "members briefed" indicator adds up. Either typed as a count (then the
    names listed for the body, if any, are some of those counted: never more)
    or, with `from_names`, the number of the body's named attendees, kept
    equal to it by every write of `services` (see `Attendee`)."""

    # No index of its own: the unique constraint below (briefing, organization)
    # serves every look-up by briefing, and a briefing writes ten rows or more.
    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    organization = columns.organization_field("chi hội, đoàn thể", related_name="attendances")
    attendees = models.PositiveIntegerField("số người dự")
    from_names = models.BooleanField("tính theo danh sách tên", default=False)

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


class Gender(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class Attendee(columns.EncryptedPhone, columns.FoldedCopies, models.Model):
    """One person who attended a briefing, listed by name, with the body
    (branch, union) they belong to. Their body's attendance counts them: the
    number of its named attendees unless a count was typed for it (then at
    least that number). The phone is optional, encrypted, shown masked."""

    folded = {"full_name_folded": ("full_name",)}

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="named_attendees")
    organization = columns.organization_field("chi hội, đoàn thể", related_name="named_attendees")
    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True)
    gender = models.CharField("giới tính", max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("dân tộc", max_length=50, blank=True)
    phone_encrypted = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        verbose_name = "người dự (theo tên)"
        verbose_name_plural = "người dự (theo tên)"
        ordering = ["organization__path", "full_name_folded", "pk"]
        indexes = [models.Index(fields=["briefing", "organization"], name="attendee_briefing_body")]

    def __str__(self) -> str:
        # Not the name: this is what the audit log keeps (see docs/privacy.md).
        return f"Người dự #{self.pk} của buổi #{self.briefing_id}"

    def get_additional_data(self) -> dict[str, str]:
        return columns.organization_paths(self.briefing.organization)


# --- Briefing materials (tài liệu tuyên truyền) ---------------------------------------------------


class Language(models.TextChoices):
    VIETNAMESE = "vi", "Tiếng Việt"
    KHMER = "km", "Tiếng Khmer"


class MaterialQuerySet(models.QuerySet["Material"]):
    def visible_to(self, user: Any, verb: str = VIEW) -> MaterialQuerySet:
        """Materials of a body in scope, and, to read, those sent to a unit in scope."""
        own = _reach(user, verb, "organization")
        if own is None:
            return self.all()
        if verb != VIEW:
            return self.filter(own)
        scope = get_scope(user)
        sent = _prefix_q("dispatches__area__path", scope.area_prefixes(verb))
        ids = Material.objects.filter(sent).values("pk") if scope.area_prefixes(verb) else []
        return self.filter(own | Q(pk__in=ids))


class Material(columns.OrganizationAudited, columns.FoldedCopies, models.Model):
    """Briefing material for one audience group, in one or more languages."""

    folded = {"title_folded": ("title", "topic")}

    organization = columns.organization_field("đơn vị biên soạn", related_name="materials")
    title = models.CharField("tên tài liệu", max_length=300)
    title_folded = models.CharField(max_length=300, editable=False, blank=True)
    topic = models.CharField("chủ đề (chủ trương, chính sách)", max_length=300)
    audience = models.CharField("đối tượng", max_length=20, choices=Audience.choices)
    valid_from = models.DateField("dùng từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        verbose_name = "tài liệu tuyên truyền"
        verbose_name_plural = "tài liệu tuyên truyền"
        ordering = ["-valid_from", "-pk"]
        constraints = [
            columns.ends_after(
                "valid_from",
                "valid_to",
                inclusive=True,
                open_ended=True,
                name="material_validity_order",
                message="Ngày hết hiệu lực phải sau ngày bắt đầu dùng.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans_staff:material_detail", args=[self.pk])


class MaterialFile(StoredFile):
    """One language version of a material: a checked PDF, Word or Excel file."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="files")
    language = models.CharField("ngôn ngữ", max_length=5, choices=Language.choices)

    class Meta:
        verbose_name = "bản tài liệu"
        verbose_name_plural = "bản tài liệu"
        constraints = [
            models.UniqueConstraint(
                fields=["material", "language"],
                name="one_file_per_language",
                violation_error_message="Tài liệu đã có bản bằng ngôn ngữ này.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.material} ({self.get_language_display()})"


class Dispatch(models.Model):
    """A material sent to a unit."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="dispatches")
    area = columns.area_field("nơi nhận", related_name="materials_received")
    sent_on = models.DateField("ngày gửi")

    class Meta:
        verbose_name = "nơi nhận tài liệu"
        verbose_name_plural = "nơi nhận tài liệu"
        constraints = [
            models.UniqueConstraint(fields=["material", "area"], name="one_dispatch_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.material} → {self.area}"
