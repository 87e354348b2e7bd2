"""The page of a finished or failed background job leads somewhere: back to the
bank, round or contest it was about, to the import form for a corrected file, to
a download of the error list, or a retry; a failed job shows its reason, not
"0 %" (issue: "dead ends after background jobs")."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.contests.tests import factories
from danvan.contests.tests.test_bank_io import row, run_import, xlsx
from danvan.core import jobs
from danvan.core.models import Job, JobStatus, Role
from danvan.core.tests.factories import make_staff
from danvan.core.tests.helpers import sheet_rows

pytestmark = pytest.mark.usefixtures("media_root")


def _failed_import(world: factories.World, admin: Any, capture: Any) -> Job:
    data = xlsx([row(answer=""), row(text="Khác?", answer="C", choices=("A", "B"))])
    job = run_import(admin, world.contest, data, capture)
    assert job.status == JobStatus.FAILED
    return job


def _failed_close(admin: Any, capture: Any) -> Job:
    """A close of a round that does not exist: it fails, with no row errors."""
    with capture(execute=True):
        job = jobs.start_job(admin, "close_round", "Tổng hợp", params={"round_id": 0})
    job.refresh_from_db()
    return job


def test_a_failed_import_shows_its_reason_and_the_ways_on(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _failed_import(world, admin, django_capture_on_commit_callbacks)
    client.force_login(admin)
    body = client.get(job.get_absolute_url()).content.decode()
    assert 'id="job-reason"' in body and "Có 2 dòng lỗi" in body
    assert "<progress" not in body  # no "0 %" for a job that failed
    bank = reverse("contests_staff:question_list", args=[world.contest.pk])
    assert f'href="{bank}"' in body
    again = reverse("contests_staff:question_import", args=[world.contest.pk])
    assert f'href="{again}"' in body
    assert reverse("staff:job_errors_xlsx", args=[job.pk]) in body
    # The same file would fail the same way: no retry, a corrected file instead.
    assert reverse("staff:job_retry", args=[job.pk]) not in body


def test_the_error_list_downloads_as_a_spreadsheet(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _failed_import(world, admin, django_capture_on_commit_callbacks)
    client.force_login(admin)
    response = client.get(reverse("staff:job_errors_xlsx", args=[job.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''L%E1%BB%97i" in response["Content-Disposition"]
    rows = sheet_rows(response.content, "Lỗi")
    assert rows[0] == ("STT", "Lỗi cần sửa")
    assert rows[1] == (1, "Dòng 2: thiếu đáp án đúng.")
    assert len(rows) == 3


def test_a_finished_close_leads_back_to_the_round(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _failed_close(admin, django_capture_on_commit_callbacks)
    client.force_login(admin)
    body = client.get(job.get_absolute_url()).content.decode()
    assert "Không tìm thấy đợt thi." in body  # the reason, not a percentage
    assert 'id="job-about"' not in body  # nothing to go back to: no dead link
    job.params = {"round_id": world.round.pk}
    job.save()
    body = client.get(job.get_absolute_url()).content.decode()
    detail = reverse("contests_staff:round_detail", args=[world.round.pk])
    assert f'href="{detail}"' in body


def test_a_failed_job_without_row_errors_runs_again_for_its_owner_only(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _failed_close(admin, django_capture_on_commit_callbacks)
    retry = reverse("staff:job_retry", args=[job.pk])
    other = make_staff("qt.khac", Role.BOARD_ADMIN, area=world.province)
    client.force_login(other)
    assert client.post(retry).status_code == 404
    assert Job.objects.count() == 1

    client.force_login(admin)
    assert retry in client.get(job.get_absolute_url()).content.decode()
    assert client.get(retry).status_code == 405  # a GET never starts anything
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    again = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert again.params == job.params and again.created_by == admin
    assert again.status == JobStatus.FAILED  # ran again (the round is still missing)
    # A finished job is not run again.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    client.post(retry)
    assert Job.objects.count() == 2
