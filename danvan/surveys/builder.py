"""Building a questionnaire: the built-in templates, deep copies of a survey and
the helpers of its order (the moves themselves are `staff_services`).

Every function that writes several rows runs in one transaction. Orders are
kept contiguous (1, 2, 3… within the survey for sections, within the section
for questions), so "up" and "down" are swaps with a neighbour. A move that
would put a question before the question its condition (show_if) refers to is
refused: the order is checked with `check_order` before it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from danvan.core import organised_forms
from danvan.core.text import slug_vi
from danvan.surveys.models import Kind, Mode, OnePer, Question, Section, Survey, SurveyStatus

UP, DOWN = "up", "down"


class BuilderError(Exception):
    """A change to a survey or its questionnaire that cannot be made; `messages`
    are Vietnamese."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


# --- Ordering ------------------------------------------------------------------------------


def ordered_questions(survey: Survey) -> list[Question]:
    """Every question of the survey in the order a respondent meets them."""
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "pk")
    )


def show_if_errors(questions: list[Question]) -> list[str]:
    from danvan.surveys.logic import check_show_if

    return list(check_show_if(questions))


def renumber(survey: Survey) -> None:
    """Make the positions of sections and of the questions in each section 1, 2, 3…"""
    for n, section in enumerate(survey.sections.order_by("position", "pk"), start=1):
        if section.position != n:
            Section.objects.filter(pk=section.pk).update(position=n)
    for section in survey.sections.all():
        for n, pk in enumerate(
            section.questions.order_by("position", "pk").values_list("pk", flat=True), start=1
        ):
            Question.objects.filter(pk=pk, section=section).exclude(position=n).update(position=n)


def next_question_position(section: Section) -> int:
    last = section.questions.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def next_section_position(survey: Survey) -> int:
    last = survey.sections.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def check_order(before: list[Question], after: list[Question]) -> None:
    """Refuse (roll back) an order with more skip-logic problems than before."""
    old, new = show_if_errors(before), show_if_errors(after)
    if len(new) > len(old):
        fresh = [e for e in new if e not in old] or new
        raise BuilderError(
            [
                "Không đổi được thứ tự: điều kiện hiển thị chỉ được căn cứ vào câu hỏi đứng trước.",
                *fresh,
            ]
        )


MSG_STALE_ORDER = (
    "Thứ tự gửi lên không khớp với phiếu hỏi hiện tại (có thể phiếu vừa được sửa ở nơi "
    "khác). Hãy tải lại trang rồi sắp xếp lại."
)


# --- Copies ----------------------------------------------------------------------------------


def unique_slug(base: str, exclude_pk: int | None = None) -> str:
    return organised_forms.unique_slug(Survey, base, "khao-sat", exclude_pk)


def remap_show_if(show_if: dict[str, Any], ids: dict[int, int]) -> dict[str, Any]:
    """The condition with its question id translated through `ids` ({} if it points nowhere)."""
    if not show_if or "question" not in show_if:
        return {}
    try:
        new = ids[int(show_if["question"])]
    except (KeyError, TypeError, ValueError):
        return {}
    return {**show_if, "question": new}


