"""`manage.py import_units --province 92`: current official units of a province."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.core.units import import_province, unknown_province


class Command(BaseCommand):
    help = (
        "Nhập danh mục đơn vị hành chính hiện hành (hai cấp, từ 1/7/2025) của một tỉnh, "
        "thành phố từ gói vietnam-provinces. Chạy lại nhiều lần không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            required=True,
            metavar="MÃ",
            help="Mã tỉnh, thành phố (ví dụ 92 là Thành phố Cần Thơ, 01 là Hà Nội).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["province"]).strip()
        try:
            if not raw.isdigit():
                raise unknown_province(raw)
            summary = import_province(int(raw))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(summary.message)
