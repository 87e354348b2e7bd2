"""The unit question ("Địa bàn"): commune, then hamlet, from the unit tree under
the survey's target. Two plain selects that work without JavaScript: the
server checks that the hamlet lies in the chosen commune, and never takes the
target itself when it has units below it. And what publishing says about a
target without a unit question."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.core import services as core
from danvan.core.models import AreaKind
from danvan.surveys import cleaning, mixing
from danvan.surveys.forms_staff import publish_problems
from danvan.surveys.models import Answer, Kind, Question, Survey
from danvan.surveys.tests.factories import Units, make_survey, question_of
from danvan.surveys.views_public import unit_options

pytestmark = pytest.mark.django_db


def city_survey(units: Units, **kw: Any) -> Survey:
    """A one-page survey of the whole city: a unit question and a short text."""
    survey = make_survey(
        kinds=[Kind.UNIT, Kind.SHORT_TEXT],
        units=units,
        sections=1,
        one_section_per_page=False,
        **kw,
    )
    Survey.objects.filter(pk=survey.pk).update(target_area=units.province)
    survey.refresh_from_db()
    return survey


def post(client: Client, survey: Survey, unit: dict[str, Any], action: str = "submit") -> Any:
    q = question_of(survey, Kind.UNIT)
    data = {"action": action, f"q{q.pk}": unit.get("commune", "")}
    data[f"q{q.pk}_hamlet"] = unit.get("hamlet", "")
    client.post(survey.get_absolute_url(), {})
    return client.post(reverse("surveys:page", args=[survey.slug, 1]), data)


def stored_unit(survey: Survey) -> int | None:
    mixing.mix(survey, release_all=True)  # the response waits for its batch otherwise
    answer = Answer.objects.filter(question__survey=survey, question__kind=Kind.UNIT).first()
    return answer.area_id if answer else None


def test_options_under_a_city_are_its_communes_then_their_hamlets(units: Units) -> None:
    survey = Survey.objects.select_related("target_area").get(pk=city_survey(units).pk)
    with CaptureQueriesContext(connection) as queries:
        options = unit_options(survey)
    assert len(queries) == 1  # the units under the target, once
    assert options.fixed == ""
    # The city itself is not offered: it has communes below it.
    assert options.groups == [
        ("", [(str(units.other_commune.pk), "Xã Hòa An"), (str(units.commune.pk), "Xã Phụng Hiệp")])
    ]
    assert options.hamlets == [
        (
            str(units.commune.pk),
            "Xã Phụng Hiệp",
            [
                (str(units.other_hamlet.pk), "Ấp Phụng Sơn"),
                (str(units.hamlet.pk), "Ấp Phụng Thạnh"),
            ],
        )
    ]


def test_options_of_a_commune_are_its_hamlets_only(units: Units) -> None:
    survey = make_survey(kinds=[Kind.UNIT], units=units)  # targets Xã Phụng Hiệp
    options = unit_options(survey)
    assert options.fixed == "Xã Phụng Hiệp" and options.groups == []
    assert [h for _c, _n, items in options.hamlets for h, _name in items] == [
        str(units.other_hamlet.pk),
        str(units.hamlet.pk),
    ]


def test_without_a_target_communes_are_grouped_by_province(units: Units) -> None:
    other = core.add_area(
        None, name="Tỉnh Sóc Trăng", code="94-u", unit_type="Tỉnh", kind=AreaKind.PROVINCE
    )
    core.add_area(other, name="Phường Sóc Trăng", code="94-u-1", unit_type="Phường", kind="commune")
    survey = city_survey(units)
    Survey.objects.filter(pk=survey.pk).update(target_area=None)
    survey.refresh_from_db()
    groups = unit_options(survey).groups
    assert [label for label, _items in groups] == ["Thành phố Cần Thơ", "Tỉnh Sóc Trăng"]
    assert [name for _pk, name in groups[1][1]] == ["Phường Sóc Trăng"]


def test_page_shows_two_selects_that_work_without_javascript(client: Client, units: Units) -> None:
    survey = city_survey(units)
    q = question_of(survey, Kind.UNIT)
    client.post(survey.get_absolute_url(), {})
    html = client.get(reverse("surveys:page", args=[survey.slug, 1])).content.decode()
    assert f'<select name="q{q.pk}" id="q{q.pk}" data-unit-communes' in html
    assert f'<select name="q{q.pk}_hamlet" id="q{q.pk}_hamlet" data-unit-hamlets="q{q.pk}"' in html
    assert f'<optgroup label="Xã Phụng Hiệp" data-commune="{units.commune.pk}">' in html
    assert f'<option value="{units.province.pk}"' not in html  # not the city itself
    assert "<legend>Câu 1. Ông/bà đang sinh sống ở ấp nào?" in html


def test_commune_and_hamlet_in_it_are_stored_as_the_hamlet(client: Client, units: Units) -> None:
    survey = city_survey(units)
    response = post(client, survey, {"commune": units.commune.pk, "hamlet": units.hamlet.pk})
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    assert stored_unit(survey) == units.hamlet.pk


def test_a_hamlet_of_another_commune_is_refused_beside_the_field(
    client: Client, units: Units
) -> None:
    survey = city_survey(units)
    response = post(client, survey, {"commune": units.other_commune.pk, "hamlet": units.hamlet.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert cleaning.MSG_UNIT_OUTSIDE in html
    # What was chosen stays chosen.
    assert f'<option value="{units.other_commune.pk}" selected>' in html
    assert f'<option value="{units.hamlet.pk}" selected>' in html
    assert stored_unit(survey) is None


def test_a_commune_with_hamlets_needs_one(client: Client, units: Units) -> None:
    survey = city_survey(units)
    html = post(client, survey, {"commune": units.commune.pk}).content.decode()
    assert cleaning.MSG_UNIT_HAMLET in html
    assert stored_unit(survey) is None
    # The city itself, posted by hand, is not an answer either.
    html = post(client, survey, {"commune": units.province.pk}).content.decode()
    assert cleaning.MSG_UNIT_HAMLET in html


def test_a_commune_without_hamlets_is_an_answer(client: Client, units: Units) -> None:
    survey = city_survey(units)
    response = post(client, survey, {"commune": units.other_commune.pk})
    assert response.status_code == 302
    assert stored_unit(survey) == units.other_commune.pk


def test_clean_answer_of_the_pair(units: Units) -> None:
    survey = city_survey(units)
    q = question_of(survey, Kind.UNIT)
    q.survey = survey
    pair = {"commune": str(units.commune.pk), "hamlet": str(units.other_hamlet.pk)}
    assert cleaning.clean_answer(q, pair) == units.other_hamlet.pk
    assert cleaning.clean_answer(q, {"commune": "", "hamlet": ""}) is None
    # Only the hamlet (the survey of one commune): fine when it is under the target.
    assert cleaning.clean_answer(q, {"hamlet": units.hamlet.pk}) == units.hamlet.pk
    outside = core.add_area(
        None, name="Tỉnh Hậu Giang", code="93-u", unit_type="Tỉnh", kind=AreaKind.PROVINCE
    )
    for bad in ({"commune": outside.pk}, {"commune": "xã", "hamlet": ""}):
        with pytest.raises(ValidationError):
            cleaning.clean_answer(q, bad)


def test_publishing_says_what_the_target_does(units: Units) -> None:
    survey = make_survey(kinds=[Kind.SINGLE], units=units)
    notes = publish_problems(survey).notes
    assert any(
        "chưa có câu hỏi “Địa bàn (xã, ấp)”, nên thực tế ai có đường dẫn cũng trả lời được" in n
        for n in notes
    )
    # With a unit question that may be skipped: said too.
    Question.objects.create(
        survey=survey, section=survey.sections.get(), position=9, kind=Kind.UNIT, text="Ở đâu?"
    )
    notes = publish_problems(survey).notes
    assert any("(địa bàn) không bắt buộc" in n for n in notes)
    Question.objects.filter(survey=survey, kind=Kind.UNIT).update(required=True)
    assert not any("Địa bàn" in n or "địa bàn" in n for n in publish_problems(survey).notes)
    # No target, nothing to say.
    Survey.objects.filter(pk=survey.pk).update(target_area=None)
    survey.refresh_from_db()
    Question.objects.filter(survey=survey, kind=Kind.UNIT).delete()
    assert not any("địa bàn" in n.lower() for n in publish_problems(survey).notes)
