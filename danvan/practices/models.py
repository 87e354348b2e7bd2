"""Practices and exemplars of skilful mass mobilisation (mô hình, điển hình
"Dân vận khéo"): what a unit or organisation registers for a year, carries
out, proposes for recognition, and what others replicate.

A practice runs in a unit (`area`) under a lead body (`organization`); staff
see and change it through their scope like every other record (`visible_to`).
Its status moves only through `services` (`TRANSITIONS`), each step recorded
as a `Step` (who, when, why). Results are numbered `Indicator`s with a unit
and a date.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from danvan.core import columns
from danvan.core.documents import StoredFile
from danvan.core.organised import OrganisedActivity, OrganisedQuerySet, PartOfActivity
from danvan.core.photos import UPLOAD_FOLDER, PhotoBase, PhotoStatus  # noqa: F401 (re-exported)
from danvan.core.scope import ScopedQuerySetMixin
from danvan.core.text import search_folded


class Kind(models.TextChoices):
    PRACTICE = "practice", "Mô hình"
    EXEMPLAR = "exemplar", "Điển hình"


class Field(models.TextChoices):
    ECONOMY = "economy", "Kinh tế"
    SOCIETY = "society", "Văn hóa - xã hội"
    DEFENCE = "defence", "Quốc phòng - an ninh"
    POLITICS = "politics", "Xây dựng Đảng và hệ thống chính trị"


class Level(models.TextChoices):
    HAMLET = "hamlet", "Cấp ấp, khu vực"
    COMMUNE = "commune", "Cấp xã"
    DISTRICT = "district", "Cấp huyện, thành phố"
    PROVINCE = "province", "Cấp tỉnh"


class Status(models.TextChoices):
    REGISTERED = "registered", "Đã đăng ký"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    PROPOSED = "proposed", "Đề nghị công nhận"
    RECOGNISED = "recognised", "Đã công nhận"
    REPLICATED = "replicated", "Đã nhân rộng"
    NOT_RECOGNISED = "not_recognised", "Không được công nhận"
    STOPPED = "stopped", "Dừng thực hiện"


# What counts for the plan's target "every commune has a practice": one being
# carried out or further along (registered only, refused or stopped do not).
COUNTING = (Status.IN_PROGRESS, Status.PROPOSED, Status.RECOGNISED, Status.REPLICATED)


class PracticeQuerySet(ScopedQuerySetMixin, models.QuerySet["Practice"]):
    scope_area_path = "area__path"
    scope_org_path = "organization__path"

    def search(self, q: str) -> PracticeQuerySet:
        """Every word of `q` in the title, ignoring diacritics and case."""
        return search_folded(self, q, "title_folded")


class Practice(columns.FoldedCopies, models.Model):
    folded = {"title_folded": ("title",)}

    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    title = models.CharField("tên mô hình, điển hình", max_length=300)
    title_folded = models.CharField(max_length=300, editable=False, db_index=True)
    field = models.CharField("lĩnh vực", max_length=20, choices=Field.choices)
    level = models.CharField("cấp", max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField("năm đăng ký")
    area = columns.area_field(related_name="practices")
    organization = columns.organization_field("đơn vị chủ trì", related_name="practices")
    partners = columns.partners_field("practices_joined")
    lead_official = models.CharField("người phụ trách", max_length=200, blank=True)
    started_on = models.DateField("ngày bắt đầu", null=True, blank=True)
    aims = models.TextField("mục tiêu", blank=True)
    method = models.TextField("cách làm", blank=True)
    participants = models.TextField("đối tượng tham gia", blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    recognised_level = models.CharField(
        "cấp công nhận", max_length=20, choices=Level.choices, blank=True
    )
    decision_number = models.CharField("số quyết định", max_length=100, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    issuing_body = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    replicated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replicas",
        verbose_name="nhân rộng từ",
    )
    created_by = columns.staff_user_field("người tạo", related_name=None)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm sửa", auto_now=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = "mô hình, điển hình"
        verbose_name_plural = "mô hình, điển hình"
        indexes = [models.Index(fields=["year", "status"], name="practice_year_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices_staff:practice_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        """Filed with each audit entry, so the audit page can be scoped."""
        return {"area_path": self.area.path, "org_path": self.organization.path}

    @property
    def counts_for_target(self) -> bool:
        return self.status in COUNTING


class Step(PartOfActivity, models.Model):
    """One change of a practice's status: who, when, why."""

    activity = "practice"

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="steps", verbose_name="mô hình"
    )
    action = models.CharField("thao tác", max_length=20)
    from_status = models.CharField("từ", max_length=20, choices=Status.choices)
    to_status = models.CharField("sang", max_length=20, choices=Status.choices)
    reason = models.TextField("lý do, ghi chú", blank=True)
    by = columns.staff_user_field("người thực hiện", related_name=None, blank=False)
    at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "bước của mô hình"
        verbose_name_plural = "các bước của mô hình"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Indicator(PartOfActivity, models.Model):
    """A result in figures: "Vận động được 1.200.000.000 đồng" on a date."""

    activity = "practice"

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="indicators", verbose_name="mô hình"
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    label = models.CharField("chỉ tiêu", max_length=200)
    value = models.DecimalField("giá trị", max_digits=16, decimal_places=2)
    unit = models.CharField("đơn vị tính", max_length=50)
    measured_on = models.DateField("tính đến ngày")

    class Meta:
        verbose_name = "kết quả"
        verbose_name_plural = "kết quả"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class Criterion(models.Model):
    """A criterion of the evaluation council (hội đồng thẩm định), with its weight
    in the total (the weights of the active criteria add up to 100). Data:
    preloaded with a default set, changed in the admin."""

    name = models.CharField("tiêu chí", max_length=200)
    weight = models.PositiveSmallIntegerField("trọng số (%)")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "tiêu chí thẩm định"
        verbose_name_plural = "tiêu chí thẩm định"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class Score(PartOfActivity, models.Model):
    """One council member's score (0–10) of a proposed practice on a criterion."""

    activity = "practice"
    MAX = 10

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="scores", verbose_name="mô hình"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="thành viên hội đồng"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, verbose_name="tiêu chí")
    score = models.PositiveSmallIntegerField("điểm")
    scored_at = models.DateTimeField("thời điểm chấm", auto_now=True)

    class Meta:
        verbose_name = "điểm thẩm định"
        verbose_name_plural = "điểm thẩm định"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "member", "criterion"], name="score_once_per_criterion"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="score_at_most_ten"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"


