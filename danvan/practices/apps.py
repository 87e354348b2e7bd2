from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import Card, HomeSection, MenuItem, register_app_parts

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    """The demo practices over the demo district (manage.py load_demo)."""
    from danvan.practices.demo import load_practices_demo

    count = load_practices_demo(stdout=stdout)
    return [f"Mô hình “Dân vận khéo” mẫu ({count}): http://127.0.0.1:8000/quan-ly/mo-hinh/"]


def good_deed_cards() -> list[Card]:
    """The latest published good deeds, for the public home page."""
    from django.urls import reverse

    from danvan.practices.models import DeedStatus, GoodDeed

    latest = (
        GoodDeed.objects.filter(status=DeedStatus.PUBLISHED)
        .select_related("area")
        .order_by("-published_at", "-pk")[:6]
    )
    return [
        Card(
            d.public_name, reverse("practices:deed", args=[d.pk]), f"{d.area.name}: {d.deed[:140]}"
        )
        for d in latest
    ]


def practice_cards() -> list[Card]:
    """The latest recognised practices, for the public home page."""
    from django.urls import reverse

    from danvan.practices.models import Practice, Status

    latest = (
        Practice.objects.filter(status__in=(Status.RECOGNISED, Status.REPLICATED))
        .select_related("area")
        .order_by("-decision_date", "-pk")[:6]
    )
    return [
        Card(p.title, reverse("practices_public:detail", args=[p.pk]), p.area.name) for p in latest
    ]


def campaign_cards() -> list[Card]:
    """The voting campaigns open now, for the public home page."""
    from danvan.core.text import format_datetime
    from danvan.practices.models import Campaign

    open_now = Campaign.objects.open_now().order_by("ends_at")[:6]
    return [Card(c.title, c.public_url(), f"Đến {format_datetime(c.ends_at)}") for c in open_now]


class PracticesConfig(AppConfig):
    name = "danvan.practices"
    label = "practices"
    verbose_name = "Mô hình, điển hình “Dân vận khéo”"

    def ready(self) -> None:
        from danvan.core.audit import register_audited_models, scoped, through
        from danvan.core.review import ReviewSection

        # A worker process never loads the URLconf: the job handler is imported here.
        # The photo task and the signals that remove files with their rows, likewise.
        from danvan.practices import imports, photos  # noqa: F401
        from danvan.practices.models import (
            Campaign,
            Document,
            Entry,
            Indicator,
            Practice,
            Step,
        )
        from danvan.practices.review import TITLE, practices_review

        register_app_parts(
            "practices",
            staff_menu=[
                MenuItem("practices", "Mô hình, điển hình", "practices_staff:practice_list")
            ],
            demo=load_demo,
            home_sections=[
                HomeSection(
                    anchor="mo-hinh",
                    title="Mô hình “Dân vận khéo”",
                    lead="Những cách làm hay đã được công nhận ở địa phương, để học tập, nhân "
                    "rộng.",
                    empty="Chưa có mô hình nào được công nhận.",
                    cards=practice_cards,
                    menu="Mô hình Dân vận khéo",
                    link=("Xem tất cả mô hình", "practices_public:gallery"),
                ),
                HomeSection(
                    anchor="viec-tot",
                    title="Gương người tốt, việc tốt",
                    lead="Những việc làm tốt ở địa phương, được Nhân dân giới thiệu và cán bộ "
                    "xác minh. Bạn biết một việc tốt? Hãy giới thiệu.",
                    empty="Chưa có việc tốt nào được công bố. Hãy là người giới thiệu đầu tiên.",
                    cards=good_deed_cards,
                    menu="Người tốt, việc tốt",
                    link=("Giới thiệu việc tốt", "practices:nominate"),
                ),
                HomeSection(
                    anchor="binh-chon",
                    title="Bình chọn",
                    lead="Bình chọn những mô hình, gương người tốt, việc tốt tiêu biểu.",
                    empty="Chưa có đợt bình chọn nào đang mở.",
                    cards=campaign_cards,
                    menu="Bình chọn",
                    link=("Xem các đợt bình chọn", "votes:campaigns"),
                ),
            ],
            review_sections=[ReviewSection("practices", TITLE, 40, practices_review)],
        )
        practices = scoped(Practice)
        register_audited_models(
            {
                Practice: practices,
                Step: through(Step, "practice", practices),
                Indicator: through(Indicator, "practice", practices),
                Document: through(Document, "practice", practices),
                Campaign: scoped(Campaign),
                Entry: through(Entry, "campaign", scoped(Campaign)),
            }
        )
        from danvan.core.changes import on_rows_changed
        from danvan.practices.models import GoodDeed, Photo
        from danvan.practices.views_public import PAGES

        # The public pages show these rows.
        on_rows_changed(PAGES.changed, Practice, Indicator, GoodDeed, Photo, uid="practices-pages")
        from danvan.core.crypto import register_encrypted_field
        from danvan.core.indicators import register_indicator
        from danvan.practices.coverage import INDICATOR

        register_indicator(INDICATOR)
        from danvan.core.indicators import FIGURES

        FIGURES.on_change_of(Practice)
        register_encrypted_field(GoodDeed, "nominator_phone_encrypted")  # rotate_field_key
