"""The evaluation council (hội đồng thẩm định) of a practice proposed for
recognition: each member scores every active criterion from 0 to 10; a
member's total is the weighted sum on 100 (score × weight / 10); the council's
figure is the members' average. The decision itself is the lifecycle's
"recognise" or "refuse" (services.advance), taken in view of these totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from danvan.practices.models import Criterion, Practice, Score, Status


def criteria() -> list[Criterion]:
    return list(Criterion.objects.filter(active=True))


def score_practice(practice: Practice, member: Any, scores: dict[int, int]) -> None:
    """Record `member`'s scores (criterion id -> 0..10), replacing theirs; only
    while the practice is proposed for recognition, and for every criterion."""
    wanted = {c.pk for c in criteria()}
    if set(scores) != wanted:
        raise ValidationError("Hãy chấm điểm đủ các tiêu chí.", code="criteria")
    if any(not 0 <= value <= Score.MAX for value in scores.values()):
        raise ValidationError(f"Điểm mỗi tiêu chí từ 0 đến {Score.MAX}.", code="range")
    with transaction.atomic():
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        if locked.status != Status.PROPOSED:
            raise ValidationError(
                "Chỉ chấm điểm mô hình đang được đề nghị công nhận.", code="status"
            )
        for criterion_id, value in scores.items():
            Score.objects.update_or_create(
                practice=locked,
                member=member,
                criterion_id=criterion_id,
                defaults={"score": value},
            )


@dataclass
class MemberTotal:
    member: Any
    scores: dict[int, int] = field(default_factory=dict)
    total: float = 0.0


@dataclass
class Evaluation:
    criteria: list[Criterion]
    members: list[MemberTotal]

    @property
    def average(self) -> float | None:
        done = [m.total for m in self.members]
        return sum(done) / len(done) if done else None


def evaluation_of(practice: Practice) -> Evaluation:
    items = criteria()
    weights = {c.pk: c.weight for c in items}
    members: dict[int, MemberTotal] = {}
    for s in Score.objects.filter(practice=practice).select_related("member"):
        row = members.setdefault(s.member_id, MemberTotal(s.member))
        row.scores[s.criterion_id] = s.score
    for row in members.values():
        row.total = sum(row.scores.get(pk, 0) * w for pk, w in weights.items()) / Score.MAX
    return Evaluation(items, sorted(members.values(), key=lambda m: m.member.pk))
