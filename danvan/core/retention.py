"""What an app's erasure of expired personal data reports (the contests'
participants, the surveys' respondents, and the next apps' people): per object
whose retention time is over, how many people were (or, in a dry run, would be)
erased. The `erase_expired_*` commands (core/management/erasure.py) and the
jobs print its `summary()` and `lines()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from danvan.core.text import format_date


def _n(count: int) -> str:
    """1234567 -> "1.234.567" (Vietnamese thousands separator)."""
    return f"{count:,}".replace(",", ".")


@dataclass
class Erasure:
    """One object (a contest, a survey) whose retention time is over."""

    object_id: int
    title: str
    expired_on: datetime
    erased: int = 0


@dataclass
class ErasureReport:
    what: str
    """What is erased: "dữ liệu cá nhân"."""
    whom: str
    """Of whom: "người dự thi"."""
    of: str
    """The objects: "cuộc thi"."""
    nothing: str
    """The summary when nothing is due."""
    dry_run: bool = False
    items: list[Erasure] = field(default_factory=list)

    def add(self, object_id: int, title: str, expired_on: datetime) -> Erasure:
        item = Erasure(object_id, title, expired_on)
        self.items.append(item)
        return item

    @property
    def total(self) -> int:
        return sum(i.erased for i in self.items)

    def by_object(self) -> dict[str, int]:
        return {str(i.object_id): i.erased for i in self.items}

    def summary(self) -> str:
        """A Vietnamese summary for the command's output and the job's message."""
        if not self.total:
            return self.nothing
        verb = "Sẽ xóa" if self.dry_run else "Đã xóa"
        touched = sum(1 for i in self.items if i.erased)
        return (
            f"{verb} {self.what} của {_n(self.total)} {self.whom} thuộc {_n(touched)} "
            f"{self.of} đã hết thời hạn lưu trữ."
        )

    def lines(self) -> list[str]:
        return [
            f"- {i.title}: hết hạn lưu trữ từ {format_date(i.expired_on)}, "
            f"{_n(i.erased)} {self.whom}."
            for i in self.items
            if i.erased
        ]
