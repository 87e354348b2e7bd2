"""Online surveys (khảo sát trực tuyến) and public-opinion reports.

Anonymity is structural: a `Response` of an anonymous survey holds only the
answers and the day it was received. Whatever enforces "one response per
person" (a browser token, a phone number, an invitation code) is kept in its
own table as a keyed hash, with no reference to the response and no time,
so nothing links a response to a person (the Helios/POLYAS pattern).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from danvan.core import columns
from danvan.core.models import Area, Period
from danvan.core.organised import OrganisedActivity, OrganisedQuerySet, PartOfActivity
from danvan.core.scope import ScopedQuerySetMixin


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    PUBLISHED = "published", "Đang mở"
    CLOSED = "closed", "Đã đóng"
    ARCHIVED = "archived", "Đã lưu trữ"


class Mode(models.TextChoices):
    ANONYMOUS = "anonymous", "Ẩn danh"
    IDENTIFIED = "identified", "Có danh tính (họ tên, số điện thoại)"


class OnePer(models.TextChoices):
    BROWSER = "browser", "Mỗi trình duyệt một phiếu (đường dẫn mở)"
    PHONE = "phone", "Mỗi số điện thoại một phiếu"
    CODE = "code", "Mã mời dùng một lần"


class SurveyQuerySet(OrganisedQuerySet["Survey"]):
    """Scoped by the organising body; `published()`, `open_now()` (core/organised.py)."""


class Survey(OrganisedActivity):
    window = ("opens_at", "closes_at")
    db_owned_field = "revision"

    title = models.CharField("tên cuộc khảo sát", max_length=300)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    intro = models.TextField("lời giới thiệu", blank=True)
    organization = columns.organization_field("đơn vị thực hiện")
    target_area = columns.area_field(
        "địa bàn khảo sát",
        null=True,
        blank=True,
        help_text="Để trống: mọi người đều tham gia được.",
    )
    mode = models.CharField("hình thức", max_length=20, choices=Mode.choices)
    one_per = models.CharField("mỗi người một phiếu theo", max_length=20, choices=OnePer.choices)
    one_section_per_page = models.BooleanField("mỗi phần một trang", default=True)
    consent_text = models.TextField("nội dung đồng ý (khảo sát có danh tính)", blank=True)
    consent_version = models.CharField("phiên bản nội dung đồng ý", max_length=20, default="1")
    opens_at = models.DateTimeField("mở lúc")
    closes_at = models.DateTimeField("đóng lúc")
    status = models.CharField(
        "trạng thái", max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    share_image = models.ImageField("ảnh chia sẻ", upload_to="surveys/", blank=True)
    # Raised whenever a section or question of the survey changes (signals in
    # apps.py): the respondent pages keep the questions in the process under
    # (id, revision), and read this column with the survey on every request.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "cuộc khảo sát"
        verbose_name_plural = "cuộc khảo sát"
        ordering = ["-opens_at", "-pk"]
        constraints = [columns.ends_after("opens_at", "closes_at", name="survey_dates_order")]

    def get_absolute_url(self) -> str:
        return reverse("surveys:take", args=[self.slug])


class Section(PartOfActivity, models.Model):
    activity = "survey"

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="sections", verbose_name="khảo sát"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    title = models.CharField("tên phần", max_length=300)
    description = models.TextField("mô tả", blank=True)

    class Meta:
        verbose_name = "phần"
        verbose_name_plural = "phần"
        ordering = ["survey", "position"]

    def __str__(self) -> str:
        return self.title


class Kind(models.TextChoices):
    SINGLE = "single", "Chọn một"
    MULTIPLE = "multiple", "Chọn nhiều"
    DROPDOWN = "dropdown", "Danh sách thả xuống"
    RATING = "rating", "Thang điểm"
    AGREEMENT = "agreement", "Mức độ đồng ý"
    GRID = "grid", "Bảng mức độ đồng ý"
    NUMBER = "number", "Số"
    SHORT_TEXT = "short_text", "Trả lời ngắn"
    LONG_TEXT = "long_text", "Trả lời dài"
    DATE = "date", "Ngày"
    UNIT = "unit", "Địa bàn (xã, ấp)"


AGREEMENT_SCALE = [
    "Rất không đồng ý",
    "Không đồng ý",
    "Phân vân",
    "Đồng ý",
    "Rất đồng ý",
]


class Question(PartOfActivity, models.Model):
    """A question. `options` depends on the kind:

    - single / multiple / dropdown: {"choices": [...], "other": bool}
    - rating: {"min": 1, "max": 5 or 10, "min_label": "", "max_label": ""}
    - agreement: {} (the five-point AGREEMENT_SCALE)
    - grid: {"rows": [...]} (each row answered on the agreement scale)
    - number: {"min": int|None, "max": int|None}
    - short_text / long_text / date / unit: {}

    `show_if` (skip logic) refers to an EARLIER question: {"question": id,
    "op": "equals"|"not_equals"|"any_of"|"answered", "value": ...}; empty
    means always shown.
    """

    activity = "survey"

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name="khảo sát"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name="phần"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại câu hỏi", max_length=20, choices=Kind.choices)
    text = models.TextField("câu hỏi")
    help_text = models.CharField("hướng dẫn", max_length=500, blank=True)
    required = models.BooleanField("bắt buộc", default=False)
    options = models.JSONField("phương án, thiết lập", default=dict, blank=True)
    show_if = models.JSONField("điều kiện hiện", default=dict, blank=True)

    class Meta:
        verbose_name = "câu hỏi khảo sát"
        verbose_name_plural = "câu hỏi khảo sát"
        ordering = ["survey", "section__position", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Response(models.Model):
    """One filled questionnaire. No person, address, IP, browser or time of day:
    only the day it arrived (for filters by date). Random ids, so that the order
    of responses says nothing about the order in which codes were spent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of the survey alone: response_survey_day begins with it (one index
    # fewer to write on every response).
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    received_on = models.DateField()

    class Meta:
        verbose_name = "phiếu trả lời"
        verbose_name_plural = "phiếu trả lời"
        # Date filters and the tally's count of the recent days: a range of one
        # survey's days (an index on the day alone mixes every survey's responses).
        indexes = [models.Index(fields=["survey", "received_on"], name="response_survey_day")]

    def __str__(self) -> str:
        return f"Phiếu {self.pk}"


class PendingResponse(models.Model):
    """An anonymous response waiting to be mixed (`danvan.surveys.mixing`): the
    survey and the stored answer rows as JSON, nothing else (no time, a random
    id). The mixing step turns a batch of them into `Response` and `Answer` rows
    in a random order, so the stored responses never keep their arrival order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending")
    # [[question_id, choice, row, number, text, text_folded, "yyyy-mm-dd" | None,
    #   area_id], ...]: `services.ANSWER_COLUMNS`, one list per answer row.
    answers = models.JSONField(default=list)

    class Meta:
        verbose_name = "phiếu đang chờ trộn"
        verbose_name_plural = "phiếu đang chờ trộn"

    def __str__(self) -> str:
        return f"Phiếu chờ trộn {self.pk}"


class Answer(models.Model):
    """One answer to one question: a choice index, a number, a text, a unit, or a
    (grid row, scale value) pair. A multiple-choice question has a row a choice."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # No index of the question alone: answer_question_choice begins with it (one
    # index fewer to write on every answer).
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    choice = models.SmallIntegerField(null=True, blank=True, help_text="-1: khác")
    row = models.SmallIntegerField(null=True, blank=True)
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    text_folded = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    # Indexed only where set (answer_area): one answer in a dozen names a unit, and
    # every index entry is a write on the hot path of a submit.
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, db_index=False)

    class Meta:
        verbose_name = "câu trả lời"
        verbose_name_plural = "câu trả lời"
        indexes = [
            models.Index(fields=["question", "choice"], name="answer_question_choice"),
            # The newest written answers of a question (the results page's sample),
            # without sorting every answer of the question.
            models.Index(fields=["question", "id"], condition=~Q(text=""), name="answer_written"),
            models.Index(fields=["area"], condition=Q(area__isnull=False), name="answer_area"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice if self.choice is not None else self.text[:40]}"


class TallyPart(models.TextChoices):
    ANSWERED = "answered", "người trả lời câu hỏi"
    VALUE = "value", "câu trả lời theo giá trị"
    WRITTEN = "written", "câu trả lời có chữ"
    DAY = "day", "phiếu theo ngày nhận"


class TallyState(models.Model):
    """How far a survey's results tally has got: every answer with an id up to
    `watermark` is counted in its `Tally` rows, and so are the responses received
    on or before `settled_until`. No time of day is kept (when the tally was last
    brought up to date lives in the cache, never in the database): together with
    the watermark it would tell when the answers above it arrived."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, primary_key=True, related_name="tally_state"
    )
    watermark = models.BigIntegerField(default=0)
    settled_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "tiến độ cộng dồn kết quả"
        verbose_name_plural = "tiến độ cộng dồn kết quả"

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.watermark}"


class Tally(models.Model):
    """Exact counts behind the unfiltered results page, kept up to date
    incrementally by `danvan.surveys.tally`. One row per (question, part, value):

    - answered: how many responses answered the question (`n`);
    - value: how many answers hold this (row, choice, number, area, date);
    - written: how many answers of the question carry a text;
    - day (no question): how many responses were received on `date`."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tally")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    part = models.CharField(max_length=10, choices=TallyPart.choices)
    row = models.SmallIntegerField(null=True, blank=True)
    choice = models.SmallIntegerField(null=True, blank=True)
    number = models.FloatField(null=True, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(null=True, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "số đếm kết quả"
        verbose_name_plural = "số đếm kết quả"

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.question_id}/{self.part}: {self.n}"


class SliceGrain(models.TextChoices):
    DAY = "day", "theo ngày nhận"
    UNIT = "unit", "theo đơn vị và ngày nhận"


class TallySlice(models.Model):
    """The tally again, cut by the day a response was received and by the unit
    it named, so that a page filtered by dates or unit adds up a few rows
    instead of counting answers (`danvan.surveys.tally`). Parts `answered`,
    `value`, `written` as in `Tally`; `grain` says whether the rows are per day
    (`unit` = 0) or per day and unit (`unit` = the area id the response gave to
    the survey's unit question, 0 when it gave none). `key` is the value as
    text, so that a row is found by columns that are never NULL (an upsert)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=4, choices=SliceGrain.choices)
    unit = models.IntegerField(default=0)
    day = models.DateField()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=TallyPart.choices)
    key = models.CharField(max_length=80, default="")
    row = models.SmallIntegerField(null=True, blank=True)
    choice = models.SmallIntegerField(null=True, blank=True)
    number = models.FloatField(null=True, blank=True)
    area = models.IntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    n = models.BigIntegerField(default=0)
    # Part `written`: the lowest and highest id of the answers counted, so that the
    # newest written answers of a filter are looked for in that id range only.
    first_id = models.BigIntegerField(null=True, blank=True)
    last_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "số đếm kết quả theo ngày và đơn vị"
        verbose_name_plural = "số đếm kết quả theo ngày và đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "grain", "unit", "day", "question", "part", "key"],
                name="tallyslice_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.grain}/{self.unit}/{self.day}: {self.n}"


class Respondent(models.Model):
    """Who answered an IDENTIFIED survey (never created for an anonymous one)."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="respondent")
    full_name = models.CharField("họ và tên", max_length=150)
    phone = models.CharField("số điện thoại", max_length=20)
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    # Set when the name and phone were erased (retention time over): the row stays,
    # with the consent given, so the response keeps counting.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "người trả lời"
        verbose_name_plural = "người trả lời"

    def __str__(self) -> str:
        return self.full_name


# Shown when an identified survey has no consent text of its own (the public page
# uses the same words; see danvan.surveys.respondents.consent_shown).
DEFAULT_CONSENT_TEXT = (
    "Tôi đồng ý để đơn vị thực hiện khảo sát lưu họ tên, số điện thoại của tôi cùng phiếu "
    "trả lời, chỉ để liên hệ lại về các ý kiến đã nêu."
)


class ConsentText(models.Model):
    """The consent wording of an identified survey as respondents saw it, one row
    per `Survey.consent_version`: a respondent's `consent_version` points here,
    so the words they agreed to are kept when the survey's text is edited later."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="consent_texts")
    version = models.CharField("phiên bản", max_length=20)
    text = models.TextField("nội dung đồng ý")
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "nội dung đồng ý đã dùng"
        verbose_name_plural = "nội dung đồng ý đã dùng"
        ordering = ["survey", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "version"], name="consent_text_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.version}"


class SpentToken(models.Model):
    """A used browser token or phone number (keyed hash), per survey. No link to
    the response, no timestamp, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="spent_tokens")
    kind = models.CharField(max_length=10, choices=[("browser", "browser"), ("phone", "phone")])
    token_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind", "token_hash"], name="spent_token_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.token_hash[:8]}"


