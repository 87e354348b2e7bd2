"""A commune with its bodies, a sibling commune, and the personas of a commune
body (`core.testing.commune_body`), for the outreach tests."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from danvan.core import services
from danvan.core.models import OrgKind
from danvan.core.testing import commune_body
from danvan.core.tests.factories import make_hamlet
from danvan.outreach import dialogues, petitions
from danvan.outreach.models import Audience, ChairRole, Dialogue, Field, Source


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    units = commune_body()
    hamlet = make_hamlet(units.commune, "Ấp Phụng Thạnh")
    committee = services.create_organization(
        name="UBND xã Phụng Hiệp", kind=OrgKind.GOVERNMENT, area=units.commune
    )
    far = services.create_organization(
        name="UBND xã Hòa An", kind=OrgKind.GOVERNMENT, area=units.other
    )
    city = services.create_organization(
        name="Ủy ban nhân dân thành phố", kind=OrgKind.GOVERNMENT, area=units.province
    )
    return SimpleNamespace(**vars(units), hamlet=hamlet, committee=committee, far=far, city=city)


def new_petition(area: Any, content: str = "Đường ngập khi mưa.", **kwargs: Any) -> Any:
    kwargs.setdefault("field", Field.INFRASTRUCTURE)
    kwargs.setdefault("source", Source.RECEPTION)
    return petitions.receive_petition(content=content, area=area, **kwargs)


def new_dialogue(world: SimpleNamespace, *, days: int = 7, **kwargs: Any) -> Dialogue:
    values: dict[str, Any] = {
        "title": "Bí thư đối thoại với nông dân",
        "area": world.commune,
        "organizer": world.body,
        "chair_role": ChairRole.PARTY_SECRETARY,
        "chair_name": "Nguyễn Văn Hùng",
        "starts_at": timezone.now() + timedelta(days=days),
        "place": "Hội trường xã",
        "audience": Audience.FARMERS,
        "topics": "Chuyển đổi cây trồng.",
    }
    values.update(kwargs)
    return dialogues.schedule_dialogue(Dialogue(**values))


def held_dialogue(world: SimpleNamespace, **kwargs: Any) -> Dialogue:
    """A dialogue that took place yesterday, its outcome recorded."""
    dialogue = new_dialogue(world, days=-1, **kwargs)
    return dialogues.record_outcome(dialogue, attendance=40, groups_present="", minutes="Ghi nhận.")


def add_photo(dialogue: Dialogue, caption: str = "") -> Any:
    """A photo of a held dialogue, its sizes made."""
    from django.db import transaction

    from danvan.core import images
    from danvan.core.photos import process_photo
    from danvan.core.tests.factories import picture_bytes, upload
    from danvan.outreach.models import DialoguePhoto

    with transaction.atomic():  # its task is queued on commit; run it here instead
        checked = images.check_image(upload("anh.jpg", picture_bytes()))
        photo = dialogues.add_dialogue_photos(dialogue, [checked], [caption])[0]
        return process_photo(DialoguePhoto, photo.pk)
