"""`manage.py fail_stale_jobs`: mark failed the jobs whose worker died mid-run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.core.jobs import fail_stale_jobs, stale_after


class Command(BaseCommand):
    help = (
        "Đánh dấu thất bại (kèm lý do) các công việc nền vẫn ở trạng thái “Đang chạy” quá "
        "lâu: tiến trình xử lý đã dừng giữa chừng nên sẽ không bao giờ hoàn thành."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="Chạy quá bấy nhiêu phút thì coi là bị gián đoạn "
            f"(mặc định {int(stale_after().total_seconds() // 60)}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["minutes"]
        if minutes is not None and minutes < 1:
            raise CommandError("--minutes phải là số nguyên dương.")
        limit = timedelta(minutes=minutes) if minutes is not None else None
        count = fail_stale_jobs(limit)
        self.stdout.write(f"Đã đánh dấu thất bại {count} công việc bị gián đoạn.")
