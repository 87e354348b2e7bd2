"""Aggregate returns: a unit's totals where it reports no rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from danvan.core import columns
from danvan.core.scope import ScopedQuerySetMixin

# --- Aggregate returns (báo cáo số liệu tổng hợp) ----------------------------------------------


class ReturnQuerySet(ScopedQuerySetMixin, models.QuerySet["AggregateReturn"]):
    scope_area_path = "area__path"


class AggregateReturn(columns.AreaAudited, models.Model):
    """A unit's totals for an indicator in a period, where it reports totals
    rather than rows (typical in the first year): counted for the unit when no
    row is recorded under it, flagged when it contradicts the rows."""

    area = columns.area_field("đơn vị", related_name="aggregate_returns")
    period = models.ForeignKey(
        "core.Period",
        on_delete=models.PROTECT,
        related_name="aggregate_returns",
        verbose_name="kỳ báo cáo",
    )
    indicator = models.CharField("chỉ số", max_length=40)
    done = models.PositiveIntegerField("số đạt")
    total = models.PositiveIntegerField("tổng số")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = columns.staff_user_field("người nhập", blank=False)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo số liệu tổng hợp"
        verbose_name_plural = "báo cáo số liệu tổng hợp"
        ordering = ["area__path", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "indicator"],
                name="one_return_per_unit_period_indicator",
                violation_error_message="Đơn vị đã có báo cáo tổng hợp chỉ số này trong kỳ.",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="return_done_within_total",
                violation_error_message="Số đạt không được lớn hơn tổng số.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.indicator} {self.done}/{self.total}"