class InvitationCode(models.Model):
    """A single-use invitation code (stored as a keyed hash). Spending it flips
    `spent`; nothing records which response used it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    spent = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "code_hash"], name="invitation_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code_hash[:8]} ({'đã dùng' if self.spent else 'chưa dùng'})"


# --- Public-opinion reports ---------------------------------------------------------


class Field(models.TextChoices):
    ECONOMY = "economy", "Kinh tế"
    LAND = "land", "Đất đai"
    ENVIRONMENT = "environment", "Môi trường"
    SOCIAL = "social", "An sinh xã hội"
    ORDER = "order", "An ninh trật tự"
    RELIGION = "religion", "Tôn giáo"
    ETHNIC = "ethnic", "Dân tộc"
    POLICY = "policy", "Chủ trương, chính sách"
    OTHER = "other", "Khác"


class Mood(models.TextChoices):
    AGREE = "agree", "Đồng tình"
    MIXED = "mixed", "Trái chiều"
    UPSET = "upset", "Bức xúc"


class Spread(models.TextChoices):
    FEW = "few", "Một số người"
    HAMLET = "hamlet", "Trong ấp, khu vực"
    COMMUNE = "commune", "Trong xã"
    WIDE = "wide", "Rộng, nhiều địa bàn"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Đã gửi"


class OpinionReportQuerySet(ScopedQuerySetMixin, models.QuerySet["OpinionReport"]):
    scope_area_path = "area__path"


class OpinionReport(columns.AreaAudited, columns.FoldedCopies, models.Model):
    """A collaborator's report of what people say about an issue."""

    folded = {"topic_folded": ("topic",)}

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opinion_reports",
        verbose_name="người báo cáo",
    )
    period = models.ForeignKey(Period, verbose_name="kỳ báo cáo", on_delete=models.PROTECT)
    area = columns.area_field()
    field = models.CharField("lĩnh vực", max_length=20, choices=Field.choices)
    topic = models.CharField(
        "vấn đề", max_length=200, help_text="Tên ngắn gọn của vấn đề, để gộp các báo cáo."
    )
    topic_folded = models.CharField(max_length=200, editable=False, db_index=True)
    what_people_say = models.TextField("ý kiến, dư luận của Nhân dân")
    mood = models.CharField("tâm trạng", max_length=10, choices=Mood.choices)
    spread = models.CharField("mức độ lan rộng", max_length=10, choices=Spread.choices)
    proposals = models.TextField("đề xuất, kiến nghị", blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    submitted_at = models.DateTimeField("thời điểm gửi", null=True, blank=True)

    objects = OpinionReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo tình hình dư luận xã hội"
        verbose_name_plural = "báo cáo tình hình dư luận xã hội"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.topic


class FollowUp(models.Model):
    """The board's note that a hot issue of a period was followed up."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name="kỳ báo cáo")
    scope_area = columns.area_field()
    field = models.CharField("lĩnh vực", max_length=20, choices=Field.choices)
    topic_folded = models.CharField(max_length=200)
    note = models.TextField("nội dung theo dõi, xử lý")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="người tạo"
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "theo dõi vấn đề dư luận"
        verbose_name_plural = "theo dõi vấn đề dư luận"

    def __str__(self) -> str:
        return self.topic_folded

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.scope_area.path}
