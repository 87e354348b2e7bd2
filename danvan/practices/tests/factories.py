"""Practices for tests, on core's unit trees."""

from __future__ import annotations

from typing import Any

from danvan.core.models import Area, Organization, OrgKind
from danvan.core.tests.factories import make_org, picture_bytes, upload
from danvan.core.tests.helpers import public_form
from danvan.practices import deeds, services
from danvan.practices.models import Field, GoodDeed, Kind, Level, Practice


def nomination_form(hamlet: Area, **changes: Any) -> dict[str, Any]:
    """The public good-deed nomination form as a person sends it for someone
    of `hamlet`, with consent, shown 30 seconds ago; `changes` add or replace
    fields (`photos`: the pictures attached)."""
    fields = {
        "nominee_name": "Bà Trần Thị Mười",
        "collective": "0",
        "place": hamlet.pk,
        "deed": "Nấu cơm miễn phí cho bệnh nhân nghèo ở trạm y tế xã suốt 5 năm.",
        "nominator_name": "Lê Văn Tư",
        "nominator_phone": "0912 345 678",
        "consent": "on",
    }
    return public_form(fields, **changes)


def make_deed(area: Area, **changes: Any) -> GoodDeed:
    """Anh Út's good deed (he returned a wallet) in `area`, nominated by a
    person; `changes` add or replace what `deeds.nominate` is given."""
    fields: dict[str, Any] = {
        "nominee_name": "Anh Út",
        "collective": False,
        "area": area,
        "deed": "Trả lại ví.",
        "nominator_name": "Người dân",
        **changes,
    }
    return deeds.nominate(**fields)


def make_practice(
    area: Area,
    organization: Organization | None = None,
    *,
    by: Any = None,
    title: str = "Dân vận khéo trong xây dựng nông thôn mới",
    **values: Any,
) -> Practice:
    if organization is None:
        area.refresh_from_db()
        organization = Organization.objects.filter(area=area).first() or make_org(
            area, f"Ban Dân vận {area.name}", OrgKind.MOBILISATION_BOARD
        )
    fields: dict[str, Any] = {
        "kind": Kind.PRACTICE,
        "title": title,
        "field": Field.ECONOMY,
        "level": Level.COMMUNE,
        "year": 2025,
        "area": area,
        "organization": organization,
        **values,
    }
    return services.register_practice(by=by, **fields)


def move(practice: Practice, *actions: str, by: Any = None) -> Practice:
    """Take `practice` through `actions` (recognise with a decision)."""
    from datetime import date

    for action in actions:
        extra: dict[str, Any] = {}
        if action == "recognise":
            extra = {
                "recognised_level": Level.COMMUNE,
                "decision_number": "12/QĐ-UBND",
                "decision_date": date(2025, 11, 20),
                "issuing_body": "UBND xã",
            }
        if action in ("refuse", "stop"):
            extra = {"reason": "Chưa đạt tiêu chí."}
        practice = services.advance(practice, action, by=by, **extra)
    return practice


def make_photo(owner: Any, *, caption: str = "", process: bool = True) -> Any:
    """A photo of a practice or a good deed, its sizes made unless `process` is False."""
    from django.db import transaction

    from danvan.core import images
    from danvan.practices import photos

    with transaction.atomic():  # its task is queued on commit; run it here instead
        checked = images.check_image(upload("anh.jpg", picture_bytes()))
        photo = photos.add_photos(owner, [checked], [caption])[0]
    if process:
        return photos.process_photo(photo.pk)
    return photo
