"""The review report end to end: created with its header filled from the body
and the period, the narrative saved as versions (kept, restorable, the latest
exported), the export job (progress, the Word document and the Excel annex in
the storage, the download links), and the scope of it all."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.core.models import Job, JobStatus, PeriodKind
from danvan.core.review import REVIEW_SECTIONS
from danvan.core.testing import ABOVE, OWNER, SIBLING, VIEWER
from danvan.core.tests.factories import make_period
from danvan.reports import services
from danvan.reports.models import Draft, Export, ReviewReport


def test_a_new_report_takes_its_header_from_the_body_and_the_period(world: dict[str, Any]) -> None:
    report: ReviewReport = world["report"]
    assert report.party_committee == "ĐẢNG BỘ THÀNH PHỐ CẦN THƠ"
    assert report.issuer == "BAN DÂN VẬN ĐẢNG ỦY XÃ PHỤNG HIỆP"
    assert report.place == "Phụng Hiệp"
    assert report.subject == "Sơ kết 6 tháng đầu năm 2026 công tác dân vận"
    assert report.drafts.get().version == 1


def test_a_date_before_the_period_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.update_report(world["report"], dated=date(2025, 12, 31))
    assert ReviewReport.objects.get().dated is None


def test_each_save_of_the_narrative_is_a_version(world: dict[str, Any]) -> None:
    report, owner, admin = world["report"], world["users"][OWNER], world["users"]["admin"]
    v2 = services.save_draft(report, owner, results="Kết quả tốt.", shortcomings="Còn chậm.")
    v3 = services.save_draft(report, admin, shortcomings="Còn chậm ở ấp.")
    assert (v2.version, v3.version) == (2, 3)
    assert v3.results == "Kết quả tốt." and v3.shortcomings == "Còn chậm ở ấp."
    assert v3.created_by == admin
    # Saving the same text again makes no version.
    assert services.save_draft(report, owner, shortcomings="Còn chậm ở ấp.").pk == v3.pk
    # Restoring an old one makes it the latest, as a new version: nothing is lost.
    v4 = services.restore_draft(v2, owner)
    assert (v4.version, v4.restored_from, v4.shortcomings) == (4, 2, "Còn chậm.")
    assert report.latest_draft() == v4
    assert list(Draft.objects.filter(report=report).values_list("version", flat=True)) == [
        4, 3, 2, 1,
    ]  # fmt: skip


def test_the_pages_save_a_version_and_restore_one(world: dict[str, Any], client: Any) -> None:
    report = world["report"]
    client.force_login(world["users"][OWNER])
    url = reverse("reports_staff:draft_edit", args=[report.pk])
    data = {"results": "Đạt nhiều kết quả.", "shortcomings": "", "causes": "", "lessons": "",
            "tasks_ahead": "Nhân rộng mô hình."}  # fmt: skip
    assert client.post(url, data).status_code == 302
    page = client.get(report.get_absolute_url()).content.decode()
    assert "phiên bản 2" in page and "Nhân rộng mô hình." in page
    first = report.drafts.get(version=1)
    restore = reverse("reports_staff:draft_restore", args=[report.pk, first.pk])
    assert client.post(restore).status_code == 302
    assert report.latest_draft().results == ""  # type: ignore[union-attr]
    assert report.latest_draft().version == 3  # type: ignore[union-attr]


def test_the_export_job_writes_both_files_and_links_them(
    world: dict[str, Any], client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report, owner = world["report"], world["users"][OWNER]
    services.save_draft(report, owner, results="Kết quả đạt được trong kỳ.")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports_staff:export_start", args=[report.pk]))
    assert response.status_code == 302
    export = Export.objects.get()
    job = Job.objects.get()
    assert job.status == JobStatus.DONE, job.errors
    assert job.progress_total == len(REVIEW_SECTIONS) + 1
    assert export.draft == report.latest_draft()
    assert default_storage.exists(export.document.name)
    assert default_storage.exists(export.annex.name)
    page = client.get(report.get_absolute_url()).content.decode()
    docx_url = reverse("reports_staff:export_docx", args=[report.pk, export.pk])
    xlsx_url = reverse("reports_staff:export_xlsx", args=[report.pk, export.pk])
    assert docx_url in page and xlsx_url in page and "Đã xong" in page
    got = client.get(docx_url)
    assert got.status_code == 200
    assert got["Cache-Control"] == "private, no-store"
    body = b"".join(got.streaming_content)
    xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
    assert "Kết quả đạt được trong kỳ." in xml
    assert "Tổ chức các cuộc thi trực tuyến" in xml
    assert "DỰ THẢO" not in xml and not export.provisional  # the period has ended
    assert client.get(xlsx_url).status_code == 200
    # The job page leads back to the report.
    job_page = client.get(reverse("staff:job_detail", args=[job.pk])).content.decode()
    assert report.get_absolute_url() in job_page


def test_a_period_not_ended_exports_only_a_marked_draft(
    world: dict[str, Any],
    client: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: "a report for a period not yet ended (allowed only as a draft,
    clearly marked)": the page says so, the export is marked "DỰ THẢO" in the
    Word document, the annex and the file's name, and counts to today."""
    from danvan.reports import jobs

    today = timezone.localdate()
    running = make_period("Năm đang diễn ra", PeriodKind.YEAR, today - timedelta(days=100),
                          today + timedelta(days=20))  # fmt: skip
    owner = world["users"][OWNER]
    report = services.create_report(owner, organization=world["body"], period=running)
    client.force_login(owner)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "bản dự thảo" in page and "Xuất bản dự thảo" in page
    counted: list[tuple[date, date]] = []
    compute = jobs.compute_sections

    def spy(area: Any, start: date, end: date, progress: Any = None) -> Any:
        counted.append((start, end))
        return compute(area, start, end, progress)

    monkeypatch.setattr(jobs, "compute_sections", spy)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports_staff:export_start", args=[report.pk]))
    assert response.status_code == 302
    export = Export.objects.get(report=report)
    assert export.provisional and export.counted_to == today
    assert counted == [(running.start, today)]  # nothing counted past today
    docx = client.get(reverse("reports_staff:export_docx", args=[report.pk, export.pk]))
    assert quote("(dự thảo).docx") in docx["Content-Disposition"]
    xml = zipfile.ZipFile(io.BytesIO(b"".join(docx.streaming_content))).read("word/document.xml")
    text = xml.decode()
    assert "DỰ THẢO" in text and f"số liệu tính đến ngày {today:%d/%m/%Y}" in text
    xlsx = client.get(reverse("reports_staff:export_xlsx", args=[report.pk, export.pk]))
    notes = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["Ghi chú"]
    assert str(notes["A1"].value).startswith("DỰ THẢO: kỳ báo cáo chưa kết thúc")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Dự thảo" in page and f"số liệu đến {today:%d/%m/%Y}" in page


