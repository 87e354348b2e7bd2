"""The shape of the `erase_expired_*` commands: `--dry-run` and `--batch-size`
around an app's `erase_expired(dry_run=, batch_size=)`, whose report has a
Vietnamese `summary()` and `lines()`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class ErasureCommand(BaseCommand):
    batch_size = 500
    batch_help = "Số bản ghi xử lý mỗi lượt"  # e.g. "Số người dự thi xử lý mỗi lượt"

    def erase(self, *, dry_run: bool, batch_size: int) -> Any:
        raise NotImplementedError

    def preamble(self) -> str:
        """A line printed before the summary (the retention rule), or nothing."""
        return ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ cho biết sẽ xóa bao nhiêu người, không xóa gì.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=self.batch_size,
            help=f"{self.batch_help} (mặc định {self.batch_size}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.erase(dry_run=options["dry_run"], batch_size=max(1, options["batch_size"]))
        if self.preamble():
            self.stdout.write(self.preamble())
        self.stdout.write(report.summary())
        for line in report.lines():
            self.stdout.write(line)
