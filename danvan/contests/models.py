"""Online contests (cuộc thi trực tuyến): contests, rounds, the question bank,
participants, attempts, prizes and awards.

The hot path (start, autosave, submit) touches one Attempt row: the drawn
questions, the choice order and the answers are kept on it as JSON, so taking
an attempt never writes more than one row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from danvan.core import columns
from danvan.core.models import Area, Organization
from danvan.core.organised import OrganisedActivity, OrganisedQuerySet, PartOfActivity

LETTERS = "ABCDEF"


class ContestStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    PUBLISHED = "published", "Đã công bố"
    ARCHIVED = "archived", "Đã lưu trữ"


def new_bank_version() -> str:
    """A random token naming one state of a contest's question bank."""
    return secrets.token_hex(16)


class ContestQuerySet(OrganisedQuerySet["Contest"]):
    """Scoped by the organising body; `published()`, `open_now()` (core/organised.py)."""


class Contest(OrganisedActivity):
    window = ("starts_at", "ends_at")
    db_owned_field = "bank_version"

    title = models.CharField("tên cuộc thi", max_length=300)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    summary = models.CharField("giới thiệu ngắn", max_length=500, blank=True)
    intro = models.TextField("giới thiệu", blank=True, help_text="Được làm sạch khi lưu.")
    rules = models.TextField("thể lệ", blank=True, help_text="Được làm sạch khi lưu.")
    organization = columns.organization_field("đơn vị tổ chức", related_name="contests")
    target_area = columns.area_field(
        "địa bàn dự thi",
        related_name="contests",
        help_text="Người dân thuộc địa bàn này và các đơn vị trực thuộc được tham gia.",
    )
    banner = models.ImageField("ảnh bìa", upload_to="contests/banners/", blank=True)
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("kết thúc")
    status = models.CharField(
        "trạng thái", max_length=20, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    require_cccd = models.BooleanField("bắt buộc số CCCD", default=False)
    consent_text = models.TextField(
        "nội dung đồng ý xử lý dữ liệu cá nhân",
        default=(
            "Tôi đồng ý để Ban Tổ chức xử lý các thông tin cá nhân đã khai (họ tên, ngày sinh, "
            "giới tính, số điện thoại, số CCCD, địa chỉ) cho mục đích tổ chức cuộc thi, xét và "
            "trao giải; dữ liệu được xóa hoặc ẩn danh sau thời hạn lưu trữ theo thể lệ."
        ),
    )
    consent_version = models.CharField("phiên bản nội dung đồng ý", max_length=20, default="1")
    retention_days = models.PositiveIntegerField(
        "số ngày lưu dữ liệu cá nhân sau khi kết thúc", default=180
    )
    updated_at = models.DateTimeField("thời điểm sửa", auto_now=True)
    # Replaced by a new random token by the database itself whenever a question
    # or choice of the contest is inserted, updated or deleted, whatever code
    # does it (migration 0004): the cached bank is kept under (id, bank_version),
    # so no change is served stale and a token is never reused.
    bank_version = models.CharField(max_length=32, default=new_bank_version, editable=False)

    objects = ContestQuerySet.as_manager()

    class Meta:
        verbose_name = "cuộc thi"
        verbose_name_plural = "cuộc thi"
        ordering = ["-starts_at", "-pk"]
        constraints = [columns.ends_after("starts_at", "ends_at", name="contest_dates_order")]

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", args=[self.slug])


class Category(PartOfActivity, models.Model):
    """A topic (chủ đề) of the question bank; rounds draw a quota from each."""

    activity = "contest"

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="categories", verbose_name="cuộc thi"
    )
    name = models.CharField("chủ đề", max_length=200)

    class Meta:
        verbose_name = "chủ đề"
        verbose_name_plural = "chủ đề"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="category_once_per_contest")
        ]

    def __str__(self) -> str:
        return self.name


