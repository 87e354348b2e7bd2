"""Every practices staff URL tried by the personas of a commune body
(`danvan.core.testing.commune_body_personas`, outcomes `COMMUNE_BODY`): the
sibling gets 404 for every object, the viewer opens the VIEW pages only; the
anonymous visitor is sent to sign in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

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
    commune_body_personas,
)
from danvan.core.tests.factories import make_commune, make_province, picture_bytes, upload
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
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    other = make_commune(province, "Xã Hòa An", "31393")
    body, users = commune_body_personas(commune, province, other)
    practice = make_practice(commune, body, title="Dân vận khéo cải cách hành chính")
    deed = deeds.nominate(
        nominee_name="Tổ tự quản ấp", collective=True, area=commune, deed="Sửa cầu.",
        nominator_name="Cán bộ",
    )  # fmt: skip
    return Personas(practice, users, deed)


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


DEED_VIEW = {OWNER: NOT_FOUND, ADMIN: OK, ABOVE: OK, SIBLING: NOT_FOUND, VIEWER: OK}
DEED_MANAGE = {**DEED_VIEW, VIEWER: NOT_FOUND}

MATRIX = Matrix(
    "practices_staff",
    urls_staff,
    personas=COMMUNE_BODY,
    rows={
        "practice_detail": Row(_practice, VIEW),
        "practice_edit": Row(_practice, MANAGE),
        "practice_start": Row(_practice, MANAGE),
        "practice_propose": Row(_in_progress, MANAGE),
        "practice_recognise": Row(_proposed, MANAGE),
        "practice_refuse": Row(_proposed, MANAGE),
        "practice_stop": Row(_practice, MANAGE),
        "practice_replicate": Row(_recognised, MANAGE),
        "practice_evaluate": Row(_proposed, MANAGE),
        "practice_results": Row(_practice, MANAGE),
        # A nomination belongs to its unit: the unit's officers, not the
        # organisations' (the owner is an organisation's officer).
        "deed_detail": Row(_deed, VIEW, expected=DEED_VIEW),
        "deed_verify": Row(_deed, MANAGE, expected=DEED_MANAGE),
        "deed_more": Row(_deed, MANAGE, expected=DEED_MANAGE),
        "deed_reject": Row(_deed, MANAGE, expected=DEED_MANAGE),
        "deed_publish": Row(_verified, MANAGE, expected=DEED_MANAGE),
        "deed_commend": Row(_published, MANAGE, expected=DEED_MANAGE),
        # Photos and documents follow their practice or deed.
        "practice_photos": Row(_practice, MANAGE, method=POST, data=_photo_post, ok=302),
        "practice_photo_delete": Row(_practice_photo, MANAGE),
        "deed_photos": Row(
            _deed, MANAGE, method=POST, data=_photo_post, ok=302, expected=DEED_MANAGE
        ),
        "deed_photo_delete": Row(_deed_photo, MANAGE, expected=DEED_MANAGE),
        "document_add": Row(_practice, MANAGE, method=POST, data=_document_post, ok=302),
        "document_download": Row(_document, VIEW),
        "document_delete": Row(_document, MANAGE),
        # Voting campaigns follow their organising body, like contests and surveys.
        "campaign_list": Row(None, VIEW),
        "campaign_add": Row(None, MANAGE),
        "campaign_detail": Row(_campaign, VIEW),
        "campaign_edit": Row(_campaign, MANAGE),
        "campaign_entries": Row(_campaign, MANAGE),
        "campaign_export": Row(_campaign, VIEW),
        "campaign_publish": Row(_campaign, MANAGE),
        "campaign_close": Row(_campaign, MANAGE),
        "campaign_announce": Row(_campaign, MANAGE),
        "deed_list": Row(None, VIEW),
        "deed_add": Row(None, MANAGE),
        # Pages without an object: every signed-in manager opens them, each seeing their own scope.
        "practice_list": Row(None, VIEW),
        "practice_export": Row(None, VIEW),
        "practice_import": Row(None, MANAGE),
        "registration_template": Row(None, VIEW),
        "practice_add": Row(None, MANAGE),
        "coverage": Row(None, VIEW),
    },
)


test_every_practices_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


def test_sibling_list_never_shows_the_practice(personas: Personas, client: Any) -> None:
    MATRIX.assert_list_scoped(
        client, personas.users, "practice_list", personas.practice, search="cai cach"
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
    import io

    from openpyxl import load_workbook

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
    sheet = load_workbook(io.BytesIO(response.content))["Mô hình, điển hình"]
    rows = list(sheet.iter_rows(values_only=True))
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
