"""Retention: personal data of expired contests is erased; attempts, statistics
and published prize names stay; running twice changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from danvan.contests import services
from danvan.contests.models import (
    Attempt,
    Award,
    Contest,
    Participant,
    Round,
)
from danvan.contests.retention import erase_expired, expired_contests
from danvan.contests.stats import round_statistics
from danvan.contests.tests.factories import (
    add_contest,
    award_first_prize,
    make_participant,
    make_world,
    right_answers,
)
from danvan.core.jobs import start_job
from danvan.core.masking import mask_name
from danvan.core.models import JobStatus, Role
from danvan.core.tests.factories import make_staff
from danvan.core.text import slug_vi


def _another(world: Any, title: str) -> Any:
    """A second contest in the same units (the units can only be made once)."""
    contest, _cats, rnd = add_contest(
        world.organizer, world.province, title=title, slug=slug_vi(title)
    )
    return SimpleNamespace(contest=contest, round=rnd, hamlet=world.hamlet)


def _play(world: Any, name: str, right: int) -> Participant:
    p = make_participant(world.contest, world.hamlet, full_name=name, cccd="0932010012" + name[-2:])
    attempt = services.start_attempt(world.round, p)
    correct = right_answers(attempt)
    answers = {str(q): correct[str(q)] for q, _c in attempt.paper[:right]}
    services.submit_attempt(attempt.token, answers, 10)
    return p


def _end(contest: Contest, days_ago: int, retention_days: int = 180) -> None:
    """Move a contest (and its round) into the past: ended `days_ago` days ago."""
    now = timezone.now()
    ends = now - timedelta(days=days_ago)
    Contest.objects.filter(pk=contest.pk).update(
        starts_at=ends - timedelta(days=30), ends_at=ends, retention_days=retention_days
    )
    Round.objects.filter(contest=contest).update(
        opens_at=ends - timedelta(days=30), closes_at=ends - timedelta(days=1)
    )
    contest.refresh_from_db()


@pytest.fixture
def worlds(db: Any) -> Any:
    expired = make_world()
    winner = _play(expired, "Nguyễn Thị Mỹ Linh 01", right=4)
    _play(expired, "Lê Văn Tâm 02", right=2)
    award_first_prize(
        expired, winner, mask_name(winner.full_name), "Ấp Phụng Thạnh", winner.attempts.get()
    )
    recent = _another(expired, "Cuộc thi gần đây")  # ended, still within its retention period
    _play(recent, "Trần Văn Bình 03", right=3)
    running = _another(expired, "Cuộc thi đang diễn ra")  # not ended at all
    _play(running, "Phạm Thị Hà 04", right=1)
    _end(expired.contest, days_ago=181)
    _end(recent.contest, days_ago=10)
    return expired, recent, running


def test_only_expired_contests_are_erased(worlds: Any) -> None:
    expired, recent, running = worlds
    before = round_statistics(expired.round, fresh=True)
    attempts_before = list(
        Attempt.objects.filter(round=expired.round).values_list("pk", "score", "counted")
    )

    assert [c.pk for c in expired_contests()] == [expired.contest.pk]
    report = erase_expired(batch_size=1)
    assert report.total == 2

    erased = Participant.objects.filter(contest=expired.contest)
    assert all(p.erased_at is not None for p in erased)
    assert not erased.exclude(phone="").exists()
    assert not erased.exclude(cccd_encrypted="").exists()
    assert not erased.filter(full_name__startswith="Nguyễn").exists()
    assert not erased.filter(birth_date__isnull=False).exists()
    for world in (recent, running):
        kept = Participant.objects.filter(contest=world.contest)
        assert kept.filter(erased_at__isnull=True).count() == 1
        assert kept.exclude(phone="").count() == 1

    # Attempts, statistics and the published prize name stay.
    assert (
        list(Attempt.objects.filter(round=expired.round).values_list("pk", "score", "counted"))
        == attempts_before
    )
    after = round_statistics(expired.round, fresh=True)
    assert (after.participants, after.attempts, after.score_distribution, after.perfect) == (
        before.participants,
        before.attempts,
        before.score_distribution,
        before.perfect,
    )
    assert [(r.label, r.participants) for r in after.communes] == [
        (r.label, r.participants) for r in before.communes
    ]
    award = Award.objects.get()
    assert award.published_name == mask_name("Nguyễn Thị Mỹ Linh 01") == "Nguyễn T. M. L. 01"
    assert award.published_place == "Ấp Phụng Thạnh"


def test_running_twice_erases_nothing_more(worlds: Any) -> None:
    expired, _recent, _running = worlds
    assert erase_expired().total == 2
    stamps = list(Participant.objects.filter(contest=expired.contest).values_list("erased_at"))
    second = erase_expired()
    assert second.total == 0
    assert second.summary() == "Không có dữ liệu cá nhân nào hết hạn lưu trữ cần xóa."
    assert (
        list(Participant.objects.filter(contest=expired.contest).values_list("erased_at")) == stamps
    )


def test_boundary_is_ends_at_plus_retention_days(worlds: Any) -> None:
    _expired, recent, _running = worlds
    deadline = recent.contest.ends_at + timedelta(days=recent.contest.retention_days)
    assert recent.contest not in expired_contests(now=deadline - timedelta(seconds=1))
    assert recent.contest in expired_contests(now=deadline)


def test_dry_run_changes_nothing(worlds: Any) -> None:
    report = erase_expired(dry_run=True)
    assert report.total == 2 and report.summary().startswith("Sẽ xóa")
    assert not Participant.objects.filter(erased_at__isnull=False).exists()


def test_command_prints_a_vietnamese_summary(worlds: Any) -> None:
    out = io.StringIO()
    call_command("erase_expired_participants", stdout=out)
    text = out.getvalue()
    assert "Đã xóa dữ liệu cá nhân của 2 người dự thi thuộc 1 cuộc thi" in text
    assert "Tìm hiểu Đề án 08-ĐA/TU" in text
    out = io.StringIO()
    call_command("erase_expired_participants", "--batch-size", "1", stdout=out)
    assert "Không có dữ liệu cá nhân nào" in out.getvalue()


def test_job_erases_within_the_starter_scope(
    worlds: Any, django_capture_on_commit_callbacks: Any
) -> None:
    expired, _recent, _running = worlds
    # Someone who cannot manage the expired contest erases nothing.
    outsider = make_staff("ngoai", Role.BOARD_ADMIN, area=expired.other_commune)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(outsider, "erase_expired", "Xóa dữ liệu hết hạn")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["erased"] == 0
    assert not Participant.objects.filter(erased_at__isnull=False).exists()

    manager = make_staff("quanly", Role.BOARD_ADMIN, area=expired.province)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(manager, "erase_expired", "Xóa dữ liệu hết hạn")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["erased"] == 2
    assert "Đã xóa dữ liệu cá nhân của 2 người dự thi" in job.message
