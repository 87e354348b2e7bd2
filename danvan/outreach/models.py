"""Dialogues of leaders with the people (tiếp xúc, đối thoại) and the petitions
the people raise (kiến nghị, phản ánh), followed until they are answered.

A dialogue is held in a unit by the head of its Party committee or government;
its notice is published on the public site. A petition belongs to the unit it
concerns (scope by `area__path`) and, once assigned, also to the agency that
must answer it (scope by `agency__path`): both see it. Who raised it is kept
private (the phone encrypted); anyone holding its short public code follows its
status and its public answer, never its raiser nor its content.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from danvan.core import columns
from danvan.core.photos import PhotoBase
from danvan.core.scope import ScopedQuerySetMixin

# --- Dialogues --------------------------------------------------------------------------


class ChairRole(models.TextChoices):
    PARTY_SECRETARY = "party_secretary", "Bí thư cấp ủy"
    DEPUTY_SECRETARY = "deputy_secretary", "Phó Bí thư cấp ủy"
    COMMITTEE_CHAIR = "committee_chair", "Chủ tịch Ủy ban nhân dân"
    COUNCIL_CHAIR = "council_chair", "Chủ tịch Hội đồng nhân dân"
    OTHER = "other", "Lãnh đạo khác"


class Audience(models.TextChoices):
    PEOPLE = "people", "Nhân dân trên địa bàn"
    FARMERS = "farmers", "Nông dân"
    WORKERS = "workers", "Công nhân, người lao động"
    YOUTH = "youth", "Thanh niên"
    WOMEN = "women", "Phụ nữ"
    VETERANS = "veterans", "Cựu chiến binh"
    RELIGIOUS = "religious", "Chức sắc, tín đồ tôn giáo"
    ETHNIC = "ethnic", "Đồng bào dân tộc thiểu số"
    BUSINESS = "business", "Doanh nghiệp, hộ kinh doanh"
    OTHER = "other", "Đối tượng khác"


class DialogueStatus(models.TextChoices):
    PLANNED = "planned", "Dự kiến"
    ANNOUNCED = "announced", "Đã thông báo"
    HELD = "held", "Đã tổ chức"
    CANCELLED = "cancelled", "Đã hủy"


class DialogueQuerySet(ScopedQuerySetMixin, models.QuerySet["Dialogue"]):
    scope_area_path = "area__path"
    scope_org_path = "organizer__path"

    def public(self) -> DialogueQuerySet:
        """Shown on the public site: announced, held, or cancelled after its
        notice was published (so that people learn of it); never planned."""
        return self.filter(
            models.Q(status__in=(DialogueStatus.ANNOUNCED, DialogueStatus.HELD))
            | models.Q(status=DialogueStatus.CANCELLED, announced_at__isnull=False)
        )


class Dialogue(columns.AreaAudited, models.Model):
    """A direct dialogue of the head of a Party committee or government with the
    people (Quyết định 1681-QĐ/TU, Chỉ thị 23-CT/TU): scheduled, announced on the
    public site, held, then its attendance, minutes and the petitions raised."""

    title = models.CharField("tiêu đề", max_length=300)
    area = columns.area_field("đơn vị", related_name="dialogues")
    organizer = columns.organization_field("cơ quan chủ trì", related_name="dialogues")
    cohosts = columns.partners_field("cohosted_dialogues")
    chair_role = models.CharField("người chủ trì (chức vụ)", max_length=30, choices=ChairRole)
    chair_name = models.CharField("họ tên người chủ trì", max_length=200)
    starts_at = models.DateTimeField("thời gian")
    place = models.CharField("địa điểm", max_length=300)
    audience = models.CharField("đối tượng", max_length=20, choices=Audience)
    audience_note = models.CharField("ghi rõ đối tượng", max_length=200, blank=True)
    topics = models.TextField("nội dung đối thoại")
    status = models.CharField(
        "trạng thái", max_length=20, choices=DialogueStatus, default=DialogueStatus.PLANNED
    )
    announced_at = models.DateTimeField("thời điểm thông báo", null=True, blank=True)
    attendance = models.PositiveIntegerField("số người dự", null=True, blank=True)
    groups_present = models.CharField("thành phần tham dự", max_length=500, blank=True)
    minutes = models.TextField("biên bản, kết luận", blank=True)
    cancel_reason = models.CharField("lý do hủy", max_length=300, blank=True)
    created_by = columns.staff_user_field("người tạo", blank=False)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = DialogueQuerySet.as_manager()

    class Meta:
        verbose_name = "buổi đối thoại"
        verbose_name_plural = "buổi đối thoại"
        indexes = [models.Index(fields=["status", "starts_at"], name="dialogue_status_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues_staff:detail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("dialogues:detail", args=[self.pk])

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.OTHER and self.audience_note:
            return self.audience_note
        label = self.get_audience_display()
        return f"{label} ({self.audience_note})" if self.audience_note else label


DIALOGUE_PHOTO_FOLDER = "outreach/photos"
"""Public (settings.PUBLIC_MEDIA_PREFIXES): the sizes of a dialogue's photos."""
MAX_DIALOGUE_PHOTOS = 10


