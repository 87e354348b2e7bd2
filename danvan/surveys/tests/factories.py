"""Shared builders for survey tests.

`make_survey(mode=..., one_per=..., kinds=...)` builds a small, open survey with
one question of every `Kind` (or of the kinds given), spread over a few
sections, run by a body of a small unit tree (a province, a commune with two
hamlets, and a second commune outside the survey's area). The signature is
stable: other test modules import it.

`valid_answers(survey)` returns raw answers (the format `cleaning.clean_answer`
accepts) that pass validation for every question of such a survey.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from danvan.core import services as core
from danvan.core.models import Area, AreaKind, Organization, OrgKind, Role
from danvan.surveys.models import (
    Field,
    Kind,
    Mode,
    Mood,
    OnePer,
    OpinionReport,
    Question,
    ReportStatus,
    Response,
    Section,
    Spread,
    Survey,
    SurveyStatus,
)

_slugs = itertools.count(1)

# Sample question text and options for each kind.
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    Kind.SINGLE: (
        "Ông/bà biết đến chủ trương sáp nhập xã qua kênh nào nhiều nhất?",
        {"choices": ["Loa phát thanh của ấp", "Họp tổ nhân dân", "Mạng xã hội"], "other": True},
    ),
    Kind.MULTIPLE: (
        "Những việc nào ở địa phương ông/bà thấy cần ưu tiên?",
        {"choices": ["Đường giao thông nông thôn", "Nước sạch", "Việc làm"], "other": True},
    ),
    Kind.DROPDOWN: (
        "Ông/bà thuộc nhóm tuổi nào?",
        {"choices": ["Dưới 30", "30 đến 59", "Từ 60 trở lên"], "other": False},
    ),
    Kind.RATING: (
        "Ông/bà chấm điểm sự hài lòng với bộ phận một cửa của xã (1 đến 5)?",
        {"min": 1, "max": 5, "min_label": "Rất không hài lòng", "max_label": "Rất hài lòng"},
    ),
    Kind.AGREEMENT: ("Thủ tục hành chính ở xã nhanh gọn hơn trước.", {}),
    Kind.GRID: (
        "Mức độ đồng ý của ông/bà với các ý sau:",
        {"rows": ["Cán bộ tiếp dân tận tình", "Thông tin được công khai đầy đủ"]},
    ),
    Kind.NUMBER: ("Gia đình ông/bà có bao nhiêu người?", {"min": 1, "max": 30}),
    Kind.SHORT_TEXT: ("Một điều ông/bà muốn xã làm ngay?", {}),
    Kind.LONG_TEXT: ("Ý kiến, kiến nghị khác của ông/bà:", {}),
    Kind.DATE: ("Lần gần nhất ông/bà đến Trung tâm phục vụ hành chính công là ngày nào?", {}),
    Kind.UNIT: ("Ông/bà đang sinh sống ở ấp nào?", {}),
}


@dataclass
class Units:
    province: Area
    commune: Area
    hamlet: Area
    other_hamlet: Area
    other_commune: Area
    organization: Organization


def make_units() -> Units:
    """Thành phố Cần Thơ > Xã Phụng Hiệp > Ấp Phụng Thạnh, Ấp Phụng Sơn; Xã Hòa An."""
    n = next(_slugs)

    def unit(parent: Area | None, name: str, code: str, unit_type: str, kind: str) -> Area:
        return core.add_area(parent, name=name, code=f"s{n}-{code}", unit_type=unit_type, kind=kind)

    province = unit(None, "Thành phố Cần Thơ", "92", "Thành phố", AreaKind.PROVINCE)
    commune = unit(province, "Xã Phụng Hiệp", "31420", "Xã", AreaKind.COMMUNE)
    hamlet = core.add_hamlet(commune, name="Phụng Thạnh", unit_type="Ấp")
    commune.refresh_from_db()
    other_hamlet = core.add_hamlet(commune, name="Phụng Sơn", unit_type="Ấp")
    province.refresh_from_db()
    other_commune = unit(province, "Xã Hòa An", "31393", "Xã", AreaKind.COMMUNE)
    province.refresh_from_db()
    organization = core.create_organization(
        name="Ban Dân vận Thành ủy Cần Thơ", kind=OrgKind.MOBILISATION_BOARD, area=province
    )
    commune.refresh_from_db()
    return Units(province, commune, hamlet, other_hamlet, other_commune, organization)


def make_survey(
    mode: str = Mode.ANONYMOUS,
    one_per: str = OnePer.BROWSER,
    kinds: list[str] | None = None,
    *,
    units: Units | None = None,
    sections: int = 3,
    required: bool = False,
    one_section_per_page: bool = True,
    status: str = SurveyStatus.PUBLISHED,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    slug: str | None = None,
    title: str = "Lấy ý kiến Nhân dân về cải cách hành chính ở xã",
) -> Survey:
    """A survey with one question per kind (every Kind by default), in `sections`
    sections of about equal size, questions in the order of `kinds`. Open now
    (published, opened yesterday, closing in 30 days) unless told otherwise.
    The target area is the commune of `units` (built when not given)."""
    units = units or make_units()
    kinds = list(kinds) if kinds is not None else [k.value for k in Kind]
    now = timezone.now()
    survey = Survey.objects.create(
        title=title,
        slug=slug or f"khao-sat-{next(_slugs)}",
        intro="Ý kiến của ông/bà giúp cấp ủy, chính quyền xã phục vụ Nhân dân tốt hơn.",
        organization=units.organization,
        target_area=units.commune,
        mode=mode,
        one_per=one_per,
        one_section_per_page=one_section_per_page,
        consent_text=(
            "Tôi đồng ý để Ban Dân vận lưu họ tên và số điện thoại của tôi "
            "cùng phiếu trả lời, chỉ để liên hệ lại về các ý kiến đã nêu."
        ),
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=30),
        status=status,
    )
    sections = max(1, min(sections, len(kinds) or 1))
    per = -(-len(kinds) // sections) if kinds else 1
    section_objs = [
        Section.objects.create(survey=survey, position=i + 1, title=f"Phần {i + 1}")
        for i in range(sections)
    ]
    for i, kind in enumerate(kinds):
        text, options = SAMPLES[kind]
        Question.objects.create(
            survey=survey,
            section=section_objs[min(i // per, sections - 1)],
            position=i + 1,
            kind=kind,
            text=text,
            required=required,
            options=dict(options),
        )
    return survey


def board_admin(area: Area, username: str, full_name: str) -> Any:
    """A staff user holding the board administrator role on `area`."""
    user = core.create_staff_user(
        username=username, full_name=full_name, password="mat-khau-thu-nghiem-1"
    )
    core.grant_role(None, user, Role.BOARD_ADMIN, area=area)
    return user


def question_post(section: Section, kind: str = Kind.SINGLE, **overrides: Any) -> dict[str, Any]:
    """What the staff question form posts: a question of `kind` (two choices,
    always shown) in `section`, with `overrides`."""
    data = {
        "kind": kind,
        "section": section.pk,
        "text": "Ông/bà có tham gia sinh hoạt tổ nhân dân tự quản không?",
        "help_text": "",
        "choices": "Có\nKhông",
        "scale": "5",
        "min_label": "",
        "max_label": "",
        "rows": "",
        "number_min": "",
        "number_max": "",
        "show_if_question": "",
        "show_if_op": "equals",
        "show_if_text": "",
    }
    data.update(overrides)
    return data


def question_of(survey: Survey, kind: str) -> Question:
    """The (first) question of `kind` in `survey`."""
    return survey.questions.filter(kind=kind).order_by("section__position", "position")[0]


SHORT_ANSWER = "Làm lại cây cầu ở ấp"
LONG_ANSWER = "Đề nghị xã công khai tiến độ giải quyết hồ sơ đất đai."


def posted_answer(question: Question, hamlet: Area | None) -> dict[str, Any]:
    """The fields the public page posts for a valid answer to `question` (the
    answer of `valid_answers`; the unit question: `hamlet` of the survey's commune)."""
    name = f"q{question.pk}"
    by_kind: dict[str, dict[str, Any]] = {
        Kind.SINGLE: {name: "1"},
        Kind.MULTIPLE: {name: ["0", "2"]},
        Kind.DROPDOWN: {name: "2"},
        Kind.RATING: {name: "4"},
        Kind.AGREEMENT: {name: "3"},
        Kind.GRID: {f"{name}_r0": "4", f"{name}_r1": "2"},
        Kind.NUMBER: {name: "5"},
        Kind.SHORT_TEXT: {name: SHORT_ANSWER},
        Kind.LONG_TEXT: {name: LONG_ANSWER},
        Kind.DATE: {name: "2025-03-15"},
        Kind.UNIT: {name: "", f"{name}_hamlet": str(hamlet.pk) if hamlet else ""},
    }
    return by_kind[question.kind]


def valid_answers(survey: Survey) -> dict[int, Any]:
    """Raw answers, keyed by question id, that pass validation for every question."""
    hamlet = (
        Area.objects.filter(path__startswith=survey.target_area.path, kind=AreaKind.HAMLET)
        .order_by("path")
        .first()
        if survey.target_area
        else None
    )
    sample: dict[str, Any] = {
        Kind.SINGLE: 1,
        Kind.MULTIPLE: [0, 2],
        Kind.DROPDOWN: 2,
        Kind.RATING: 4,
        Kind.AGREEMENT: 3,
        Kind.GRID: [4, 2],
        Kind.NUMBER: 5,
        Kind.SHORT_TEXT: SHORT_ANSWER,
        Kind.LONG_TEXT: LONG_ANSWER,
        Kind.DATE: "15/03/2025",
        Kind.UNIT: hamlet.pk if hamlet else None,
    }
    return {q.pk: sample[q.kind] for q in survey.questions.all()}


def store_response(survey: Survey, raw_answers: Mapping[Any, Any], **kwargs: Any) -> Response:
    """`services.submit_response`, then for an anonymous survey the mix of that
    one response at once (in real use it waits for a batch of them, see
    `danvan.surveys.mixing`): the stored `Response`."""
    from danvan.surveys import mixing, services

    sent = services.submit_response(survey, raw_answers, **kwargs)
    if isinstance(sent, Response):
        return sent
    known = set(Response.objects.filter(survey=survey).values_list("pk", flat=True))
    mixing.mix(survey, release_all=True)
    return Response.objects.filter(survey=survey).exclude(pk__in=known).get()


def make_opinion_report(
    author: Any,
    period: Any,
    area: Area,
    topic: str,
    *,
    field: str = Field.ENVIRONMENT,
    mood: str = Mood.MIXED,
    spread: str = Spread.FEW,
    submitted: bool = True,
    **values: Any,
) -> OpinionReport:
    """An opinion report of `author` on what people of `area` say about `topic`
    in `period`, submitted (a draft when not `submitted`); `values` are its
    other fields (what people say: a line about the topic by default)."""
    values.setdefault("what_people_say", f"Bà con bàn tán về {topic.lower()}.")
    return OpinionReport.objects.create(
        author=author,
        period=period,
        area=area,
        field=field,
        topic=topic,
        mood=mood,
        spread=spread,
        status=ReportStatus.SUBMITTED if submitted else ReportStatus.DRAFT,
        **values,
    )
