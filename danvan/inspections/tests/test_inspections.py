"""A programme, its inspections, the findings and conclusions, and the
recommendations followed up to their deadlines; every refusal changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from danvan.core.models import Role
from danvan.core.testing import ABOVE, OWNER, SIBLING
from danvan.core.tests.factories import make_staff
from danvan.core.tests.helpers import sheet_rows
from danvan.inspections import services
from danvan.inspections.models import Inspection, InspectionStatus, Programme, Recommendation
from danvan.inspections.tests.conftest import new_inspection


def test_a_programme_and_an_inspection_through_the_pages(world: Any, client: Any) -> None:
    client.force_login(world.users[OWNER])
    response = client.post(
        reverse("inspections_staff:programme_add"),
        {"organization": world.body.pk, "period": world.period.pk, "number": "05-CTr/BDV",
         "title": "Chương trình kiểm tra 6 tháng", "issued_on": "2025-01-10"},
    )  # fmt: skip
    assert response.status_code == 302
    programme = Programme.objects.get()
    add = reverse("inspections_staff:inspection_add", args=[programme.pk])
    data = {
        "kind": "inspection", "inspected": world.farmers.pk, "team": "Đoàn 3 người",
        "starts_on": "2025-08-01", "ends_on": "2025-08-02", "scope_text": "Tuyên truyền.",
    }  # fmt: skip
    outside = client.post(add, data)
    assert outside.status_code == 200 and "trong kỳ" in outside.content.decode()
    assert "Đoàn 3 người" in outside.content.decode()  # what was typed is kept
    assert not Inspection.objects.exists()
    response = client.post(add, {**data, "starts_on": "2025-03-01", "ends_on": "2025-03-02"})
    inspection = Inspection.objects.get()
    assert response["Location"] == inspection.get_absolute_url()
    conclude = reverse("inspections_staff:conclude", args=[inspection.pk])
    assert client.post(conclude, {"findings": "", "conclusions": "Tốt",
                                  "concluded_on": "2025-03-05"}).status_code == 200  # fmt: skip
    assert Inspection.objects.get().status == InspectionStatus.PLANNED
    client.post(
        conclude, {"findings": "Làm tốt.", "conclusions": "Đạt.", "concluded_on": "2025-03-05"}
    )
    assert Inspection.objects.get().status == InspectionStatus.CONCLUDED
    add_rec = reverse("inspections_staff:recommendation_add", args=[inspection.pk])
    early = client.post(add_rec, {"text": "Lập sổ theo dõi.", "deadline": "2025-03-01"})
    assert early.status_code == 200 and not Recommendation.objects.exists()
    client.post(add_rec, {"text": "Lập sổ theo dõi.", "deadline": "2025-04-01"})
    rec = Recommendation.objects.get()
    settle = reverse("inspections_staff:settle", args=[rec.pk])
    client.post(settle, {"done_on": "2025-04-10", "result": "Đã lập sổ."})
    rec.refresh_from_db()
    assert rec.done_on == date(2025, 4, 10) and rec.status_label == "Thực hiện chậm"


def test_refusals_change_nothing(world: Any) -> None:
    inspection = new_inspection(world)
    with pytest.raises(ValidationError):  # not concluded yet
        services.add_recommendation(inspection, text="X", deadline=date(2025, 5, 1))
    with pytest.raises(ValidationError):
        services.save_inspection(
            Inspection(programme=inspection.programme, inspected=world.farmers, team="T",
                       starts_on=date(2025, 5, 2), ends_on=date(2025, 5, 1), scope_text="S")
        )  # fmt: skip
    concluded = services.conclude_inspection(
        inspection, findings="F", conclusions="C", concluded_on=date(2025, 3, 6)
    )
    with pytest.raises(ValidationError):  # concluded: no more edits of the schedule
        services.save_inspection(concluded)
    rec = services.add_recommendation(concluded, text="Báo cáo", deadline=date(2025, 4, 1))
    services.settle_recommendation(rec, done_on=date(2025, 3, 20), result="Xong")
    with pytest.raises(ValidationError):
        services.settle_recommendation(rec, done_on=date(2025, 3, 21), result="Lại")
    assert Recommendation.objects.get().result == "Xong"
    assert Inspection.objects.count() == 1


def test_the_follow_up_lists_overdue_first_and_exports(world: Any, client: Any) -> None:
    inspection = services.conclude_inspection(
        new_inspection(world), findings="F", conclusions="C", concluded_on=date(2025, 3, 6)
    )
    late = services.add_recommendation(inspection, text="Quá hạn rồi", deadline=date(2025, 4, 1))
    done = services.add_recommendation(inspection, text="Đã xong", deadline=date(2025, 5, 1))
    services.settle_recommendation(done, done_on=date(2025, 4, 20), result="Đạt")
    client.force_login(world.users[ABOVE])
    page = client.get(reverse("inspections_staff:follow_up"), {"tinh_trang": "overdue"})
    assert [r.pk for r in page.context["page_obj"]] == [late.pk]
    response = client.get(reverse("inspections_staff:follow_up_export"), {"tinh_trang": "all"})
    rows = sheet_rows(response.content, "Kiến nghị sau kiểm tra")
    assert [r[3] for r in rows[1:]] == ["Quá hạn rồi", "Đã xong"]
    assert rows[1][5] == "Quá hạn" and rows[2][5] == "Đã thực hiện"


def test_the_body_inspected_reads_its_inspection_and_changes_nothing(
    world: Any, client: Any
) -> None:
    inspection = new_inspection(world)
    officer = make_staff("hnd.xa", Role.ORG_OFFICER, organization=world.farmers)
    client.force_login(officer)
    assert client.get(inspection.get_absolute_url()).status_code == 200
    conclude = reverse("inspections_staff:conclude", args=[inspection.pk])
    assert client.post(conclude, {"findings": "F", "conclusions": "C",
                                  "concluded_on": "2025-03-06"}).status_code == 404  # fmt: skip
    assert client.get(inspection.programme.get_absolute_url()).status_code == 404
    client.force_login(world.users[SIBLING])
    assert client.get(inspection.get_absolute_url()).status_code == 404
    assert Inspection.objects.get().status == InspectionStatus.PLANNED
