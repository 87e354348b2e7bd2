"""Build the practices benchmark dataset (issue 11) in a database of its own
(`danvan_bench_practices`), so the contest and survey datasets are never touched.

    uv run python bench/practices_generate.py            # 100 communes, 10,000 practices (~1 min)
    uv run python bench/practices_generate.py --small    # 20 communes, 1,000 practices (_small)

The database is dropped and created again, migrated, then filled:

* Thành phố Cần Thơ with 100 communes of 6 hamlets each (bench/generate.py's
  `province_tree`), the provincial mobilisation board and one organisation per
  commune (its mobilisation board), a provincial officer (board admin of the
  province) whose sessions bench/practices_run.py writes;
* 10,000 practices over the communes and hamlets in every status (a seventh
  recognised: those are the gallery), bulk-created (`services.register_practice`
  costs a transaction and an audit row each) with `title_folded` filled by
  `danvan.core.text.fold`; a tenth of the communes have none, so the coverage
  page has gaps;
* photos: every other one of the first 600 recognised practices in gallery order
  has a READY photo (every sixth two), so each gallery page shows `<img>` on
  about half its cards. The sizes are made once from a drawn picture
  (`core.demo.drawn_photo`, `images.renditions`) and the same bytes written under each
  photo's token;
* a published campaign open now (for a year), over 30 recognised practices.

A `bench_meta` row records what was made, so bench/practices_run.py reuses it.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 2
PG_URL = "postgres://postgres@127.0.0.1:5432/danvan_bench_practices"
REDIS_URL = "redis://127.0.0.1:6379/8"
PRESETS: dict[str, tuple[int, int]] = {"full": (100, 10_000), "small": (20, 1_000)}
STAFF_USERNAME = "bench.mohinh"
PHOTOGRAPHED = 600  # the first recognised practices in gallery order: every other has photos
ENTRIES = 30
WORDS = ["Dân vận khéo", "hiến đất", "làm đường", "đường hoa", "nhà nhân ái", "camera an ninh",
         "tổ tự quản", "hòa giải", "tiết kiệm", "thoát nghèo", "nông thôn mới", "nước sạch",
         "cầu nông thôn", "chi hội phụ nữ", "thanh niên tình nguyện"]  # fmt: skip


def log(message: str) -> None:
    print(f"[practices-generate] {message}", flush=True)


def setup_env(preset: str) -> None:
    """The bench settings on the practices database and its own Redis database
    (before anything imports them)."""
    from bench import common

    common.app_env("PRACTICES", preset, PG_URL, REDIS_URL)


def generate(preset: str, *, seed: int = 2025) -> dict[str, Any]:
    from bench import generate as gen

    communes, count = PRESETS[preset]
    t = gen.Timer()
    gen.new_database("pg")
    t.mark("database created and migrated")
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from danvan.core import images
    from danvan.core import services as core
    from danvan.core.demo import drawn_photo
    from danvan.core.models import Area, AreaKind, OrgKind, Role
    from danvan.core.text import fold
    from danvan.practices import votes
    from danvan.practices.models import (
        Campaign,
        Field,
        Kind,
        Level,
        Photo,
        PhotoStatus,
        Practice,
        Status,
    )

    rng = random.Random(seed)
    province, ids = gen.province_tree(
        rng, communes, "Mô Hình", "5", ("Thạnh Phú", "Phú Lợi", "Long Hòa"), with_communes=True
    )
    board = core.create_organization(
        name="Ban Dân vận Thành ủy Cần Thơ", kind=OrgKind.MOBILISATION_BOARD, area=province
    )
    staff = core.create_staff_user(
        username=STAFF_USERNAME, full_name="Cán bộ Ban Dân vận", password="bench-mat-khau-1"
    )
    core.grant_role(None, staff, Role.BOARD_ADMIN, area=province)
    commune_rows = list(Area.objects.filter(kind=AreaKind.COMMUNE).order_by("path"))
    org_of: dict[str, Any] = {}
    with transaction.atomic():
        for commune in commune_rows:
            org_of[commune.path] = core.create_organization(
                name=f"Ban Dân vận Đảng ủy {commune.name}",
                kind=OrgKind.MOBILISATION_BOARD,
                area=commune,
            )
    t.mark(f"{communes} communes, their hamlets, {len(org_of) + 1} organisations, the officer")

    # A tenth of the communes have no practice: the coverage page has gaps to show.
    skipped = tuple(c.path for c in commune_rows if c.code.endswith("0"))
    places = [a for a in Area.objects.filter(pk__in=ids) if not a.path.startswith(skipped)]
    step = Area.steplen
    statuses = [Status.REGISTERED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.PROPOSED,
                Status.RECOGNISED, Status.STOPPED, Status.NOT_RECOGNISED]  # fmt: skip
    rows = []
    for n in range(count):
        status = statuses[n % len(statuses)]
        if status == Status.RECOGNISED and n % 5 == 0:
            status = Status.REPLICATED  # shown on the gallery too
        title = f"{rng.choice(WORDS).capitalize()}, {rng.choice(WORDS)} — mô hình số {n + 1}"
        shown = status in (Status.RECOGNISED, Status.REPLICATED)
        area = rng.choice(places)
        rows.append(
            Practice(
                kind=Kind.EXEMPLAR if n % 10 == 0 else Kind.PRACTICE,
                title=title,
                title_folded=fold(title),
                field=rng.choice(Field.values),
                level=Level.HAMLET if area.kind == AreaKind.HAMLET else Level.COMMUNE,
                year=rng.choice((2024, 2025, 2026)),
                area=area,
                organization=org_of.get(area.path[: 2 * step], board),
                lead_official="Trưởng ban Dân vận",
                started_on=date(2024, 1, 1) + timedelta(days=n % 600),
                aims="Phát huy vai trò chủ thể của Nhân dân trong xây dựng nông thôn mới; "
                "gắn với phong trào thi đua “Dân vận khéo” của địa phương.",
                method="Cấp ủy lãnh đạo, chính quyền hỗ trợ, Mặt trận và các đoàn thể vận động; "
                "công khai, dân chủ, Nhân dân bàn và quyết định.",
                participants="Hội viên, đoàn viên và Nhân dân trên địa bàn.",
                status=status,
                recognised_level=Level.DISTRICT if shown else "",
                decision_number=f"{n + 1}/QĐ-UBND" if shown else "",
                decision_date=date(2025, 1, 1) + timedelta(days=n % 330) if shown else None,
                issuing_body="UBND thành phố Cần Thơ" if shown else "",
            )
        )
    Practice.objects.bulk_create(rows, batch_size=2000)
    t.mark(f"{count:,} practices")

    shown_ids = list(
        Practice.objects.filter(status__in=(Status.RECOGNISED, Status.REPLICATED))
        .order_by("-decision_date", "-pk")
        .values_list("pk", flat=True)
    )
    made = images.renditions(drawn_photo(rng).data)
    photos = []
    for n, pk in enumerate(shown_ids[:PHOTOGRAPHED]):
        if n % 2:
            continue
        for position in range(2 if n % 6 == 0 else 1):
            photo = Photo(
                practice_id=pk,
                token=f"bench{n:05d}x{position}",
                position=position,
                caption="Ảnh hoạt động của mô hình",
                status=PhotoStatus.READY,
                sizes={r.name: [r.width, r.height] for r in made},
            )
            for rendition in made:
                name = photo.name_of(rendition.name)
                if default_storage.exists(name):
                    default_storage.delete(name)
                default_storage.save(name, ContentFile(rendition.data))
            photos.append(photo)
    Photo.objects.bulk_create(photos)
    t.mark(f"{len(photos)} photos of the first {PHOTOGRAPHED} practices shown")

    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(
            title="Bình chọn mô hình “Dân vận khéo” tiêu biểu (benchmark)",
            slug="binh-chon-benchmark",
            intro="Mỗi người bình chọn mỗi mục một lần.",
            organization=board,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
            window_hours=0,
        )
    )
    entries = list(Practice.objects.filter(pk__in=shown_ids[:ENTRIES]).order_by("pk"))
    votes.set_entries(campaign, entries, [])
    votes.publish_campaign(campaign)
    t.mark(f"a campaign open now over {len(entries)} practices")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    meta = {
        "kind": "practices",
        "version": GENERATOR_VERSION,
        "preset": preset,
        "communes": communes,
        "hamlets": communes * 6,
        "practices": count,
        "shown": len(shown_ids),
        "shown_ids": shown_ids,
        "photographed": PHOTOGRAPHED,
        "photos": len(photos),
        "skipped_communes": len(skipped),
        "organizations": len(org_of) + 1,
        "campaign_slug": campaign.slug,
        "campaign_id": campaign.pk,
        "entries": len(entries),
        "staff_id": staff.pk,
        "commune_ids": [c.pk for c in commune_rows],
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    gen.write_meta(meta)
    log(f"generated in {t.total:.1f} s")
    return meta


def intact(meta: dict[str, Any]) -> bool:
    """Are the generated rows still there (someone may have used the database)?"""
    from bench import common

    return common.rows_intact(
        [
            ("SELECT count(*) FROM practices_practice", [], meta["practices"]),
            ("SELECT count(*) FROM practices_photo", [], meta["photos"]),
            (
                "SELECT count(*) FROM practices_entry WHERE campaign_id = %s",
                [meta["campaign_id"]],
                meta["entries"],
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    from bench import common

    return common.generator_main(sys.modules[__name__], "20 communes, 1,000 practices", argv)


if __name__ == "__main__":
    sys.exit(main())
