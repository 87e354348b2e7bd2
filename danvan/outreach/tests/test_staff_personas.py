"""Every staff URL of dialogues and petitions tried by the personas of a commune
body (`core.testing.commune_body_personas`): the sibling gets 404, the viewer
opens the VIEW pages only, the anonymous visitor is sent to sign in. The
petition is assigned to the body, so that its officer (the owner) handles it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from danvan.core.testing import (
    ABOVE,
    ADMIN,
    COMMUNE_BODY,
    MANAGE,
    NOT_FOUND,
    OK,
    OWNER,
    POST,
    SIBLING,
    VIEW,
    VIEWER,
    Matrix,
    Row,
    Target,
)
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


UNIT_OFFICERS = {OWNER: NOT_FOUND, ADMIN: OK, ABOVE: OK, SIBLING: OK, VIEWER: NOT_FOUND}

PETITIONS = Matrix(
    "petitions_staff",
    urls_staff,
    personas=COMMUNE_BODY,
    rows={
        "list": Row(None, VIEW),
        "export": Row(None, VIEW),
        "stats": Row(None, VIEW),
        # Recorded by the unit's officers; a body's officer answers what is assigned to it.
        "add": Row(None, MANAGE, expected=UNIT_OFFICERS),
        "detail": Row(_petition, VIEW),
        "assign": Row(_petition, MANAGE),
        "answer": Row(_petition, MANAGE),
        "close": Row(_petition, MANAGE),
        "reopen": Row(_petition, MANAGE),
        "return": Row(_petition, MANAGE),
    },
)
DIALOGUES = Matrix(
    "dialogues_staff",
    urls_staff_dialogues,
    personas=COMMUNE_BODY,
    rows={
        "list": Row(None, VIEW),
        "add": Row(None, MANAGE),
        "detail": Row(_dialogue, VIEW),
        "edit": Row(_dialogue, MANAGE),
        "announce": Row(_dialogue, MANAGE),
        "cancel": Row(_dialogue, MANAGE),
        "outcome": Row(_dialogue, MANAGE),
        "photos": Row(_held, MANAGE, method=POST, data=_photo_post, ok=302),
        "photo_delete": Row(_dialogue_photo, MANAGE),
    },
)


def test_every_url_is_covered() -> None:
    PETITIONS.assert_covers()
    DIALOGUES.assert_covers()


@pytest.mark.parametrize("name", PETITIONS.sorted_names())
def test_petition_urls_by_persona(name: str, world: Any, client: Any) -> None:
    PETITIONS.check(client, name, world.users.__getitem__, world)


@pytest.mark.parametrize("name", DIALOGUES.sorted_names())
def test_dialogue_urls_by_persona(name: str, world: Any, client: Any) -> None:
    DIALOGUES.check(client, name, world.users.__getitem__, world)
