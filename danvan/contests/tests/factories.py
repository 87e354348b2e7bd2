"""Shared builders for contest tests: a contest with a bank, rounds, participants.

Built directly on the models (plus the core services for the unit tree) so that
every contest test starts from the same small, realistic world.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from danvan.contests.models import (
    Attempt,
    Award,
    Category,
    Choice,
    Contest,
    ContestStatus,
    Participant,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundQuota,
)
from danvan.contests.privacy import cccd_hash, encrypt_cccd
from danvan.core import services as core
from danvan.core.models import Area, AreaKind, Organization, OrgKind


@dataclass
class World:
    province: Area
    commune: Area
    hamlet: Area
    other_commune: Area
    organizer: Organization
    contest: Contest
    categories: list[Category]
    round: Round


def make_units() -> tuple[Area, Area, Area, Area, Organization]:
    province = core.add_area(
        None, name="Thành phố Cần Thơ", code="92", unit_type="Thành phố", kind=AreaKind.PROVINCE
    )
    commune = core.add_area(
        province, name="Xã Phụng Hiệp", code="31420", unit_type="Xã", kind=AreaKind.COMMUNE
    )
    hamlet = core.add_hamlet(commune, name="Phụng Thạnh", unit_type="Ấp")
    other = core.add_area(
        province, name="Xã Hòa An", code="31393", unit_type="Xã", kind=AreaKind.COMMUNE
    )
    organizer = core.create_organization(
        name="Ban Dân vận Thành ủy Cần Thơ", kind=OrgKind.MOBILISATION_BOARD, area=province
    )
    return province, commune, hamlet, other, organizer


def make_bank(contest: Contest, per_category: int = 6, categories: int = 2) -> list[Category]:
    """Questions "Câu k của chủ đề c": choice A right for single, A and C for multiple."""
    cats = []
    for c in range(1, categories + 1):
        cat = Category.objects.create(contest=contest, name=f"Chủ đề {c}")
        cats.append(cat)
        for k in range(1, per_category + 1):
            multiple = k % 3 == 0
            q = Question.objects.create(
                contest=contest,
                category=cat,
                text=f"Câu {k} của chủ đề {c}?",
                multiple=multiple,
                explanation=f"Giải thích câu {k}.",
            )
            for pos in range(4):
                Choice.objects.create(
                    question=q,
                    position=pos,
                    text=f"Phương án {'ABCD'[pos]} câu {k}",
                    correct=(pos == 0) or (multiple and pos == 2),
                )
    contest.refresh_from_db(fields=["bank_version"])  # replaced by the database
    return cats


def make_contest(
    organizer: Organization,
    area: Area,
    *,
    title: str = "Cuộc thi mới",
    slug: str = "cuoc-thi-moi",
    status: str = ContestStatus.DRAFT,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    days: int = 30,
    **fields: Any,
) -> Contest:
    """A contest with no topic, question or round: from now (or `starts_at`) to
    `days` later (or `ends_at`)."""
    starts_at = starts_at or timezone.now()
    return Contest.objects.create(
        title=title,
        slug=slug,
        organization=organizer,
        target_area=area,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(days=days),
        status=status,
        **fields,
    )


def sibling_contest(world: World, title: str, slug: str, status: str) -> Contest:
    """Another contest of the world's organiser over the same dates, with no round."""
    return make_contest(
        world.organizer,
        world.province,
        title=title,
        slug=slug,
        status=status,
        starts_at=world.contest.starts_at,
        ends_at=world.contest.ends_at,
    )


def add_contest(
    organizer: Organization,
    area: Area,
    *,
    title: str = "Tìm hiểu Đề án 08-ĐA/TU",
    slug: str = "",
    question_count: int = 4,
    max_attempts: int = 2,
    time_limit_seconds: int = 600,
    status: str = ContestStatus.PUBLISHED,
    **round_fields: Any,
) -> tuple[Contest, list[Category], Round]:
    """A contest open since yesterday for 30 days, with a bank of two topics and
    its first round, open for a week, drawing half its questions from each topic."""
    now = timezone.now()
    contest = make_contest(
        organizer,
        area,
        title=title,
        slug=slug or f"tim-hieu-de-an-08-{secrets.token_hex(3)}",
        summary="Cuộc thi trực tuyến thử nghiệm.",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        status=status,
    )
    cats = make_bank(contest)
    rnd = Round.objects.create(
        contest=contest,
        number=1,
        title="Tuần 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        question_count=question_count,
        max_attempts=max_attempts,
        time_limit_seconds=time_limit_seconds,
        **round_fields,
    )
    for cat in cats:
        RoundQuota.objects.create(round=rnd, category=cat, count=question_count // 2)
    return contest, cats, rnd


def make_world(**contest_fields: Any) -> World:
    """The units (made once per test) and a published contest in them (see add_contest)."""
    province, commune, hamlet, other, organizer = make_units()
    contest, cats, rnd = add_contest(organizer, province, **contest_fields)
    return World(province, commune, hamlet, other, organizer, contest, cats, rnd)


_n = {"i": 0}


def award_first_prize(
    world: World,
    participant: Participant,
    published_name: str,
    published_place: str,
    attempt: Attempt | None = None,
) -> Award:
    """A first prize (one) of the world's round, awarded to `participant` (with
    `attempt` when given) under the published name and place."""
    prize = Prize.objects.create(
        contest=world.contest, round=world.round, kind=PrizeKind.FIRST, quantity=1
    )
    return Award.objects.create(
        prize=prize,
        round=world.round,
        participant=participant,
        attempt=attempt,
        rank=1,
        published_name=published_name,
        published_place=published_place,
    )


def make_participant(contest: Contest, area: Area, **fields: Any) -> Participant:
    _n["i"] += 1
    i = _n["i"]
    cccd = fields.pop("cccd", "")
    defaults: dict[str, Any] = {
        "full_name": f"Nguyễn Thị Mỹ Linh {i}",
        "birth_date": date(1990, 5, 17),
        "sex": "female",
        "phone": f"09{i:08d}",
        "occupation": "people",
        "consent_version": contest.consent_version,
        "consented_at": timezone.now(),
        "access_code": secrets.token_hex(4).upper(),
    }
    defaults.update(fields)
    return Participant.objects.create(
        contest=contest,
        area=area,
        cccd_encrypted=encrypt_cccd(cccd),
        cccd_hash=cccd_hash(cccd),
        **defaults,
    )


def right_answers(attempt: Any) -> dict[str, list[int]]:
    """The correct choice ids of every question on the attempt's paper."""
    out = {}
    for qid, _cids in attempt.paper:
        out[str(qid)] = list(
            Choice.objects.filter(question_id=qid, correct=True).values_list("id", flat=True)
        )
    return out
