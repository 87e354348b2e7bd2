"""The demo's practices and exemplars: two dozen across the demo communes and
the four fields, at every step of the lifecycle, with results and photos the
project draws itself (no downloaded image); some communes are left without
one, so that the coverage page has gaps to show, and a practice of a former
commune counts for its successor. Then good deeds (published, and public
nominations waiting) and a voting campaign open now, with votes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from danvan.core.demo import Writer, demo_home, drawn_photo
from danvan.core.demo import say as _say
from danvan.core.models import Area, AreaKind, Organization
from danvan.practices import services
from danvan.practices.models import (
    Campaign,
    DeedStatus,
    Entry,
    Field,
    GoodDeed,
    Kind,
    Level,
    Photo,
    PhotoStatus,
    Practice,
    Status,
)
from danvan.practices.photos import add_photos, process_photo

SEED = 1930
CREATOR_USERNAME = "bdv.cantho"

# (title, field, kind, the steps it has gone through)
ENTRIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("Dân vận khéo trong hiến đất làm đường giao thông nông thôn", Field.ECONOMY, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Tổ hợp tác trồng khóm liên kết tiêu thụ", Field.ECONOMY, Kind.PRACTICE,
     ("start", "propose")),
    ("Mỗi hội viên một phần quà cho hộ nghèo", Field.SOCIETY, Kind.PRACTICE, ("start",)),
    ("Tuyến đường hoa, đường sáng — xanh — sạch — đẹp", Field.SOCIETY, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Camera an ninh kết nối với tổ tự quản", Field.DEFENCE, Kind.PRACTICE, ("start",)),
    ("Tổ dân vận khéo giải quyết mâu thuẫn ở cơ sở", Field.DEFENCE, Kind.PRACTICE,
     ("start", "propose", "refuse")),
    ("Chi bộ đối thoại trực tiếp với Nhân dân mỗi quý", Field.POLITICS, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Cán bộ, đảng viên nhận đỡ đầu hộ cận nghèo", Field.POLITICS, Kind.PRACTICE, ()),
    ("Nông dân sản xuất lúa theo hướng hữu cơ", Field.ECONOMY, Kind.PRACTICE, ("start",)),
    ("Hội quán phụ nữ tiết kiệm", Field.SOCIETY, Kind.PRACTICE, ("start", "stop")),
    ("Ông Nguyễn Văn Hai — người hiến 1.200 m² đất làm trường học", Field.SOCIETY,
     Kind.EXEMPLAR, ("start", "propose", "recognise")),
    ("Chi hội Cựu chiến binh ấp vận động xây cầu", Field.ECONOMY, Kind.EXEMPLAR,
     ("start", "propose")),
    ("Nhà nhân ái cho hộ nghèo từ sức dân", Field.SOCIETY, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Ấp không có người nghiện, không tội phạm", Field.DEFENCE, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Hộp thư góp ý điện tử của chính quyền xã", Field.POLITICS, Kind.PRACTICE,
     ("start", "propose")),
    ("Tổ hòa giải ở cơ sở gắn với già làng, người có uy tín", Field.DEFENCE, Kind.PRACTICE,
     ("start",)),
    ("Nuôi cá trên ruộng lúa theo tổ liên kết", Field.ECONOMY, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Góp đá xây cầu, góp sức làm đường", Field.ECONOMY, Kind.PRACTICE, ()),
    ("Tủ sách dùng chung ở nhà văn hóa ấp", Field.SOCIETY, Kind.PRACTICE,
     ("start", "propose", "refuse")),
    ("Bà Lâm Thị Năm — 20 năm vận động phụ nữ tiết kiệm giúp nhau", Field.SOCIETY,
     Kind.EXEMPLAR, ("start", "propose", "recognise")),
    ("Đảng viên gương mẫu nơi cư trú", Field.POLITICS, Kind.PRACTICE,
     ("start", "propose", "recognise")),
    ("Thanh niên tình nguyện số hóa thủ tục hành chính", Field.POLITICS, Kind.PRACTICE,
     ("start",)),
    ("Ông Trần Văn Bảy — người giữ gìn an ninh trật tự ở ấp", Field.DEFENCE,
     Kind.EXEMPLAR, ("start", "propose")),
    ("Tổ phụ nữ thu gom rác thải nhựa đổi quà", Field.SOCIETY, Kind.PRACTICE,
     ("start", "stop")),
]  # fmt: skip

INDICATORS = [
    ("Tiền vận động được", "đồng", 150_000_000, 2_500_000_000),
    ("Diện tích đất hiến", "m²", 200, 6_000),
    ("Ngày công lao động", "ngày công", 100, 3_000),
    ("Đường giao thông nông thôn làm mới", "km", 1, 12),
    ("Hộ thoát nghèo", "hộ", 3, 60),
]


# (nominee, collective, the deed, nominee consents, published)
DEEDS = [
    ("Bà Trần Thị Mười", False, "Nấu cơm miễn phí cho bệnh nhân nghèo ở trạm y tế xã suốt "
     "5 năm, mỗi ngày hơn 50 suất.", True, True),
    ("Tổ tự quản đường hoa ấp Phụng Thạnh", True, "Vận động bà con trồng và chăm sóc 2 km "
     "đường hoa, tự góp tiền làm đèn chiếu sáng.", False, True),
    ("Ông Nguyễn Văn Hai", False, "Hiến 1.200 m² đất để xây điểm trường mẫu giáo của ấp.",
     False, True),
    ("Chi đoàn ấp Long Thạnh", True, "Sửa miễn phí xe đạp cho học sinh trước năm học mới.",
     False, False),
    ("Anh Lê Văn Út", False, "Nhặt được ví có 12 triệu đồng, tìm trả lại người đánh rơi.",
     False, False),
]  # fmt: skip


def load_practices_demo(stdout: Writer | None = None) -> int:
    """Create the demo practices (once); return how many there are."""
    if Practice.objects.exists():
        _say(stdout, "Mô hình mẫu đã có; không tạo thêm.")
        return Practice.objects.count()
    organizer, city = demo_home("mô hình mẫu")
    creator = get_user_model().objects.filter(username=CREATOR_USERNAME).first()
    communes = list(
        Area.objects.filter(
            kind=AreaKind.COMMUNE, valid_to__isnull=True, path__startswith=city.path
        ).order_by("path")
    )
    former = list(
        Area.objects.filter(kind=AreaKind.COMMUNE, valid_to__isnull=False).order_by("path")[:2]
    )
    # Every third commune is left without a practice: the coverage page shows gaps.
    places = [c for i, c in enumerate(communes) if i % 3 != 2] + former
    rng = random.Random(SEED)
    with transaction.atomic():
        for i, (title, field, kind, steps) in enumerate(ENTRIES):
            area = places[i % len(places)] if places else city
            body = (
                Organization.objects.filter(area=area, valid_to__isnull=True).order_by("pk").first()
                or Organization.objects.filter(area=area).order_by("pk").first()
                or organizer
            )
            practice = services.register_practice(
                by=creator,
                kind=kind,
                title=title,
                field=field,
                level=Level.COMMUNE,
                year=2024 if area in former else 2025,
                area=area,
                organization=body,
                lead_official="Trưởng ban Dân vận",
                started_on=date(2025, 1 + i % 6, 1),
                aims="Phát huy vai trò chủ thể của Nhân dân; gắn với phong trào thi đua "
                "“Dân vận khéo” của địa phương.",
                method="Cấp ủy lãnh đạo, chính quyền hỗ trợ, Mặt trận và các đoàn thể vận "
                "động; công khai, dân chủ, Nhân dân bàn và quyết định.",
                participants="Hội viên, đoàn viên và Nhân dân trên địa bàn.",
            )
            _advance(practice, steps, creator)
            rows = []
            for label, unit, low, high in rng.sample(INDICATORS, 2):
                rows.append((label, Decimal(rng.randint(low, high)), unit, date(2025, 11, 30)))
            services.set_indicators(practice, rows)
            if steps[-1:] in (("recognise",), ("propose",)):
                add_photos(practice, [drawn_photo(rng) for _ in range(1 + i % 2)], [title])
        _load_deeds(places or [city], creator, rng)
        recognised = list(Practice.objects.filter(status=Status.RECOGNISED).order_by("pk"))
        copies = list(Practice.objects.filter(status=Status.IN_PROGRESS).order_by("pk"))
        if recognised and copies:
            services.replicate_practice(recognised[0], copies[0], by=creator)
    # The sizes are made here rather than by the worker, which may not run yet.
    for pk in Photo.objects.filter(status=PhotoStatus.PENDING).values_list("pk", flat=True):
        process_photo(pk)
    _load_campaign(organizer, rng)
    count = Practice.objects.count()
    _say(stdout, f"Đã tạo {count} mô hình, điển hình mẫu.")
    return count


def _advance(practice: Practice, steps: tuple[str, ...], by: Any) -> None:
    for action in steps:
        extra: dict[str, Any] = {}
        if action == "recognise":
            extra = {
                "recognised_level": Level.DISTRICT,
                "decision_number": f"{100 + practice.pk}/QĐ-UBND",
                "decision_date": date(2025, 12, 1),
                "issuing_body": "UBND thành phố Cần Thơ",
            }
        elif action == "refuse":
            extra = {"reason": "Kết quả chưa rõ, chưa có số liệu cụ thể để đánh giá."}
        elif action == "stop":
            extra = {"reason": "Hội viên chuyển sang mô hình tiết kiệm chung của xã."}
        services.advance(practice, action, by=by, **extra)


def _load_deeds(places: list[Area], creator: Any, rng: random.Random) -> None:
    """A few good deeds: published (with and without the nominee's consent) and
    public nominations still waiting for verification."""
    from danvan.practices import deeds

    for i, (name, collective, text, consents, published) in enumerate(DEEDS):
        deed = deeds.nominate(
            nominee_name=name,
            collective=collective,
            area=places[i % len(places)],
            deed=text,
            nominator_name="Người dân trong ấp" if not published else "Ban Dân vận xã",
            nominator_phone=f"09123456{i:02d}",
            by_staff=creator if published else None,
        )
        if published:
            deeds.move_deed(deed, "verify", note="Đã gặp trực tiếp.", nominee_consents=consents)
            deeds.move_deed(deed, "publish")
        add_photos(deed, [drawn_photo(rng)])


def _load_campaign(organizer: Organization, rng: random.Random) -> None:
    """ "10 mô hình, gương tiêu biểu năm 2025", open for two more weeks, with votes
    from made-up voters (keys drawn at random: no CCCD behind them)."""
    from danvan.core.text import slug_vi
    from danvan.practices import votes

    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(
            title="Bình chọn mô hình, gương “Dân vận khéo” tiêu biểu năm 2025",
            slug=slug_vi("binh chon dan van kheo tieu bieu 2025"),
            intro="Mỗi người bình chọn mỗi mục một lần mỗi ngày. Kết quả là căn cứ để Ban "
            "Dân vận biểu dương tại hội nghị tổng kết.",
            organization=organizer,
            starts_at=now - timedelta(days=3),
            ends_at=now + timedelta(days=14),
            window_hours=24,
        )
    )
    practices = Practice.objects.filter(status__in=votes.ENTRY_STATUSES).order_by("pk")
    deeds = GoodDeed.objects.filter(status=DeedStatus.PUBLISHED).order_by("pk")
    votes.set_entries(campaign, practices, deeds)
    campaign = votes.publish_campaign(campaign)
    entries = list(Entry.objects.filter(campaign=campaign).values_list("pk", flat=True))
    for n in range(300):
        voter = f"demo-{rng.getrandbits(64):016x}"
        entry = entries[min(int(rng.expovariate(0.35)), len(entries) - 1)]
        votes.cast_vote(campaign, entry, voter, now - timedelta(hours=n % 60))
