"""The contest staff pages: creating and editing contests (sanitised rich text,
slugs, banner checks, input kept on error), publishing and its refusals,
rounds and their validation, closing and publishing results, prizes, the
question bank (formset rules, search, deactivation) and topics."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from danvan.contests import bank, services
from danvan.contests.forms_bank import check_choices
from danvan.contests.forms_staff import RoundForm
from danvan.contests.models import (
    Category,
    Choice,
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundQuota,
    RoundStatus,
)
from danvan.contests.tests import factories
from danvan.core.models import Job, JobStatus

# `world` (a draft contest) and `admin` (its board administrator) come from conftest.py.
pytestmark = pytest.mark.usefixtures("media_root")


def url(name: str, *args: Any) -> str:
    return reverse(f"contests_staff:{name}", args=args)


def contest_data(world: factories.World, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Tìm hiểu lịch sử Đảng bộ thành phố",
        "slug": "",
        "summary": "Cuộc thi tìm hiểu dành cho mọi người dân.",
        "organization": world.organizer.pk,
        "target_area": world.province.pk,
        "starts_at": "2030-03-01T08:00",
        "ends_at": "2030-04-30T17:00",
        "intro": "<p>Giới thiệu</p>",
        "rules": "",
        "consent_text": "Tôi đồng ý.",
        "consent_version": "1",
        "retention_days": "180",
    }
    data.update(overrides)
    return data


def png_bytes(size: tuple[int, int] = (30, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (163, 19, 26)).save(buf, format="PNG")
    return buf.getvalue()


# --- Contests -------------------------------------------------------------------------------


def test_create_contest_sanitises_rich_text(staff: Any, world: factories.World, admin: Any) -> None:
    response = staff.post(
        url("contest_add"),
        contest_data(
            world,
            intro='<p onclick="x()">Xin chào <strong>bà con</strong></p><script>alert(1)</script>'
            '<a href="https://danvan.vn/the-le" target="_blank">Thể lệ</a>'
            '<a href="javascript:alert(2)">xấu</a><img src=x onerror=alert(3)>'
            "<h2>Giải thưởng</h2><table><tr><td>ô</td></tr></table>",
            rules="Đoạn một.\nDòng hai.\n\nĐoạn <hai> & ba.",
        ),
    )
    contest = Contest.objects.get(title="Tìm hiểu lịch sử Đảng bộ thành phố")
    assert response.status_code == 302
    assert response["Location"] == url("contest_detail", contest.pk)
    assert contest.status == ContestStatus.DRAFT
    assert contest.created_by == admin
    assert contest.slug == "tim-hieu-lich-su-dang-bo-thanh-pho"
    intro = contest.intro
    assert "<script" not in intro and "alert(1)" not in intro
    assert "onclick" not in intro and "<img" not in intro and "javascript:" not in intro
    assert "<table" not in intro and "ô" in intro
    assert "<strong>bà con</strong>" in intro and "<h2>Giải thưởng</h2>" in intro
    assert '<a href="https://danvan.vn/the-le" rel="noopener noreferrer">Thể lệ</a>' in intro
    assert "target" not in intro
    # Plain text becomes paragraphs, with its own "<" escaped.
    assert contest.rules == "<p>Đoạn một.<br>Dòng hai.</p>\n<p>Đoạn &lt;hai&gt; &amp; ba.</p>"
    # The stored datetimes are Việt Nam time (UTC+7).
    assert contest.starts_at.isoformat() == "2030-03-01T01:00:00+00:00"


def test_slug_is_unique_automatically_but_a_typed_slug_must_be_free(
    staff: Any, world: factories.World
) -> None:
    staff.post(url("contest_add"), contest_data(world))
    staff.post(url("contest_add"), contest_data(world))
    slugs = set(
        Contest.objects.filter(title__startswith="Tìm hiểu lịch sử").values_list("slug", flat=True)
    )
    assert slugs == {"tim-hieu-lich-su-dang-bo-thanh-pho", "tim-hieu-lich-su-dang-bo-thanh-pho-2"}

    response = staff.post(
        url("contest_add"),
        contest_data(world, title="Khác", slug="tim-hieu-lich-su-dang-bo-thanh-pho"),
    )
    assert response.status_code == 200
    assert "Đường dẫn này đã được dùng" in response.content.decode()
    response = staff.post(url("contest_add"), contest_data(world, title="Khác", slug="Có Dấu"))
    assert "chữ thường không dấu" in response.content.decode()


def test_failed_edit_keeps_what_was_typed(staff: Any, world: factories.World) -> None:
    contest = world.contest
    before = Contest.objects.values_list("title", "summary", "ends_at").get(pk=contest.pk)
    response = staff.post(
        url("contest_edit", contest.pk),
        contest_data(
            world,
            title="Tên mới gõ dở",
            summary="Tóm tắt mới của tôi",
            slug=contest.slug,
            starts_at="2030-05-01T08:00",
            ends_at="2030-04-01T08:00",
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thời điểm kết thúc phải sau thời điểm bắt đầu." in body
    assert 'value="Tên mới gõ dở"' in body
    assert "Tóm tắt mới của tôi" in body
    assert 'value="2030-05-01T08:00"' in body
    assert Contest.objects.values_list("title", "summary", "ends_at").get(pk=contest.pk) == before


def test_edit_refuses_dates_that_leave_a_round_out(staff: Any, world: factories.World) -> None:
    now = timezone.localtime()
    response = staff.post(
        url("contest_edit", world.contest.pk),
        contest_data(
            world,
            slug=world.contest.slug,
            starts_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            ends_at=(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 200
    assert "nằm ngoài thời gian cuộc thi" in response.content.decode()


def test_banner_must_be_a_small_image(staff: Any, world: factories.World) -> None:
    not_image = SimpleUploadedFile("anh.png", b"not an image at all", content_type="image/png")
    response = staff.post(url("contest_add"), {**contest_data(world), "banner": not_image})
    assert response.status_code == 200
    assert "banner" in response.context["form"].errors

    big = png_bytes((2600, 1400))
    big += b"\0" * (2 * 1024 * 1024 + 1 - len(big))  # trailing bytes: still a valid PNG
    upload = SimpleUploadedFile("to.png", big, content_type="image/png")
    response = staff.post(url("contest_add"), {**contest_data(world), "banner": upload})
    assert response.status_code == 200
    assert "Ảnh bìa quá lớn (tối đa 2 MB)." in response.context["form"].errors["banner"]

    good = SimpleUploadedFile("bia.png", png_bytes(), content_type="image/png")
    response = staff.post(url("contest_add"), {**contest_data(world), "banner": good})
    assert response.status_code == 302
    contest = Contest.objects.get(title="Tìm hiểu lịch sử Đảng bộ thành phố")
    assert contest.banner.name.startswith("contests/banners/")


def test_publish_is_refused_without_rounds(staff: Any, world: factories.World) -> None:
    contest = factories.make_contest(
        world.organizer, world.province, title="Cuộc thi chưa có đợt", slug="chua-co-dot", days=10
    )
    response = staff.post(url("contest_publish", contest.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chưa công bố được cuộc thi" in body
    assert "Cuộc thi chưa có đợt thi nào." in body
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT


def test_publish_is_refused_when_the_bank_cannot_fill_a_round(
    staff: Any, world: factories.World
) -> None:
    quota = RoundQuota.objects.filter(round=world.round).order_by("category__name").first()
    assert quota is not None
    RoundQuota.objects.filter(pk=quota.pk).update(count=9)  # the topic has 6 questions
    Round.objects.filter(pk=world.round.pk).update(question_count=20)  # the bank has 12
    response = staff.post(url("contest_publish", world.contest.pk))
    body = response.content.decode()
    assert "chủ đề “Chủ đề 1” cần 9 câu mỗi lượt nhưng ngân hàng chỉ có 6 câu đang dùng." in body
    assert "mỗi lượt cần 20 câu nhưng ngân hàng chỉ có 12 câu đang dùng." in body
    world.contest.refresh_from_db()
    assert world.contest.status == ContestStatus.DRAFT
    # A deactivated question counts as missing too.
    RoundQuota.objects.filter(pk=quota.pk).update(count=6)
    Round.objects.filter(pk=world.round.pk).update(question_count=8)
    Question.objects.filter(pk=Question.objects.filter(category=quota.category).first().pk).update(
        active=False
    )
    body = staff.post(url("contest_publish", world.contest.pk)).content.decode()
    assert "cần 6 câu mỗi lượt nhưng ngân hàng chỉ có 5 câu" in body


def test_publish_unpublish_archive(staff: Any, world: factories.World) -> None:
    contest = world.contest
    assert staff.get(url("contest_publish", contest.pk)).status_code == 200
    response = staff.post(url("contest_publish", contest.pk))
    assert response.status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PUBLISHED

    staff.post(url("contest_unpublish", contest.pk))
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT

    staff.post(url("contest_archive", contest.pk))
    contest.refresh_from_db()
    assert contest.status == ContestStatus.ARCHIVED
    # An archived contest is read-only until it is restored.
    response = staff.get(url("contest_edit", contest.pk))
    assert response.status_code == 302
    response = staff.post(url("category_list", contest.pk), {"name": "Chủ đề mới"}, follow=True)
    assert "Cuộc thi đã lưu trữ" in response.content.decode()
    assert not Category.objects.filter(name="Chủ đề mới").exists()
    staff.post(url("contest_unpublish", contest.pk))
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT


def test_preview_shows_a_draft_with_its_rounds(staff: Any, world: factories.World) -> None:
    Contest.objects.filter(pk=world.contest.pk).update(
        intro="<p>Giới thiệu cuộc thi</p><script>alert(1)</script>", rules="<p>Thể lệ</p>"
    )
    body = staff.get(url("contest_preview", world.contest.pk)).content.decode()
    assert "Bản xem trước" in body
    assert "Giới thiệu cuộc thi" in body and "<script>alert(1)" not in body
    assert "Thể lệ" in body and "Tuần 1" in body


def test_contest_list_search_ignores_diacritics(staff: Any, world: factories.World) -> None:
    for status in ("", ContestStatus.DRAFT):
        body = staff.get(url("contest_list"), {"q": "DE AN 08", "status": status}).content.decode()
        assert world.contest.title in body
    body = staff.get(url("contest_list"), {"q": "khảo sát"}).content.decode()
    assert world.contest.title not in body
    body = staff.get(url("contest_list"), {"status": ContestStatus.PUBLISHED}).content.decode()
    assert world.contest.title not in body


# --- Rounds ---------------------------------------------------------------------------------


def round_data(world: factories.World, **overrides: Any) -> dict[str, Any]:
    c = world.contest
    opens = timezone.localtime(c.starts_at + timedelta(days=8))
    data: dict[str, Any] = {
        "number": 2,
        "title": "Tuần 2",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "question_count": 6,
        "time_limit_minutes": 15,
        "max_attempts": 0,
        "counting": "best",
        "shuffle_choices": "on",
        "show_answers": "after_close",
        "prediction": "participants",
        "prediction_text": "Bao nhiêu người tham gia?",
        "tie_break": "score,duration,submitted",
        "grace_seconds": 20,
    }
    for cat in world.categories:
        data[f"quota_{cat.pk}"] = 2
    data.update(overrides)
    return data


def test_add_round(staff: Any, world: factories.World) -> None:
    response = staff.post(url("round_add", world.contest.pk), round_data(world))
    rnd = Round.objects.get(contest=world.contest, number=2)
    assert response.status_code == 302
    assert response["Location"] == url("round_detail", rnd.pk)
    assert rnd.time_limit_seconds == 15 * 60
    assert rnd.max_attempts == 0
    assert rnd.tie_break == "score,duration,submitted"
    assert sorted(rnd.quotas.values_list("count", flat=True)) == [2, 2]
    body = staff.get(url("round_detail", rnd.pk)).content.decode()
    assert "Điểm cao hơn → Thời gian làm bài ngắn hơn → Nộp bài sớm hơn" in body


def test_editing_a_round_refreshes_its_cached_quotas(staff: Any, world: factories.World) -> None:
    rnd = world.round
    assert sorted(bank.round_quotas(rnd)) == sorted((c.pk, 2) for c in world.categories)
    first, second = world.categories
    data = round_data(
        world,
        number=1,
        opens_at=timezone.localtime(rnd.opens_at).strftime("%Y-%m-%dT%H:%M"),
        closes_at=timezone.localtime(rnd.closes_at).strftime("%Y-%m-%dT%H:%M"),
        question_count=4,
        **{f"quota_{first.pk}": 3, f"quota_{second.pk}": 0},
    )
    response = staff.post(url("round_edit", rnd.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    # A round read afresh (as every process does within ROUND_TTL seconds).
    assert bank.round_quotas(Round.objects.get(pk=rnd.pk)) == [(first.pk, 3)]


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"closes_at": "OPENS"}, "closes_at", "Thời điểm đóng phải sau thời điểm mở."),
        ({"opens_at": "BEFORE"}, "opens_at", "Đợt thi phải mở trong thời gian cuộc thi"),
        ({"closes_at": "AFTER"}, "closes_at", "Đợt thi phải đóng trước khi cuộc thi kết thúc"),
        ({"QUOTA1": 7}, "QUOTA1", "Chủ đề này chỉ có 6 câu hỏi đang dùng"),
        ({"QUOTA1": 4, "question_count": 5}, "question_count", "Tổng số câu theo chủ đề (6)"),
        ({"number": 1}, "number", "Cuộc thi đã có đợt số 1."),
        ({"prediction_text": ""}, "prediction_text", "Nhập nội dung câu hỏi dự đoán."),
        ({"time_limit_minutes": 0}, "time_limit_minutes", ""),
        ({"max_attempts": 101}, "max_attempts", ""),
        ({"tie_break": "submitted"}, "tie_break", ""),
    ],
)
def test_round_validation(
    world: factories.World, overrides: dict[str, Any], field: str, message: str
) -> None:
    c = world.contest
    fmt = "%Y-%m-%dT%H:%M"
    special = {
        "OPENS": round_data(world)["opens_at"],
        "BEFORE": timezone.localtime(c.starts_at - timedelta(hours=1)).strftime(fmt),
        "AFTER": timezone.localtime(c.ends_at + timedelta(hours=1)).strftime(fmt),
    }
    quota1 = f"quota_{world.categories[0].pk}"
    data = round_data(world)
    for key, value in overrides.items():
        data[quota1 if key == "QUOTA1" else key] = special.get(value, value)
    field = quota1 if field == "QUOTA1" else field
    form = RoundForm(data, contest=c)
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])


def test_a_closed_round_cannot_be_edited(staff: Any, world: factories.World) -> None:
    Round.objects.filter(pk=world.round.pk).update(status=RoundStatus.CLOSED)
    response = staff.get(url("round_edit", world.round.pk), follow=True)
    assert "không sửa được nữa" in response.content.decode()
    response = staff.post(url("round_edit", world.round.pk), round_data(world, number=1))
    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.title == "Tuần 1"
    response = staff.post(url("round_prizes", world.round.pk), {"first": 3})
    assert not Prize.objects.filter(round=world.round).exists()


def test_close_round_runs_the_job_then_results_are_published(
    staff: Any, world: factories.World, django_capture_on_commit_callbacks: Any
) -> None:
    rnd = world.round
    # Before the round ends: refused, no job.
    response = staff.post(url("round_close", rnd.pk), follow=True)
    assert "Đợt thi chưa kết thúc." in response.content.decode()
    assert not Job.objects.filter(kind="close_round").exists()

    now = timezone.now()
    Round.objects.filter(pk=rnd.pk).update(
        opens_at=now - timedelta(days=2), closes_at=now - timedelta(minutes=1)
    )
    assert "Tổng hợp kết quả" in staff.get(url("round_close", rnd.pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url("round_close", rnd.pk))
    job = Job.objects.get(kind="close_round")
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.params == {"round_id": rnd.pk}
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED

    # Once closed: no second close, no edit; the results can be published.
    response = staff.post(url("round_close", rnd.pk), follow=True)
    assert "Đợt thi đã được tổng hợp kết quả." in response.content.decode()
    assert Job.objects.filter(kind="close_round").count() == 1
    response = staff.post(url("round_publish", rnd.pk))
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED
    response = staff.post(url("round_publish", rnd.pk), follow=True)
    assert "Kết quả đợt thi đã được công bố." in response.content.decode()


def test_results_cannot_be_published_before_closing(staff: Any, world: factories.World) -> None:
    response = staff.post(url("round_publish", world.round.pk), follow=True)
    assert "chưa được tổng hợp kết quả" in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.SCHEDULED


# --- Prizes ---------------------------------------------------------------------------------


def test_round_and_overall_prizes(staff: Any, world: factories.World) -> None:
    staff.post(
        url("round_prizes", world.round.pk),
        {
            "first": 1,
            "second": 2,
            "third": "",
            "consolation": 5,
            "collective": 3,
            "collective_basis": "rate_population",
        },
    )
    prizes = {p.kind: p for p in Prize.objects.filter(round=world.round)}
    assert {k: p.quantity for k, p in prizes.items()} == {
        "first": 1,
        "second": 2,
        "consolation": 5,
        "collective": 3,
    }
    assert prizes["collective"].basis == "rate_population"
    staff.post(url("round_prizes", world.round.pk), {"first": 1, "second": 0})
    assert list(Prize.objects.filter(round=world.round).values_list("kind", flat=True)) == [
        PrizeKind.FIRST
    ]
    staff.post(url("contest_prizes", world.contest.pk), {"first": 1, "third": 2})
    overall = Prize.objects.filter(contest=world.contest, round__isnull=True)
    assert sorted(overall.values_list("kind", "quantity")) == [("first", 1), ("third", 2)]
    response = staff.post(url("contest_prizes", world.contest.pk), {"first": -1})
    assert response.status_code == 200


# --- Question bank --------------------------------------------------------------------------


def question_data(
    world: factories.World, choices: list[tuple[str, bool]], multiple: bool = False, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": world.categories[0].pk,
        "text": "Ngày truyền thống công tác dân vận là ngày nào?",
        "multiple": "True" if multiple else "False",
        "explanation": "Ngày 15/10/1930.",
        "choices-TOTAL_FORMS": 6,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 6,
    }
    for i in range(6):
        text, correct = choices[i] if i < len(choices) else ("", False)
        data[f"choices-{i}-text"] = text
        if correct:
            data[f"choices-{i}-correct"] = "on"
    data.update(extra)
    return data


def test_add_question_with_choices(staff: Any, world: factories.World) -> None:
    before = len(services.load_bank(world.contest.pk).questions)
    response = staff.post(
        url("question_add", world.contest.pk),
        question_data(world, [("15/10", True), ("", False), ("3/2", False), ("19/5", False)]),
    )
    assert response.status_code == 302
    q = Question.objects.get(text__startswith="Ngày truyền thống")
    assert [(c.position, c.text, c.correct) for c in q.choices.order_by("position")] == [
        (0, "15/10", True),
        (1, "3/2", False),
        (2, "19/5", False),
    ]
    assert len(services.load_bank(world.contest.pk).questions) == before + 1


@pytest.mark.parametrize(
    "choices,multiple,message",
    [
        ([("A", True), ("B", True), ("C", False)], False, "đúng một phương án đúng"),
        ([("A", False), ("B", False)], False, "đúng một phương án đúng"),
        ([("A", True), ("B", False), ("C", False)], True, "ít nhất hai phương án đúng"),
        ([("A", True)], False, "Cần ít nhất 2 phương án."),
        ([("A", True), ("", True), ("C", False)], False, "để trống nhưng được đánh dấu đúng"),
        ([("Hà Nội", True), ("ha noi", False)], False, "Có hai phương án trùng nhau."),
    ],
)
def test_question_choice_rules(
    staff: Any, world: factories.World, choices: Any, multiple: bool, message: str
) -> None:
    count = Question.objects.count()
    response = staff.post(
        url("question_add", world.contest.pk), question_data(world, choices, multiple)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == count
    # What was typed is still there.
    assert 'value="A"' in response.content.decode() or "Hà Nội" in response.content.decode()


def test_check_choices_accepts_valid_sets() -> None:
    assert check_choices([("A", True), ("B", False)], False) == []
    assert check_choices([("A", True), ("B", True), ("C", False)], True) == []


def test_duplicate_question_is_refused_ignoring_diacritics(
    staff: Any, world: factories.World
) -> None:
    response = staff.post(
        url("question_add", world.contest.pk),
        question_data(world, [("A", True), ("B", False)], text="CAU 1 CUA CHU DE 1?"),
    )
    assert response.status_code == 200
    assert "Câu hỏi này đã có trong ngân hàng" in response.content.decode()


def test_edit_question_keeps_choice_ids(staff: Any, world: factories.World) -> None:
    q = Question.objects.filter(contest=world.contest, multiple=False).first()
    assert q is not None
    a, b, c, d = q.choices.order_by("position")
    data = question_data(
        world,
        [(a.text, False), ("", False), (c.text + " (sửa)", True), (d.text, False), ("Mới", False)],
        text=q.text,
        **{"choices-INITIAL_FORMS": 4},
    )
    response = staff.post(url("question_edit", q.pk), data)
    assert response.status_code == 302
    rows = list(q.choices.order_by("position").values_list("pk", "position", "text", "correct"))
    assert rows[:3] == [
        (a.pk, 0, a.text, False),
        (c.pk, 1, c.text + " (sửa)", True),
        (d.pk, 2, d.text, False),
    ]
    assert rows[3][1:] == (3, "Mới", False)
    assert not Choice.objects.filter(pk=b.pk).exists()
    bank = services.load_bank(world.contest.pk)
    assert bank.questions[q.pk].correct == frozenset({c.pk})


def test_question_list_search_ignores_diacritics(staff: Any, world: factories.World) -> None:
    Question.objects.create(
        contest=world.contest,
        category=world.categories[1],
        text="Phương châm “Dân vận khéo” là gì?",
    )
    body = staff.get(url("question_list", world.contest.pk), {"q": "dan VAN kheo"}).content.decode()
    assert "Phương châm" in body
    assert "Câu 1 của chủ đề 1" not in body
    body = staff.get(
        url("question_list", world.contest.pk), {"category": world.categories[0].pk}
    ).content.decode()
    assert "Câu 1 của chủ đề 1" in body and "Phương châm" not in body


def test_deactivating_a_question_warns_when_a_live_round_runs_short(
    staff: Any, world: factories.World
) -> None:
    Contest.objects.filter(pk=world.contest.pk).update(status=ContestStatus.PUBLISHED)
    RoundQuota.objects.filter(round=world.round, category=world.categories[0]).update(count=6)
    Round.objects.filter(pk=world.round.pk).update(question_count=8)
    q = Question.objects.filter(category=world.categories[0]).first()
    assert q is not None
    assert "Ngừng dùng câu hỏi" in staff.get(url("question_toggle", q.pk)).content.decode()
    response = staff.post(url("question_toggle", q.pk), follow=True)
    q.refresh_from_db()
    assert not q.active
    assert q.pk not in services.load_bank(world.contest.pk).questions
    body = response.content.decode()
    assert "Đã ngừng dùng câu hỏi." in body
    assert "cần 6 câu mỗi lượt nhưng ngân hàng chỉ có 5 câu đang dùng" in body
    staff.post(url("question_toggle", q.pk))
    q.refresh_from_db()
    assert q.active


def test_categories_add_and_rename(staff: Any, world: factories.World) -> None:
    response = staff.post(url("category_list", world.contest.pk), {"name": "  Lịch sử   Đảng "})
    assert response.status_code == 302
    cat = Category.objects.get(contest=world.contest, name="Lịch sử Đảng")
    response = staff.post(url("category_list", world.contest.pk), {"name": "LICH SU DANG"})
    assert "Cuộc thi đã có chủ đề này." in response.content.decode()
    response = staff.post(url("category_rename", cat.pk), {"name": "chủ đề 1"})
    assert "Cuộc thi đã có chủ đề này." in response.content.decode()
    response = staff.post(url("category_rename", cat.pk), {"name": "Lịch sử địa phương"})
    assert response.status_code == 302
    cat.refresh_from_db()
    assert cat.name == "Lịch sử địa phương"


def test_question_add_without_topics_sends_to_topics(staff: Any, world: factories.World) -> None:
    contest = factories.make_contest(
        world.organizer, world.province, title="Cuộc thi trống", slug="cuoc-thi-trong", days=3
    )
    response = staff.get(url("question_add", contest.pk))
    assert response.status_code == 302
    assert response["Location"] == url("category_list", contest.pk)
