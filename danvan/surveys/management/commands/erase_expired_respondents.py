"""Erase the names and phone numbers of identified surveys' respondents once the
retention time is over (the survey's closing time + SURVEY_RESPONDENT_RETENTION_DAYS).

Run once a day (cron or a systemd timer):

    uv run python manage.py erase_expired_respondents

Idempotent: running it twice erases nothing the second time. The responses,
their answers and the consent given (version, time) stay, so the results do
not change; see danvan.surveys.respondents.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from danvan.surveys.respondents import BATCH_SIZE, erase_expired, retention_days


class Command(BaseCommand):
    help = (
        "Xóa họ tên, số điện thoại của người trả lời các khảo sát có danh tính đã hết thời "
        "hạn lưu trữ (thời điểm đóng khảo sát + SURVEY_RESPONDENT_RETENTION_DAYS ngày). "
        "Giữ lại phiếu trả lời và kết quả."
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
            help=f"Số người trả lời xử lý mỗi lượt (mặc định {BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = erase_expired(dry_run=options["dry_run"], batch_size=max(1, options["batch_size"]))
        self.stdout.write(f"Thời hạn lưu trữ: {retention_days()} ngày sau khi khảo sát đóng.")
        self.stdout.write(report.summary())
        for line in report.lines():
            self.stdout.write(line)
