"""The surveys' section of the review report (`surveys/review.py`): surveys of
the unit's bodies (a merged commune's included, a sibling's left out) and their
responses received in the period; the opinion reports submitted for the
periods inside it and their hot issues; against a recount of the raw rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from danvan.core.models import PeriodKind
from danvan.core.review import REVIEW_SECTIONS
from danvan.core.tests.factories import (
    make_hamlet,
    make_period,
    make_user,
)
from danvan.core.tests.helpers import at, review_units, within
from danvan.surveys.models import (
    Field,
    Mode,
    Mood,
    OnePer,
    OpinionReport,
    ReportStatus,
    Response,
    Spread,
    Survey,
    SurveyStatus,
)
from danvan.surveys.review import surveys_review
from danvan.surveys.tests.factories import make_opinion_report

START, END = date(2025, 1, 1), date(2025, 12, 31)


def _survey(org: Any, slug: str, opens: date, closes: date, status: str) -> Survey:
    return Survey.objects.create(
        title=f"Khảo sát {slug}", slug=slug, organization=org, target_area=org.area,
        mode=Mode.ANONYMOUS, one_per=OnePer.BROWSER, opens_at=at(opens), closes_at=at(closes),
        status=status,
    )  # fmt: skip


def _responses(survey: Survey, *days: date) -> None:
    for d in days:
        Response.objects.create(survey=survey, received_on=d)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    units = review_units()
    commune, old, sibling = units.commune, units.old, units.sibling
    hamlet = make_hamlet(commune, "Ấp Phụng Thạnh")
    body, old_body, sib_body = units.boards("Ban Dân vận xã")
    s1 = _survey(body, "cai-cach", date(2025, 3, 1), date(2025, 5, 1), SurveyStatus.CLOSED)
    s0 = _survey(old_body, "giao-thong", date(2024, 12, 1), date(2025, 2, 1), SurveyStatus.ARCHIVED)
    s2 = _survey(sib_body, "hoa-an", date(2025, 3, 1), date(2025, 5, 1), SurveyStatus.CLOSED)
    _survey(body, "nhap", date(2025, 3, 1), date(2025, 5, 1), SurveyStatus.DRAFT)
    _responses(s1, date(2025, 3, 2), date(2025, 3, 3), date(2025, 4, 9))
    _responses(s0, date(2024, 12, 20), date(2025, 1, 5))  # one before the period
    _responses(s2, date(2025, 3, 2))
    h1 = make_period(
        "6 tháng đầu năm 2025", PeriodKind.HALF_YEAR, date(2025, 1, 1), date(2025, 6, 30)
    )
    h2 = make_period(
        "6 tháng cuối năm 2025", PeriodKind.HALF_YEAR, date(2025, 7, 1), date(2025, 12, 31)
    )
    before = make_period(
        "6 tháng cuối năm 2024", PeriodKind.HALF_YEAR, date(2024, 7, 1), date(2024, 12, 31)
    )
    author = make_user("ctv")

    def report(period: Any, area: Any, topic: str, **values: Any) -> None:
        make_opinion_report(
            author, period, area, topic, field=Field.POLICY, spread=Spread.HAMLET,
            what_people_say="Bà con quan tâm.", **values,
        )  # fmt: skip

    report(h1, hamlet, "Giá phân bón tăng", mood=Mood.UPSET)
    report(h1, old, "Giá phân bón tăng")
    report(h1, commune, "Sạt lở bờ sông")
    report(h2, commune, "Giá phân bón tăng")
    report(h1, commune, "Bản nháp", submitted=False)
    report(h1, sibling, "Đường sá xuống cấp")
    report(before, commune, "Giá phân bón tăng")
    units.merge_old()
    return {"commune": commune, "province": units.province}


def recount(area: Any) -> dict[str, int]:
    mine = within(area)
    surveys = [
        s for s in Survey.objects.select_related("organization__area")
        if mine(s.organization.area.path) and s.status != SurveyStatus.DRAFT
        and s.opens_at < at(date(2026, 1, 1)) and s.closes_at > at(START)
    ]  # fmt: skip
    ids = {s.pk for s in surveys}
    responses = [
        r for r in Response.objects.all() if r.survey_id in ids and START <= r.received_on <= END
    ]
    reports = [
        r for r in OpinionReport.objects.select_related("area", "period")
        if mine(r.area.path) and r.status == ReportStatus.SUBMITTED
        and r.period.start >= START and r.period.end <= END
    ]  # fmt: skip
    return {
        "surveys": len(surveys),
        "responses": len(responses),
        "opinion_reports": len(reports),
        "hot_issues": len({(r.period_id, r.field, r.topic_folded) for r in reports}),
        "upset_reports": sum(r.mood == Mood.UPSET for r in reports),
    }


def test_the_figures_of_a_year(world: dict[str, Any]) -> None:
    result = surveys_review(world["commune"], START, END)
    assert result.figures == {
        "surveys": 2, "responses": 4, "opinion_reports": 4, "hot_issues": 3, "upset_reports": 1,
    }  # fmt: skip
    assert result.figures == recount(world["commune"])
    assert "Tổ chức 2 cuộc khảo sát trực tuyến" in result.paragraphs[0]
    assert "4 phiếu trả lời" in result.paragraphs[0]
    hot = [p for p in result.paragraphs if p.startswith("Kỳ 6 tháng đầu năm 2025")]
    assert hot == [
        "Kỳ 6 tháng đầu năm 2025: 3 báo cáo của 3 địa bàn; các vấn đề được quan tâm nhiều nhất: "
        "Giá phân bón tăng (2 báo cáo) và Sạt lở bờ sông (1 báo cáo)."
    ]
    assert [t.title for t in result.tables] == ["Khảo sát trực tuyến", "Vấn đề dư luận quan tâm"]


def test_the_province(world: dict[str, Any]) -> None:
    assert surveys_review(world["province"], START, END).figures == recount(world["province"])


def test_the_section_is_registered() -> None:
    assert REVIEW_SECTIONS["surveys"].compute is surveys_review
