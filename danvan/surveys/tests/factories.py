"""Shared builders for survey tests.

`make_survey(mode=..., one_per=..., kinds=...)` builds a small, open survey with
one question of every `Kind` (or of the kinds given), spread over a few
sections, run by a body of a small unit tree (a province, a commune with two
hamlets, and a second commune outside the survey's area). The signature is
stable: other test modules import it.

`valid_answers(survey)` returns raw answers (the format `services.clean_answer`
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
from danvan.core.models import Area, AreaKind, Organization, OrgKind
from danvan.surveys.models import (
    Kind,
    Mode,
    OnePer,
    Question,
    Response,
    Section,
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
    province = core.add_area(
        None,
        name="Thành phố Cần Thơ",
        code=f"s{n}-92",
        unit_type="Thành phố",
        kind=AreaKind.PROVINCE,
    )
    commune = core.add_area(
        province,
        name="Xã Phụng Hiệp",
        code=f"s{n}-31420",
        unit_type="Xã",
        kind=AreaKind.COMMUNE,
    )
    hamlet = core.add_hamlet(commune, name="Phụng Thạnh", unit_type="Ấp")
    commune.refresh_from_db()
    other_hamlet = core.add_hamlet(commune, name="Phụng Sơn", unit_type="Ấp")
    province.refresh_from_db()
    other_commune = core.add_area(
        province, name="Xã Hòa An", code=f"s{n}-31393", unit_type="Xã", kind=AreaKind.COMMUNE
    )
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


def question_of(survey: Survey, kind: str) -> Question:
    """The (first) question of `kind` in `survey`."""
    return survey.questions.filter(kind=kind).order_by("section__position", "position")[0]


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
        Kind.SHORT_TEXT: "Làm lại cây cầu ở ấp",
        Kind.LONG_TEXT: "Đề nghị xã công khai tiến độ giải quyết hồ sơ đất đai.",
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