# --- Good people, good deeds (gương người tốt, việc tốt) ----------------------------


class DeedStatus(models.TextChoices):
    PENDING = "pending", "Chờ xác minh"
    MORE = "more", "Cần bổ sung thông tin"
    VERIFIED = "verified", "Đã xác minh"
    REJECTED = "rejected", "Không xác minh được"
    PUBLISHED = "published", "Đã công bố"


class DeedQuerySet(ScopedQuerySetMixin, models.QuerySet["GoodDeed"]):
    scope_area_path = "area__path"


class GoodDeed(columns.AreaAudited, models.Model):
    """A nomination of a good person or a good collective, by anyone on the
    public site or by staff. The nominee's name shows publicly only with their
    consent (recorded by the officer who verifies); the nominator's phone is
    kept encrypted and never shown publicly."""

    nominee_name = models.CharField("người, tập thể được giới thiệu", max_length=200)
    collective = models.BooleanField("là tập thể", default=False)
    area = columns.area_field("nơi ở", related_name="good_deeds")
    deed = models.TextField("việc tốt")
    nominator_name = models.CharField("người giới thiệu", max_length=200)
    nominator_phone_encrypted = models.TextField(editable=False, blank=True)
    nominator_phone_hash = models.CharField(max_length=64, editable=False, blank=True)
    by_staff = columns.staff_user_field("cán bộ giới thiệu")
    nominee_consents = models.BooleanField(
        "người được giới thiệu đồng ý công khai tên", default=False
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=DeedStatus.choices, default=DeedStatus.PENDING
    )
    staff_note = models.TextField("ghi chú xác minh", blank=True)
    commendation = models.CharField("hình thức khen", max_length=200, blank=True)
    decision_number = models.CharField("số quyết định khen", max_length=100, blank=True)
    decision_date = models.DateField("ngày quyết định khen", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm gửi", auto_now_add=True)
    published_at = models.DateTimeField("thời điểm công bố", null=True, blank=True)

    objects = DeedQuerySet.as_manager()

    class Meta:
        verbose_name = "gương người tốt, việc tốt"
        verbose_name_plural = "gương người tốt, việc tốt"
        indexes = [models.Index(fields=["status", "published_at"], name="deed_status_published")]

    def __str__(self) -> str:
        return self.nominee_name

    def get_absolute_url(self) -> str:
        return reverse("practices_staff:deed_detail", args=[self.pk])

    @property
    def public_name(self) -> str:
        """The name on public pages: the nominee's own only with their consent
        (a collective is named: it is not a person's data)."""
        if self.collective or self.nominee_consents:
            return self.nominee_name
        return "Một người dân"


# --- Photos and documents ---------------------------------------------------------------


PHOTO_FOLDER = "practices/photos"
"""Public (settings.PUBLIC_MEDIA_PREFIXES): the sizes made from a photo, under an
unguessable token (`danvan.core.photos`)."""


class Photo(PhotoBase):
    """A photo of a practice or of a good deed (exactly one of them), shown in
    the sizes `danvan.core.images.SIZES` once a background job has made them."""

    folder = PHOTO_FOLDER

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name="mô hình",
    )
    deed = models.ForeignKey(
        GoodDeed,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name="việc tốt",
    )

    class Meta(PhotoBase.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(practice__isnull=False, deed__isnull=True)
                | models.Q(practice__isnull=True, deed__isnull=False),
                name="photo_of_one_thing",
            )
        ]

    def sizes_made(self) -> None:
        from danvan.practices.views_public import PAGES  # an update sends no signal

        PAGES.changed()