class Question(PartOfActivity, columns.FoldedCopies, models.Model):
    activity = "contest"
    folded = {"text_folded": ("text",)}

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="questions", verbose_name="cuộc thi"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="questions", verbose_name="chủ đề"
    )
    text = models.TextField("câu hỏi")
    text_folded = models.TextField(editable=False, db_index=False)
    multiple = models.BooleanField("nhiều đáp án đúng", default=False)
    explanation = models.TextField("giải thích", blank=True)
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "câu hỏi"
        verbose_name_plural = "câu hỏi"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(PartOfActivity, models.Model):
    activity = "question__contest"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name="câu hỏi"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    text = models.CharField("phương án", max_length=1000)
    correct = models.BooleanField("đúng", default=False)

    class Meta:
        verbose_name = "phương án"
        verbose_name_plural = "phương án"
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.text[:60]}"

    @property
    def letter(self) -> str:
        return LETTERS[self.position] if self.position < len(LETTERS) else str(self.position + 1)


class ShowAnswers(models.TextChoices):
    NEVER = "never", "Không hiển thị"
    AFTER_SUBMIT = "after_submit", "Ngay sau khi nộp bài"
    AFTER_CLOSE = "after_close", "Sau khi đợt thi kết thúc"


class Prediction(models.TextChoices):
    NONE = "none", "Không có câu hỏi dự đoán"
    PARTICIPANTS = "participants", "Số người dự thi trong đợt"
    ATTEMPTS = "attempts", "Số lượt dự thi trong đợt"
    PERFECT = "perfect", "Số người trả lời đúng tất cả các câu"


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Theo lịch"
    CLOSING = "closing", "Đang tổng hợp kết quả"
    CLOSED = "closed", "Đã tổng hợp"
    PUBLISHED = "published", "Đã công bố kết quả"


TIE_BREAKS = {
    "score": "Điểm cao hơn",
    "prediction": "Dự đoán gần đúng hơn",
    "duration": "Thời gian làm bài ngắn hơn",
    "submitted": "Nộp bài sớm hơn",
}
DEFAULT_TIE_BREAK = "score,prediction,duration,submitted"


class RoundQuerySet(models.QuerySet["Round"]):
    def open_now(self) -> RoundQuerySet:
        now = timezone.now()
        return self.filter(
            opens_at__lte=now,
            closes_at__gt=now,
            status=RoundStatus.SCHEDULED,
            contest__status=ContestStatus.PUBLISHED,
        )

    def visible_to(self, user: Any, verb: str = "view") -> RoundQuerySet:
        return self.filter(contest__in=Contest.objects.visible_to(user, verb))


class Counting(models.TextChoices):
    BEST = "best", "Lượt điểm cao nhất (bằng điểm thì lượt sớm hơn)"
    FIRST = "first", "Lượt đầu tiên"


