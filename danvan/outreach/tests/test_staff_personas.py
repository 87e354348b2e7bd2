"""Every staff URL of dialogues and petitions tried by the personas of a commune
body (`core.testing.commune_body_personas`): the sibling gets 404, the viewer
opens the VIEW pages only, the anonymous visitor is sent to sign in. The
petition is assigned to the body, so that its officer (the owner) handles it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from danvan.core.testing import POST, UNIT_OFFICERS, Matrix, Target, coverage_test, pages
from danvan.core.tests.factories import picture_bytes, upload
from danvan.outreach import petitions, urls_staff, urls_staff_dialogues
from danvan.outreach.tests.conftest import add_photo, held_dialogue, new_dialogue, new_petition


def _petition(world: Any) -> Any:
    petition = new_petition(world.hamlet)
    return petitions.move_petition(
        petition, "assign", agency=world.body, deadline=timezone.localdate() + timedelta(5)
    )


def _dialogue(world: Any) -> Any:
    return new_dialogue(world)


def _held(world: Any) -> Any:
    return held_dialogue(world)


def _dialogue_photo(world: Any) -> Target:
    dialogue = held_dialogue(world)
    return Target([dialogue.pk, add_photo(dialogue).pk])


def _photo_post(world: Any) -> dict[str, Any]:
    return {"photos": upload("anh.jpg", picture_bytes(64, 48)), "caption": ""}


PETITIONS = Matrix.of(
    urls_staff,
    pages(None, view=["list", "export", "stats"]),
    # Recorded by the unit's officers; a body's officer answers what is assigned to it.
    pages(None, manage=["add"], profiles=UNIT_OFFICERS),
    pages(_petition, view=["detail"], manage=["assign", "answer", "close", "reopen", "return"]),
)
DIALOGUES = Matrix.of(
    urls_staff_dialogues,
    pages(None, view=["list"], manage=["add"]),
    pages(_dialogue, view=["detail"], manage=["edit", "announce", "cancel", "outcome"]),
    pages(_held, manage=["photos"], method=POST, data=_photo_post, ok=302),
    pages(_dialogue_photo, manage=["photo_delete"]),
)

test_every_url_is_covered = coverage_test(PETITIONS, DIALOGUES)
test_petition_urls_by_persona = PETITIONS.persona_test("world")
test_dialogue_urls_by_persona = DIALOGUES.persona_test("world")
