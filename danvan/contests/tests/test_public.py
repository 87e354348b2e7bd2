"""The public contest pages through the test client: what a person types and clicks."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from danvan.contests import services
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    Choice,
    ContestStatus,
    Participant,
    Prediction,
    Prize,
    PrizeKind,
    Question,
    RoundStatus,
    ShowAnswers,
)
from danvan.contests.participants import ERASED_NAME
from danvan.contests.privacy import cccd_hash, decrypt_cccd
from danvan.contests.public_helpers import participant_key
from danvan.contests.services import start_attempt, submit_attempt
from danvan.contests.tests import factories
from danvan.contests.tests.factories import (
    award_first_prize,
    make_participant,
    make_world,
    right_answers,
)
from danvan.contests.views_attempt import LATE_MESSAGE
from danvan.core import services as core
from danvan.core.models import Area, OrgKind

pytestmark = pytest.mark.django_db

CCCD_1990_FEMALE = "092190012345"  # Cần Thơ, female born in the 1900s, year 90
CCCD_1985_FEMALE = "092185012345"


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Trần Thị Bích Ngọc",
        "birth_date": "17/05/1990",
        "sex": "female",
        "phone": "0912 345 678",
        "cccd": "",
        "area": str(world.hamlet.pk),
        "occupation": "people",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client: Client, world: Any, **overrides: Any) -> Any:
    url = reverse("contests:register", args=[world.contest.slug])
    return client.post(url, form_data(world, **overrides))


def signed_in(world: Any, participant: Participant) -> Client:
    """A client whose session holds the participant (verified, as after registering)."""
    client = Client()
    session = client.session
    session[participant_key(world.contest.pk)] = participant.pk
    session[f"contest:{world.contest.pk}:verified"] = True
    session.save()
    return client


def start(client: Client, world: Any, number: int = 1) -> Any:
    return client.post(reverse("contests:start", args=[world.contest.slug, number]))


@pytest.fixture
def attempt(world: Any, client: Client) -> Attempt:
    """An attempt started by a participant who has just registered with `client`."""
    register(client, world)
    return started(client, world)


def started(client: Client, world: Any) -> Attempt:
    response = start(client, world)
    assert response.status_code == 302, response.content.decode()[:500]
    token = response["Location"].rstrip("/").split("/")[-1]
    return Attempt.objects.select_related("round").get(token=token)


def post_save(client: Client, attempt: Attempt, payload: Any) -> Any:
    return client.post(
        reverse("contests:attempt_save", args=[attempt.token]),
        data=json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type="application/json",
    )


def submit_form(attempt: Attempt, answers: dict[str, list[int]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"q_{qid}": [str(c) for c in cids] for qid, cids in answers.items()}
    data.update(extra)
    return data


@pytest.fixture
def world() -> Any:
    w = make_world()
    w.contest.intro = "<p>Giới thiệu <strong>Đề án 08</strong>.</p>"
    w.contest.rules = "<p>Mỗi người được thi hai lượt.</p>"
    w.contest.save()
    return w


# --- Pages and visibility -------------------------------------------------------------


def test_contest_page_and_rules(world: Any, client: Client) -> None:
    body = client.get(world.contest.get_absolute_url()).content.decode()
    assert world.contest.title in body
    assert "<strong>Đề án 08</strong>" in body  # intro is trusted, sanitised HTML
    assert "Tuần 1" in body and "Đang diễn ra" in body
    assert "Đăng ký dự thi" in body
    rules = client.get(reverse("contests:rules", args=[world.contest.slug])).content.decode()
    assert "Mỗi người được thi hai lượt." in rules


def test_only_published_contests_are_public(client: Client) -> None:
    draft = make_world(status=ContestStatus.DRAFT)
    for name in ("detail", "rules", "register", "signin"):
        assert client.get(reverse(f"contests:{name}", args=[draft.contest.slug])).status_code == 404
    assert client.get(reverse("contests:results", args=[draft.contest.slug, 1])).status_code == 404
    assert draft.contest.title not in client.get(reverse("contests:list")).content.decode()


def test_contest_list_and_home_list_open_contests(world: Any, client: Client) -> None:
    factories.sibling_contest(
        world, "Cuộc thi nháp chưa công bố", "cuoc-thi-nhap", ContestStatus.DRAFT
    )
    listing = client.get(reverse("contests:list")).content.decode()
    assert world.contest.title in listing
    home = client.get(reverse("public:home")).content.decode()
    assert world.contest.title in home
    assert world.contest.get_absolute_url() in home
    assert world.contest.summary in home
    assert "Cuộc thi nháp chưa công bố" not in home


# --- Registration ---------------------------------------------------------------------


def test_registration_errors_create_nothing_and_keep_values(world: Any, client: Client) -> None:
    world.contest.require_cccd = True
    world.contest.save()
    response = register(client, world, phone="12345", cccd=CCCD_1985_FEMALE, consent=None)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Số điện thoại không hợp lệ" in body
    assert "không khớp với năm sinh" in body
    assert "Bạn cần đánh dấu đồng ý" in body
    assert "Chưa đăng ký được." in body
    assert Participant.objects.count() == 0
    # What was typed stays in the form (except the consent box: never pre-ticked).
    assert 'value="Trần Thị Bích Ngọc"' in body
    assert 'value="12345"' in body
    assert f'value="{CCCD_1985_FEMALE}"' in body
    assert re.search(r'name="consent"[^>]*checked', body) is None


def test_cccd_required_and_sex_checked(world: Any, client: Client) -> None:
    world.contest.require_cccd = True
    world.contest.save()
    body = register(client, world, cccd="").content.decode()
    assert "Vui lòng nhập số CCCD." in body
    body = register(client, world, cccd=CCCD_1990_FEMALE, sex="male").content.decode()
    assert "không khớp với giới tính" in body
    assert Participant.objects.count() == 0


def test_registration_form_is_unticked_and_lists_units(world: Any, client: Client) -> None:
    ended = core.add_hamlet(world.commune, name="Cũ", unit_type="Ấp")
    Area.objects.filter(pk=ended.pk).update(valid_to=timezone.localdate() - timedelta(days=3))
    body = client.get(reverse("contests:register", args=[world.contest.slug])).content.decode()
    assert world.contest.consent_text in body
    assert re.search(r'<input type="checkbox" name="consent"(?![^>]*checked)', body)
    assert '<optgroup label="Xã Phụng Hiệp">' in body
    assert "Xã Phụng Hiệp (không chọn ấp)" in body
    assert world.hamlet.name in body
    assert "Xã Hòa An (không chọn ấp)" in body
    assert "Ấp Cũ" not in body  # ended units are not offered


def test_organisation_is_an_optional_choice_of_member_bodies(world: Any, client: Client) -> None:
    women = core.create_organization(
        name="Hội LHPN xã Phụng Hiệp", kind=OrgKind.WOMEN, area=world.commune
    )
    core.create_organization(name="UBND xã Phụng Hiệp", kind=OrgKind.GOVERNMENT, area=world.commune)
    body = client.get(reverse("contests:register", args=[world.contest.slug])).content.decode()
    assert "Hội LHPN xã Phụng Hiệp" in body
    assert "UBND xã Phụng Hiệp" not in body
    assert register(client, world, organization=str(women.pk)).status_code == 302
    assert Participant.objects.get().organization == women
    other = Client()
    assert register(other, world, phone="0987654321", organization="").status_code == 302
    assert Participant.objects.get(phone="0987654321").organization is None


def test_units_outside_the_target_area_are_refused(client: Client) -> None:
    world = make_world()
    world.contest.target_area = world.commune
    world.contest.save()
    body = client.get(reverse("contests:register", args=[world.contest.slug])).content.decode()
    assert "Xã Hòa An" not in body
    response = register(client, world, area=str(world.other_commune.pk))
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ" in response.content.decode()
    assert Participant.objects.count() == 0


def test_registration_stores_cccd_encrypted_and_shows_the_code(world: Any, client: Client) -> None:
    world.contest.require_cccd = True
    world.contest.save()
    response = register(client, world, cccd="092 190 012345", birth_date="1990-05-17")
    assert response.status_code == 302
    assert response["Location"] == reverse("contests:registered", args=[world.contest.slug])
    p = Participant.objects.get()
    assert p.full_name == "Trần Thị Bích Ngọc"
    assert p.phone == "0912345678"
    assert p.birth_date.isoformat() == "1990-05-17"
    assert p.area == world.hamlet
    assert CCCD_1990_FEMALE not in p.cccd_encrypted
    assert decrypt_cccd(p.cccd_encrypted) == CCCD_1990_FEMALE
    assert p.cccd_hash == cccd_hash(CCCD_1990_FEMALE)
    assert p.consent_version == world.contest.consent_version and p.consented_at
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", p.access_code)
    assert client.session[participant_key(world.contest.pk)] == p.pk
    body = client.get(response["Location"]).content.decode()
    code = f"{p.access_code[:4]}-{p.access_code[4:]}"
    assert "Mã dự thi của bạn:" in body and code in body
    assert "hãy ghi lại để lần sau đăng nhập nhanh" in body


def test_returning_participant_is_recognised_not_duplicated(world: Any) -> None:
    first = Client()
    assert register(first, world, cccd=CCCD_1990_FEMALE).status_code == 302
    again = Client()
    response = register(
        again, world, full_name="Trần T. B. Ngọc", phone="+84 912 345 678", cccd=CCCD_1990_FEMALE
    )
    assert response.status_code == 302
    assert response["Location"] == world.contest.get_absolute_url()
    assert Participant.objects.count() == 1
    p = Participant.objects.get()
    assert again.session[participant_key(world.contest.pk)] == p.pk
    body = again.get(response["Location"]).content.decode()
    assert "đã đăng ký cuộc thi này trước đây" in body
    # Phone and the CCCD on record prove who they are: the access code is shown.
    assert f"{p.access_code[:4]}-{p.access_code[4:]}" in body


def test_returning_without_a_cccd_is_sent_to_sign_in(world: Any) -> None:
    assert register(Client(), world).status_code == 302
    Participant.objects.update(created_at=timezone.now() - timedelta(hours=1))
    again = Client()
    response = register(again, world)
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng để đăng ký cuộc thi" in response.content.decode()
    assert participant_key(world.contest.pk) not in again.session


def test_same_phone_with_another_cccd_is_refused(world: Any) -> None:
    assert register(Client(), world, cccd=CCCD_1990_FEMALE).status_code == 302
    response = register(Client(), world, cccd="092190099999")
    assert response.status_code == 200
    assert "với một số CCCD khác" in response.content.decode()
    assert Participant.objects.count() == 1


# --- Signing in again ------------------------------------------------------------------


def test_sign_in_with_the_access_code(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, access_code="ABCD2345")
    client = Client()
    url = reverse("contests:signin", args=[world.contest.slug])
    response = client.post(url, {"cach": "ma", "ma-access_code": "abcd 2344"})
    assert response.status_code == 200
    assert "Mã dự thi không đúng" in response.content.decode()
    response = client.post(url, {"cach": "ma", "ma-access_code": "abcd-2345"})
    assert response.status_code == 302
    assert client.session[participant_key(world.contest.pk)] == p.pk
    assert client.session[f"contest:{world.contest.pk}:verified"] is True


def test_sign_in_with_phone_needs_the_cccd_on_record(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone="0912345678", cccd=CCCD_1990_FEMALE)
    client = Client()
    url = reverse("contests:signin", args=[world.contest.slug])
    response = client.post(url, {"cach": "sdt", "sdt-phone": "0912 345 678"})
    assert "Chỉ số điện thoại thì chưa đủ để đăng nhập" in response.content.decode()
    response = client.post(
        url, {"cach": "sdt", "sdt-phone": "0912 345 678", "sdt-cccd": CCCD_1990_FEMALE}
    )
    assert response.status_code == 302
    assert client.session[participant_key(world.contest.pk)] == p.pk


def test_sign_in_is_rate_limited(world: Any, client: Client) -> None:
    url = reverse("contests:signin", args=[world.contest.slug])
    with override_settings(CONTEST_RATE_LIMITS={"signin_ip": (3, 600)}):
        for _ in range(3):
            client.post(url, {"cach": "ma", "ma-access_code": "AAAA2222"})
        response = client.post(url, {"cach": "ma", "ma-access_code": "AAAA2222"})
    assert response.status_code == 429
    assert "Vui lòng chờ một chút" in response.content.decode()


# --- Taking an attempt -----------------------------------------------------------------


def test_start_answer_submit_through_the_forms(world: Any, client: Client) -> None:
    assert register(client, world).status_code == 302
    attempt = started(client, world)
    page = client.get(attempt.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert len(attempt.paper) == 4
    for qid, cids in attempt.paper:
        # Choices in the paper's order.
        positions = [body.index(f'name="q_{qid}" value="{cid}"') for cid in cids]
        assert positions == sorted(positions)
    assert "Còn lại" in body and "Hết giờ lúc" in body
    assert 'id="countdown"' in body
    assert re.search(r'name="du_doan"', body)
    data = submit_form(attempt, right_answers(attempt), du_doan="1.250", action="submit")
    response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("contests:result", args=[attempt.token])
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.score == 4 and attempt.prediction == 1250
    body = client.get(response["Location"]).content.decode()
    assert "4/4" in body
    assert "Thời gian làm bài" in body
    assert LATE_MESSAGE not in body
    # The attempt page now leads to the result.
    assert client.get(attempt.get_absolute_url())["Location"] == response["Location"]


def test_start_and_submit_requests_are_few_statements(
    world: Any, django_assert_num_queries: Any
) -> None:
    """The two requests of the deadline rush, whole. The session comes from the
    cache (cached_db, with Redis); the bank and the quotas from the cache; the round from the
    process (after the first request of a round). Start: the round with its
    contest (the first start of this process), then the participant locked with
    their attempts, and the insert. Submit: the attempt read in the statement
    that locks its participant, then the update with the counted rule (on
    PostgreSQL one statement; elsewhere the counted attempt read, then the
    update). Each transaction adds its SAVEPOINT and RELEASE inside the test's
    transaction."""
    p = make_participant(world.contest, world.commune)
    client = signed_in(world, p)
    services.load_bank_and_quotas(world.round)
    # With Redis the session is read from the cache; without, from the database.
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(session + 1 + 2 + 2):
        response = start(client, world)
    assert response.status_code == 302
    attempt = Attempt.objects.get(participant=p)
    body = {f"q_{qid}": cids for qid, cids in right_answers(attempt).items()} | {"du_doan": "9"}
    services.round_by_id(attempt.round_id)
    url = reverse("contests:attempt", args=[attempt.token])
    store = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(session + 1 + store + 2):
        response = client.post(url, body)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == len(attempt.paper)


def test_start_needs_a_participant(world: Any, client: Client) -> None:
    response = start(client, world)
    assert response.status_code == 302
    assert response["Location"] == reverse("contests:register", args=[world.contest.slug])
    assert Attempt.objects.count() == 0


def test_start_errors_are_friendly_pages(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet)
    client = signed_in(world, p)
    world.round.max_attempts = 1
    world.round.save()
    attempt = started(client, world)
    submit_attempt(attempt.token, {}, "10")
    response = start(client, world)
    assert response.status_code == 409
    assert "Bạn đã dùng hết 1 lượt thi" in response.content.decode()


def test_no_js_save_button_keeps_answers_and_prediction(
    world: Any, client: Client, attempt: Attempt
) -> None:
    qid, cids = attempt.paper[0]
    response = client.post(
        attempt.get_absolute_url(), {f"q_{qid}": [str(cids[1])], "du_doan": "77", "action": "save"}
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.answers[str(qid)] == [cids[1]]
    assert attempt.prediction == 77
    body = client.get(attempt.get_absolute_url()).content.decode()
    assert f'name="q_{qid}" value="{cids[1]}" checked' in body
    assert 'value="77"' in body
    assert "Đã lưu tạm" in body


def test_submit_without_prediction_asks_for_it_and_keeps_answers(
    world: Any, client: Client, attempt: Attempt
) -> None:
    answers = right_answers(attempt)
    response = client.post(attempt.get_absolute_url(), submit_form(attempt, answers))
    assert response.status_code == 200
    assert "Vui lòng trả lời câu hỏi dự đoán." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.answers == {k: sorted(v) for k, v in answers.items()}


def test_someone_elses_attempt_is_not_found(world: Any) -> None:
    owner = signed_in(world, make_participant(world.contest, world.hamlet))
    attempt = started(owner, world)
    other = signed_in(world, make_participant(world.contest, world.commune))
    stranger = Client()
    for client in (other, stranger):
        assert client.get(attempt.get_absolute_url()).status_code == 404
        assert client.post(attempt.get_absolute_url(), {"action": "submit"}).status_code == 404
        assert client.get(reverse("contests:result", args=[attempt.token])).status_code == 404
        response = post_save(client, attempt, {"answers": {}})
        assert response.status_code == 404
        assert response.json()["error"] == "Không tìm thấy bài thi."
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_autosave_good_json_saves(world: Any, client: Client, attempt: Attempt) -> None:
    qid, cids = attempt.paper[0]
    response = post_save(client, attempt, {"answers": {str(qid): [cids[2]]}, "prediction": "42"})
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    attempt.refresh_from_db()
    assert attempt.answers == {str(qid): [cids[2]]}
    assert attempt.prediction == 42
    # The page shows the saved answer checked after a reload.
    body = client.get(attempt.get_absolute_url()).content.decode()
    assert f'name="q_{qid}" value="{cids[2]}" checked' in body


def test_autosave_refuses_tampered_json_and_saves_nothing(
    world: Any, client: Client, attempt: Attempt
) -> None:
    qid, cids = attempt.paper[0]
    other_qid, other_cids = attempt.paper[1]
    drawn = {q for q, _ in attempt.paper}
    not_drawn = Choice.objects.exclude(question_id__in=drawn).first().question_id
    cases = [
        ({"answers": {str(qid): [cids[0]], str(not_drawn): [1]}}, "không thuộc bài thi"),
        ({"answers": {str(qid): [other_cids[0]]}}, "không hợp lệ"),
        ({"answers": {str(qid): ["abc"]}}, "không hợp lệ"),
        ({"answers": {str(qid): [cids[0]]}, "prediction": "-5"}, "số nguyên không âm"),
        ({"answers": {str(qid): [cids[0]]}, "prediction": "1²"}, "số nguyên không âm"),
        ({"answers": {str(qid): [cids[0]]}, "prediction": 12.5}, "số nguyên không âm"),
        ({"answers": {str(qid): [cids[0] + 0.5]}}, "không hợp lệ"),
        ({"answers": {str(qid): [True]}}, "không hợp lệ"),
        ({"answers": [1, 2]}, "không hợp lệ"),
        ("{not json", "không hợp lệ"),
    ]
    for payload, message in cases:
        response = post_save(client, attempt, payload)
        assert response.status_code == 400, payload
        assert message in response.json()["error"], payload
    attempt.refresh_from_db()
    assert attempt.answers == {} and attempt.prediction is None
    assert other_qid  # the second question exists on the paper


def test_odd_predictions_are_refused_not_crashed(
    world: Any, client: Client, attempt: Attempt
) -> None:
    for value in ("²", "12abc", "-3"):
        for action in ("save", "submit"):
            response = client.post(
                attempt.get_absolute_url(),
                submit_form(attempt, right_answers(attempt), du_doan=value, action=action),
            )
            assert response.status_code == 200, (value, action)
            assert "số nguyên không âm" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.prediction is None
    assert attempt.answers == {k: sorted(v) for k, v in right_answers(attempt).items()}


def test_submit_twice_returns_the_first_result(
    world: Any, client: Client, attempt: Attempt
) -> None:
    url = attempt.get_absolute_url()
    client.post(url, submit_form(attempt, right_answers(attempt), du_doan="5"))
    wrong = {str(q): [cids[1]] for q, cids in attempt.paper}
    response = client.post(url, submit_form(attempt, wrong, du_doan="9"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 4 and attempt.prediction == 5
    assert "4/4" in client.get(response["Location"]).content.decode()


def test_late_submit_keeps_what_was_saved_in_time(
    world: Any, client: Client, attempt: Attempt
) -> None:
    saved = right_answers(attempt)
    first = next(iter(saved))
    post_save(client, attempt, {"answers": {first: saved[first]}, "prediction": "30"})
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=2),
        started_at=timezone.now() - timedelta(minutes=12),
    )
    response = client.post(attempt.get_absolute_url(), submit_form(attempt, saved, du_doan="31"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == 1 and attempt.prediction == 30
    body = client.get(response["Location"]).content.decode()
    assert LATE_MESSAGE in body
    assert "1/4" in body


def test_clock_ran_out_without_prediction_closes_with_saved_answers(
    world: Any, client: Client, attempt: Attempt
) -> None:
    # The deadline has just passed; the network grace is still running.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=2))
    response = client.post(
        attempt.get_absolute_url(), submit_form(attempt, right_answers(attempt), du_doan="")
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == 4  # the answers sent with the automatic submit were saved in time
    assert LATE_MESSAGE in client.get(response["Location"]).content.decode()


def test_an_abandoned_attempt_closes_when_opened_again(
    world: Any, client: Client, attempt: Attempt
) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(hours=1))
    response = client.get(attempt.get_absolute_url())
    assert response["Location"] == reverse("contests:result", args=[attempt.token])
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED


def test_starts_are_rate_limited_per_person_and_address(world: Any) -> None:
    world.round.max_attempts = 0
    world.round.save()
    client = signed_in(world, make_participant(world.contest, world.hamlet))
    with override_settings(CONTEST_RATE_LIMITS={"start_participant": (2, 600)}):
        assert start(client, world).status_code == 302
        assert start(client, world).status_code == 302
        response = start(client, world)
    assert response.status_code == 429
    assert "Vui lòng chờ một chút" in response.content.decode()
    assert response["Retry-After"]
    cache.clear()
    with override_settings(CONTEST_RATE_LIMITS={"start_ip": (1, 600)}):
        other = signed_in(world, make_participant(world.contest, world.hamlet))
        assert start(other, world).status_code == 302
        another = signed_in(world, make_participant(world.contest, world.hamlet))
        assert start(another, world).status_code == 429


def test_attempt_page_never_carries_the_answers(world: Any, client: Client) -> None:
    world.round.show_answers = ShowAnswers.AFTER_SUBMIT
    world.round.save()
    register(client, world)
    attempt = started(client, world)
    body = client.get(attempt.get_absolute_url()).content.decode()
    assert "Giải thích câu" not in body
    lowered = body.lower()
    assert "correct" not in lowered
    assert "is-right" not in lowered
    # No attribute name or value marks a choice as right ("đúng" folded is "dung").
    for name, value in re.findall(r'\s([\w-]+)="([^"]*)"', body):
        assert "dung" not in name.lower()
        assert "dung" not in value.lower() or value == "#noi-dung" or value == "noi-dung"


def test_attempt_page_shows_the_paper_in_order_and_escapes_its_text(
    world: Any, client: Client
) -> None:
    Question.objects.filter(contest=world.contest).update(text="Câu <script>alert(1)</script>?")
    Choice.objects.filter(question__contest=world.contest, position=1).update(text='B & "<b>"')
    register(client, world)
    attempt = started(client, world)
    body = client.get(attempt.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body and "<b>" not in body
    assert "Câu &lt;script&gt;alert(1)&lt;/script&gt;?" in body
    multiple = set(
        Question.objects.filter(contest=world.contest, multiple=True).values_list("pk", flat=True)
    )
    fieldsets = re.findall(r'<fieldset class="question" id="cau-(\d+)" data-question="(\d+)"', body)
    assert fieldsets == [(str(n), str(qid)) for n, (qid, _) in enumerate(attempt.paper, start=1)]
    for qid, cids in attempt.paper:
        kind = "checkbox" if qid in multiple else "radio"
        shown = re.findall(rf'<input type="{kind}" name="q_{qid}" value="(\d+)">', body)
        assert shown == [str(cid) for cid in cids]
    assert body.count("B &amp; &quot;&lt;b&gt;&quot;") == len(attempt.paper)
    assert body.count("chọn tất cả các phương án") == sum(
        1 for qid, _ in attempt.paper if qid in multiple
    )


@pytest.mark.parametrize(
    ("show", "visible"),
    [
        (ShowAnswers.AFTER_SUBMIT, True),
        (ShowAnswers.AFTER_CLOSE, False),
        (ShowAnswers.NEVER, False),
    ],
)
def test_result_shows_answers_only_as_the_round_allows(
    world: Any, client: Client, show: str, visible: bool
) -> None:
    world.round.show_answers = show
    world.round.save()
    register(client, world)
    attempt = started(client, world)
    client.post(attempt.get_absolute_url(), submit_form(attempt, {}, du_doan="3"))
    body = client.get(reverse("contests:result", args=[attempt.token])).content.decode()
    assert "0/4" in body
    assert ("Giải thích câu" in body) is visible
    assert ("đáp án đúng" in body) is visible
    if show == ShowAnswers.AFTER_CLOSE:
        assert "sau khi đợt thi kết thúc" in body
    if show == ShowAnswers.NEVER:
        assert "không công bố đáp án" in body


def test_no_prediction_round_has_no_prediction_field(client: Client) -> None:
    world = make_world(prediction=Prediction.NONE)
    register(client, world)
    attempt = started(client, world)
    assert 'name="du_doan"' not in client.get(attempt.get_absolute_url()).content.decode()
    response = client.post(attempt.get_absolute_url(), submit_form(attempt, {}))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


# --- Results ---------------------------------------------------------------------------


def sit(world: Any, name: str, area: Area, right: int) -> Participant:
    p = make_participant(world.contest, area, full_name=name)
    attempt = start_attempt(world.round, p)
    answers = dict(list(right_answers(attempt).items())[:right])
    submit_attempt(attempt.token, answers, "100")
    return p


def test_live_leaderboard_masks_names_and_is_cheap(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    sit(world, "Nguyễn Thị Mỹ Linh", world.hamlet, 3)
    sit(world, "Lê Văn Tám", world.other_commune, 4)
    sit(world, "Phạm Hùng", world.commune, 1)
    url = reverse("contests:results", args=[world.contest.slug, 1])
    with django_assert_max_num_queries(5):
        body = client.get(url).content.decode()
    assert "Nguyễn T. M. Linh" in body and "Nguyễn Thị Mỹ Linh" not in body
    assert "Lê V. Tám" in body and "Lê Văn Tám" not in body
    assert body.index("Lê V. Tám") < body.index("Nguyễn T. M. Linh") < body.index("Phạm Hùng")
    assert "Xã Phụng Hiệp" in body and "Xã Hòa An" in body
    # Cached: the next visitors without a session get the page from memory, with
    # no statement at all; a participant with a session gets a fresh page (their
    # messages may be waiting) built from the cached rows, not from the attempts.
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content.decode() == body
    participant = signed_in(world, make_participant(world.contest, world.commune))
    with django_assert_max_num_queries(3) as captured:
        assert "Lê V. Tám" in participant.get(url).content.decode()
    assert not any("contests_attempt" in q["sql"] for q in captured.captured_queries)


def test_published_round_shows_the_winners(world: Any, client: Client) -> None:
    p = sit(world, "Nguyễn Thị Mỹ Linh", world.hamlet, 4)
    award_first_prize(world, p, "Nguyễn T. M. Linh", "Ấp Phụng Thạnh, Xã Phụng Hiệp")
    collective = Prize.objects.create(
        contest=world.contest, round=world.round, kind=PrizeKind.COLLECTIVE, quantity=1
    )
    Award.objects.create(
        prize=collective,
        round=world.round,
        area=world.commune,
        rank=1,
        published_name="Xã Phụng Hiệp",
        value=12.5,
    )
    world.round.status = RoundStatus.PUBLISHED
    world.round.save()
    body = client.get(reverse("contests:results", args=[world.contest.slug, 1])).content.decode()
    assert "Giải nhất" in body and "Nguyễn T. M. Linh" in body
    assert "Ấp Phụng Thạnh, Xã Phụng Hiệp" in body
    assert ("Giải tập thể" in body and "12,5" in body) or "12.5" in body


# --- Personal data -----------------------------------------------------------------------


def submitted_with_cccd(client: Client, world: Any) -> None:
    """The contest requires a CCCD; a participant registers with one, then submits
    an attempt with every answer right."""
    world.contest.require_cccd = True
    world.contest.save()
    register(client, world, cccd=CCCD_1990_FEMALE)
    attempt = started(client, world)
    client.post(
        attempt.get_absolute_url(), submit_form(attempt, right_answers(attempt), du_doan="8")
    )


def test_export_contains_their_data(world: Any, client: Client) -> None:
    submitted_with_cccd(client, world)
    page = client.get(reverse("contests:my_data", args=[world.contest.slug])).content.decode()
    assert "092*******45" in page and "0912***678" in page
    response = client.get(reverse("contests:export", args=[world.contest.slug]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    person = data["nguoi_du_thi"]
    assert person["ho_va_ten"] == "Trần Thị Bích Ngọc"
    assert person["so_cccd"] == CCCD_1990_FEMALE
    assert person["so_dien_thoai"] == "0912345678"
    assert person["ngay_sinh"] == "17/05/1990"
    assert data["luot_thi"][0]["diem"] == 4
    assert len(data["luot_thi"][0]["cau_tra_loi"]) == 4


def test_export_needs_proof_beyond_the_phone(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone="0912345678")
    client = Client()
    signin = reverse("contests:signin", args=[world.contest.slug])
    client.post(signin, {"cach": "sdt", "sdt-phone": "0912345678"})
    assert participant_key(world.contest.pk) not in client.session
    # Knowing a phone number does not reveal its owner's name or data.
    detail = client.get(world.contest.get_absolute_url()).content.decode()
    assert p.full_name not in detail
    response = client.get(reverse("contests:export", args=[world.contest.slug]))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == signin
    client.post(signin, {"cach": "ma", "ma-access_code": p.access_code})
    assert client.get(reverse("contests:export", args=[world.contest.slug])).status_code == 200


def test_erase_on_request(world: Any, client: Client) -> None:
    submitted_with_cccd(client, world)
    url = reverse("contests:erase", args=[world.contest.slug])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Vui lòng đánh dấu xác nhận" in response.content.decode()
    assert Participant.objects.get().erased_at is None
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    p = Participant.objects.get()
    assert p.full_name == ERASED_NAME
    assert (p.phone, p.cccd_encrypted, p.cccd_hash, p.birth_date) == ("", "", "", None)
    assert p.erased_at is not None
    assert Attempt.objects.filter(participant=p, score=4).exists()
    assert participant_key(world.contest.pk) not in client.session
    assert "Đã xóa dữ liệu cá nhân" in client.get(response["Location"]).content.decode()
    # The same person may register again as new.
    assert register(Client(), world, cccd=CCCD_1990_FEMALE).status_code == 302
    assert Participant.objects.count() == 2
