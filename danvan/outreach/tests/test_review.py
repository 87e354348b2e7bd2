"""The dialogues' and petitions' sections of the review report, against a
recount of the rows: the period's edges, a merged commune counted, a sibling's
left out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from danvan.core.restructuring import merge_areas
from danvan.core.review import REVIEW_SECTIONS
from danvan.core.tests.factories import make_commune
from danvan.core.tests.helpers import at
from danvan.outreach import dialogues, petitions
from danvan.outreach.models import Dialogue, Petition, PetitionStep
from danvan.outreach.review import dialogues_review, petitions_review
from danvan.outreach.tests.conftest import new_dialogue, new_petition

START, END = date(2025, 1, 1), date(2025, 6, 30)


def test_both_sections_are_registered() -> None:
    assert {"dialogues", "petitions"} <= set(REVIEW_SECTIONS)


def test_dialogues_held_in_the_period(world: Any) -> None:
    merged = make_commune(world.province, "Xã Hiệp Hưng", "31396")
    inside = new_dialogue(world, days=1)
    edge = new_dialogue(world, days=1, title="Cuối kỳ")
    outside = new_dialogue(world, days=1, title="Sau kỳ")
    from danvan.core import services
    from danvan.core.models import OrgKind

    party = services.create_organization(name="Đảng ủy xã Hiệp Hưng", kind=OrgKind.PARTY,
                                         area=merged)  # fmt: skip
    old = new_dialogue(world, days=1, title="Xã cũ", area=merged, organizer=party)
    sibling_party = services.create_organization(
        name="Đảng ủy xã Hòa An", kind=OrgKind.PARTY, area=world.other
    )
    sibling = new_dialogue(world, days=1, title="Xã bên", area=world.other, organizer=sibling_party)
    for d, day in (
        (inside, date(2025, 3, 2)),
        (edge, END),
        (outside, END + timedelta(1)),
        (old, date(2025, 2, 1)),
        (sibling, date(2025, 3, 3)),
    ):
        Dialogue.objects.filter(pk=d.pk).update(starts_at=at(day, 20))
        dialogues.record_outcome(d, attendance=50, groups_present="", minutes="Biên bản.")
    new_petition(world.hamlet, "Từ đối thoại", dialogue=inside)
    merge_areas(None, [merged], into=world.commune, effective_on=date(2025, 7, 1))
    result = dialogues_review(world.commune, START, END)
    assert result.figures == {"dialogues": 3, "attendance": 150, "raised": 1}
    assert "3 buổi" in result.paragraphs[0] and "150 lượt" in result.paragraphs[0]
    assert [row[2] for row in result.tables[0].rows] == ["Xã Hiệp Hưng", "Xã Phụng Hiệp",
                                                         "Xã Phụng Hiệp"]  # fmt: skip


def test_petitions_received_in_the_period_against_a_recount(world: Any) -> None:
    made = [new_petition(world.hamlet, f"Kiến nghị {i}") for i in range(4)]
    away = new_petition(world.other, "Xã bên")
    late_in = new_petition(world.hamlet, "Nhận sau kỳ")
    days = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), END]
    for p, day in zip(made, days, strict=True):
        Petition.objects.filter(pk=p.pk).update(received_at=at(day, 23))
        PetitionStep.objects.filter(petition=p).update(at=at(day, 23))
    Petition.objects.filter(pk=away.pk).update(received_at=at(date(2025, 2, 1)))
    Petition.objects.filter(pk=late_in.pk).update(received_at=at(END + timedelta(1), 0))
    p = [Petition.objects.get(pk=x.pk) for x in made]
    petitions.move_petition(p[0], "assign", agency=world.committee, deadline=date(2025, 1, 10))
    answered = petitions.move_petition(
        p[1], "assign", agency=world.committee, deadline=date(2025, 2, 20)
    )
    answered = petitions.move_petition(answered, "answer", answer="Đã giải quyết.")
    Petition.objects.filter(pk=answered.pk).update(answered_at=at(date(2025, 2, 15)))
    petitions.move_petition(p[2], "return", reason="Trùng.")
    result = petitions_review(world.commune, START, END)
    assert result.figures == {"received": 4, "answered": 1, "on_time": 1, "late": 1}
    text = result.paragraphs[0]
    assert "Tiếp nhận 4 kiến nghị" in text and "trả lại 1" in text
    by_field = result.tables[0]
    assert sum(row[1] for row in by_field.rows) == 4
    empty = petitions_review(world.other, date(2024, 1, 1), date(2024, 6, 30))
    assert empty.paragraphs == ["Trong kỳ, chưa tiếp nhận kiến nghị, phản ánh nào."]
