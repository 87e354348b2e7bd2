"""Photos and documents through the pages: a nomination with photos (all or
none, at most 5), the sizes made in the background and the original gone,
staff adding and deleting photos and documents (the files go with the rows),
nothing public before it is made, nothing private served."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from danvan.core import images
from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_hamlet, make_province, make_staff
from danvan.practices import deeds, photos
from danvan.practices.models import Document, GoodDeed, Photo, PhotoStatus
from danvan.practices.tests.factories import make_photo, make_practice, move, picture_bytes, upload

pytestmark = pytest.mark.django_db

NOMINATE = reverse("practices:nominate")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def hamlet(db: Any) -> Any:
    """A hamlet; its commune and province ride along as `.commune` and `.province`."""
    province = make_province()
    commune = make_commune(province)
    place = make_hamlet(commune, "Ấp Phụng Thạnh")
    place.commune, place.province = commune, province
    return place


def files_in(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def nomination(hamlet: Any, files: list[Any]) -> dict[str, Any]:
    return {
        "nominee_name": "Bà Trần Thị Mười", "collective": "0", "place": hamlet.pk,
        "deed": "Nấu cơm miễn phí cho bệnh nhân nghèo.", "nominator_name": "Lê Văn Tư",
        "nominator_phone": "0912 345 678", "consent": "on", "trang_web": "",
        "t": signing.dumps(time.time() - 30, salt=deeds._SALT), "photos": files,
    }  # fmt: skip


def test_a_nomination_with_photos_keeps_only_the_sizes(
    client: Any, hamlet: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    files = [upload(f"anh-{n}.jpg", picture_bytes(gps=True)) for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NOMINATE, nomination(hamlet, files))
    assert response["Location"] == reverse("practices:nominated")
    deed = GoodDeed.objects.get()
    made = list(deed.photos.all())
    assert [p.status for p in made] == [PhotoStatus.READY, PhotoStatus.READY]
    assert not any(name.startswith("uploads") for name in files_in(media_root))
    for photo in made:
        for size in images.SIZES:
            with default_storage.open(photo.name_of(size.name)) as kept:
                assert b"DanvanCam" not in kept.read()


def test_six_photos_or_one_bad_one_keep_nothing(client: Any, hamlet: Any, media_root: Path) -> None:
    six = [upload(f"anh-{n}.jpg", picture_bytes(64, 48)) for n in range(6)]
    page = client.post(NOMINATE, nomination(hamlet, six))
    assert page.status_code == 200 and "Chọn tối đa 5 tệp" in page.content.decode()
    mixed = [upload("a.jpg", picture_bytes()), upload("ho-so.jpg", b"MZ\x90\x00 not a photo")]
    page = client.post(NOMINATE, nomination(hamlet, mixed))
    body = page.content.decode()
    assert page.status_code == 200 and "Ảnh 2 (ho-so.jpg)" in body
    assert "hãy chọn lại ảnh" in body  # the browser forgets chosen files: the page says so
    assert "Bà Trần Thị Mười" in body  # what was typed stays
    assert not GoodDeed.objects.exists() and not Photo.objects.exists()
    assert files_in(media_root) == []


def test_a_deed_takes_at_most_five_photos(hamlet: Any, media_root: Path) -> None:
    deed = deeds.nominate(
        nominee_name="Anh Út", collective=False, area=hamlet, deed="Trả lại ví.",
        nominator_name="Người dân",
    )  # fmt: skip
    for _ in range(5):
        make_photo(deed)
    checked = images.check_image(upload("a.jpg", picture_bytes(64, 48)))
    with pytest.raises(ValidationError, match="Tối đa 5 ảnh"):
        photos.add_photos(deed, [checked])
    assert deed.photos.count() == 5
    assert len([n for n in files_in(media_root) if n.startswith("uploads")]) == 0


def test_staff_add_and_delete_photos_and_documents(
    client: Any, hamlet: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    practice = make_practice(hamlet.commune, title="Đường hoa")
    officer = make_staff("bdv.tinh", Role.BOARD_ADMIN, area=hamlet.province)
    client.force_login(officer)
    add = reverse("practices_staff:practice_photos", args=[practice.pk])
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            add, {"photos": [upload("a.jpg", picture_bytes())], "caption": "Khởi công"}
        )
    assert done["Location"] == practice.get_absolute_url()
    photo = practice.photos.get()
    assert photo.caption == "Khởi công" and photo.status == PhotoStatus.READY
    empty = client.post(add, {"caption": "x"})
    assert "Hãy chọn ít nhất một ảnh." in empty.content.decode()

    delete = reverse("practices_staff:practice_photo_delete", args=[practice.pk, photo.pk])
    assert "Không thể hoàn tác." in client.get(delete).content.decode()
    assert practice.photos.exists()  # asking first changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(delete)
    assert not practice.photos.exists() and files_in(media_root) == []

    documents = reverse("practices_staff:document_add", args=[practice.pk])
    wrong = client.post(
        documents, {"title": "QĐ", "file": upload("qd.pdf", b"MZ\x90", "application/pdf")}
    )
    assert "không phải tệp PDF" in wrong.content.decode() and not Document.objects.exists()
    client.post(
        documents,
        {"title": "Quyết định công nhận", "file": upload("qd.pdf", PDF, "application/pdf")},
    )
    document = Document.objects.get()
    got = client.get(reverse("practices_staff:document_download", args=[practice.pk, document.pk]))
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"].startswith("attachment")
    assert b"".join(got.streaming_content) == PDF
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practices_staff:document_delete", args=[practice.pk, document.pk]))
    assert not Document.objects.exists() and files_in(media_root) == []


def test_nothing_public_before_it_is_made_and_nothing_private_served(
    client: Any, hamlet: Any
) -> None:
    practice = move(make_practice(hamlet.commune), "start", "propose", "recognise")
    waiting = make_photo(practice, process=False)
    detail = reverse("practices_public:detail", args=[practice.pk])
    body = client.get(detail).content.decode()
    assert waiting.token not in body and "og:image" not in body
    original = client.get(f"/media/{waiting.original}")
    assert original.status_code == 404  # the private original is never served
    ready = photos.process_photo(waiting.pk)
    assert ready is not None
    body = client.get(detail).content.decode()
    assert ready.share is not None and ready.large is not None
    assert f'content="http://testserver{ready.share["url"]}"' in body
    assert f'width="{ready.large["width"]}" height="{ready.large["height"]}"' in body
    served = client.get(ready.large["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    gallery = client.get(reverse("practices_public:gallery")).content.decode()
    assert ready.card is not None and ready.card["url"] in gallery
