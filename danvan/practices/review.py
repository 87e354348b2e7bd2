"""The practices' section of the review report (`core.review`): the practices
and exemplars of the unit (and of the units merged into it) registered,
replicated and recognised in the period, and the good deeds nominated,
published and commended in it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from danvan.core.models import Area
from danvan.core.review import Result, Table, day_bounds, in_unit, number
from danvan.core.text import format_date, vn_sort_key
from danvan.practices.models import DeedStatus, GoodDeed, Kind, Level, Practice, Status

TITLE = "Xây dựng mô hình, điển hình “Dân vận khéo”, gương người tốt, việc tốt"
RECOGNISED = (Status.RECOGNISED, Status.REPLICATED)


def practices_review(area: Area, start: date, end: date) -> Result:
    first, after = day_bounds(start, end)
    practices = Practice.objects.filter(in_unit(area))
    registered = practices.filter(created_at__gte=first, created_at__lt=after)
    n_registered = registered.count()
    n_replicated = registered.filter(replicated_from__isnull=False).count()
    recognised = sorted(
        practices.filter(status__in=RECOGNISED, decision_date__gte=start, decision_date__lte=end)
        .select_related("area")
        .only(
            "title",
            "kind",
            "field",
            "recognised_level",
            "decision_number",
            "decision_date",
            "area__name",
        ),
        key=lambda p: (p.decision_date or start, vn_sort_key(p.title)),
    )
    kinds = Counter(p.kind for p in recognised)
    levels = Counter(p.recognised_level for p in recognised)
    deeds = GoodDeed.objects.filter(in_unit(area))
    nominated = deeds.filter(created_at__gte=first, created_at__lt=after).count()
    published = deeds.filter(
        status=DeedStatus.PUBLISHED, published_at__gte=first, published_at__lt=after
    ).count()
    commended = deeds.filter(decision_date__gte=start, decision_date__lte=end).count()

    paragraphs = []
    if recognised or n_registered:
        line = (
            f"Trong kỳ, có {number(n_registered)} mô hình, điển hình “Dân vận khéo” đăng ký "
            f"xây dựng (trong đó {number(n_replicated)} mô hình nhân rộng); "
            f"{number(kinds[Kind.PRACTICE])} mô hình và {number(kinds[Kind.EXEMPLAR])} điển "
            "hình được công nhận"
        )
        by_level = [
            f"{number(levels[lv])} {label[0].lower() + label[1:]}"
            for lv, label in Level.choices
            if levels[lv]
        ]
        paragraphs.append(line + (f" ({', '.join(by_level)})." if by_level else "."))
    else:
        paragraphs.append("Trong kỳ, chưa có mô hình, điển hình “Dân vận khéo” mới đăng ký "
                          "hoặc được công nhận.")  # fmt: skip
    paragraphs.append(
        f"Tiếp nhận {number(nominated)} lượt giới thiệu gương người tốt, việc tốt; đã xác minh "
        f"và công bố {number(published)} gương; khen thưởng {number(commended)} gương."
    )
    table = Table(
        "Mô hình, điển hình được công nhận",
        [
            "STT",
            "Tên mô hình, điển hình",
            "Loại",
            "Lĩnh vực",
            "Cấp công nhận",
            "Địa bàn",
            "Quyết định",
            "Ngày",
        ],
        widths=[6, 50, 12, 28, 20, 28, 18, 12],
    )
    for i, p in enumerate(recognised, 1):
        table.rows.append([
            i, p.title, p.get_kind_display(), p.get_field_display(),
            p.get_recognised_level_display(), p.area.name, p.decision_number,
            format_date(p.decision_date),
        ])  # fmt: skip
    return Result(
        paragraphs,
        [table] if recognised else [],
        {
            "registered": n_registered,
            "replicated": n_replicated,
            "recognised_practices": kinds[Kind.PRACTICE],
            "recognised_exemplars": kinds[Kind.EXEMPLAR],
            "deeds_nominated": nominated,
            "deeds_published": published,
            "deeds_commended": commended,
        },
    )