def duplicate_survey(survey: Survey, *, user: Any = None) -> Survey:
    """A draft deep copy: sections and questions, conditions pointing at the copies.
    Nothing of the responses, codes or tokens is copied. When the original has
    already closed, the copy gets a fresh period of the same length from now."""
    now = timezone.now()
    opens_at, closes_at = survey.opens_at, survey.closes_at
    if closes_at <= now:
        length = closes_at - opens_at
        opens_at = now.replace(second=0, microsecond=0) + timedelta(days=1)
        closes_at = opens_at + length
    title = f"{survey.title} (bản sao)"[:300]
    with transaction.atomic():
        copy = Survey.objects.create(
            title=title,
            slug=unique_slug(slug_vi(title, 110)),
            intro=survey.intro,
            organization=survey.organization,
            target_area=survey.target_area,
            mode=survey.mode,
            one_per=survey.one_per,
            one_section_per_page=survey.one_section_per_page,
            consent_text=survey.consent_text,
            consent_version=survey.consent_version,
            opens_at=opens_at,
            closes_at=closes_at,
            status=SurveyStatus.DRAFT,
            share_image=survey.share_image.name if survey.share_image else "",
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        ids: dict[int, int] = {}
        copies: list[Question] = []
        for section in survey.sections.order_by("position", "pk"):
            new_section = Section.objects.create(
                survey=copy,
                position=section.position,
                title=section.title,
                description=section.description,
            )
            for q in section.questions.order_by("position", "pk"):
                new_q = Question.objects.create(
                    survey=copy,
                    section=new_section,
                    position=q.position,
                    kind=q.kind,
                    text=q.text,
                    help_text=q.help_text,
                    required=q.required,
                    options=dict(q.options or {}),
                    show_if=dict(q.show_if or {}),
                )
                ids[q.pk] = new_q.pk
                copies.append(new_q)
        for new_q in copies:
            if new_q.show_if:
                new_q.show_if = remap_show_if(new_q.show_if, ids)
                new_q.save(update_fields=["show_if"])
        renumber(copy)
    return copy


# --- Templates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TQuestion:
    kind: str
    text: str
    options: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    help_text: str = ""
    key: str = ""  # how later questions of the template refer to this one
    show_if: dict[str, Any] = field(default_factory=dict)  # {"question": key, "op", "value"}


@dataclass(frozen=True)
class TSection:
    title: str
    questions: list[TQuestion]
    description: str = ""


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    title: str
    summary: str
    intro: str
    sections: list[TSection]
    mode: str = Mode.ANONYMOUS
    one_per: str = OnePer.BROWSER

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)


SATISFACTION = {"min": 1, "max": 5, "min_label": "Rất không hài lòng", "max_label": "Rất hài lòng"}

# Who answered, in the categories the results break down by (crosstabs "by sex",
# "by age band"): choice questions, so that any survey made from a template can
# be read by sex and age band without further work.
SEXES = ["Nam", "Nữ"]
AGE_BANDS = ["Dưới 30 tuổi", "Từ 30 đến 44 tuổi", "Từ 45 đến 59 tuổi", "Từ 60 tuổi trở lên"]
SEX_TEXT = "Giới tính"
AGE_TEXT = "Độ tuổi"


def sex_question() -> TQuestion:
    return TQuestion(Kind.SINGLE, SEX_TEXT, {"choices": list(SEXES), "other": False}, key="sex")


def age_question() -> TQuestion:
    return TQuestion(
        Kind.SINGLE,
        AGE_TEXT,
        {"choices": list(AGE_BANDS), "other": False},
        help_text="Tính theo năm sinh.",
        key="age",
    )


