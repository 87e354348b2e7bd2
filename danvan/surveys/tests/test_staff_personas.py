"""Every survey staff URL tried by named personas (the habit of
danvan/contests/tests/test_staff_personas.py).

The survey is run by the Ban Dân vận of Xã Phụng Hiệp (a commune body), tried
by the same personas as the contests (`danvan.core.testing.commune_body_personas`,
with the outcomes of `COMMUNE_BODY`: the sibling gets 404 for every object, the
viewer opens the VIEW pages only); the anonymous visitor is sent to sign in.
`test_every_survey_staff_url_is_covered` fails when a URL is added without a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from danvan.core.testing import MANAGE, POST, SIBLING, Matrix, Row, commune_body_personas, pages
from danvan.core.tests.helpers import assert_create_refused_out_of_scope
from danvan.surveys import urls_staff
from danvan.surveys.models import (
    InvitationCode,
    Mode,
    OnePer,
    Question,
    Section,
    Survey,
    SurveyStatus,
)
from danvan.surveys.services import generate_codes
from danvan.surveys.tests import factories


@dataclass
class Personas:
    units: factories.Units
    survey: Survey
    users: dict[str, Any]
    codes: list[str]


@pytest.fixture
def personas(db: Any) -> Personas:
    units = factories.make_units()
    body, users = commune_body_personas(units.commune, units.province, units.other_commune)
    survey = factories.make_survey(
        one_per=OnePer.CODE, units=units, status=SurveyStatus.DRAFT, sections=2
    )
    Survey.objects.filter(pk=survey.pk).update(organization=body)
    survey.refresh_from_db()
    return Personas(units, survey, users, generate_codes(survey, 3))


def _survey(p: Personas) -> Survey:
    return p.survey


def _section(p: Personas) -> Section:
    return p.survey.sections.order_by("position").last()  # type: ignore[return-value]


def _identified(p: Personas) -> Survey:
    """An identified survey of the same body, with one respondent (full phone shown
    to those who manage it)."""
    from danvan.surveys.services import submit_response

    survey = factories.make_survey(
        mode=Mode.IDENTIFIED, one_per=OnePer.PHONE, units=p.units, kinds=["single"]
    )
    Survey.objects.filter(pk=survey.pk).update(organization=p.survey.organization)
    survey.refresh_from_db()
    identity = {"full_name": "Trần Văn Lành", "phone": "0912345678", "consent": True}
    submit_response(survey, {}, identity=identity)
    return survey


def _question(p: Personas) -> Question:
    return p.survey.questions.order_by("section__position", "position").last()  # type: ignore[return-value]


def _codes(p: Personas) -> dict[str, str]:
    return {"codes": " ".join(p.codes)}


def _reversed_order(p: Personas) -> dict[str, str]:
    """The whole questionnaire with its sections in reverse order (no conditions)."""
    import json

    order = [
        {
            "section": s.pk,
            "questions": list(s.questions.order_by("position").values_list("pk", flat=True)),
        }
        for s in p.survey.sections.order_by("-position")
    ]
    return {"order": json.dumps(order)}


def _detail(p: Personas) -> str:
    return reverse("surveys_staff:survey_detail", args=[p.survey.pk])


def _post(
    get: Callable[[Personas], Any], data: Callable[[Personas], dict[str, str]], ok: int
) -> Row:
    """A POST-only URL (moves, downloads of codes): never a GET; all MANAGE."""
    return Row(get, MANAGE, POST, data, ok, _detail if ok == 302 else None)


MATRIX = Matrix.of(
    urls_staff,
    # Opened with GET: the object whose pk is the argument, the verb it needs.
    pages(
        _survey,
        view=["survey_detail", "survey_share", "survey_qr_png", "survey_qr_svg"],
        manage=[
            "survey_edit", "survey_duplicate", "survey_publish", "survey_close", "survey_archive",
            "survey_reopen", "survey_codes", "section_add", "question_add",
        ],
    ),
    pages(_section, manage=["section_edit", "section_delete"]),
    pages(_question, manage=["question_edit", "question_delete"]),
    # Full names and phone numbers: those who manage the survey only.
    pages(_identified, manage=["survey_respondents", "survey_respondents_xlsx"]),
    {
        "section_move": _post(_section, lambda p: {"direction": "up"}, 302),
        "question_move": _post(_question, lambda p: {"direction": "up"}, 302),
        "survey_codes_xlsx": _post(_survey, _codes, 200),
        "survey_reorder": _post(_survey, _reversed_order, 302),
    },
    # Pages without an object: every signed-in manager opens them, each seeing their own scope.
    pages(None, view=["survey_list"], manage=["survey_add"]),
)  # fmt: skip


test_every_survey_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


test_sibling_list_never_shows_the_survey = MATRIX.list_scoped_test(
    "survey_list", lambda p: p.survey, search="cai cach"
)


def test_viewer_sees_no_management_buttons(personas: Personas, client: Any) -> None:
    body = MATRIX.assert_viewer_sees_no(
        client, personas.users, "survey_detail", personas.survey,
        ["survey_edit", "survey_publish", "survey_codes", "question_add"],
    )  # fmt: skip
    assert reverse("surveys_staff:survey_share", args=[personas.survey.pk]) in body


# What the out-of-scope POSTs send: a field of each form.
REFUSED_POST = {
    "title": "Đổi tên",
    "text": "Đổi nội dung",
    "kind": "short_text",
    "count": "5",
    "direction": "up",
}


def _state(p: Personas) -> Any:
    return (
        Survey.objects.values_list("status", "title").get(pk=p.survey.pk),
        list(Section.objects.values_list("pk", "position", "title").order_by("pk")),
        list(
            Question.objects.values_list("pk", "section", "position", "text", "show_if").order_by(
                "pk"
            )
        ),
        Survey.objects.count(),
        InvitationCode.objects.count(),
    )


test_out_of_scope_posts_change_nothing = MATRIX.refused_posts_test(
    {
        "survey_edit": _survey,
        "survey_publish": _survey,
        "survey_archive": _survey,
        "survey_duplicate": _survey,
        "survey_codes": _survey,
        "section_add": _survey,
        "question_add": _survey,
        "section_edit": _section,
        "section_delete": _section,
        "section_move": _section,
        "question_edit": _question,
        "question_delete": _question,
        "question_move": _question,
        "survey_reorder": _survey,
    },
    REFUSED_POST,
    _state,
)


def test_survey_form_offers_only_managed_organisations(personas: Personas, client: Any) -> None:
    """A sibling cannot create a survey for the owner's body, even by posting its id."""
    client.force_login(personas.users[SIBLING])
    response = client.post(
        reverse("surveys_staff:survey_add"),
        {
            "title": "Khảo sát mạo danh",
            "organization": personas.survey.organization_id,
            "target_area": personas.units.commune.pk,
            "opens_at": "2030-01-01T08:00",
            "closes_at": "2030-02-01T08:00",
            "mode": "anonymous",
            "one_per": "browser",
            "consent_version": "1",
        },
    )
    assert_create_refused_out_of_scope(response, Survey, "Khảo sát mạo danh")
