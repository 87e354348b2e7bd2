"""The contests' section of the review report (`contests/review.py`): the
contests of the unit's bodies (a commune merged into it included, a sibling's
left out) whose window meets the period, their participants and sittings in
the period, the prizes of rounds that closed in it; against a recount of the
raw rows."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

import pytest

from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Round,
)
from danvan.contests.review import contests_review
from danvan.contests.tests.factories import make_contest, make_participant
from danvan.core.review import REVIEW_SECTIONS, day_bounds
from danvan.core.tests.helpers import at, review_units, within

START, END = date(2025, 1, 1), date(2025, 6, 30)


def _round(contest: Contest, closes: date) -> Round:
    return Round.objects.create(
        contest=contest, number=1, opens_at=contest.starts_at, closes_at=at(closes, 20)
    )


def _attempt(rnd: Round, person: Any, started: date, status: str, number: int = 1) -> Attempt:
    return Attempt.objects.create(
        round=rnd, participant=person, number=number, token=secrets.token_hex(8),
        started_at=at(started), deadline=at(started) + timedelta(minutes=10), status=status,
    )  # fmt: skip


def _award(rnd: Round, kind: str, person: Any = None) -> Award:
    prize, _ = Prize.objects.get_or_create(
        contest=rnd.contest, round=rnd, kind=kind, defaults={"quantity": 1}
    )
    return Award.objects.create(prize=prize, round=rnd, participant=person, rank=1,
                                published_name="Người đạt giải")  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    units = review_units()
    commune, old, sibling = units.commune, units.old, units.sibling
    body, old_body, sib_body = units.boards()

    def contest(org: Any, slug: str, start: date, end: date, status: str) -> Contest:
        return make_contest(org, org.area, title=f"Tìm hiểu {slug}", slug=slug,
                            starts_at=at(start), ends_at=at(end, 21), status=status)  # fmt: skip

    c1 = contest(body, "nghi-quyet", date(2025, 3, 1), date(2025, 4, 30), ContestStatus.PUBLISHED)
    c0 = contest(old_body, "lich-su", date(2025, 2, 1), date(2025, 2, 28), ContestStatus.ARCHIVED)
    c2 = contest(sib_body, "hoa-an", date(2025, 3, 1), date(2025, 4, 30), ContestStatus.PUBLISHED)
    contest(body, "nhap", date(2025, 3, 1), date(2025, 4, 30), ContestStatus.DRAFT)
    c4 = contest(body, "sau-ky", date(2025, 8, 1), date(2025, 8, 30), ContestStatus.PUBLISHED)
    r1, r0, r2, r4 = (
        _round(c1, date(2025, 4, 30)), _round(c0, date(2025, 2, 28)),
        _round(c2, date(2025, 4, 30)), _round(c4, date(2025, 8, 30)),
    )  # fmt: skip
    p1, p2, p3 = (make_participant(c1, commune) for _ in range(3))
    p4 = make_participant(c0, old)
    p5 = make_participant(c2, sibling)
    p6 = make_participant(c4, commune)
    _attempt(r1, p1, date(2025, 3, 2), AttemptStatus.SUBMITTED)
    _attempt(r1, p1, date(2025, 3, 3), AttemptStatus.SUBMITTED, 2)
    _attempt(r1, p2, date(2025, 4, 1), AttemptStatus.EXPIRED)
    _attempt(r1, p3, date(2025, 4, 2), AttemptStatus.IN_PROGRESS)  # not counted
    _attempt(r1, p3, date(2025, 7, 2), AttemptStatus.SUBMITTED, 2)  # after the period
    _attempt(r0, p4, date(2025, 2, 3), AttemptStatus.SUBMITTED)
    _attempt(r2, p5, date(2025, 3, 5), AttemptStatus.SUBMITTED)  # a sibling's
    _attempt(r4, p6, date(2025, 8, 5), AttemptStatus.SUBMITTED)  # after the period
    _award(r1, PrizeKind.FIRST, p1)
    _award(r1, PrizeKind.COLLECTIVE)
    _award(r0, PrizeKind.CONSOLATION, p4)
    _award(r2, PrizeKind.FIRST, p5)
    _award(r4, PrizeKind.FIRST, p6)
    units.merge_old()
    return {"commune": commune, "province": units.province, "sibling": sibling}


def recount(area: Any) -> dict[str, int]:
    """The figures from the raw rows, row by row in Python."""
    inside = within(area)
    first, after = day_bounds(START, END)

    def mine(contest: Contest) -> bool:
        return (
            inside(contest.organization.area.path)
            and contest.status != ContestStatus.DRAFT
            and contest.starts_at < after
            and contest.ends_at > first
        )

    contests = [c for c in Contest.objects.select_related("organization__area") if mine(c)]
    ids = {c.pk for c in contests}
    attempts = [
        a for a in Attempt.objects.select_related("round")
        if a.round.contest_id in ids and first <= a.started_at < after
        and a.status in (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
    ]  # fmt: skip
    prizes = [
        w for w in Award.objects.select_related("round") if w.prize.contest_id in ids
        and w.round is not None and first <= w.round.closes_at < after
    ]  # fmt: skip
    return {
        "contests": len(contests),
        "participants": len({(a.round.contest_id, a.participant_id) for a in attempts}),
        "attempts": len(attempts),
        "prizes": len(prizes),
    }


def test_the_figures_of_a_commune_with_a_merged_one(world: dict[str, Any]) -> None:
    result = contests_review(world["commune"], START, END)
    assert result.figures == {"contests": 2, "participants": 3, "attempts": 4, "prizes": 3}
    assert result.figures == recount(world["commune"])
    assert "tổ chức 2 cuộc thi trực tuyến" in result.paragraphs[0]
    assert "“Tìm hiểu lich-su”" in result.paragraphs[0]
    assert "Đã trao 2 giải cá nhân và 1 giải tập thể" in result.paragraphs[1]
    table = result.tables[0]
    assert table.rows[-1] == ["", "Tổng cộng", "", "", 3, 4, 2, 1]


def test_the_province_counts_every_commune(world: dict[str, Any]) -> None:
    result = contests_review(world["province"], START, END)
    assert result.figures == recount(world["province"])
    assert result.figures["contests"] == 3


def test_a_unit_without_contests_says_so(world: dict[str, Any]) -> None:
    result = contests_review(world["sibling"], date(2024, 1, 1), date(2024, 6, 30))
    assert result.paragraphs == ["Trong kỳ, chưa tổ chức cuộc thi trực tuyến nào."]
    assert result.tables == []


def test_the_section_is_registered() -> None:
    assert REVIEW_SECTIONS["contests"].compute is contests_review
