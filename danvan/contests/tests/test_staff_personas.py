"""Every contest staff URL tried by named personas (the habit of
danvan/core/tests/test_personas.py).

The contest is organised by the Ban Dân vận of Xã Phụng Hiệp (a commune body). Its
personas are those of `danvan.core.testing.commune_body_personas` (owner, admin
of Xã Phụng Hiệp, above in Thành phố Cần Thơ, sibling in Xã Hòa An, viewer),
and the anonymous visitor.

Owners and the colleague above succeed, the sibling gets 404 for every object
(the same answer as a missing object), the viewer opens the VIEW pages only and
the anonymous visitor is sent to sign in. `test_every_contest_staff_url_is_covered`
(through `danvan.core.testing.Matrix`) fails when a URL is added without a row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from danvan.contests import urls_staff
from danvan.contests.models import Category, Contest, ContestStatus, Question, Round
from danvan.contests.tests import factories
from danvan.core.testing import SIBLING, Matrix, commune_body_personas, pages
from danvan.core.tests.helpers import assert_create_refused_out_of_scope


@dataclass
class Personas:
    world: factories.World
    users: dict[str, Any]


@pytest.fixture
def personas(db: Any) -> Personas:
    w = factories.make_world(status=ContestStatus.DRAFT)
    body, users = commune_body_personas(w.commune, w.province, w.other_commune)
    Contest.objects.filter(pk=w.contest.pk).update(organization=body, target_area=w.commune)
    w.contest.refresh_from_db()
    return Personas(w, users)


def _contest(p: Personas) -> Contest:
    return p.world.contest


def _round(p: Personas) -> Round:
    return p.world.round


def _question(p: Personas) -> Question:
    return Question.objects.filter(contest=p.world.contest).first()  # type: ignore[return-value]


def _category(p: Personas) -> Category:
    return p.world.categories[0]


# The objects whose pk is the argument, the verb each URL needs.
MATRIX = Matrix.of(
    urls_staff,
    pages(
        _contest,
        view=["contest_detail", "contest_preview"],
        manage=[
            "contest_edit", "contest_publish", "contest_unpublish", "contest_archive",
            "contest_prizes", "round_add", "question_list", "question_add", "question_import",
            "question_export", "category_list",
        ],
    ),
    pages(
        _round,
        view=["round_detail"],
        manage=["round_edit", "round_prizes", "round_close", "round_publish"],
    ),
    pages(_question, manage=["question_edit", "question_toggle"]),
    pages(_category, manage=["category_rename"]),
    # Pages without an object: every signed-in manager opens them, each seeing their own scope.
    pages(None, view=["contest_list"], manage=["contest_add", "question_template"]),
)  # fmt: skip


test_every_contest_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


test_sibling_list_never_shows_the_contest = MATRIX.list_scoped_test(
    "contest_list", lambda p: p.world.contest, search="de an"
)


def test_viewer_sees_no_management_buttons(personas: Personas, client: Any) -> None:
    MATRIX.assert_viewer_sees_no(
        client, personas.users, "contest_detail", personas.world.contest,
        ["contest_edit", "question_list"],
    )  # fmt: skip


def _state(p: Personas) -> Any:
    return (
        Contest.objects.values_list("status", "title").get(pk=p.world.contest.pk),
        list(Question.objects.values_list("pk", "active").order_by("pk")),
        list(Category.objects.values_list("pk", "name").order_by("pk")),
        list(Round.objects.values_list("pk", "status", "title").order_by("pk")),
    )


test_out_of_scope_posts_change_nothing = MATRIX.refused_posts_test(
    {
        "contest_publish": _contest,
        "contest_archive": _contest,
        "contest_unpublish": _contest,
        "round_close": _round,
        "round_publish": _round,
        "question_toggle": _question,
        "category_rename": _category,
        "round_edit": _round,
        "contest_edit": _contest,
    },
    {"name": "Đổi tên", "title": "Đổi tên"},
    _state,
)


def test_contest_form_offers_only_managed_organisations(personas: Personas, client: Any) -> None:
    """A sibling cannot create a contest for the owner's body, even by posting its id."""
    w = personas.world
    client.force_login(personas.users[SIBLING])
    response = client.post(
        reverse("contests_staff:contest_add"),
        {
            "title": "Cuộc thi mạo danh",
            "organization": w.contest.organization_id,
            "target_area": w.commune.pk,
            "starts_at": "2030-01-01T08:00",
            "ends_at": "2030-02-01T08:00",
            "consent_text": "Đồng ý.",
            "consent_version": "1",
            "retention_days": "180",
        },
    )
    assert_create_refused_out_of_scope(response, Contest, "Cuộc thi mạo danh")
