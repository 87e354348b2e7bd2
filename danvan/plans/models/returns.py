"""Aggregate returns: a unit's totals where it reports no rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from danvan.core.models import Area
from danvan.core.scope import ScopedQuerySetMixin

# --- Aggregate returns (báo cáo số liệu tổng hợp) ----------------------------------------------


class ReturnQuerySet(ScopedQuerySetMixin, models.QuerySet["AggregateReturn"]):
    scope_area_path = "area__path"


class AggregateReturn(models.Model):
    """A unit's totals for an indicator in a period, where it reports totals
    rather than rows (typical in the first year): counted for the unit when no
    row is recorded under it, flagged when it contradicts the rows."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="aggregate_returns", verbose_name="đơn vị"
    )
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người nhập",
    )
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

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.area.path}
