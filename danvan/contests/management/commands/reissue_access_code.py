"""Give a participant who lost everything (access code, no CCCD, no one-time
code) a new access code; the old one stops working.

    uv run python manage.py reissue_access_code <contest slug> <phone>

For a technical administrator, at the organisers' request, once they have made
sure who they are talking to (e.g. by calling the registered number back).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.contests import participants as people
from danvan.contests.models import Participant
from danvan.core.masking import mask_name
from danvan.core.validators import normalize_phone


class Command(BaseCommand):
    help = "Cấp mã dự thi mới cho người dự thi đã mất mã (mã cũ không dùng được nữa)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contest", help="Đường dẫn (slug) của cuộc thi")
        parser.add_argument("phone", help="Số điện thoại người dự thi đã đăng ký")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            phone = normalize_phone(options["phone"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        participant = (
            Participant.objects.filter(
                contest__slug=options["contest"], phone=phone, erased_at__isnull=True
            )
            .select_related("contest")
            .first()
        )
        if participant is None:
            raise CommandError("Không tìm thấy người dự thi với số điện thoại này trong cuộc thi.")
        code = people.reissue_access_code(participant)
        self.stdout.write(
            f"{mask_name(participant.full_name)} — {participant.contest.title}: "
            f"mã dự thi mới {people.format_access_code(code)}"
        )
