"""Every survey staff URL tried by named personas (the habit of
danvan/contests/tests/test_staff_personas.py).

The survey is run by the Ban Dân vận of Xã Phụng Hiệp (a commune body):

- owner:   the org officer of the organising body
- admin:   the board administrator of Xã Phụng Hiệp (the organiser's area)
- above:   the board administrator of Thành phố Cần Thơ, above the commune
- sibling: the board administrator of Xã Hòa An, a sibling commune
- viewer:  a read-only viewer of Xã Phụng Hiệp (sees, never changes)
- anonymous visitor

Owners and the colleague above succeed, the sibling gets 404 for every object
(the same answer as a missing object), the viewer opens the VIEW pages only and
the anonymous visitor is sent to sign in. `test_every_survey_staff_url_is_covered`
fails when a URL is added without a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from danvan.core import services as core
from danvan.core.models import OrgKind, Role
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

OWNER, ADMIN, ABOVE, SIBLING, VIEWER = "owner", "admin", "above", "sibling", "viewer"
LOGIN = "/quan-ly/dang-nhap/"
VIEW, MANAGE = "view", "manage"


@dataclass
class Personas:
    units: factories.Units
    survey: Survey
    users: dict[str, Any]
    codes: list[str]


def make_staff(username: str, role: str, **scope: Any) -> Any:
    user = core.create_staff_user(
        username=username, full_name="Cán bộ " + username, password="mat-khau-thu-nghiem-1"
    )
    core.grant_role(None, user, role, **scope)
    return user


@pytest.fixture
def personas(db: Any) -> Personas:
    units = factories.make_units()
    body = core.create_organization(
        name="Ban Dân vận Đảng ủy xã Phụng Hiệp",
        kind=OrgKind.MOBILISATION_BOARD,
        area=units.commune,
    )
    survey = factories.make_survey(
        one_per=OnePer.CODE, units=units, status=SurveyStatus.DRAFT, sections=2
    )
    Survey.objects.filter(pk=survey.pk).update(organization=body)
    survey.refresh_from_db()
    users = {
        OWNER: make_staff("p.owner", Role.ORG_OFFICER, organization=body),
        ADMIN: make_staff("p.admin", Role.BOARD_ADMIN, area=units.commune),
        ABOVE: make_staff("p.above", Role.BOARD_ADMIN, area=units.province),
        SIBLING: make_staff("p.sibling", Role.BOARD_ADMIN, area=units.other_commune),
        VIEWER: make_staff("p.viewer", Role.VIEWER, area=units.commune),
    }
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


# url name -> (object factory, the verb it needs); opened with GET
OBJECT_URLS: dict[str, tuple[Callable[[Personas], Any], str]] = {
    "survey_detail": (_survey, VIEW),
    "survey_share": (_survey, VIEW),
    "survey_qr_png": (_survey, VIEW),
    "survey_qr_svg": (_survey, VIEW),
    "survey_edit": (_survey, MANAGE),
    "survey_duplicate": (_survey, MANAGE),
    "survey_publish": (_survey, MANAGE),
    "survey_close": (_survey, MANAGE),
    "survey_archive": (_survey, MANAGE),
    "survey_reopen": (_survey, MANAGE),
    "survey_codes": (_survey, MANAGE),
    "section_add": (_survey, MANAGE),
    "question_add": (_survey, MANAGE),
    "section_edit": (_section, MANAGE),
    "section_delete": (_section, MANAGE),
    "question_edit": (_question, MANAGE),
    "question_delete": (_question, MANAGE),
    # Full names and phone numbers: those who manage the survey only.
    "survey_respondents": (_identified, MANAGE),
    "survey_respondents_xlsx": (_identified, MANAGE),
}


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


# POST-only url name -> (object factory, POST data, status for those allowed); all MANAGE
POST_URLS: dict[
    str, tuple[Callable[[Personas], Any], Callable[[Personas], dict[str, str]], int]
] = {
    "section_move": (_section, lambda p: {"direction": "up"}, 302),
    "question_move": (_question, lambda p: {"direction": "up"}, 302),
    "survey_codes_xlsx": (_survey, _codes, 200),
    "survey_reorder": (_survey, _reversed_order, 302),
}
# Pages without an object: every signed-in manager opens them, each seeing their own scope.
LIST_URLS: dict[str, str] = {
    "survey_list": VIEW,
    "survey_add": MANAGE,
}


def test_every_survey_staff_url_is_covered() -> None:
    names = {p.name for p in urls_staff.urlpatterns}  # type: ignore[union-attr]
    covered = set(OBJECT_URLS) | set(POST_URLS) | set(LIST_URLS)
    assert names - covered == set(), "survey staff URLs without a persona test"
    assert covered - names == set(), "persona rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_object_urls_by_persona(name: str, personas: Personas, client: Any) -> None:
    factory, verb = OBJECT_URLS[name]
    obj = factory(personas)
    url = reverse(f"surveys_staff:{name}", args=[obj.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    expected = {
        OWNER: 200,
        ADMIN: 200,
        ABOVE: 200,
        SIBLING: 404,
        VIEWER: 200 if verb == VIEW else 404,
    }
    for persona, status in expected.items():
        client.force_login(personas.users[persona])
        response = client.get(url)
        assert response.status_code == status, f"{persona} on {url}"
        client.logout()

    # A missing object answers exactly like an object out of scope.
    client.force_login(personas.users[OWNER])
    missing = reverse(f"surveys_staff:{name}", args=[10**9])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("name", sorted(POST_URLS))
def test_post_urls_by_persona(name: str, personas: Personas, client: Any) -> None:
    factory, data, ok = POST_URLS[name]
    obj = factory(personas)
    url = reverse(f"surveys_staff:{name}", args=[obj.pk])

    response = client.post(url, data(personas))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    for persona in (SIBLING, VIEWER):
        client.force_login(personas.users[persona])
        assert client.post(url, data(personas)).status_code == 404, f"{persona} on {url}"
        client.logout()
    for persona in (OWNER, ADMIN, ABOVE):
        client.force_login(personas.users[persona])
        response = client.post(url, data(personas))
        assert response.status_code == ok, f"{persona} on {url}"
        if ok == 302:
            assert response["Location"].startswith(
                reverse("surveys_staff:survey_detail", args=[personas.survey.pk])
            )
        # Never a GET: moves and downloads of codes are POSTs.
        assert client.get(url).status_code == 405
        client.logout()

    client.force_login(personas.users[OWNER])
    missing = reverse(f"surveys_staff:{name}", args=[10**9])
    assert client.post(missing, data(personas)).status_code == 404


@pytest.mark.parametrize("name", sorted(LIST_URLS))
def test_list_urls_by_persona(name: str, personas: Personas, client: Any) -> None:
    url = reverse(f"surveys_staff:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    for persona in (OWNER, ADMIN, ABOVE, SIBLING):
        client.force_login(personas.users[persona])
        assert client.get(url).status_code == 200, f"{persona} on {url}"
        client.logout()
    client.force_login(personas.users[VIEWER])
    expected = 200 if LIST_URLS[name] == VIEW else 404
    assert client.get(url).status_code == expected


def test_sibling_list_never_shows_the_survey(personas: Personas, client: Any) -> None:
    survey = personas.survey
    detail = reverse("surveys_staff:survey_detail", args=[survey.pk])
    client.force_login(personas.users[SIBLING])
    body = client.get(reverse("surveys_staff:survey_list")).content.decode()
    assert detail not in body
    assert survey.title not in body
    client.force_login(personas.users[ABOVE])
    body = client.get(reverse("surveys_staff:survey_list") + "?q=cai cach").content.decode()
    assert detail in body


def test_viewer_sees_no_management_buttons(personas: Personas, client: Any) -> None:
    survey = personas.survey
    client.force_login(personas.users[VIEWER])
    body = client.get(reverse("surveys_staff:survey_detail", args=[survey.pk])).content
    for name in ("survey_edit", "survey_publish", "survey_codes", "question_add"):
        assert reverse(f"surveys_staff:{name}", args=[survey.pk]).encode() not in body
    assert reverse("surveys_staff:survey_share", args=[survey.pk]).encode() in body


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


@pytest.mark.parametrize(
    "name,factory",
    [
        ("survey_edit", _survey),
        ("survey_publish", _survey),
        ("survey_archive", _survey),
        ("survey_duplicate", _survey),
        ("survey_codes", _survey),
        ("section_add", _survey),
        ("question_add", _survey),
        ("section_edit", _section),
        ("section_delete", _section),
        ("section_move", _section),
        ("question_edit", _question),
        ("question_delete", _question),
        ("question_move", _question),
        ("survey_reorder", _survey),
    ],
)
def test_out_of_scope_posts_change_nothing(
    name: str, factory: Callable[[Personas], Any], personas: Personas, client: Any
) -> None:
    obj = factory(personas)
    before = _state(personas)
    url = reverse(f"surveys_staff:{name}", args=[obj.pk])
    data = {
        "title": "Đổi tên",
        "text": "Đổi nội dung",
        "kind": "short_text",
        "count": "5",
        "direction": "up",
    }
    for persona in (SIBLING, VIEWER):
        client.force_login(personas.users[persona])
        response = client.post(url, data)
        assert response.status_code == 404, f"{persona} POST {url}"
    assert _state(personas) == before


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
    assert response.status_code == 200
    assert not Survey.objects.filter(title="Khảo sát mạo danh").exists()
    errors = response.context["form"].errors
    assert "organization" in errors
    assert "target_area" in errors


# Read by danvan/core/tests/test_staff_url_walk.py.
COVERED_NAMES = set(OBJECT_URLS) | set(POST_URLS) | set(LIST_URLS)