class Round(PartOfActivity, models.Model):
    """A period of a contest (đợt thi, tuần thi), ranked and awarded on its own."""

    activity = "contest"

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="rounds", verbose_name="cuộc thi"
    )
    number = models.PositiveSmallIntegerField("đợt số")
    title = models.CharField("tên đợt", max_length=200, blank=True)
    opens_at = models.DateTimeField("mở lúc")
    closes_at = models.DateTimeField("đóng lúc")
    question_count = models.PositiveSmallIntegerField("số câu hỏi mỗi lượt", default=10)
    time_limit_seconds = models.PositiveIntegerField("thời gian làm bài (giây)", default=600)
    max_attempts = models.PositiveSmallIntegerField(
        "số lượt tối đa mỗi người", default=1, help_text="0 là không giới hạn."
    )
    counting = models.CharField(
        "lượt được tính", max_length=10, choices=Counting.choices, default=Counting.BEST
    )
    shuffle_choices = models.BooleanField("đảo thứ tự phương án", default=True)
    show_answers = models.CharField(
        "hiển thị đáp án",
        max_length=20,
        choices=ShowAnswers.choices,
        default=ShowAnswers.AFTER_CLOSE,
    )
    prediction = models.CharField(
        "câu hỏi dự đoán",
        max_length=20,
        choices=Prediction.choices,
        default=Prediction.PARTICIPANTS,
    )
    prediction_text = models.CharField(
        "nội dung câu hỏi dự đoán",
        max_length=300,
        blank=True,
        default="Theo bạn, đợt thi này có bao nhiêu người tham gia?",
    )
    tie_break = models.CharField("thứ tự xét giải", max_length=100, default=DEFAULT_TIE_BREAK)
    grace_seconds = models.PositiveSmallIntegerField("thời gian chờ mạng (giây)", default=15)
    status = models.CharField(
        "trạng thái", max_length=20, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED
    )
    actual_value = models.PositiveIntegerField("đáp án câu dự đoán", null=True, blank=True)
    closed_at = models.DateTimeField("thời điểm tổng hợp", null=True, blank=True)
    published_at = models.DateTimeField("thời điểm công bố kết quả", null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "đợt thi"
        verbose_name_plural = "đợt thi"
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="round_number_once"),
            columns.ends_after("opens_at", "closes_at", name="round_dates_order"),
        ]

    def __str__(self) -> str:
        return self.title or f"Đợt {self.number}"

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.status == RoundStatus.SCHEDULED and self.opens_at <= now < self.closes_at

    def tie_break_keys(self) -> list[str]:
        keys = [k.strip() for k in self.tie_break.split(",") if k.strip() in TIE_BREAKS]
        return keys or DEFAULT_TIE_BREAK.split(",")


class RoundQuota(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="quotas")
    count = models.PositiveSmallIntegerField("số câu")

    class Meta:
        verbose_name = "số câu theo chủ đề"
        verbose_name_plural = "số câu theo chủ đề"
        constraints = [
            models.UniqueConstraint(fields=["round", "category"], name="quota_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.count}"


class Occupation(models.TextChoices):
    OFFICIAL = "official", "Cán bộ, công chức, viên chức"
    UNION_MEMBER = "union_member", "Đoàn viên, hội viên"
    STUDENT = "student", "Học sinh, sinh viên"
    WORKER = "worker", "Người lao động"
    FARMER = "farmer", "Nông dân"
    ARMED_FORCES = "armed_forces", "Lực lượng vũ trang"
    RETIRED = "retired", "Cán bộ hưu trí"
    PEOPLE = "people", "Nhân dân"


class Sex(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class Participant(models.Model):
    """A person who registered for a contest (no staff account).

    The CCCD is stored encrypted; `cccd_hash` is a keyed hash used to recognise a
    returning participant without decrypting anything.
    """

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="participants")
    full_name = models.CharField("họ và tên", max_length=150)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    sex = models.CharField("giới tính", max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    cccd_encrypted = models.TextField(blank=True)
    cccd_hash = models.CharField(max_length=64, blank=True, db_index=True)
    area = columns.area_field("nơi ở", related_name="participants")
    occupation = models.CharField(
        "đối tượng", max_length=20, choices=Occupation.choices, default=Occupation.PEOPLE
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="tổ chức",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    access_code = models.CharField("mã dự thi", max_length=12, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "người dự thi"
        verbose_name_plural = "người dự thi"
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "phone"],
                condition=~Q(phone=""),
                name="participant_phone_once_per_contest",
            ),
            models.UniqueConstraint(
                fields=["contest", "cccd_hash"],
                condition=~Q(cccd_hash=""),
                name="participant_cccd_once_per_contest",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Đang làm bài"
    SUBMITTED = "submitted", "Đã nộp"
    EXPIRED = "expired", "Hết giờ"


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def counted(self) -> AttemptQuerySet:
        return self.filter(status__in=[AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED])


class Attempt(models.Model):
    """One sitting (lượt thi): the drawn questions, the answers, the times, the score.

    `paper` lists the drawn questions in order with each question's choice ids in
    the order shown: [[question_id, [choice_id, ...]], ...]. `answers` maps a
    question id (as a string) to the chosen choice ids.
    """

    # Every index of this table is paid for on each start; the round needs no
    # index of its own (the three below begin with it), and the token is only
    # ever matched exactly (a constraint, without the LIKE index PostgreSQL gets
    # for a field declared unique).
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField("lượt số")
    token = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    paper = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    prediction = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    counted = models.BooleanField(
        default=False, help_text="Lượt được tính vào xếp hạng của người dự thi trong đợt."
    )
    rank = models.PositiveIntegerField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "lượt thi"
        verbose_name_plural = "lượt thi"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant", "number"], name="attempt_number_once"
            ),
            models.UniqueConstraint(fields=["token"], name="attempt_token_once"),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="attempt_round_status"),
            models.Index(
                fields=["round", "counted", "-score", "duration_ms"], name="attempt_leaderboard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.round} — lượt {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("contests:attempt", args=[self.token])

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.deadline - timezone.now()).total_seconds()))

    def hard_deadline(self) -> datetime:
        """The deadline plus the network grace: the last moment a submit is taken."""
        return self.deadline + timedelta(seconds=self.round.grace_seconds)


