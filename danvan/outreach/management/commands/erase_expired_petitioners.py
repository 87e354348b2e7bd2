"""Erase the names and phone numbers of the people who raised petitions closed
or returned more than PETITION_RAISER_RETENTION_DAYS ago. Run once a day:

    uv run python manage.py erase_expired_petitioners

Idempotent; the petitions, their answers and the statistics stay."""

from __future__ import annotations

from typing import Any

from danvan.core.management.erasure import ErasureCommand
from danvan.outreach.retention import BATCH_SIZE, erase_expired, retention_days


class Command(ErasureCommand):
    help = (
        "Xóa họ tên, số điện thoại của người kiến nghị khi kiến nghị đã kết thúc hoặc trả lại "
        "quá PETITION_RAISER_RETENTION_DAYS ngày. Giữ lại kiến nghị, nội dung trả lời."
    )
    batch_size = BATCH_SIZE
    batch_help = "Số kiến nghị xử lý mỗi lượt"

    def erase(self, *, dry_run: bool, batch_size: int) -> Any:
        return erase_expired(dry_run=dry_run, batch_size=batch_size)

    def preamble(self) -> str:
        return f"Thời hạn lưu trữ: {retention_days()} ngày sau khi kiến nghị kết thúc."
