"""Erase the personal data of participants whose contest's retention period is over.

Run once a day (cron or a systemd timer):

    uv run python manage.py erase_expired_participants

Idempotent: running it twice erases nothing the second time. Attempts, the
statistics and the published prize names are kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from danvan.contests.retention import BATCH_SIZE, erase_expired


class Command(BaseCommand):
    help = (
        "Xóa dữ liệu cá nhân của người dự thi thuộc các cuộc thi đã hết thời hạn lưu trữ "
        "(ngày kết thúc + số ngày lưu). Giữ lại lượt thi, số liệu thống kê và tên công bố giải."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ cho biết sẽ xóa bao nhiêu người, không xóa gì.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Số người dự thi xử lý mỗi lượt (mặc định {BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = erase_expired(dry_run=options["dry_run"], batch_size=max(1, options["batch_size"]))
        self.stdout.write(report.summary())
        for line in report.lines():
            self.stdout.write(line)
