"""Every practices staff URL tried by the personas of a commune body
(`danvan.core.testing.commune_body_personas`, outcomes `COMMUNE_BODY`): the
sibling gets 404 for every object, the viewer opens the VIEW pages only; the
anonymous visitor is sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from danvan.core.testing import (
    ABOVE,
    OWNER,
    POST,
    UNIT_OFFICERS,
    Matrix,
    Row,
    Target,
    commune_body,
    pages,
)
from danvan.core.tests.factories import picture_bytes, upload
from danvan.core.tests.helpers import sheet_rows
from danvan.practices import deeds, urls_staff, votes
from danvan.practices.models import Campaign, GoodDeed, Practice, Status
from danvan.practices.tests.factories import make_photo, make_practice, move


@dataclass
class Personas:
    practice: Practice
    users: dict[str, Any]
    deed: GoodDeed


@pytest.fixture
def personas(db: Any) -> Personas:
    units = commune_body()
    practice = make_practice(units.commune, units.body, title="Dân vận khéo cải cách hành chính")
    deed = deeds.nominate(
        nominee_name="Tổ tự quản ấp", collective=True, area=units.commune, deed="Sửa cầu.",
        nominator_name="Cán bộ",
    )  # fmt: skip
    return Personas(practice, units.users, deed)


def _deed(p: Personas) -> GoodDeed:
    return p.deed


def _verified(p: Personas) -> GoodDeed:
    return deeds.move_deed(p.deed, "verify")


def _published(p: Personas) -> GoodDeed:
    return deeds.move_deed(_verified(p), "publish")


def _practice_photo(p: Personas) -> Target:
    return Target([p.practice.pk, make_photo(p.practice).pk])


def _deed_photo(p: Personas) -> Target:
    return Target([p.deed.pk, make_photo(p.deed).pk])


def _document(p: Personas) -> Target:
    from danvan.core.documents import CheckedDocument
    from danvan.practices.photos import add_document

    pdf = CheckedDocument("pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    document = add_document(p.practice, pdf, title="Quyết định", file_name="qd.pdf", user=None)
    return Target([p.practice.pk, document.pk])


def _photo_post(p: Personas) -> dict[str, Any]:
    return {"photos": upload("anh.jpg", picture_bytes(64, 48)), "caption": ""}


def _document_post(p: Personas) -> dict[str, Any]:
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
    return {"title": "Báo cáo", "file": upload("bao-cao.pdf", pdf, "application/pdf")}


def _campaign(p: Personas) -> Campaign:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return votes.create_campaign(
        Campaign(
            title="Bình chọn mô hình tiêu biểu",
            slug="binh-chon-tieu-bieu",
            organization=p.practice.organization,
            starts_at=now,
            ends_at=now + timedelta(days=7),
        )
    )


def _practice(p: Personas) -> Practice:
    return p.practice


def _in_progress(p: Personas) -> Practice:
    return move(p.practice, "start")


def _proposed(p: Personas) -> Practice:
    return move(p.practice, "start", "propose")


def _recognised(p: Personas) -> Practice:
    return move(p.practice, "start", "propose", "recognise")


def _photos(get: Callable[[Personas], Any], name: str, **options: Any) -> dict[str, Row]:
    """The row of `name`, the POST of new photos of the object `get` gives:
    back to its page (302)."""
    return pages(get, manage=[name], method=POST, data=_photo_post, ok=302, **options)


MATRIX = Matrix.of(
    urls_staff,
    pages(
        _practice,
        view=["practice_detail"],
        manage=["practice_edit", "practice_start", "practice_stop", "practice_results"],
    ),
    pages(_in_progress, manage=["practice_propose"]),
    pages(_proposed, manage=["practice_recognise", "practice_refuse", "practice_evaluate"]),
    pages(_recognised, manage=["practice_replicate"]),
    # A nomination belongs to its unit: the unit's officers, not the
    # organisations' (the owner is an organisation's officer).
    pages(
        _deed,
        view=["deed_detail"],
        manage=["deed_verify", "deed_more", "deed_reject"],
        profiles=UNIT_OFFICERS,
    ),
    pages(_verified, manage=["deed_publish"], profiles=UNIT_OFFICERS),
    pages(_published, manage=["deed_commend"], profiles=UNIT_OFFICERS),
    # Photos and documents follow their practice or deed.
    _photos(_practice, "practice_photos"),
    _photos(_deed, "deed_photos", profiles=UNIT_OFFICERS),
    pages(_practice, manage=["document_add"], method=POST, data=_document_post, ok=302),
    pages(_practice_photo, manage=["practice_photo_delete"]),
    pages(_deed_photo, manage=["deed_photo_delete"], profiles=UNIT_OFFICERS),
    pages(_document, view=["document_download"], manage=["document_delete"]),
    # Voting campaigns follow their organising body, like contests and surveys.
    pages(
        _campaign,
        view=["campaign_detail", "campaign_export"],
        manage=[
            "campaign_edit", "campaign_entries", "campaign_publish", "campaign_close",
            "campaign_announce",
        ],
    ),
    # Pages without an object: every signed-in manager opens them, each seeing their own scope.
    pages(
        None,
        view=[
            "campaign_list", "deed_list", "practice_list", "practice_export",
            "registration_template", "coverage",
        ],
        manage=["campaign_add", "deed_add", "practice_import", "practice_add"],
    ),
)  # fmt: skip


test_every_practices_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


test_sibling_list_never_shows_the_practice = MATRIX.list_scoped_test(
    "practice_list", lambda p: p.practice, search="cai cach"
)


def test_a_step_through_the_pages(personas: Personas, client: Any) -> None:
    """The owner starts the practice, then proposes it; a stop without a reason
    is refused on the page and changes nothing."""
    practice = personas.practice
    client.force_login(personas.users[OWNER])
    detail = client.get(practice.get_absolute_url()).content.decode()
    start = reverse("practices_staff:practice_start", args=[practice.pk])
    assert start in detail
    assert client.post(start, {"reason": ""})["Location"] == practice.get_absolute_url()
    practice.refresh_from_db()
    assert practice.status == Status.IN_PROGRESS
    stop = reverse("practices_staff:practice_stop", args=[practice.pk])
    page = client.post(stop, {"reason": " "})
    assert page.status_code == 200 and "Hãy ghi lý do." in page.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == Status.IN_PROGRESS


def test_the_list_filters_searches_and_exports(personas: Personas, client: Any) -> None:

    from danvan.practices.models import Field

    make_practice(
        personas.practice.area,
        personas.practice.organization,
        title="Tổ tự quản đường hoa",
        field=Field.SOCIETY,
    )
    client.force_login(personas.users[ABOVE])
    listed = reverse("practices_staff:practice_list")
    body = client.get(listed, {"q": "DUONG HOA"}).content.decode()
    assert "Tổ tự quản đường hoa" in body and "cải cách hành chính" not in body
    body = client.get(listed, {"field": Field.ECONOMY}).content.decode()
    assert "cải cách hành chính" in body and "đường hoa" not in body
    response = client.get(reverse("practices_staff:practice_export"), {"field": Field.SOCIETY})
    assert response.status_code == 200
    rows = sheet_rows(response.content, "Mô hình, điển hình")
    assert rows[0][:2] == ("STT", "Tên mô hình, điển hình")
    assert [r[1] for r in rows[1:]] == ["Tổ tự quản đường hoa"]


def test_results_are_entered_as_rows(personas: Personas, client: Any) -> None:
    practice = personas.practice
    client.force_login(personas.users[ABOVE])
    url = reverse("practices_staff:practice_results", args=[practice.pk])
    data = {
        "kq-TOTAL_FORMS": "3",
        "kq-INITIAL_FORMS": "0",
        "kq-0-label": "Tiền vận động được",
        "kq-0-value": "1500000000",
        "kq-0-unit": "đồng",
        "kq-0-measured_on": "2025-11-30",
        "kq-1-label": "Diện tích đất hiến",
        "kq-1-value": "",
        "kq-1-unit": "m²",
        "kq-1-measured_on": "2025-11-30",
    }
    page = client.post(url, data)
    assert page.status_code == 200 and "cần đủ chỉ tiêu" in page.content.decode()
    assert not practice.indicators.exists()
    data["kq-1-value"] = "850"
    assert client.post(url, data)["Location"] == practice.get_absolute_url()
    assert list(practice.indicators.values_list("position", "label", "unit")) == [
        (1, "Tiền vận động được", "đồng"),
        (2, "Diện tích đất hiến", "m²"),
    ]