def test_the_files_are_out_of_reach_out_of_scope(
    world: dict[str, Any], client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report, users = world["report"], world["users"]
    client.force_login(users[OWNER])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports_staff:export_start", args=[report.pk]))
    export = Export.objects.get()
    docx_url = reverse("reports_staff:export_docx", args=[report.pk, export.pk])
    for persona, status in ((SIBLING, 404), (VIEWER, 200), (ABOVE, 200)):
        client.force_login(users[persona])
        assert client.get(docx_url).status_code == status, persona


def test_a_job_of_an_officer_who_lost_the_report_fails(world: dict[str, Any]) -> None:
    from danvan.core.jobs import run_job
    from danvan.core.models import RoleAssignment

    report, owner = world["report"], world["users"][OWNER]
    export = services.start_export(report, owner)  # queued at the commit: never, here
    RoleAssignment.objects.filter(user=owner).delete()
    job = Job.objects.create(kind="review_report", title="x", created_by=owner,
                             params={"export": export.pk})  # fmt: skip
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Người xuất không còn quyền với báo cáo này."


def test_the_forms_create_and_edit_a_report(world: dict[str, Any], client: Any) -> None:
    body, period = world["body"], world["period"]
    ReviewReport.objects.all().delete()
    client.force_login(world["users"]["admin"])
    add = reverse("reports_staff:report_add")
    assert "Tạo báo cáo sơ kết, tổng kết" in client.get(add).content.decode()
    sent = client.post(add, {"organization": body.pk, "period": period.pk, "symbol": "BC/ĐU"})
    report = ReviewReport.objects.get()
    assert sent["Location"] == report.get_absolute_url()
    assert (report.symbol, report.place, report.signer_capacity) == (
        "BC/ĐU", "Phụng Hiệp", "T/M BAN THƯỜNG VỤ",
    )  # fmt: skip
    edit = reverse("reports_staff:report_edit", args=[report.pk])
    values = {name: getattr(report, name) for name in ("party_committee", "issuer", "symbol",
              "place", "subject", "signer_capacity", "recipients")}  # fmt: skip
    signed = {"signer_title": "Phó Bí thư", "signer_name": "Lê Văn Tám"}
    sent = client.post(edit, {**values, "number": "25", "dated": "2026-07-05", **signed})
    assert sent.status_code == 302
    report.refresh_from_db()
    assert (report.number, report.dated, report.signer_name) == (
        "25",
        date(2026, 7, 5),
        "Lê Văn Tám",
    )
    # A date before the period: the form again with the service's reason.
    page = client.post(edit, {**values, "dated": "2025-12-01"}).content.decode()
    assert "Ngày báo cáo không thể trước ngày bắt đầu của kỳ báo cáo." in page
    # A body out of the officer's scope is not a choice.
    client.force_login(world["users"][SIBLING])
    sent = client.post(add, {"organization": body.pk, "period": period.pk})
    assert sent.status_code == 200 and "organization" in sent.context["form"].errors
