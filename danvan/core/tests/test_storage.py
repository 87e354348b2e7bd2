"""Files go through Django's storage API only (STORAGES["default"]).

With an in-memory storage that has no local paths at all, an export job, an
import job, the public images and the survey share images still work, and
nothing is written under MEDIA_ROOT: an S3-compatible storage (django-storages)
then needs settings only, and the web servers and the worker share no disk.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from danvan.contests import exports
from danvan.contests import services as contest_services
from danvan.contests.tests import factories as contest_factories
from danvan.core import jobs
from danvan.core.imports import HAMLET_HEADER
from danvan.core.models import Area, Job, JobStatus, Role
from danvan.core.tests.factories import make_commune, make_district, make_province, make_user
from danvan.core.tests.helpers import sheet_rows, xlsx_bytes
from danvan.surveys.tests import factories as survey_factories


@pytest.fixture(autouse=True)
def memory_storage(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        # Its path() names no file on disk: code that opened one would fail.
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return tmp_path


@pytest.fixture(autouse=True)
def _nothing_on_disk(memory_storage: Path) -> Any:
    yield
    assert list(memory_storage.iterdir()) == []


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "#a3131a").save(out, format="PNG")
    return out.getvalue()


def test_the_default_storage_is_the_one_configured() -> None:
    assert not default_storage.exists("probe.txt")
    assert isinstance(default_storage._wrapped, InMemoryStorage)


@pytest.mark.django_db
def test_export_job_saves_and_serves_its_file_through_the_storage(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world = contest_factories.make_world(question_count=4)
    alice = contest_factories.make_participant(
        world.contest, world.hamlet, full_name="Trần Thị Ánh"
    )
    attempt = contest_services.start_attempt(world.round, alice)
    contest_services.submit_attempt(attempt.token, contest_factories.right_answers(attempt), 123)
    manager = make_user("bdv.tinh", Role.BOARD_ADMIN, area=world.province)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(
            manager, "export_results", "Xuất kết quả", params={"round": world.round.pk}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    name = f"exports/{job.pk}.xlsx"
    assert job.result["file"] == name and default_storage.exists(name)

    client.force_login(manager)
    download = client.get(reverse("contests_stats:job_download", args=[job.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    with default_storage.open(name, "rb") as fh:
        assert data == fh.read()
    names = [row[1] for row in sheet_rows(data)]
    assert "Trần Thị Ánh" in names

    # A file of that name left behind (an earlier database) is replaced, never kept
    # aside with the new one saved under another name.
    exports._write_output(job, b"PK new", ("a.xlsx", "a.xlsx"), 1, "kết quả")
    with default_storage.open(name, "rb") as fh:
        assert fh.read() == b"PK new"

    # The file gone from the storage: a 404, not an error.
    default_storage.delete(name)
    assert client.get(reverse("contests_stats:job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_import_job_reads_its_upload_from_the_storage(
    django_capture_on_commit_callbacks: Any,
) -> None:
    province = make_province("93", "Tỉnh Hậu Giang")
    district = make_district(province, "Huyện Phụng Hiệp", "934")
    commune = make_commune(district, "Xã Tân Long", "31453")
    importer = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    data = xlsx_bytes([HAMLET_HEADER, ["31453", "Long Phú", "Ấp", 1620]])
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(
            importer,
            "import_hamlets",
            "Nhập ấp",
            input_file=ContentFile(data, name="ap.xlsx"),
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    assert job.input_file.name.startswith("jobs/")
    assert default_storage.exists(job.input_file.name)
    assert Area.objects.filter(name="Ấp Long Phú").exists()
    assert Job.objects.get(pk=job.pk).result["created"] == 1


@pytest.mark.django_db
def test_public_images_are_served_from_the_storage(settings: Any) -> None:
    settings.DEBUG = False
    world = contest_factories.make_world()
    world.contest.banner = SimpleUploadedFile("bia.png", png(), content_type="image/png")
    world.contest.save()
    url = world.contest.banner.url
    assert url.startswith("/media/contests/banners/")

    visitor = Client()
    response = visitor.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]
    # Revalidated by its time in the storage.
    again = visitor.get(url, headers={"If-Modified-Since": response["Last-Modified"]})
    assert again.status_code == 304

    # Private files in the same storage stay private; a missing image is a 404.
    default_storage.save("exports/1.xlsx", ContentFile(b"PK private export"))
    assert visitor.get("/media/exports/1.xlsx").status_code == 404
    assert visitor.get("/media/contests/banners/khong-co.png").status_code == 404


@pytest.mark.django_db
def test_survey_share_images_work_with_the_storage(settings: Any) -> None:
    settings.DEBUG = False
    survey = survey_factories.make_survey(kinds=["single"])
    visitor = Client()
    # The image drawn from the title (no upload): made in memory, kept in the cache.
    drawn = visitor.get(reverse("surveys:share_image", args=[survey.slug]))
    assert drawn.status_code == 200 and drawn.content.startswith(b"\x89PNG")

    survey.share_image = SimpleUploadedFile("chia-se.png", png(), content_type="image/png")
    survey.save()
    assert default_storage.exists(survey.share_image.name)
    page = visitor.get(survey.get_absolute_url()).content.decode()
    assert f'content="http://testserver{survey.share_image.url}"' in page
    response = visitor.get(survey.share_image.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]


# --- An S3-compatible bucket by setting only ------------------------------------------------


def test_storage_is_the_folder_unless_a_bucket_is_named() -> None:
    from danvan.settings import storage_config

    assert storage_config("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_is_private_and_never_overwrites(monkeypatch: pytest.MonkeyPatch) -> None:
    from danvan.settings import storage_config

    monkeypatch.setenv("S3_ENDPOINT_URL", "https://s3.example.vn")
    monkeypatch.setenv("S3_REGION", "hn-1")
    monkeypatch.delenv("S3_PREFIX", raising=False)
    assert storage_config("danvan-media") == {
        "BACKEND": "danvan.core.storage.BucketStorage",
        "OPTIONS": {
            "bucket_name": "danvan-media",
            "endpoint_url": "https://s3.example.vn",
            "region_name": "hn-1",
            "location": "",
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def test_bucket_files_are_linked_under_media_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Links never point at the bucket: the app serves the public images itself,
    within the policy's img-src 'self'. (django-storages is an optional extra:
    a stand-in for its S3Storage here.)"""
    import importlib
    import sys
    import types

    s3 = types.ModuleType("storages.backends.s3")
    s3.S3Storage = type("S3Storage", (), {})  # type: ignore[attr-defined]
    for name, module in (
        ("storages", types.ModuleType("storages")),
        ("storages.backends", types.ModuleType("storages.backends")),
        ("storages.backends.s3", s3),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    try:
        storage = importlib.import_module("danvan.core.storage").BucketStorage()
        assert storage.url("contests/banners/bìa 1.png") == (
            "/media/contests/banners/b%C3%ACa%201.png"
        )
        assert storage.url("/surveys/a.png") == "/media/surveys/a.png"
    finally:  # built on the stand-in: not to be found by anything else
        sys.modules.pop("danvan.core.storage", None)
        vars(sys.modules["danvan.core"]).pop("storage", None)
