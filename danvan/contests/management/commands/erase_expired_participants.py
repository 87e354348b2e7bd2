"""Erase the personal data of participants whose contest's retention period is over.

Run once a day (cron or a systemd timer):

    uv run python manage.py erase_expired_participants

Idempotent: running it twice erases nothing the second time. Attempts, the
statistics and the published prize names are kept.
"""

from __future__ import annotations

from typing import Any

from danvan.contests.retention import BATCH_SIZE, erase_expired
from danvan.core.management.erasure import ErasureCommand


class Command(ErasureCommand):
    help = (
        "Xóa dữ liệu cá nhân của người dự thi thuộc các cuộc thi đã hết thời hạn lưu trữ "
        "(ngày kết thúc + số ngày lưu). Giữ lại lượt thi, số liệu thống kê và tên công bố giải."
    )
    batch_size = BATCH_SIZE
    batch_help = "Số người dự thi xử lý mỗi lượt"

    def erase(self, *, dry_run: bool, batch_size: int) -> Any:
        return erase_expired(dry_run=dry_run, batch_size=batch_size)