class DialoguePhoto(PhotoBase):
    """A photo of a dialogue that was held, shown on its public notice once its
    sizes are made (`danvan.core.photos`)."""

    folder = DIALOGUE_PHOTO_FOLDER

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="photos", verbose_name="buổi đối thoại"
    )

    class Meta(PhotoBase.Meta):
        verbose_name = "ảnh buổi đối thoại"
        verbose_name_plural = "ảnh buổi đối thoại"


# --- Petitions --------------------------------------------------------------------------


class Field(models.TextChoices):
    LAND = "land", "Đất đai, xây dựng"
    ENVIRONMENT = "environment", "Môi trường"
    INFRASTRUCTURE = "infrastructure", "Giao thông, hạ tầng"
    WELFARE = "welfare", "An sinh xã hội, chính sách"
    HEALTH = "health", "Y tế"
    EDUCATION = "education", "Giáo dục"
    SECURITY = "security", "An ninh, trật tự"
    ECONOMY = "economy", "Kinh tế, sản xuất"
    OFFICIALS = "officials", "Cán bộ, thủ tục hành chính"
    OTHER = "other", "Lĩnh vực khác"


class Source(models.TextChoices):
    CITIZEN = "citizen", "Người dân gửi trên trang công khai"
    DIALOGUE = "dialogue", "Buổi đối thoại"
    COMMUNICATOR = "communicator", "Báo cáo viên, tuyên truyền viên, cộng tác viên"
    SURVEY = "survey", "Ý kiến trong phiếu khảo sát"
    OPINION = "opinion", "Báo cáo dư luận xã hội"
    RECEPTION = "reception", "Tiếp dân, đơn thư, nguồn khác"


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận"
    ASSIGNED = "assigned", "Đang xử lý"
    ANSWERED = "answered", "Đã trả lời"
    CLOSED = "closed", "Đã kết thúc"
    RETURNED = "returned", "Trả lại"


OPEN_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED)
"""The statuses in which a petition waits for an answer (its deadline runs)."""


class PetitionQuerySet(ScopedQuerySetMixin, models.QuerySet["Petition"]):
    scope_area_path = "area__path"
    scope_org_path = "agency__path"

    def waiting(self) -> PetitionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Petition(columns.AreaAudited, models.Model):
    """A petition or a report of the people (kiến nghị, phản ánh), from one of
    the `Source`s, about a unit, assigned to an agency with a deadline, answered,
    closed (or returned with a reason). `code` is its short public code."""

    code = models.CharField("mã tra cứu", max_length=12, unique=True, editable=False)
    content = models.TextField("nội dung")
    field = models.CharField("lĩnh vực", max_length=20, choices=Field)
    area = columns.area_field(related_name="petitions")
    source = models.CharField("nguồn", max_length=20, choices=Source)
    source_note = models.CharField("ghi chú nguồn", max_length=300, blank=True)
    dialogue = models.ForeignKey(
        Dialogue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name="buổi đối thoại",
    )
    raiser_name = models.CharField("người kiến nghị", max_length=200, blank=True)
    raiser_phone_encrypted = models.TextField(editable=False, blank=True)
    raiser_phone_hash = models.CharField(max_length=64, editable=False, blank=True)
    agency = columns.organization_field(
        "cơ quan giải quyết", null=True, blank=True, related_name="petitions"
    )
    deadline = models.DateField("hạn trả lời", null=True, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=PetitionStatus, default=PetitionStatus.RECEIVED
    )
    answer = models.TextField("nội dung trả lời (công khai)", blank=True)
    return_reason = models.CharField("lý do trả lại (công khai)", max_length=500, blank=True)
    received_at = models.DateTimeField("thời điểm tiếp nhận", auto_now_add=True)
    answered_at = models.DateTimeField("thời điểm trả lời", null=True, blank=True)
    created_by = columns.staff_user_field("cán bộ tiếp nhận")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = "kiến nghị, phản ánh"
        verbose_name_plural = "kiến nghị, phản ánh"
        indexes = [
            models.Index(fields=["status", "deadline"], name="petition_status_deadline"),
            models.Index(fields=["received_at"], name="petition_received"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.content[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("petitions_staff:detail", args=[self.pk])

    @property
    def answered_on_time(self) -> bool | None:
        """Answered by its deadline? None while unanswered or without a deadline."""
        if self.answered_at is None or self.deadline is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.answered_at) <= self.deadline


class PetitionStep(models.Model):
    """A change of a petition's status, with the date it happened: the public
    timeline (status and date only) and the staff one (with who and the note)."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="steps", verbose_name="kiến nghị"
    )
    status = models.CharField("trạng thái", max_length=20, choices=PetitionStatus)
    note = models.TextField("ghi chú nội bộ", blank=True)
    at = models.DateTimeField("thời điểm", auto_now_add=True)
    by = columns.staff_user_field("cán bộ")

    class Meta:
        verbose_name = "bước xử lý kiến nghị"
        verbose_name_plural = "bước xử lý kiến nghị"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.get_status_display()}"
