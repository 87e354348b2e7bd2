"""Background jobs (danvan.core.jobs): outcome, failure, claiming, progress."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry

from danvan.core import jobs, services
from danvan.core.jobs import JobFailed, Progress
from danvan.core.models import Area, Job, JobStatus, Role
from danvan.core.tests.factories import make_commune, make_province, make_user

GENERIC_MESSAGE = "Lỗi hệ thống khi xử lý. Quản trị viên đã được ghi nhận lỗi."


def start(user: Any, kind: str, capture: Any, **kwargs: Any) -> Job:
    with capture(execute=True):
        job = jobs.start_job(user, kind, f"Công việc thử {kind}", **kwargs)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_job_failed_records_message_and_errors(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        raise JobFailed("Có 2 dòng lỗi; chưa nhập dòng nào.", ["Dòng 2: thiếu tên.", "Dòng 5: …"])

    monkeypatch.setitem(jobs.HANDLERS, "test_refuse", handler)
    job = start(make_user("qt.tanlong"), "test_refuse", django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == "Có 2 dòng lỗi; chưa nhập dòng nào."
    assert job.errors == ["Dòng 2: thiếu tên.", "Dòng 5: …"]
    assert job.finished_at is not None
    assert job.is_finished
    assert job.result == {}


@pytest.mark.django_db
def test_long_failure_message_is_cut_to_fit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        raise JobFailed("Lỗi " * 200)

    monkeypatch.setitem(jobs.HANDLERS, "test_long", handler)
    job = start(make_user("qt.tanlong"), "test_long", django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert len(job.message) == 300


@pytest.mark.django_db
def test_unexpected_exception_fails_with_generic_message(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        raise ZeroDivisionError("chia cho 0")

    monkeypatch.setitem(jobs.HANDLERS, "test_crash", handler)
    # No exception escapes: the caller (a view) never turns this into a 500.
    job = start(make_user("qt.tanlong"), "test_crash", django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == GENERIC_MESSAGE
    assert job.errors == ["ZeroDivisionError: chia cho 0"]
    assert job.finished_at is not None
    assert any("failed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_success_stores_result_and_message(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        return {"created": 4, "message": f"Đã xử lý {job.params['n']} mục."}

    monkeypatch.setitem(jobs.HANDLERS, "test_ok", handler)
    job = start(
        make_user("qt.tanlong"), "test_ok", django_capture_on_commit_callbacks, params={"n": 4}
    )
    assert job.status == JobStatus.DONE
    assert job.result == {"created": 4, "message": "Đã xử lý 4 mục."}
    assert job.message == "Đã xử lý 4 mục."
    assert job.percent == 100


@pytest.mark.django_db
def test_job_runs_only_once(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[int] = []

    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        calls.append(job.pk)
        return {"message": "Xong."}

    monkeypatch.setitem(jobs.HANDLERS, "test_once", handler)
    job = start(make_user("qt.tanlong"), "test_once", django_capture_on_commit_callbacks)
    finished_at = job.finished_at
    jobs.run_job(job.pk)  # a second delivery of the same task
    jobs.run_job_task.enqueue(job.pk)  # and a third, through the task backend
    assert calls == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.finished_at == finished_at


@pytest.mark.django_db
def test_job_is_queued_until_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[int] = []
    monkeypatch.setitem(
        jobs.HANDLERS, "test_later", lambda job, progress: calls.append(job.pk) or {}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.start_job(make_user("qt.tanlong"), "test_later", "Chờ")
    assert len(callbacks) == 1
    assert calls == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        jobs.start_job(make_user("qt.tanlong"), "khong_co", "Không có")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_progress_is_stored_while_running(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[tuple[str, int, int, str, int]] = []

    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        for done in (0, 5, 10):
            progress(done, 10, f"Đã xử lý {done}/10")
            row = Job.objects.get(pk=job.pk)
            seen.append(
                (row.status, row.progress_done, row.progress_total, row.message, row.percent)
            )
        progress(10, 10, "x" * 400)
        assert len(Job.objects.get(pk=job.pk).message) == 300
        return {"message": "Hoàn thành."}

    monkeypatch.setitem(jobs.HANDLERS, "test_progress", handler)
    job = start(make_user("qt.tanlong"), "test_progress", django_capture_on_commit_callbacks)
    assert seen == [
        (JobStatus.RUNNING, 0, 10, "Đã xử lý 0/10", 0),
        (JobStatus.RUNNING, 5, 10, "Đã xử lý 5/10", 50),
        (JobStatus.RUNNING, 10, 10, "Đã xử lý 10/10", 100),
    ]
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total) == (10, 10)
    assert job.started_at is not None and job.started_at <= job.finished_at


@pytest.mark.django_db
def test_job_writes_are_audited_as_its_creator(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    province = make_province("93", "Tỉnh Hậu Giang")
    commune = make_commune(province, "Xã Tân Long", "31453")
    creator = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)

    def handler(job: Job, progress: Progress) -> dict[str, Any]:
        commune_now = Area.objects.get(pk=job.params["commune"])
        services.add_hamlet(commune_now, name="Long Trị", unit_type="Ấp")
        return {"message": "Đã thêm 1 ấp."}

    monkeypatch.setitem(jobs.HANDLERS, "test_audit", handler)
    job = start(
        creator, "test_audit", django_capture_on_commit_callbacks, params={"commune": commune.pk}
    )
    assert job.status == JobStatus.DONE
    hamlet = Area.objects.get(name="Ấp Long Trị")
    assert LogEntry.objects.get_for_object(hamlet).get().actor_id == creator.pk


@pytest.mark.django_db
def test_jobs_are_seen_by_their_creator_and_system_admins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(jobs.HANDLERS, "test_seen", lambda job, progress: {})
    owner = make_user("qt.tanlong")
    other = make_user("qt.longthanh")
    admin = make_user("quantri", Role.SYSTEM_ADMIN)
    job = jobs.start_job(owner, "test_seen", "Của tôi")
    assert list(Job.objects.visible_to(owner)) == [job]
    assert not Job.objects.visible_to(other).exists()
    assert list(Job.objects.visible_to(admin)) == [job]


# --- Jobs whose worker died ------------------------------------------------------------------


def _running_since(user: Any, minutes: int) -> Job:
    from datetime import timedelta

    from django.utils import timezone

    return Job.objects.create(
        kind="import_hamlets",
        title="Nhập ấp, khu vực",
        created_by=user,
        status=JobStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes),
        message="Đang xử lý…",
    )


@pytest.mark.django_db
def test_a_job_running_past_the_timeout_is_failed_with_a_reason() -> None:
    user = make_user("qt.tanlong")
    dead = _running_since(user, jobs.STALE_AFTER_MINUTES + 5)
    alive = _running_since(user, 2)
    assert jobs.fail_stale_jobs() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.message.startswith("Công việc bị gián đoạn: sau 60 phút vẫn chưa xong")
    assert dead.errors and "không báo kết quả" in dead.errors[0]
    assert dead.finished_at is not None and dead.is_finished
    assert alive.status == JobStatus.RUNNING and alive.finished_at is None
    assert jobs.fail_stale_jobs() == 0  # done once


@pytest.mark.django_db
def test_listing_jobs_fails_the_stale_ones(client: Any) -> None:
    from django.urls import reverse

    user = make_user("qt.tanlong")
    dead = _running_since(user, 24 * 60)
    client.force_login(user)
    body = client.get(reverse("staff:job_detail", args=[dead.pk])).content.decode()
    assert "Công việc bị gián đoạn" in body
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    other = _running_since(user, 24 * 60)
    client.get(reverse("staff:job_list"))
    other.refresh_from_db()
    assert other.status == JobStatus.FAILED


@pytest.mark.django_db
def test_fail_stale_jobs_command(settings: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = make_user("qt.tanlong")
    ten_minutes = _running_since(user, 10)
    out = StringIO()
    call_command("fail_stale_jobs", stdout=out)
    assert "Đã đánh dấu thất bại 0 công việc" in out.getvalue()
    call_command("fail_stale_jobs", "--minutes", "5", stdout=out)
    assert "Đã đánh dấu thất bại 1 công việc" in out.getvalue()
    ten_minutes.refresh_from_db()
    assert ten_minutes.status == JobStatus.FAILED
    assert "sau 5 phút" in ten_minutes.message
    settings.JOB_STALE_MINUTES = 1
    assert jobs.fail_stale_jobs() == 0
    with pytest.raises(CommandError):
        call_command("fail_stale_jobs", "--minutes", "0")


def test_checked_rows_all_or_none() -> None:
    """An import's rows pass only without errors and with at least one row."""
    assert jobs.checked_rows([1, 2], [], "Không có dòng nào.") == [1, 2]
    with pytest.raises(JobFailed) as caught:
        jobs.checked_rows([1], ["Dòng 2: thiếu tên.", "Dòng 4: sai mã."], "Không có dòng nào.")
    assert caught.value.message.startswith("Có 2 dòng lỗi; chưa nhập dòng nào.")
    assert caught.value.errors == ["Dòng 2: thiếu tên.", "Dòng 4: sai mã."]
    with pytest.raises(JobFailed, match=r"Không có dòng nào\."):
        jobs.checked_rows([], [], "Không có dòng nào.")


@pytest.mark.django_db
def test_page_link_and_import_again_follow_the_scope(settings: Any, tmp_path: Any) -> None:
    """A link without a verb is for every reader; an import's `again` only for
    those who may import."""
    from django.core.files.base import ContentFile

    from danvan.core.scope import MANAGE_TREE
    from danvan.core.tests.factories import make_staff

    settings.MEDIA_ROOT = tmp_path
    commune = make_commune(make_province())
    viewer = make_staff("viewer", Role.VIEWER, area=commune)
    admin = make_staff("admin", Role.BOARD_ADMIN, area=commune)
    job = Job.objects.create(kind="import_hamlets", title="Nhập ấp", created_by=admin)
    about = jobs.page_link("Danh sách địa bàn", "staff:area_list")
    again = jobs.import_again("staff:hamlet_import", MANAGE_TREE)
    assert about(job, viewer) == ("Danh sách địa bàn", "/quan-ly/dia-ban/")
    assert again(job, viewer) is None
    assert again(job, admin) == ("Nhập lại từ file khác", "/quan-ly/dia-ban/nhap-ap/")
    job.input_file.save("ap.xlsx", ContentFile(b"PK\x03\x04 data"))
    assert jobs.input_bytes(job) == b"PK\x03\x04 data"
