"""The practices' section of the review report (`practices/review.py`):
practices registered, replicated and recognised in the period, good deeds
nominated, published and commended, in the unit and the commune merged into
it; against a recount of the raw rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from danvan.core.review import REVIEW_SECTIONS
from danvan.core.tests.factories import make_hamlet
from danvan.core.tests.helpers import at, review_units, within
from danvan.practices.models import DeedStatus, GoodDeed, Kind, Level, Practice, Status
from danvan.practices.review import practices_review
from danvan.practices.tests.factories import make_practice

START, END = date(2025, 1, 1), date(2025, 6, 30)


def _practice(area: Any, title: str, created: date, **values: Any) -> Practice:
    p = make_practice(area, title=title)
    Practice.objects.filter(pk=p.pk).update(created_at=at(created), **values)
    return p


def _deed(area: Any, created: date, **values: Any) -> GoodDeed:
    deed = GoodDeed.objects.create(
        nominee_name="Bà Trần Thị Mười",
        area=area,
        deed="Nấu cơm cho bệnh nhân nghèo.",
        nominator_name="Lê Văn Tư",
        **values,
    )
    GoodDeed.objects.filter(pk=deed.pk).update(created_at=at(created))
    return deed


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    units = review_units()
    commune, old, sibling = units.commune, units.old, units.sibling
    hamlet = make_hamlet(commune, "Ấp Phụng Thạnh")
    recognised = {"status": Status.RECOGNISED, "recognised_level": Level.COMMUNE}
    first = _practice(
        commune,
        "Dân vận khéo trong xây dựng nông thôn mới",
        date(2024, 5, 1),
        decision_date=date(2025, 3, 1),
        decision_number="12-QĐ/ĐU",
        **recognised,
    )
    _practice(
        old,
        "Gương cựu chiến binh làm kinh tế giỏi",
        date(2025, 2, 1),
        kind=Kind.EXEMPLAR,
        decision_date=date(2025, 5, 1),
        status=Status.REPLICATED,
        recognised_level=Level.DISTRICT,
    )
    _practice(hamlet, "Tuyến đường hoa", date(2025, 4, 1), replicated_from=first)
    _practice(
        commune, "Công nhận sau kỳ", date(2025, 2, 1), decision_date=date(2025, 8, 1), **recognised
    )
    _practice(
        sibling, "Mô hình xã bên", date(2025, 2, 1), decision_date=date(2025, 3, 1), **recognised
    )
    _deed(
        hamlet,
        date(2025, 2, 1),
        status=DeedStatus.PUBLISHED,
        published_at=at(date(2025, 2, 9)),
        decision_date=date(2025, 3, 1),
    )
    _deed(old, date(2025, 3, 1))
    _deed(
        commune, date(2024, 12, 1), status=DeedStatus.PUBLISHED, published_at=at(date(2025, 1, 9))
    )
    _deed(sibling, date(2025, 3, 1))
    units.merge_old()
    return {"commune": commune, "province": units.province}


def recount(area: Any) -> dict[str, int]:
    inside = within(area)
    lo, hi = at(START).replace(hour=0), at(date(2025, 7, 1)).replace(hour=0)

    def mine(row: Any) -> bool:
        return inside(row.area.path)

    practices = [p for p in Practice.objects.select_related("area") if mine(p)]
    deeds = [d for d in GoodDeed.objects.select_related("area") if mine(d)]
    registered = [p for p in practices if lo <= p.created_at < hi]
    recognised = [
        p
        for p in practices
        if p.status in (Status.RECOGNISED, Status.REPLICATED)
        and p.decision_date
        and START <= p.decision_date <= END
    ]
    return {
        "registered": len(registered),
        "replicated": sum(p.replicated_from_id is not None for p in registered),
        "recognised_practices": sum(p.kind == Kind.PRACTICE for p in recognised),
        "recognised_exemplars": sum(p.kind == Kind.EXEMPLAR for p in recognised),
        "deeds_nominated": sum(lo <= d.created_at < hi for d in deeds),
        "deeds_published": sum(
            d.status == DeedStatus.PUBLISHED
            and d.published_at is not None
            and lo <= d.published_at < hi
            for d in deeds
        ),
        "deeds_commended": sum(
            d.decision_date is not None and START <= d.decision_date <= END for d in deeds
        ),
    }


def test_the_figures_of_a_commune_with_a_merged_one(world: dict[str, Any]) -> None:
    result = practices_review(world["commune"], START, END)
    assert result.figures == {
        "registered": 3,
        "replicated": 1,
        "recognised_practices": 1,
        "recognised_exemplars": 1,
        "deeds_nominated": 2,
        "deeds_published": 2,
        "deeds_commended": 1,
    }
    assert result.figures == recount(world["commune"])
    assert result.paragraphs[0] == (
        "Trong kỳ, có 3 mô hình, điển hình “Dân vận khéo” đăng ký xây dựng (trong đó 1 mô hình "
        "nhân rộng); 1 mô hình và 1 điển hình được công nhận (1 cấp xã, 1 cấp huyện, thành phố)."
    )
    assert [r[1] for r in result.tables[0].rows] == [
        "Dân vận khéo trong xây dựng nông thôn mới",
        "Gương cựu chiến binh làm kinh tế giỏi",
    ]


def test_the_province(world: dict[str, Any]) -> None:
    assert practices_review(world["province"], START, END).figures == recount(world["province"])


def test_the_section_is_registered() -> None:
    assert REVIEW_SECTIONS["practices"].compute is practices_review
