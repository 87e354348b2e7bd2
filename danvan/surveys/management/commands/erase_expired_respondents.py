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

from danvan.core.management.erasure import ErasureCommand
from danvan.surveys.respondents import BATCH_SIZE, erase_expired, retention_days


class Command(ErasureCommand):
    help = (
        "Xóa họ tên, số điện thoại của người trả lời các khảo sát có danh tính đã hết thời "
        "hạn lưu trữ (thời điểm đóng khảo sát + SURVEY_RESPONDENT_RETENTION_DAYS ngày). "
        "Giữ lại phiếu trả lời và kết quả."
    )
    batch_size = BATCH_SIZE
    batch_help = "Số người trả lời xử lý mỗi lượt"

    def erase(self, *, dry_run: bool, batch_size: int) -> Any:
        return erase_expired(dry_run=dry_run, batch_size=batch_size)

    def preamble(self) -> str:
        return f"Thời hạn lưu trữ: {retention_days()} ngày sau khi khảo sát đóng."
