"""The demo surveys and opinion reports (`danvan.surveys.demo.load_survey_demo`)."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.core.models import Area, Period
from danvan.surveys import opinion
from danvan.surveys.demo import (
    DIALOGUE_RESPONSES,
    DIALOGUE_SLUG,
    FARMERS_RESPONSES,
    FARMERS_SLUG,
    RICE,
    load_survey_demo,
)
from danvan.surveys.models import (
    Answer,
    Mode,
    Mood,
    OnePer,
    OpinionReport,
    ReportStatus,
    Respondent,
    Response,
    SpentToken,
    Survey,
)


def _counts() -> dict[str, int]:
    return {
        "surveys": Survey.objects.count(),
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "respondents": Respondent.objects.count(),
        "tokens": SpentToken.objects.count(),
        "reports": OpinionReport.objects.count(),
    }


@pytest.mark.django_db
def test_survey_demo(demo: Any) -> None:
    dialogue, farmers = load_survey_demo()

    assert dialogue.slug == DIALOGUE_SLUG and farmers.slug == FARMERS_SLUG
    assert dialogue.mode == Mode.ANONYMOUS and dialogue.one_per == OnePer.BROWSER
    assert farmers.mode == Mode.IDENTIFIED and farmers.one_per == OnePer.PHONE
    assert farmers.consent_text
    assert dialogue.is_open and farmers.is_open
    assert dialogue.organization.name == "Ban Dân vận Thành ủy Cần Thơ"
    assert dialogue.target_area is not None and dialogue.target_area.code == "92"

    # Responses: the anonymous survey has no respondent rows, the identified one has one each.
    assert dialogue.responses.count() == DIALOGUE_RESPONSES
    assert farmers.responses.count() == FARMERS_RESPONSES
    assert not Respondent.objects.filter(response__survey=dialogue).exists()
    people = Respondent.objects.filter(response__survey=farmers)
    assert people.count() == FARMERS_RESPONSES
    assert people.values("phone").distinct().count() == FARMERS_RESPONSES
    assert all(p.startswith("09") and len(p) == 10 for p in people.values_list("phone", flat=True))
    assert dialogue.spent_tokens.filter(kind="browser").count() == DIALOGUE_RESPONSES
    assert farmers.spent_tokens.filter(kind="phone").count() == FARMERS_RESPONSES
    # Every required question answered; choices spread over more than one option.
    for survey in (dialogue, farmers):
        for question in survey.questions.filter(required=True):
            answered = question.answers.values("response").distinct().count()
            assert answered == survey.responses.count(), question.text
    attend = dialogue.questions.get(kind="single", section__position=1, position=2)
    assert attend.answers.values("choice").distinct().count() >= 3

    # Opinion reports: the rice price issue tops the hot issues of the city.
    period = Period.objects.get(name="6 tháng cuối năm 2025")
    city = Area.objects.get(code="92", valid_to__isnull=True)
    submitted = OpinionReport.objects.filter(period=period, status=ReportStatus.SUBMITTED)
    assert submitted.count() >= 12
    assert submitted.filter(author__username="ctv.phunghiep", area__code="31420").exists()
    hot = opinion.hot_issues(period, city)
    top = hot.issues[0]
    assert top.topic == RICE
    assert top.units == 4 and top.upset == 4
    assert top.previous == 2 and top.trend == "up"
    grouped = {i.topic: i.units for i in hot.issues}
    assert grouped["Sạt lở bờ kênh"] == 2
    assert grouped["Chính sách hỗ trợ sau sáp nhập đơn vị hành chính"] == 3
    assert OpinionReport.objects.filter(period__name="Năm 2024").count() == 3
    assert submitted.filter(topic=RICE, mood=Mood.UPSET).count() == 4

    # A second load creates nothing and returns the same surveys.
    before = _counts()
    again = load_survey_demo()
    assert [s.pk for s in again] == [dialogue.pk, farmers.pk]
    assert _counts() == before
