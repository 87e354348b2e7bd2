"""A year's registrations from Excel: all rows or none, a clear error per row,
the unit in the importer's scope, the template's example never imported."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from danvan.core import jobs
from danvan.core.models import Job, JobStatus, OrgKind, Role
from danvan.core.tests.factories import make_commune, make_org, make_province, make_staff
from danvan.core.tests.helpers import xlsx_bytes
from danvan.practices.imports import EXAMPLE, HEADER, registration_template
from danvan.practices.models import Practice, Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def world(db: Any) -> Any:
    province = make_province()
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    other = make_commune(province, "Xã Hòa An", "31393")
    make_org(commune, "Ban Dân vận Đảng ủy xã Phụng Hiệp", OrgKind.MOBILISATION_BOARD)
    make_org(other, "Ban Dân vận Đảng ủy xã Hòa An", OrgKind.MOBILISATION_BOARD)
    officer = make_staff("bdv.xa", Role.BOARD_ADMIN, area=commune)
    return officer


def xlsx(rows: list[list[Any]]) -> bytes:
    return xlsx_bytes([HEADER, *rows], sheet="Đăng ký")


def run(user: Any, data: bytes, capture: Any) -> Job:
    with capture(execute=True):
        job = jobs.start_job(
            user, "import_practices", "Nhập", input_file=ContentFile(data, name="dang-ky.xlsx")
        )
    job.refresh_from_db()
    return job


def row(**changes: Any) -> list[Any]:
    values = dict(zip(HEADER, EXAMPLE, strict=True))
    values.update({HEADER[HEADER.index(k)]: v for k, v in changes.items()})
    return [values[h] for h in HEADER]


def test_good_rows_are_registered(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    data = xlsx([row(), row(**{"Tên mô hình, điển hình": "Tổ tự quản", "Loại": "dien hinh"})])
    job = run(world, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    titles = dict(Practice.objects.values_list("title", "kind"))
    assert titles == {"Dân vận khéo trong hiến đất làm đường": "practice", "Tổ tự quản": "exemplar"}
    assert set(Practice.objects.values_list("status", flat=True)) == {Status.REGISTERED}


def test_one_bad_row_imports_nothing_and_says_why(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = xlsx(
        [
            row(),
            row(**{"Mã địa bàn": "31393"}),  # another commune: out of scope
            row(**{"Lĩnh vực": "Thể thao", "Ngày bắt đầu": "2026-02-01"}),
        ]
    )
    job = run(world, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.errors[0].startswith("Dòng 3: mã địa bàn “31393” không có hoặc ngoài phạm vi")
    assert "lĩnh vực “Thể thao” không hợp lệ" in job.errors[1]
    assert "không đúng dạng dd/mm/yyyy" in job.errors[1]
    assert not Practice.objects.exists()


def test_the_templates_example_is_never_imported(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world)
    template = client.get(reverse("practices_staff:registration_template")).content
    assert load_workbook(io.BytesIO(template)).sheetnames == ["Đăng ký", "Ví dụ", "Hướng dẫn"]
    job = run(world, registration_template(), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and job.message == "File không có dòng đăng ký nào."
    # The page starts the job and leads back to the list.
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("practices_staff:practice_import"),
            {"file": SimpleUploadedFile("dang-ky.xlsx", xlsx([row()]))},
        )
    job = Job.objects.filter(kind="import_practices").latest("pk")
    assert response["Location"] == job.get_absolute_url()
    assert (
        reverse("practices_staff:practice_list")
        in client.get(response["Location"]).content.decode()
    )
    assert Practice.objects.count() == 1
