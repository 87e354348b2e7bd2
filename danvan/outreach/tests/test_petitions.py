"""Petitions end to end: a citizen's petition on the public site (anti-spam,
rate limits, the code), the staff lifecycle with its refusals, tracking by
code without the raiser nor the content, reminders, the statistics against a
recount from the rows, across a merger, and the export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.core.antispam import form_stamp
from danvan.core.crypto import decrypt
from danvan.core.restructuring import merge_areas
from danvan.core.testing import ABOVE, OWNER, SIBLING
from danvan.core.tests.helpers import public_form
from danvan.outreach import petitions
from danvan.outreach.models import Field, Petition, PetitionStatus, PetitionStep, Source
from danvan.outreach.stats import NO_AGENCY, petition_stats
from danvan.outreach.tests.conftest import new_petition

TODAY = timezone.localdate


def _public_post(world: Any, **extra: Any) -> dict[str, Any]:
    fields = {
        "content": "Cống thoát nước ấp bị tắc, nước tràn vào nhà dân.",
        "field": Field.ENVIRONMENT,
        "place": world.hamlet.pk,
        "raiser_name": "Trần Văn Ba",
        "raiser_phone": "0912 345 678",
        "consent": "on",
    }
    return public_form(fields, **extra)


def test_a_citizen_sends_a_petition_and_follows_it_by_its_code(world: Any, client: Any) -> None:
    url = reverse("petitions:new")
    assert 'name="content"' in client.get(url).content.decode()
    response = client.post(url, _public_post(world))
    assert response.status_code == 302 and response["Location"] == reverse("petitions:sent")
    petition = Petition.objects.get()
    assert petition.source == Source.CITIZEN and petition.area == world.hamlet
    assert petition.raiser_phone_encrypted != "0912345678"
    assert decrypt(petition.raiser_phone_encrypted) == "0912345678"
    assert list(petition.steps.values_list("status", flat=True)) == [PetitionStatus.RECEIVED]
    code = petitions.display_code(petition.code)
    sent = client.get(reverse("petitions:sent")).content.decode()
    assert code in sent
    # Anyone with the code, typed loosely, sees the status; never the raiser nor the content.
    page = client.get(reverse("petitions:track"), {"code": code.lower().replace("-", " ")})
    body = page.content.decode()
    assert code in body and "Đã tiếp nhận" in body
    for private in ("Trần Văn Ba", "0912", "345", "Cống thoát nước"):
        assert private not in body
    # Assigned, answered: the public answer and the timeline show.
    petitions.move_petition(
        petition, "assign", agency=world.committee, deadline=TODAY() + timedelta(10)
    )
    petitions.move_petition(petition, "answer", answer="Đã nạo vét cống ngày 3/12.")
    body = client.get(reverse("petitions:track"), {"code": petition.code}).content.decode()
    assert "Đã nạo vét cống ngày 3/12." in body and "UBND xã Phụng Hiệp" in body
    assert body.count("<li>") >= 3  # received, assigned, answered


def test_an_unknown_or_malformed_code_is_not_found(world: Any, client: Any) -> None:
    for typed in ("KN-AAAA-AAAA", "hello", "KN-0000-0000"):
        body = client.get(reverse("petitions:track"), {"code": typed}).content.decode()
        assert "Không tìm thấy kiến nghị với mã này" in body


def test_robots_and_hurried_forms_keep_nothing(world: Any, client: Any) -> None:
    url = reverse("petitions:new")
    assert client.post(url, _public_post(world, trang_web="http://spam")).status_code == 302
    assert not Petition.objects.exists()
    fast = client.post(url, _public_post(world, t=form_stamp()))
    body = fast.content.decode()
    assert fast.status_code == 200 and "quá nhanh" in body
    assert "Cống thoát nước ấp bị tắc" in body  # what was typed is kept
    assert not Petition.objects.exists()
    bad = client.post(url, _public_post(world, raiser_phone="12", consent=""))
    errors = bad.context["form"].errors
    assert "raiser_phone" in errors and "consent" in errors
    assert not Petition.objects.exists()


def test_name_and_phone_are_optional(world: Any, client: Any) -> None:
    response = client.post(
        reverse("petitions:new"), _public_post(world, raiser_name="", raiser_phone="")
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.raiser_name == "" and petition.raiser_phone_encrypted == ""


def test_the_public_form_is_rate_limited_per_address(
    world: Any, client: Any, settings: Any
) -> None:
    settings.OUTREACH_RATE_LIMITS = {"petition_ip": (2, 3600)}
    url = reverse("petitions:new")
    for _ in range(2):
        assert client.post(url, _public_post(world, raiser_phone="")).status_code == 302
    assert client.post(url, _public_post(world, raiser_phone="")).status_code == 429
    assert Petition.objects.count() == 2


def test_looking_codes_up_is_rate_limited(world: Any, client: Any, settings: Any) -> None:
    settings.OUTREACH_RATE_LIMITS = {"track_ip": (3, 600)}
    for _ in range(3):
        assert client.get(reverse("petitions:track"), {"code": "KN-AAAA-AAAA"}).status_code == 200
    assert client.get(reverse("petitions:track"), {"code": "KN-AAAA-AAAA"}).status_code == 429


def test_codes_are_random_and_unique(world: Any) -> None:
    codes = {new_petition(world.commune).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 10 and c.startswith("KN") for c in codes)
    assert all(petitions.normalize_code(petitions.display_code(c)) == c for c in codes)


def test_the_lifecycle_and_its_refusals(world: Any) -> None:
    from django.core.exceptions import ValidationError

    petition = new_petition(world.hamlet)
    with pytest.raises(ValidationError):  # answered before it is assigned
        petitions.move_petition(petition, "answer", answer="Xong.")
    with pytest.raises(ValidationError):  # no deadline
        petitions.move_petition(petition, "assign", agency=world.committee)
    with pytest.raises(ValidationError):  # a deadline before it was received
        petitions.move_petition(
            petition, "assign", agency=world.committee, deadline=TODAY() - timedelta(1)
        )
    with pytest.raises(ValidationError):  # returned without a reason
        petitions.move_petition(petition, "return")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED and petition.agency is None
    assert petition.steps.count() == 1
    petition = petitions.move_petition(
        petition, "assign", agency=world.committee, deadline=TODAY() + timedelta(5)
    )
    with pytest.raises(ValidationError):
        petitions.move_petition(petition, "answer", answer="  ")
    petition = petitions.move_petition(petition, "answer", answer="Đã sửa.")
    assert petition.answered_at is not None and petition.answered_on_time is True
    with pytest.raises(ValidationError):  # reopened without saying why
        petitions.move_petition(petition, "reopen")
    petition = petitions.move_petition(petition, "reopen", note="Người dân báo vẫn ngập.")
    assert petition.status == PetitionStatus.ASSIGNED and petition.answered_at is None
    petition = petitions.move_petition(petition, "answer", answer="Đã nâng cống.")
    petition = petitions.move_petition(petition, "close")
    with pytest.raises(ValidationError):
        petitions.move_petition(petition, "return", reason="Trùng.")
    statuses = list(petition.steps.values_list("status", flat=True))
    assert statuses == ["received", "assigned", "answered", "assigned", "answered", "closed"]


def test_a_returned_petition_shows_its_public_reason(world: Any, client: Any) -> None:
    petition = new_petition(world.hamlet)
    petitions.move_petition(petition, "return", reason="Không thuộc thẩm quyền của xã.")
    body = client.get(reverse("petitions:track"), {"code": petition.code}).content.decode()
    assert "Trả lại" in body and "Không thuộc thẩm quyền của xã." in body


def test_an_agency_is_of_the_unit_or_above(world: Any, client: Any) -> None:
    petition = new_petition(world.hamlet)
    client.force_login(world.users[ABOVE])
    url = reverse("petitions_staff:assign", args=[petition.pk])
    deadline = (TODAY() + timedelta(7)).isoformat()
    refused = client.post(url, {"agency": world.far.pk, "deadline": deadline})
    assert refused.status_code == 200 and "agency" in refused.context["form"].errors
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.RECEIVED
    ok = client.post(url, {"agency": world.city.pk, "deadline": deadline})
    assert ok.status_code == 302
    assert Petition.objects.get(pk=petition.pk).agency == world.city


def test_the_assigned_agency_sees_and_answers_it(world: Any, client: Any) -> None:
    """The owner (an officer of the commune's board body) sees a petition only
    once it is assigned to the body, and may then answer it."""
    petition = new_petition(world.hamlet)
    client.force_login(world.users[OWNER])
    detail = reverse("petitions_staff:detail", args=[petition.pk])
    assert client.get(detail).status_code == 404
    petitions.move_petition(petition, "assign", agency=world.body, deadline=TODAY())
    assert client.get(detail).status_code == 200
    url = reverse("petitions_staff:answer", args=[petition.pk])
    assert client.post(url, {"answer": "Đã xử lý."}).status_code == 302
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.ANSWERED
    client.force_login(world.users[SIBLING])
    assert client.get(detail).status_code == 404


def test_staff_record_a_petition_prefilled_from_another_page(world: Any, client: Any) -> None:
    client.force_login(world.users[ABOVE])
    url = reverse("petitions_staff:add")
    page = client.get(
        url,
        {"nguon": "survey", "noi_dung": "Cần thêm đèn đường.", "ghi_chu": "Phiếu số 12",
         "don_vi": world.hamlet.pk},
    )  # fmt: skip
    body = page.content.decode()
    assert "Cần thêm đèn đường." in body and "Phiếu số 12" in body
    assert not Petition.objects.exists()  # a GET never writes
    form = page.context["form"]
    assert form.initial["source"] == Source.SURVEY and form.initial["area"] == world.hamlet.pk
    response = client.post(
        url,
        {"content": "Cần thêm đèn đường.", "field": Field.SECURITY, "area": world.hamlet.pk,
         "source": Source.SURVEY, "source_note": "Phiếu số 12", "raiser_phone": "0987654321"},
    )  # fmt: skip
    petition = Petition.objects.get()
    assert response["Location"] == petition.get_absolute_url()
    assert petition.created_by == world.users[ABOVE]
    detail = client.get(petition.get_absolute_url()).content.decode()
    assert "0987654321" in detail  # the manager sees the phone to call back
    # A unit out of scope is not a choice.
    client.force_login(world.users[SIBLING])
    refused = client.post(
        url, {"content": "X", "field": Field.OTHER, "area": world.hamlet.pk, "source": "reception"}
    )
    assert refused.status_code == 200 and "area" in refused.context["form"].errors
    assert Petition.objects.count() == 1


def test_reminders_list_late_and_soon(world: Any, client: Any) -> None:
    late = new_petition(world.hamlet, "Quá hạn rồi")
    soon = new_petition(world.hamlet, "Sắp đến hạn")
    later = new_petition(world.hamlet, "Còn lâu")
    Petition.objects.update(received_at=timezone.now() - timedelta(days=20))
    petitions.move_petition(late, "assign", agency=world.committee, deadline=TODAY() - timedelta(1))
    petitions.move_petition(soon, "assign", agency=world.committee, deadline=TODAY() + timedelta(2))
    petitions.move_petition(
        later, "assign", agency=world.committee, deadline=TODAY() + timedelta(9)
    )
    found = petitions.reminders(Petition.objects.all())
    assert [p.pk for p in found["late"]] == [late.pk]
    assert [p.pk for p in found["soon"]] == [soon.pk]
    client.force_login(world.users[ABOVE])
    body = client.get(reverse("petitions_staff:list")).content.decode()
    assert "1 kiến nghị quá hạn trả lời" in body and "1 kiến nghị sắp đến hạn" in body
    only_late = client.get(reverse("petitions_staff:list"), {"han": "late"})
    assert [p.pk for p in only_late.context["page_obj"]] == [late.pk]


def _recount(rows: list[Petition], today: date) -> dict[str, int]:
    """The statistics' definitions, applied to the rows one by one."""
    out = dict.fromkeys(("received", "answered", "on_time", "late", "waiting", "returned"), 0)
    for p in rows:
        out["received"] += 1
        answered_on = timezone.localdate(p.answered_at) if p.answered_at else None
        waiting = p.status in (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED)
        out["answered"] += answered_on is not None
        out["waiting"] += waiting
        out["returned"] += p.status == PetitionStatus.RETURNED
        if p.deadline is not None:
            out["on_time"] += answered_on is not None and answered_on <= p.deadline
            late_answer = answered_on is not None and answered_on > p.deadline
            out["late"] += late_answer or (waiting and today > p.deadline)
    return out


def test_statistics_equal_a_recount_and_add_up_across_a_merger(world: Any) -> None:
    today = TODAY()
    made = [new_petition(world.hamlet, f"Kiến nghị {i}") for i in range(6)]
    made += [new_petition(world.other, f"Hòa An {i}", field=Field.LAND) for i in range(3)]
    Petition.objects.update(received_at=timezone.now() - timedelta(days=30))
    p = [Petition.objects.get(pk=x.pk) for x in made]
    petitions.move_petition(p[0], "assign", agency=world.committee, deadline=today - timedelta(3))
    petitions.move_petition(p[1], "assign", agency=world.committee, deadline=today + timedelta(3))
    done = petitions.move_petition(
        p[2], "assign", agency=world.committee, deadline=today - timedelta(5)
    )
    petitions.move_petition(done, "answer", answer="Muộn.")  # answered late
    done = petitions.move_petition(p[3], "assign", agency=world.city, deadline=today)
    petitions.move_petition(petitions.move_petition(done, "answer", answer="Kịp."), "close")
    petitions.move_petition(p[4], "return", reason="Trùng.")
    petitions.move_petition(p[6], "assign", agency=world.far, deadline=today - timedelta(1))
    # Xã Hòa An is merged into Xã Phụng Hiệp: its petitions count there now.
    merge_areas(None, [world.other], into=world.commune, effective_on=date(2025, 7, 1))
    rows = list(Petition.objects.all())
    stats = petition_stats(Petition.objects.all(), root=world.province, today=today)
    expected = _recount(rows, today)
    total = stats.total
    assert {k: getattr(total, k) for k in expected} == expected
    assert expected["late"] == 3 and expected["on_time"] == 1 and expected["returned"] == 1
    for table in (stats.by_agency, stats.by_field, stats.by_unit):
        for name in expected:
            assert sum(getattr(t, name) for _n, t in table) == expected[name], (table, name)
    assert [name for name, _t in stats.by_unit] == ["Xã Phụng Hiệp"]
    agencies = dict(stats.by_agency)
    assert agencies[NO_AGENCY].received == 4 and agencies["UBND xã Phụng Hiệp"].received == 3
    # Drilling into the commune: the hamlet and "this level" (the merged commune's rows).
    inner = petition_stats(Petition.objects.all(), root=world.commune, today=today)
    assert {name: t.received for name, t in inner.by_unit} == {"Ấp Phụng Thạnh": 6, "Cấp này": 3}


def test_the_statistics_page_and_the_export(world: Any, client: Any) -> None:
    petition = new_petition(world.hamlet, '=HYPERLINK("x")', raiser_name="Người Kín Tên")
    petitions.move_petition(petition, "assign", agency=world.committee, deadline=TODAY())
    client.force_login(world.users[ABOVE])
    page = client.get(reverse("petitions_staff:stats"))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "&lt;svg" not in body
    assert page.context["root"] == world.province
    drilled = client.get(reverse("petitions_staff:stats"), {"don_vi": world.commune.pk})
    assert drilled.context["root"] == world.commune
    response = client.get(reverse("petitions_staff:export"))
    sheet = load_workbook(io.BytesIO(response.content))["Kiến nghị, phản ánh"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == petitions.display_code(petition.code)
    assert rows[1][6] == '=HYPERLINK("x")'  # text, never a formula
    assert sheet.cell(2, 7).data_type == "s"
    assert "Người Kín Tên" not in str(rows)
    assert PetitionStep.objects.filter(petition=petition).count() == 2
