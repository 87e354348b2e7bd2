"""Participant services: access codes, registration and recognition, export, erasure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from danvan.contests import participants as people
from danvan.contests.models import Attempt, Award, Participant
from danvan.contests.privacy import cccd_hash, decrypt_cccd
from danvan.contests.ratelimit import LIMITS
from danvan.contests.services import start_attempt, submit_attempt
from danvan.contests.tests.factories import (
    award_first_prize,
    make_participant,
    make_world,
    right_answers,
)
from danvan.core.middleware import client_ip
from danvan.core.ratelimit import RateLimited

CCCD = "092190012345"


@pytest.fixture
def world(db: Any) -> Any:
    return make_world()


def registration(world: Any, **fields: Any) -> people.Registration:
    data: dict[str, Any] = {
        "full_name": "Trần Thị Bích Ngọc",
        "birth_date": date(1990, 5, 17),
        "sex": "female",
        "phone": "0912345678",
        "cccd": "",
        "area": world.hamlet,
        "occupation": "people",
        "organization": None,
    }
    data.update(fields)
    return people.Registration(**data)


# --- Access codes --------------------------------------------------------------------


def test_access_codes_are_unambiguous_and_unique(db: Any) -> None:
    codes = {people.generate_access_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01ILO")
        assert set(code) <= set(people.ACCESS_CODE_ALPHABET)


def test_access_code_formatting() -> None:
    assert people.format_access_code("ABCD2345") == "ABCD-2345"
    assert people.normalize_access_code(" abcd-2345 ") == "ABCD2345"
    assert people.normalize_access_code("abcd 2345") == "ABCD2345"


# --- Registration and recognition ---------------------------------------------------


def test_register_creates_then_recognises(world: Any) -> None:
    first = people.register(world.contest, registration(world, cccd=CCCD))
    assert first.created
    p = first.participant
    assert decrypt_cccd(p.cccd_encrypted) == CCCD and p.cccd_hash == cccd_hash(CCCD)
    again = people.register(world.contest, registration(world, full_name="Khác", cccd=CCCD))
    assert not again.created  # phone and the CCCD on record
    assert again.participant.pk == p.pk
    assert Participant.objects.count() == 1
    assert Participant.objects.get().full_name == "Trần Thị Bích Ngọc"  # not overwritten


def test_a_phone_on_record_alone_hands_nobody_over(world: Any) -> None:
    first = people.register(world.contest, registration(world))
    with pytest.raises(people.ParticipantError, match="đã được dùng để đăng ký") as refused:
        people.register(world.contest, registration(world, full_name="Người Lạ"))
    assert refused.value.field == "phone"
    # Not even with the owner's details, once the first registration is a while ago.
    Participant.objects.update(created_at=timezone.now() - people.REPEAT_WINDOW)
    with pytest.raises(people.ParticipantError):
        people.register(world.contest, registration(world), now=timezone.now())
    assert Participant.objects.get() == first.participant


def test_the_same_form_sent_twice_at_once_is_one_registration(world: Any) -> None:
    # A double tap: the second request must not leave the person without their code.
    first = people.register(world.contest, registration(world))
    again = people.register(world.contest, registration(world))
    assert not again.created and again.participant == first.participant
    assert Participant.objects.count() == 1


def test_a_cccd_on_record_must_match(world: Any) -> None:
    people.register(world.contest, registration(world, cccd=CCCD))
    with pytest.raises(people.ParticipantError, match="số CCCD khác"):
        people.register(world.contest, registration(world, cccd="092190099999"))
    with pytest.raises(people.ParticipantError, match="số CCCD khác"):
        people.register(world.contest, registration(world))
    with pytest.raises(people.ParticipantError, match="số điện thoại khác"):
        people.register(world.contest, registration(world, phone="0987654321", cccd=CCCD))
    assert Participant.objects.count() == 1


def test_sign_in_by_code_and_phone(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone="0912345678", cccd=CCCD)
    assert people.sign_in_by_code(world.contest, p.access_code.lower()).participant == p
    with pytest.raises(people.ParticipantError):
        people.sign_in_by_code(world.contest, "ZZZZ9999")
    with pytest.raises(people.ParticipantError):
        people.sign_in_by_phone(world.contest, "0912345678", "")
    signin = people.sign_in_by_phone(world.contest, "0912345678", CCCD)
    assert signin.participant == p
    no_cccd = make_participant(world.contest, world.hamlet, phone="0987654321")
    with pytest.raises(people.ParticipantError, match="Chỉ số điện thoại thì chưa đủ"):
        people.sign_in_by_phone(world.contest, no_cccd.phone, "")
    with pytest.raises(people.ParticipantError, match="Không tìm thấy"):
        people.sign_in_by_phone(world.contest, no_cccd.phone, CCCD)


def test_erased_participants_cannot_sign_in(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone="0912345678")
    code = p.access_code
    people.erase_participant(p)
    with pytest.raises(people.ParticipantError):
        people.sign_in_by_code(world.contest, code)
    with pytest.raises(people.ParticipantError):
        people.sign_in_by_phone(world.contest, "0912345678", "")


# --- Export and erasure ---------------------------------------------------------------


def sat(world: Any, p: Participant) -> Attempt:
    attempt = start_attempt(world.round, p)
    return submit_attempt(attempt.token, right_answers(attempt), "12").attempt


def test_export_data(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, cccd=CCCD, full_name="Lê Thị Hoa")
    attempt = sat(world, p)
    data = people.export_data(p)
    person = data["nguoi_du_thi"]
    assert person["ho_va_ten"] == "Lê Thị Hoa"
    assert person["so_cccd"] == CCCD
    assert person["noi_o"] == "Ấp Phụng Thạnh, Xã Phụng Hiệp, Thành phố Cần Thơ"
    assert person["ma_du_thi"] == people.format_access_code(p.access_code)
    assert person["dong_y_xu_ly_du_lieu"]["noi_dung"] == world.contest.consent_text
    [row] = data["luot_thi"]
    assert row["diem"] == attempt.score == 4
    assert row["du_doan"] == 12
    assert all(a["phuong_an_da_chon"] for a in row["cau_tra_loi"])
    assert "correct" not in str(data).lower()


def test_erase_participant_keeps_statistics_and_published_names(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, cccd=CCCD, full_name="Lê Thị Hoa")
    attempt = sat(world, p)
    award_first_prize(world, p, "Lê T. Hoa", "Xã Phụng Hiệp", attempt)
    old_code = p.access_code
    people.erase_participant(p)
    p.refresh_from_db()
    assert p.full_name == people.ERASED_NAME
    assert p.phone == "" and p.cccd_encrypted == "" and p.cccd_hash == ""
    assert p.birth_date is None
    assert p.access_code != old_code and len(p.access_code) == 8
    assert p.erased_at is not None
    # Statistics and published results stay.
    assert p.area == world.hamlet and p.sex == "female"
    assert Attempt.objects.get(pk=attempt.pk).score == 4
    assert Award.objects.get().published_name == "Lê T. Hoa"
    # Idempotent: the retention job may run over erased people again.
    erased_at = p.erased_at
    people.erase_participant(p)
    p.refresh_from_db()
    assert p.erased_at == erased_at


def test_erased_people_free_their_phone_and_cccd(world: Any) -> None:
    first = people.register(world.contest, registration(world, cccd=CCCD)).participant
    people.erase_participant(first)
    again = people.register(world.contest, registration(world, cccd=CCCD))
    assert again.created and again.participant.pk != first.pk


# --- Rate limiter ------------------------------------------------------------------------


def test_fixed_window_counter(db: Any) -> None:
    with override_settings(CONTEST_RATE_LIMITS={"start_ip": (3, 60)}):
        for _ in range(3):
            LIMITS.check("start_ip", "1.2.3.4", now=1000.0)
        with pytest.raises(RateLimited) as error:
            LIMITS.check("start_ip", "1.2.3.4", now=1010.0)
        assert 0 < error.value.retry_after <= 61
        LIMITS.check("start_ip", "5.6.7.8", now=1010.0)  # another address
        LIMITS.check("start_ip", "1.2.3.4", now=1081.0)  # the next window


def test_client_ip_behind_proxies(rf: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    with override_settings(AXES_IPWARE_PROXY_COUNT=None):
        assert client_ip(request) == "10.0.0.1"
    with override_settings(AXES_IPWARE_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.9"