DOCUMENT_FOLDER = "practices/documents"


class Document(PartOfActivity, StoredFile):
    """A document of a practice (a decision, a report), for staff only."""

    activity = "practice"

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="documents", verbose_name="mô hình"
    )
    title = models.CharField("tên tài liệu", max_length=200)
    uploaded_by = columns.staff_user_field("người gửi", blank=False)

    class Meta:
        verbose_name = "tài liệu"
        verbose_name_plural = "tài liệu"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


# --- Public voting (bình chọn) --------------------------------------------------------


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Nháp"
    PUBLISHED = "published", "Đã công bố"
    CLOSED = "closed", "Đã khóa kết quả"
    ANNOUNCED = "announced", "Đã công bố kết quả"


class CampaignQuerySet(OrganisedQuerySet["Campaign"]):
    pass


class Campaign(OrganisedActivity):
    """A public vote over chosen practices, exemplars or good deeds ("10 mô hình
    tiêu biểu của năm"), open from `starts_at` to `ends_at`. A person votes for
    an entry at most once per window (`window_hours`; 0: once for the whole
    campaign). Once closed the counts are frozen (`Entry.final_votes`, recounted
    from the votes), then the results are announced."""

    window = ("starts_at", "ends_at")

    title = models.CharField("tên đợt bình chọn", max_length=300)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    intro = models.TextField("giới thiệu", blank=True)
    organization = columns.organization_field("đơn vị tổ chức")
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("kết thúc")
    window_hours = models.PositiveSmallIntegerField(
        "mỗi người bình chọn một mục một lần trong (giờ)",
        default=0,
        help_text="0: một lần cho cả đợt; 24: mỗi ngày một lần.",
    )
    show_counts = models.BooleanField("hiện số phiếu trong khi bình chọn", default=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    closed_at = models.DateTimeField("thời điểm khóa kết quả", null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "đợt bình chọn"
        verbose_name_plural = "đợt bình chọn"
        ordering = ["-starts_at", "-pk"]
        constraints = [columns.ends_after("starts_at", "ends_at", name="campaign_dates_order")]

    def get_absolute_url(self) -> str:
        return reverse("practices_staff:campaign_detail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("votes:campaign", args=[self.slug])

    def window_of(self, at: Any) -> int:
        """The number of the voting window `at` falls in (0 for a campaign-long one)."""
        if not self.window_hours:
            return 0
        return int((at - self.starts_at).total_seconds() // (self.window_hours * 3600))


class Entry(PartOfActivity, models.Model):
    """A practice (or exemplar) or a good deed standing in a campaign."""

    activity = "campaign"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="entries", verbose_name="đợt bình chọn"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="mô hình, điển hình",
    )  # fmt: skip
    deed = models.ForeignKey(
        GoodDeed, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="việc tốt",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    votes = models.PositiveIntegerField("số phiếu", default=0, editable=False)
    """Raised in the vote's own transaction: what the page shows while voting runs."""
    final_votes = models.PositiveIntegerField("số phiếu chốt", null=True, blank=True)
    rank = models.PositiveSmallIntegerField("xếp hạng", null=True, blank=True)

    class Meta:
        verbose_name = "mục bình chọn"
        verbose_name_plural = "mục bình chọn"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(practice__isnull=False, deed__isnull=True)
                | models.Q(practice__isnull=True, deed__isnull=False),
                name="entry_of_one_thing",
            ),
            models.UniqueConstraint(fields=["campaign", "practice"], name="entry_practice_once"),
            models.UniqueConstraint(fields=["campaign", "deed"], name="entry_deed_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.practice_id:
            return self.practice.title  # type: ignore[union-attr]
        return self.deed.public_name  # type: ignore[union-attr]


class Vote(models.Model):
    """One person's vote for an entry in one window. The person is the keyed
    hash of their CCCD (never the number itself): a replayed request, another
    address or a race all meet the unique constraint."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="ballots")
    voter = models.CharField(max_length=64)
    window = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)
    """The time the vote was accepted at (its campaign was open then)."""

    class Meta:
        verbose_name = "phiếu bình chọn"
        verbose_name_plural = "phiếu bình chọn"
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "voter", "window"], name="vote_once_per_window"
            )
        ]
        indexes = [models.Index(fields=["campaign", "voter"], name="vote_campaign_voter")]

    def __str__(self) -> str:
        return f"Phiếu {self.pk}"