DIALOGUE = SurveyTemplate(
    key="doi-thoai",
    title="Đánh giá tiếp xúc, đối thoại của người đứng đầu",
    summary="Người dân đánh giá buổi tiếp xúc, đối thoại trực tiếp của người đứng đầu cấp ủy, "
    "chính quyền (Quyết định 1681-QĐ/TU, Chỉ thị 23-CT/TU) và việc giải quyết kiến nghị.",
    intro="Để buổi tiếp xúc, đối thoại sau thiết thực hơn, xin ông/bà dành khoảng 5 phút cho "
    "biết ý kiến. Phiếu không ghi tên; ý kiến chỉ được tổng hợp chung.",
    sections=[
        TSection(
            "Thông tin chung",
            [
                TQuestion(Kind.UNIT, "Ông/bà đang sinh sống ở ấp, khu vực nào?", required=True),
                TQuestion(
                    Kind.SINGLE,
                    "Ông/bà theo dõi buổi tiếp xúc, đối thoại bằng cách nào?",
                    {
                        "choices": [
                            "Dự trực tiếp tại hội trường",
                            "Nghe qua loa truyền thanh, xem trên mạng xã hội",
                            "Không tham dự, nghe người khác kể lại",
                        ],
                        "other": False,
                    },
                    required=True,
                    key="attend",
                ),
                sex_question(),
                age_question(),
            ],
        ),
        TSection(
            "Đánh giá buổi tiếp xúc, đối thoại",
            [
                TQuestion(
                    Kind.GRID,
                    "Ông/bà đồng ý với các nhận xét sau về buổi đối thoại ở mức nào?",
                    {
                        "rows": [
                            "Thời gian, địa điểm thuận tiện cho người dân",
                            "Được thông báo trước đầy đủ, kịp thời",
                            "Người dân được phát biểu thẳng thắn, không bị hạn chế",
                            "Người đứng đầu lắng nghe, trả lời đúng trọng tâm",
                            "Nội dung trả lời rõ ràng, dễ hiểu",
                        ]
                    },
                    show_if={"question": "attend", "op": "not_equals", "value": 2},
                ),
                TQuestion(
                    Kind.RATING,
                    "Nhìn chung, ông/bà hài lòng với buổi tiếp xúc, đối thoại ở mức nào?",
                    dict(SATISFACTION),
                    required=True,
                ),
                TQuestion(
                    Kind.SINGLE,
                    "Kiến nghị của ông/bà (nếu có) đã được giải quyết chưa?",
                    {
                        "choices": [
                            "Đã giải quyết xong",
                            "Đang được giải quyết",
                            "Chưa được giải quyết",
                            "Tôi không có kiến nghị",
                        ]
                    },
                    key="resolved",
                ),
                TQuestion(
                    Kind.LONG_TEXT,
                    "Kiến nghị nào chưa được giải quyết? Ông/bà mong muốn được giải quyết thế nào?",
                    show_if={"question": "resolved", "op": "equals", "value": 2},
                ),
            ],
        ),
        TSection(
            "Góp ý cho lần sau",
            [
                TQuestion(
                    Kind.MULTIPLE,
                    "Lần đối thoại sau nên bàn thêm những vấn đề nào?",
                    {
                        "choices": [
                            "Đất đai, bồi thường, tái định cư",
                            "Môi trường, nước sạch",
                            "Giao thông nông thôn",
                            "Y tế, giáo dục",
                            "An ninh trật tự",
                            "Việc làm, thu nhập",
                        ],
                        "other": True,
                    },
                ),
                TQuestion(Kind.LONG_TEXT, "Ý kiến khác của ông/bà"),
            ],
        ),
    ],
)

