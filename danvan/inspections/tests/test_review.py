"""The inspections' section of the review report, against the rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from danvan.core.review import REVIEW_SECTIONS
from danvan.inspections import services
from danvan.inspections.models import Kind
from danvan.inspections.review import inspections_review
from danvan.inspections.tests.conftest import new_inspection


def test_inspections_of_the_period(world: Any) -> None:
    assert "inspections" in REVIEW_SECTIONS
    first = services.conclude_inspection(
        new_inspection(world), findings="F", conclusions="C", concluded_on=date(2025, 3, 6)
    )
    done = services.add_recommendation(first, text="A", deadline=date(2025, 4, 1))
    services.settle_recommendation(done, done_on=date(2025, 3, 30), result="Xong")
    services.add_recommendation(first, text="B", deadline=date(2025, 4, 1))
    new_inspection(world, kind=Kind.SUPERVISION, starts_on=date(2025, 6, 29),
                   ends_on=date(2025, 6, 30))  # fmt: skip
    result = inspections_review(world.commune, date(2025, 1, 1), date(2025, 6, 30))
    assert result.figures == {"inspections": 2, "concluded": 1, "made": 2, "done": 1}
    assert "1 cuộc kiểm tra và 1 cuộc giám sát" in result.paragraphs[0]
    assert "quá hạn chưa thực hiện 1" in result.paragraphs[0]
    assert len(result.tables[0].rows) == 2
    later = inspections_review(world.commune, date(2025, 7, 1), date(2025, 12, 31))
    assert later.paragraphs == ["Trong kỳ, chưa tiến hành cuộc kiểm tra, giám sát nào."]
    assert inspections_review(world.other, date(2025, 1, 1), date(2025, 6, 30)).figures == {}
