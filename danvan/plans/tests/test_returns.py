"""Aggregate returns: a unit that reports totals instead of rows is counted
from its return, and the dashboard says so; a return that contradicts the
rows is flagged, never summed; an Excel return of many units is imported all
or nothing by a background job."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from danvan.core import jobs
from danvan.core.indicators import INDICATORS
from danvan.core.models import Job, JobStatus, OrgKind, Role
from danvan.core.tests.factories import make_current_period, make_org, make_staff, make_two_communes
from danvan.core.tests.helpers import sheet_rows
from danvan.plans import services
from danvan.plans.imports import HEADER
from danvan.plans.indicators import coordination_plans
from danvan.plans.models import AggregateReturn, CoordinationStatus

pytestmark = pytest.mark.django_db
LABEL = INDICATORS["coordination_plans"].label


@pytest.fixture
def place(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    period = make_current_period(days=30)
    province, a, b = make_two_communes()
    front_a = make_org(a, "Ủy ban MTTQ xã An Bình", OrgKind.FRONT)
    board = make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    plan = services.create_plan(
        by=None, organization=board, number="1", issued_on=date(2024, 1, 1), title="Kế hoạch",
        starts_on=date(2024, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    officer = make_staff("bdv.tp", Role.BOARD_ADMIN, area=province)
    return type("Place", (), dict(period=period, province=province, a=a, b=b, front_a=front_a,
                                  plan=plan, officer=officer))  # fmt: skip


def test_a_return_counts_where_no_row_is_recorded_and_is_flagged_where_one_is(
    place: Any,
) -> None:
    services.save_return(
        by=None, area=place.b, period=place.period, indicator="coordination_plans", done=4,
        total=5,
    )  # fmt: skip
    services.save_return(
        by=None, area=place.a, period=place.period, indicator="coordination_plans", done=1,
        total=1,
    )  # fmt: skip
    figure = coordination_plans(place.province, place.plan)
    # An Bình has a row (its Front, no plan yet): its rows count, the return is flagged.
    assert (figure.done, figure.total) == (0 + 4, 1 + 5)
    assert {a.name: (d, t) for a, d, t in figure.parts} == {
        "Xã An Bình": (0, 1), "Xã Bình Hòa": (4, 5)
    }  # fmt: skip
    assert figure.returned == ["Xã Bình Hòa"]
    assert figure.flags == [
        "Xã An Bình: báo cáo tổng hợp 1/1 khác số liệu chi tiết 0/1; đang tính theo số liệu "
        "chi tiết."
    ]
    services.save_coordination_plan(
        place.front_a, place.plan, status=CoordinationStatus.ISSUED, number="3",
        issued_on=date(2024, 4, 1),
    )  # fmt: skip
    agreed = coordination_plans(place.province, place.plan)
    assert agreed.flags == [] and (agreed.done, agreed.total) == (5, 6)


def test_bad_returns_are_refused(place: Any) -> None:
    values = {"by": None, "period": place.period, "indicator": "coordination_plans"}
    with pytest.raises(ValidationError, match="lớn hơn tổng số"):
        services.save_return(area=place.a, done=6, total=5, **values)
    with pytest.raises(ValidationError, match="không có trong danh sách"):
        services.save_return(area=place.a, done=1, total=5, **{**values, "indicator": "x"})
    assert not AggregateReturn.objects.exists()


def _sheet(template: bytes, fill: dict[tuple[str, str], tuple[Any, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    ws = book["Số liệu"]
    for row in ws.iter_rows(min_row=2):
        key = (str(row[0].value), str(row[2].value))
        if key in fill:
            row[3].value, row[4].value = fill[key]
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _run(place: Any, data: bytes, capture: Any) -> Job:
    with capture(execute=True):
        job = jobs.start_job(
            place.officer, "import_returns", "Nhập", params={"period": place.period.pk},
            input_file=ContentFile(data, name="so-lieu.xlsx"),
        )  # fmt: skip
    job.refresh_from_db()
    return job


def test_an_excel_return_all_or_nothing(
    place: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(place.officer)
    template = client.get(reverse("plans_staff:return_template")).content
    rows = sheet_rows(template, "Số liệu")
    assert list(rows[0]) == HEADER and len(rows) == 1 + 2 * len(INDICATORS)
    bad = _sheet(template, {("30001", LABEL): (6, 5), ("30002", LABEL): ("bốn", 5)})
    job = _run(place, bad, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and not AggregateReturn.objects.exists()
    assert "số đạt (6) lớn hơn tổng số (5)" in job.errors[0]
    assert "phải là số nguyên không âm" in job.errors[1]
    good = _sheet(template, {("30001", LABEL): (1, 1), ("30002", LABEL): ("4", "5")})
    job = _run(place, good, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.errors
    assert sorted(AggregateReturn.objects.values_list("area__code", "done", "total")) == [
        ("30001", 1, 1), ("30002", 4, 5)
    ]  # fmt: skip
    again = _sheet(template, {("30002", LABEL): (5, 5)})
    assert _run(place, again, django_capture_on_commit_callbacks).status == JobStatus.DONE
    assert AggregateReturn.objects.get(area=place.b).done == 5  # replaced, not added
    page = client.get(
        reverse("plans_staff:return_list"), {"chi_so": "coordination_plans"}
    ).content.decode()
    assert "Xã Bình Hòa" in page and LABEL in page