FARMERS = SurveyTemplate(
    key="nong-dan",
    title="Nhu cầu của nông dân",
    summary="Hội Nông dân tìm hiểu nhu cầu vốn, tập huấn, tiêu thụ sản phẩm của hội viên "
    "và nông dân trên địa bàn.",
    intro="Hội Nông dân xã tìm hiểu nhu cầu của bà con để hỗ trợ sát thực tế hơn. Phiếu không "
    "ghi tên, mất khoảng 5 phút.",
    sections=[
        TSection(
            "Thông tin về gia đình",
            [
                TQuestion(Kind.UNIT, "Gia đình ông/bà sinh sống ở ấp, khu vực nào?", required=True),
                TQuestion(
                    Kind.SINGLE,
                    "Hoạt động sản xuất chính của gia đình là gì?",
                    {
                        "choices": [
                            "Trồng lúa",
                            "Trồng cây ăn trái",
                            "Chăn nuôi",
                            "Nuôi thủy sản",
                            "Kết hợp nhiều loại",
                        ],
                        "other": True,
                    },
                    required=True,
                ),
                TQuestion(
                    Kind.NUMBER,
                    "Diện tích đất sản xuất của gia đình (công)",
                    {"min": 0, "max": 1000},
                    help_text="1 công = 1.000 m².",
                ),
                sex_question(),
                age_question(),
            ],
        ),
        TSection(
            "Nhu cầu hỗ trợ",
            [
                TQuestion(
                    Kind.MULTIPLE,
                    "Gia đình cần được hỗ trợ những gì?",
                    {
                        "choices": [
                            "Vốn vay ưu đãi",
                            "Tập huấn kỹ thuật",
                            "Giống, vật tư nông nghiệp",
                            "Tiêu thụ sản phẩm",
                            "Chuyển đổi cây trồng, vật nuôi",
                            "Tham gia hợp tác xã, tổ hợp tác",
                        ],
                        "other": True,
                    },
                    required=True,
                    key="needs",
                ),
                TQuestion(
                    Kind.NUMBER,
                    "Số vốn gia đình cần vay (triệu đồng)",
                    {"min": 0, "max": 10000},
                    show_if={"question": "needs", "op": "any_of", "value": [0]},
                ),
                TQuestion(
                    Kind.DROPDOWN,
                    "Hình thức tập huấn nào phù hợp nhất với ông/bà?",
                    {
                        "choices": [
                            "Hội thảo đầu bờ, tại ruộng vườn",
                            "Lớp học tại hội trường ấp",
                            "Video hướng dẫn trên điện thoại",
                        ],
                        "other": False,
                    },
                    show_if={"question": "needs", "op": "any_of", "value": [1]},
                ),
                TQuestion(
                    Kind.AGREEMENT, "Giá bán nông sản của gia đình những năm gần đây ổn định."
                ),
                TQuestion(
                    Kind.RATING,
                    "Ông/bà chấm điểm hoạt động của Chi hội Nông dân ấp",
                    {"min": 1, "max": 10, "min_label": "Rất kém", "max_label": "Rất tốt"},
                ),
            ],
        ),
        TSection(
            "Kiến nghị",
            [TQuestion(Kind.LONG_TEXT, "Kiến nghị của ông/bà với Hội Nông dân và chính quyền")],
        ),
    ],
)

TEMPLATES: dict[str, SurveyTemplate] = {t.key: t for t in (DIALOGUE, FARMERS)}


def apply_template(survey: Survey, key: str) -> list[Question]:
    """Add the template's sections and questions after what the survey already has."""
    template = TEMPLATES[key]
    created: list[Question] = []
    with transaction.atomic():
        keys: dict[str, int] = {}
        position = next_section_position(survey)
        for s_offset, tsection in enumerate(template.sections):
            section = Section.objects.create(
                survey=survey,
                position=position + s_offset,
                title=tsection.title,
                description=tsection.description,
            )
            for n, tq in enumerate(tsection.questions, start=1):
                show_if: dict[str, Any] = {}
                if tq.show_if:
                    show_if = {**tq.show_if, "question": keys[tq.show_if["question"]]}
                q = Question.objects.create(
                    survey=survey,
                    section=section,
                    position=n,
                    kind=tq.kind,
                    text=tq.text,
                    help_text=tq.help_text,
                    required=tq.required,
                    options=_copy(tq.options),
                    show_if=show_if,
                )
                if tq.key:
                    keys[tq.key] = q.pk
                created.append(q)
    return created


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def create_from_template(key: str, *, organization: Any, user: Any = None, **fields: Any) -> Survey:
    """A draft survey filled from a template (used by the demo and by the staff form)."""
    template = TEMPLATES[key]
    now = timezone.now().replace(second=0, microsecond=0)
    values: dict[str, Any] = {
        "title": template.title,
        "intro": template.intro,
        "mode": template.mode,
        "one_per": template.one_per,
        "opens_at": now,
        "closes_at": now + timedelta(days=30),
        "status": SurveyStatus.DRAFT,
    }
    values.update(fields)
    if not values.get("slug"):
        values["slug"] = unique_slug(slug_vi(values["title"], 110))
    with transaction.atomic():
        survey = Survey.objects.create(organization=organization, created_by=user, **values)
        apply_template(survey, key)
    return survey
