"""Baseline views for the benchmark (bench/run.py): what a request costs in this
project before any contest logic runs.

* B0 `/bench/b0/`: a bare Django view: the full middleware stack, no database.
* B2 `/bench/b2/`: a bare view that reads one row and updates it in one
  transaction (two statements on a 1,000-row table, `bench_counter`, that only
  bench/generate.py creates). Plain SQL: the cheapest way to do that work, so the
  ratios of the real pages to B2 are conservative.

A URLconf module, mounted under /bench/ by bench/urls.py (bench.settings) only:
they are not part of the application (danvan.urls).
"""

from __future__ import annotations

import random

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

COUNTER_TABLE = "bench_counter"
COUNTER_ROWS = 1000


@require_safe
def b0(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def b2(request: HttpRequest) -> HttpResponse:
    row_id = random.randint(1, COUNTER_ROWS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT hits FROM {COUNTER_TABLE} WHERE id = %s", [row_id])
        (hits,) = cursor.fetchone()
        cursor.execute(
            f"UPDATE {COUNTER_TABLE} SET hits = %s, updated_at = %s WHERE id = %s",
            [hits + 1, timezone.now(), row_id],
        )
    return HttpResponse(str(hits + 1).encode(), content_type="text/plain")


urlpatterns = [
    path("b0/", b0, name="bench_b0"),
    path("b2/", b2, name="bench_b2"),
]