class PrizeKind(models.TextChoices):
    FIRST = "first", "Giải nhất"
    SECOND = "second", "Giải nhì"
    THIRD = "third", "Giải ba"
    CONSOLATION = "consolation", "Giải khuyến khích"
    COLLECTIVE = "collective", "Giải tập thể"


class CollectiveBasis(models.TextChoices):
    COUNT = "count", "Số người dự thi"
    RATE_POPULATION = "rate_population", "Tỷ lệ người dự thi trên dân số"
    RATE_MEMBERS = "rate_members", "Tỷ lệ người dự thi trên số hội viên"


class Prize(PartOfActivity, models.Model):
    """Prizes of a round (or of the whole contest when round is empty: overall prizes)."""

    activity = "contest"

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="prizes", verbose_name="cuộc thi"
    )
    round = models.ForeignKey(
        Round,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prizes",
        verbose_name="đợt thi",
    )
    kind = models.CharField("loại giải", max_length=20, choices=PrizeKind.choices)
    quantity = models.PositiveSmallIntegerField("số giải")
    basis = models.CharField(
        "tiêu chí giải tập thể",
        max_length=20,
        choices=CollectiveBasis.choices,
        default=CollectiveBasis.COUNT,
        blank=True,
    )

    class Meta:
        verbose_name = "giải thưởng"
        verbose_name_plural = "giải thưởng"
        constraints = [
            models.UniqueConstraint(fields=["contest", "round", "kind"], name="prize_kind_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class Award(models.Model):
    """A prize given: to a participant (individual) or to a unit (collective)."""

    prize = models.ForeignKey(Prize, on_delete=models.CASCADE, related_name="awards")
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )
    attempt = models.ForeignKey(Attempt, null=True, blank=True, on_delete=models.SET_NULL)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    rank = models.PositiveIntegerField("hạng")
    published_name = models.CharField(
        "tên công bố", max_length=200, help_text="Giữ lại khi dữ liệu cá nhân được xóa."
    )
    published_place = models.CharField("nơi ở công bố", max_length=200, blank=True)
    value = models.FloatField("chỉ số xét giải", null=True, blank=True)

    class Meta:
        verbose_name = "kết quả trao giải"
        verbose_name_plural = "kết quả trao giải"
        ordering = ["round", "prize__kind", "rank"]

    def __str__(self) -> str:
        return f"{self.prize}: {self.published_name}"


class OneTimeCode(models.Model):
    """A one-time sign-in code sent to a participant's phone (danvan.contests.otp).

    Only a keyed hash of the code is kept; one code a participant at a time,
    valid for a few minutes and a few tries, deleted once used."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="one_time_code"
    )
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "mã xác nhận một lần"
        verbose_name_plural = "mã xác nhận một lần"

    def __str__(self) -> str:
        return f"Mã xác nhận của {self.participant_id}"
