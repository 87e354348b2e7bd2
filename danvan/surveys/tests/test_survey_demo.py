"""The demo surveys and opinion reports (`danvan.surveys.demo.load_survey_demo`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from danvan.core.models import Area, Period
from danvan.core.tests.helpers import row_counts
from danvan.surveys import crosstabs, opinion, results
from danvan.surveys.builder import AGE_BANDS, AGE_TEXT, SEX_TEXT, SEXES
from danvan.surveys.demo import (
    DIALOGUE_RESPONSES,
    DIALOGUE_SLUG,
    FARMERS_RESPONSES,
    FARMERS_SLUG,
    load_survey_demo,
)
from danvan.surveys.demo_opinion import RICE
from danvan.surveys.models import (
    Answer,
    Kind,
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
from danvan.surveys.services import today_vn


def _counts() -> dict[str, int]:
    return row_counts(Survey, Response, Answer, Respondent, SpentToken, OpinionReport)


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
    assert OpinionReport.objects.filter(period__name="6 tháng cuối năm 2024").count() == 3
    assert submitted.filter(topic=RICE, mood=Mood.UPSET).count() == 4

    for survey in (dialogue, farmers):
        _received_over_the_weeks(survey)
        _broken_down_by_sex_and_age(survey)

    # A second load creates nothing and returns the same surveys.
    before = _counts()
    again = load_survey_demo()
    assert [s.pk for s in again] == [dialogue.pk, farmers.pk]
    assert _counts() == before


def _received_over_the_weeks(survey: Survey) -> None:
    """Responses arrive from the day the survey opened to today, most in the
    first week, some every week since: the date filter has something to show."""
    today = today_vn()
    opened = timezone.localtime(survey.opens_at).date()
    days = list(survey.responses.values_list("received_on", flat=True))
    assert min(days) >= opened and max(days) <= today
    assert len(set(days)) >= 12
    first_week = sum(d < opened + timedelta(days=7) for d in days)
    last_week = sum(d > today - timedelta(days=7) for d in days)
    assert first_week > last_week > 0
    for week in range(5):  # every week since the opening has responses
        start = opened + timedelta(days=7 * week)
        assert any(start <= d < start + timedelta(days=7) for d in days), week
    filtered = results.survey_results(survey, date_from=today - timedelta(days=6))
    assert 0 < filtered.total < survey.responses.count()
    # Identified respondents consented on the day their response arrived.
    for respondent in Respondent.objects.filter(response__survey=survey):
        assert timezone.localtime(respondent.consented_at).date() == respondent.response.received_on


def _broken_down_by_sex_and_age(survey: Survey) -> None:
    sex = survey.questions.get(text=SEX_TEXT)
    age = survey.questions.get(text=AGE_TEXT)
    assert sex.kind == age.kind == Kind.SINGLE
    assert sex.options["choices"] == SEXES and age.options["choices"] == AGE_BANDS
    rating = survey.questions.filter(kind=Kind.RATING).first()
    assert rating is not None
    for by in (sex, age):
        table = crosstabs.crosstab(survey, rating, by)
        assert table.columns == by.options["choices"]
        assert all(n > 0 for n in table.column_totals), by.text
        assert sum(table.column_totals) == table.total > 0


@pytest.mark.django_db
def test_every_template_asks_sex_and_age_band() -> None:
    from danvan.surveys import builder
    from danvan.surveys.tests.factories import make_units

    units = make_units()
    for key in builder.TEMPLATES:
        survey = builder.create_from_template(key, organization=units.organization)
        questions = {q.text: q for q in survey.questions.all()}
        for text, choices in ((SEX_TEXT, SEXES), (AGE_TEXT, AGE_BANDS)):
            q = questions[text]
            assert q.kind == Kind.SINGLE and q.options["choices"] == choices, key
            # The results page offers to break the answers down by it.
            assert crosstabs.can_break_down_by(q)
