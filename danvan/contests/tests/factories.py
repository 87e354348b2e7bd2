"""Shared builders for contest tests: a contest with a bank, rounds, participants.

Built directly on the models (plus the core services for the unit tree) so that
every contest test starts from the same small, realistic world.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from danvan.contests.models import (
    Category,
    Choice,
    Contest,
    ContestStatus,
    Participant,
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


def make_world(
    *,
    question_count: int = 4,
    max_attempts: int = 2,
    time_limit_seconds: int = 600,
    status: str = ContestStatus.PUBLISHED,
    **round_fields: Any,
) -> World:
    province, commune, hamlet, other, organizer = make_units()
    now = timezone.now()
    contest = Contest.objects.create(
        title="Tìm hiểu Đề án 08-ĐA/TU",
        slug=f"tim-hieu-de-an-08-{secrets.token_hex(3)}",
        summary="Cuộc thi trực tuyến thử nghiệm.",
        organization=organizer,
        target_area=province,
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
    return World(province, commune, hamlet, other, organizer, contest, cats, rnd)


_n = {"i": 0}


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
