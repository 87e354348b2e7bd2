"""The demo dialogues and petitions of Xã Phụng Hiệp (manage.py load_demo): a
dialogue held last month with the petitions it raised, one announced for next
week, and petitions in every status, two of them late and one due soon, so
that the reminders and the statistics have something to show."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from danvan.core.demo import DemoError, Writer, drawn_photo, say
from danvan.core.models import Area, Organization, OrgKind
from danvan.core.photos import process_waiting
from danvan.outreach import dialogues, petitions
from danvan.outreach.models import (
    Audience,
    ChairRole,
    Dialogue,
    DialoguePhoto,
    Field,
    Petition,
    PetitionStep,
    Source,
)

HELD_TITLE = "Bí thư Đảng ủy xã đối thoại với nông dân về chuyển đổi cây trồng"


def _body(area: Area, kind: str) -> Organization:
    body = Organization.objects.current().filter(area=area, kind=kind).order_by("pk").first()
    if body is None:
        raise DemoError(f"Không tạo được đối thoại mẫu: {area.name} chưa có cơ quan cần thiết.")
    return body


def _backdate(petition: Petition, days: int) -> None:
    """Demo only: the petition was received `days` ago (its steps likewise)."""
    when = timezone.now() - timedelta(days=days)
    Petition.objects.filter(pk=petition.pk).update(received_at=when)
    PetitionStep.objects.filter(petition=petition).update(at=when)


@transaction.atomic
def load_outreach_demo(stdout: Writer | None = None) -> str:
    """Load the demo (once); return the public code of a petition answered."""
    existing = Dialogue.objects.filter(title=HELD_TITLE).first()
    if existing is not None:
        answered = existing.petitions.exclude(answer="").order_by("pk").first()
        return answered.code if answered else ""
    commune = Area.objects.current().filter(code="31420").first()  # Xã Phụng Hiệp
    if commune is None:
        raise DemoError("Không tạo được đối thoại mẫu: chưa có Xã Phụng Hiệp (mã 31420).")
    party = _body(commune, OrgKind.PARTY)
    committee = _body(commune, OrgKind.GOVERNMENT)
    front = _body(commune, OrgKind.FRONT)
    farmers = Organization.objects.current().filter(area=commune, kind=OrgKind.FARMERS).first()
    hamlet = Area.objects.current().filter(path__startswith=commune.path, depth=commune.depth + 1)
    hamlet_area = hamlet.order_by("path").first() or commune
    now = timezone.now()
    held = Dialogue(
        title=HELD_TITLE,
        area=commune,
        organizer=party,
        chair_role=ChairRole.PARTY_SECRETARY,
        chair_name="Nguyễn Văn Hùng",
        starts_at=now - timedelta(days=30),
        place="Hội trường Ủy ban nhân dân xã",
        audience=Audience.FARMERS,
        topics="Chuyển đổi từ lúa sang cây ăn trái; vốn vay ưu đãi; đường nội đồng mùa lũ.",
    )
    dialogues.schedule_dialogue(held, cohosts=[b for b in (front, farmers) if b])
    dialogues.record_outcome(
        held,
        attendance=126,
        groups_present="Hộ nông dân 5 ấp, Hội Nông dân xã, cán bộ ngân hàng chính sách",
        minutes="Đồng chí Bí thư ghi nhận 2 kiến nghị, giao UBND xã trả lời trong 15 ngày.",
    )
    rng = random.Random(1681)
    dialogues.add_dialogue_photos(
        held,
        [drawn_photo(rng), drawn_photo(rng)],
        ["Quang cảnh buổi đối thoại", "Bà con phát biểu ý kiến"],
    )
    process_waiting(DialoguePhoto)
    coming = Dialogue(
        title="Chủ tịch UBND xã đối thoại với thanh niên về việc làm",
        area=commune,
        organizer=committee,
        chair_role=ChairRole.COMMITTEE_CHAIR,
        chair_name="Trần Thị Mai",
        starts_at=now + timedelta(days=7),
        place="Nhà văn hóa ấp",
        audience=Audience.YOUTH,
        topics="Việc làm tại khu công nghiệp; học nghề; vay vốn khởi nghiệp.",
    )
    dialogues.schedule_dialogue(coming, cohosts=[front])
    dialogues.announce_dialogue(coming)

    def make(content: str, field: str, days: int, **kwargs: object) -> Petition:
        p = petitions.receive_petition(content=content, field=field, area=hamlet_area, **kwargs)  # type: ignore[arg-type]
        _backdate(p, days)
        return Petition.objects.get(pk=p.pk)

    road = make(
        "Đường nội đồng ấp bị ngập mỗi mùa lũ, đề nghị nâng cấp.",
        Field.INFRASTRUCTURE,
        30,
        source=Source.DIALOGUE,
        dialogue=held,
        raiser_name="Lê Văn Tư",
    )
    road = petitions.move_petition(
        road, "assign", agency=committee, deadline=timezone.localdate() - timedelta(days=15)
    )
    loan = make(
        "Đề nghị hướng dẫn thủ tục vay vốn chuyển đổi cây trồng.",
        Field.ECONOMY,
        30,
        source=Source.DIALOGUE,
        dialogue=held,
    )
    loan = petitions.move_petition(
        loan, "assign", agency=committee, deadline=timezone.localdate() + timedelta(days=5)
    )
    loan = petitions.move_petition(
        loan,
        "answer",
        answer="UBND xã đã phối hợp Ngân hàng Chính sách xã hội tổ chức hướng dẫn tại 5 ấp; "
        "hồ sơ vay nộp tại Tổ tiết kiệm và vay vốn của ấp.",
    )
    petitions.move_petition(loan, "close")
    light = make(
        "Đèn đường khu chợ hư hơn một tháng, buổi tối mất an toàn.",
        Field.SECURITY,
        6,
        source=Source.CITIZEN,
        raiser_phone="0912345678",
    )
    petitions.move_petition(
        light, "assign", agency=committee, deadline=timezone.localdate() + timedelta(days=2)
    )
    make(
        "Bà con phản ánh mùi hôi từ trại heo gần trường học.",
        Field.ENVIRONMENT,
        2,
        source=Source.OPINION,
        source_note="Báo cáo dư luận xã hội tháng này",
    )
    say(stdout, "Đối thoại và kiến nghị mẫu: 2 buổi đối thoại, 4 kiến nghị.")
    return loan.code
