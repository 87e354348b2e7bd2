from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import Card, FollowUp, HomeSection, MenuItem, register_app_parts

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    """The demo dialogues and petitions over the demo district (manage.py load_demo)."""
    from danvan.outreach.demo import load_outreach_demo

    code = load_outreach_demo(stdout=stdout)
    return [
        "Kiến nghị, đối thoại mẫu: http://127.0.0.1:8000/quan-ly/kien-nghi/",
        f"Tra cứu kiến nghị mẫu: http://127.0.0.1:8000/kien-nghi/tra-cuu/?code={code}",
    ]


def dialogue_cards() -> list[Card]:
    """The dialogues announced to come, for the public home page."""
    from django.utils import timezone

    from danvan.core.text import format_datetime
    from danvan.outreach.models import Dialogue, DialogueStatus

    coming = (
        Dialogue.objects.filter(status=DialogueStatus.ANNOUNCED, starts_at__gte=timezone.now())
        .select_related("area")
        .order_by("starts_at")[:6]
    )
    return [
        Card(d.title, d.public_url(), f"{format_datetime(d.starts_at)}, {d.place}") for d in coming
    ]


def records_petitions(user: object) -> bool:
    """Whether `user` records petitions (an officer of a unit)."""
    from danvan.outreach.forms import petition_areas

    return bool(getattr(user, "is_authenticated", False)) and petition_areas(user).exists()


class OutreachConfig(AppConfig):
    name = "danvan.outreach"
    label = "outreach"
    verbose_name = "Đối thoại, kiến nghị của Nhân dân"

    def ready(self) -> None:
        from danvan.core.audit import register_audited_models, scoped, through
        from danvan.core.crypto import register_encrypted_field
        from danvan.core.photos import remove_files_with
        from danvan.core.review import ReviewSection
        from danvan.outreach.models import Dialogue, DialoguePhoto, Petition, PetitionStep
        from danvan.outreach.review import (
            DIALOGUES_TITLE,
            PETITIONS_TITLE,
            dialogues_review,
            petitions_review,
        )

        register_app_parts(
            "outreach",
            staff_menu=[
                MenuItem("dialogues", "Đối thoại", "dialogues_staff:list"),
                MenuItem("petitions", "Kiến nghị", "petitions_staff:list"),
            ],
            demo=load_demo,
            # "One click" from a survey's written answer or an opinion report.
            follow_ups=[
                FollowUp("Chuyển thành kiến nghị", "petitions_staff:add", records_petitions)
            ],
            home_sections=[
                HomeSection(
                    anchor="doi-thoai",
                    title="Đối thoại với Nhân dân",
                    lead="Lịch tiếp xúc, đối thoại trực tiếp của người đứng đầu cấp ủy, chính "
                    "quyền với Nhân dân. Bạn có kiến nghị? Hãy gửi, rồi theo dõi bằng mã tra "
                    "cứu.",
                    empty="Chưa có buổi đối thoại nào sắp diễn ra.",
                    cards=dialogue_cards,
                    menu="Kiến nghị, đối thoại",
                    link=("Gửi kiến nghị, phản ánh", "petitions:new"),
                )
            ],
            review_sections=[
                ReviewSection("dialogues", DIALOGUES_TITLE, 50, dialogues_review),
                ReviewSection("petitions", PETITIONS_TITLE, 60, petitions_review),
            ],
        )
        register_audited_models(
            {
                Dialogue: scoped(Dialogue),
                PetitionStep: through(PetitionStep, "petition", scoped(Petition)),
                Petition: scoped(Petition),
            },
            # the phone stays out of the audit log
            exclude_fields={Petition: ["raiser_phone_encrypted", "raiser_phone_hash"]},
        )
        # a photo's files go with its row
        remove_files_with(DialoguePhoto)
        register_encrypted_field(Petition, "raiser_phone_encrypted")  # rotate_field_key
