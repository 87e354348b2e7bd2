"""Photos and documents of practices and good deeds, through the pages and the
services, with real files: a public nomination keeps its photos all or none
(at most 5), the background job keeps only the sizes (no EXIF) and deletes
the original; staff add photos and documents and delete them after a
confirmation page, the files going once that is committed; the public pages
show only made sizes (with their dimensions, lazily, og:image absolute); the
public media URL serves the sizes and never a private file."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from PIL import Image

from danvan.core import images
from danvan.core.documents import CheckedDocument
from danvan.core.models import Area, Role
from danvan.core.tests.factories import (
    make_commune,
    make_hamlet,
    make_province,
    make_staff,
    picture_bytes,
    upload,
)
from danvan.core.tests.helpers import files_in
from danvan.practices import deeds, photos
from danvan.practices.models import Document, GoodDeed, Photo, PhotoStatus, Practice
from danvan.practices.tests.factories import (
    make_deed,
    make_photo,
    make_practice,
    move,
    nomination_form,
)

pytestmark = pytest.mark.django_db

NOMINATE = reverse("practices:nominate")
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
NOT_IMAGE = "không phải ảnh JPG, PNG hoặc WebP, hoặc bị hỏng."


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """A queued job runs when its transaction commits, whatever TASKS_BACKEND says."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Place:
    province: Area
    commune: Area
    hamlet: Area
    officer: Any  # manages the province
    viewer: Any  # reads the commune
    sibling: Any  # manages another commune


@pytest.fixture
def place(db: Any) -> Place:
    province = make_province()
    commune = make_commune(province)
    other = make_commune(province, "Xã Hòa An", "31393")
    return Place(
        province,
        commune,
        make_hamlet(commune, "Ấp Phụng Thạnh"),
        make_staff("bdv.tinh", Role.BOARD_ADMIN, area=province),
        make_staff("xem.xa", Role.VIEWER, area=commune),
        make_staff("bdv.hoa.an", Role.BOARD_ADMIN, area=other),
    )


class Tags(HTMLParser):
    """The attributes of each <img> and <meta property=...> of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.meta: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.imgs.append(values)
        elif tag == "meta" and values.get("property"):
            self.meta[str(values["property"])] = values.get("content")


def deed_with_photos(place: Place, count: int) -> GoodDeed:
    """A good deed in the place's hamlet with `count` photos whose sizes are not made yet."""
    deed = make_deed(place.hamlet)
    for _ in range(count):
        make_photo(deed, process=False)
    return deed


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as kept:
        return bytes(kept.read())


def assert_only_sizes(photo: Photo) -> None:
    """The photo is made: each size stored as recorded, without any metadata."""
    assert photo.status == PhotoStatus.READY and photo.original == ""
    assert set(photo.sizes) == {size.name for size in images.SIZES}
    for size in images.SIZES:
        data = stored(photo.name_of(size.name))
        picture = Image.open(io.BytesIO(data))
        assert picture.format == "JPEG" and list(picture.size) == photo.sizes[size.name]
        assert not picture.getexif()
        assert b"Exif" not in data and b"DanvanCam" not in data and b"GPS" not in data


# --- A public nomination ----------------------------------------------------------------


def test_a_nomination_with_two_photos_keeps_only_their_sizes(
    client: Any, place: Place, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    sent = [
        upload("ruong-1.jpg", picture_bytes(1600, 1200, gps=True)),
        upload("ruong-2.png", picture_bytes(900, 1200, "PNG"), "image/png"),
    ]
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(NOMINATE, nomination_form(place.hamlet, photos=sent))
    assert response.status_code == 302 and response["Location"] == reverse("practices:nominated")
    deed = GoodDeed.objects.get()
    kept = list(deed.photos.all())
    assert [(p.position, p.status) for p in kept] == [
        (0, PhotoStatus.PENDING),
        (1, PhotoStatus.PENDING),
    ]
    originals = [p.original for p in kept]
    assert [name.rsplit(".", 1)[1] for name in originals] == ["jpg", "png"]
    assert files_in(media_root) == sorted(originals)  # private, as sent, until made
    assert b"DanvanCam" in stored(originals[0])
    assert all(p.card is None and p.large is None and p.share is None for p in kept)
    assert client.get(f"/media/{originals[0]}").status_code == 404

    jobs = [job for job in queued if getattr(job, "__name__", "") != "_raise"]  # not PAGES'
    assert len(jobs) == 2  # one job a photo, queued once the nomination is committed
    for job in jobs:
        job()
    for photo in kept:
        photo.refresh_from_db()
        assert_only_sizes(photo)
    assert not any(default_storage.exists(name) for name in originals)
    sizes = sorted(p.name_of(s.name) for p in kept for s in images.SIZES)
    assert files_in(media_root) == sizes
    assert kept[0].sizes == {"card": [480, 360], "large": [1280, 960], "share": [1200, 630]}
    assert kept[1].sizes["large"] == [900, 1200]  # never enlarged

    assert photos.process_photo(kept[0].pk) is None  # a second run does nothing
    assert files_in(media_root) == sizes


def test_six_photos_are_refused_five_are_taken(client: Any, place: Place, media_root: Path) -> None:
    six = [upload(f"anh-{n}.jpg", picture_bytes(64, 48)) for n in range(6)]
    page = client.post(NOMINATE, nomination_form(place.hamlet, photos=six))
    body = page.content.decode()
    assert page.status_code == 200 and "Chọn tối đa 5 tệp (bạn đã chọn 6)." in body
    assert "Bà Trần Thị Mười" in body  # what was typed stays
    assert "hãy chọn lại ảnh trước khi gửi" in body  # the browser forgot the files: told so
    assert not GoodDeed.objects.exists() and not Photo.objects.exists()
    assert files_in(media_root) == []

    five = [upload(f"anh-{n}.jpg", picture_bytes(64, 48)) for n in range(5)]
    assert client.post(NOMINATE, nomination_form(place.hamlet, photos=five)).status_code == 302
    assert GoodDeed.objects.get().photos.count() == 5


def _truncated() -> bytes:
    data = picture_bytes(800, 600)
    return data[: len(data) // 2]


def _animated() -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def _bomb() -> bytes:
    """A real 20 000 × 20 000 PNG of a few hundred kilobytes (Pillow's mode "1")."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 20_000 // 8)
    body = b"".join(compressor.compress(row) for _ in range(20_000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 1, 0, 0, 0, 0)
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), chunk(b"IDAT", body), chunk(b"IEND", b""))
    )


@pytest.mark.parametrize(
    "name, make, content_type, reason",
    [
        ("cat-doi.jpg", _truncated, "image/jpeg", NOT_IMAGE),
        ("trang.jpg", lambda: b"<!doctype html><script>alert(1)</script>", "image/jpeg", NOT_IMAGE),
        ("dong.gif", lambda: picture_bytes(64, 48, "GIF"), "image/gif", NOT_IMAGE),
        ("dong.webp", _animated, "image/webp", "là ảnh động; hãy gửi ảnh tĩnh."),
        ("bom.png", _bomb, "image/png", "có kích thước điểm ảnh quá lớn."),
    ],
)
def test_one_bad_photo_among_good_ones_keeps_nothing(
    client: Any,
    place: Place,
    media_root: Path,
    name: str,
    make: Any,
    content_type: str,
    reason: str,
) -> None:
    sent = [
        upload("tot-1.jpg", picture_bytes(gps=True)),
        upload(name, make(), content_type),
        upload("tot-3.png", picture_bytes(64, 48, "PNG"), "image/png"),
    ]
    page = client.post(NOMINATE, nomination_form(place.hamlet, photos=sent))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"Ảnh 2 ({name}) {reason}" in body
    assert "Ảnh 1 " not in body and "Ảnh 3 " not in body  # only the bad one is named
    assert not GoodDeed.objects.exists() and not Photo.objects.exists()
    assert files_in(media_root) == []


def test_an_empty_photo_is_named_too(client: Any, place: Place, media_root: Path) -> None:
    sent = [upload("tot.jpg", picture_bytes(64, 48)), upload("rong.jpg", b"")]
    body = client.post(NOMINATE, nomination_form(place.hamlet, photos=sent)).content.decode()
    assert "Tệp 2 (rong.jpg): Tập tin được gửi là rỗng." in body
    assert not GoodDeed.objects.exists() and files_in(media_root) == []


def test_a_failure_while_keeping_the_photos_keeps_nothing(
    place: Place, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second photo's row cannot be written: the nomination, the first
    photo and both files written so far are gone."""
    checked = images.check_images([upload(f"{n}.jpg", picture_bytes(64, 48)) for n in "ab"])
    manager = Photo.objects
    create = manager.create
    calls: list[int] = []

    def failing(**values: Any) -> Photo:
        calls.append(1)
        if len(calls) == 2:
            assert len(files_in(media_root)) == 2  # both files were written
            raise IntegrityError("the database refused it")
        return create(**values)

    monkeypatch.setattr(manager, "create", failing)
    with pytest.raises(IntegrityError):
        make_deed(place.hamlet, photos=checked)
    assert not GoodDeed.objects.exists() and not Photo.objects.exists()
    assert files_in(media_root) == []


# --- Staff: photos ----------------------------------------------------------------------


def test_staff_add_photos_to_a_practice(
    client: Any, place: Place, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    practice = make_practice(place.commune, title="Đường hoa nông thôn mới")
    client.force_login(place.officer)
    add = reverse("practices_staff:practice_photos", args=[practice.pk])
    sent = [
        upload("khoi-cong.jpg", picture_bytes(1600, 1200, gps=True)),
        upload("hoan-thanh.webp", picture_bytes(800, 600, "WEBP"), "image/webp"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, {"photos": sent, "caption": " Khởi công "})
    assert response.status_code == 302 and response["Location"] == practice.get_absolute_url()
    kept = list(practice.photos.all())
    assert [(p.caption, p.position) for p in kept] == [("Khởi công", 0), ("Khởi công", 1)]
    for photo in kept:
        assert_only_sizes(photo)
    assert not [name for name in files_in(media_root) if name.startswith("uploads/")]

    page = client.get(response["Location"]).content.decode()
    assert "Đã nhận 2 ảnh; ảnh sẽ hiện sau ít giây khi xử lý xong." in page
    for photo in kept:
        assert photo.card is not None and photo.card["url"] in page
        delete = reverse("practices_staff:practice_photo_delete", args=[practice.pk, photo.pk])
        assert delete in page

    waiting = make_photo(practice, process=False)
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Đang xử lý" in page and waiting.token not in page  # shown as waiting, not linked

    nothing = client.post(add, {"caption": "x"})
    assert "Hãy chọn ít nhất một ảnh." in nothing.content.decode()
    before = files_in(media_root)
    bad = [upload("a.jpg", picture_bytes(64, 48)), upload("giay-to.png", PDF, "image/png")]
    page = client.post(add, {"photos": bad}).content.decode()
    assert f"Ảnh 2 (giay-to.png) {NOT_IMAGE}" in page
    assert practice.photos.count() == 3 and files_in(media_root) == before


def test_a_photo_is_deleted_after_confirmation_and_its_files_after_commit(
    client: Any, place: Place, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    practice = make_practice(place.commune)
    photo = make_photo(practice, caption="Ngày hội")
    waiting = make_photo(practice, process=False)
    deed = make_deed(place.hamlet)
    other = make_photo(deed)
    client.force_login(place.officer)

    # A photo is deleted only through its own owner's URL.
    wrong = reverse("practices_staff:practice_photo_delete", args=[practice.pk, other.pk])
    assert client.get(wrong).status_code == 404 and client.post(wrong).status_code == 404
    wrong = reverse("practices_staff:deed_photo_delete", args=[deed.pk, photo.pk])
    assert client.post(wrong).status_code == 404
    assert Photo.objects.count() == 3

    url = reverse("practices_staff:practice_photo_delete", args=[practice.pk, photo.pk])
    confirm = client.get(url).content.decode()
    assert "Xóa ảnh?" in confirm and "Không thể hoàn tác." in confirm
    assert photo.card is not None and photo.card["url"] in confirm
    names = [photo.name_of(size.name) for size in images.SIZES]
    assert Photo.objects.filter(pk=photo.pk).exists()  # asking first changes nothing
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks() as on_commit:
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == practice.get_absolute_url()
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in on_commit:
        callback()
    assert not any(default_storage.exists(name) for name in names)
    assert "Đã xóa ảnh." in client.get(practice.get_absolute_url()).content.decode()

    # One still waiting for its sizes: its private original goes with it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("practices_staff:practice_photo_delete", args=[practice.pk, waiting.pk])
        )
    assert not default_storage.exists(waiting.original)
    assert files_in(media_root) == sorted(other.name_of(s.name) for s in images.SIZES)


def test_a_deletion_rolled_back_keeps_the_files(
    place: Place, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    practice = make_practice(place.commune)
    photo = make_photo(practice)
    pk = photo.pk
    before = files_in(media_root)
    with (
        django_capture_on_commit_callbacks(execute=True) as on_commit,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        photos.remove(photo)
        raise RuntimeError("something after it failed")
    assert on_commit == []
    assert Photo.objects.filter(pk=pk).exists() and files_in(media_root) == before

    # The practice deleted: its photos' files go with it.
    with django_capture_on_commit_callbacks(execute=True):
        Practice.objects.filter(pk=practice.pk).delete()
    assert files_in(media_root) == []


def test_a_deed_takes_at_most_five_photos(client: Any, place: Place, media_root: Path) -> None:
    deed = deed_with_photos(place, 4)
    before = files_in(media_root)
    three = images.check_images([upload(f"{n}.jpg", picture_bytes(64, 48)) for n in "abc"])
    with pytest.raises(ValidationError) as caught:
        photos.add_photos(deed, three)
    assert caught.value.messages == ["Tối đa 5 ảnh (đã có 4)."]
    assert deed.photos.count() == 4 and files_in(media_root) == before  # all or none

    photos.add_photos(deed, three[:1])
    assert deed.photos.count() == 5
    with pytest.raises(ValidationError, match=r"^\['Tối đa 5 ảnh \(đã có 5\)\.'\]$"):
        photos.add_photos(deed, three[1:2])

    client.force_login(place.officer)
    before = files_in(media_root)
    add = reverse("practices_staff:deed_photos", args=[deed.pk])
    page = client.post(add, {"photos": [upload("thu-6.jpg", picture_bytes(64, 48))]})
    assert page.status_code == 200 and "Tối đa 5 ảnh (đã có 5)." in page.content.decode()
    assert deed.photos.count() == 5 and files_in(media_root) == before

    # Six files chosen at once for a deed: refused by the form, none decoded.
    empty = deeds.nominate(
        nominee_name="Ông Bảy", collective=False, area=place.hamlet, deed="Sửa cầu.",
        nominator_name="Cán bộ",
    )  # fmt: skip
    add = reverse("practices_staff:deed_photos", args=[empty.pk])
    six = [upload(f"{n}.jpg", b"not decoded") for n in range(6)]
    page = client.post(add, {"photos": six})
    assert "Chọn tối đa 5 tệp (bạn đã chọn 6)." in page.content.decode()
    assert empty.photos.count() == 0


def test_a_practice_takes_at_most_twenty_photos(place: Place, media_root: Path) -> None:
    practice = make_practice(place.commune)
    checked = images.check_image(upload("a.jpg", picture_bytes(32, 24)))
    photos.add_photos(practice, [checked] * 19)
    with pytest.raises(ValidationError, match="Tối đa 20 ảnh \\(đã có 19\\)"):
        photos.add_photos(practice, [checked] * 2)
    assert practice.photos.count() == 19 and len(files_in(media_root)) == 19


def test_staff_nominate_a_deed_with_photos(
    client: Any, place: Place, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(place.officer)
    url = reverse("practices_staff:deed_add")
    data = {
        "nominee_name": "Ông Sáu Lành", "collective": "0", "place": place.hamlet.pk,
        "deed": "Hiến đất làm đường.", "nominator_name": "Cán bộ bdv.tinh",
    }  # fmt: skip
    six = [upload(f"{n}.jpg", picture_bytes(64, 48)) for n in range(6)]
    page = client.post(url, {**data, "photos": six})
    assert "Chọn tối đa 5 tệp (bạn đã chọn 6)." in page.content.decode()
    assert not GoodDeed.objects.exists()
    two = [upload(f"{n}.jpg", picture_bytes(64, 48)) for n in range(2)]  # an upload is read once
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "photos": two})
    deed = GoodDeed.objects.get()
    assert response["Location"] == deed.get_absolute_url()
    assert [p.status for p in deed.photos.all()] == [PhotoStatus.READY] * 2


# --- The public pages and media ---------------------------------------------------------


def test_the_public_pages_show_made_photos_only(client: Any, place: Place) -> None:
    practice = move(make_practice(place.commune), "start", "propose", "recognise")
    waiting = make_photo(practice, process=False)  # placed first, not made yet
    first = make_photo(practice, caption="Con đường hoa")
    second = make_photo(practice)
    assert first.large and second.large and first.share and first.card
    assert [p.pk for p in practice.photos.all()] == [waiting.pk, first.pk, second.pk]

    detail = client.get(reverse("practices_public:detail", args=[practice.pk])).content.decode()
    tags = Tags(detail)
    large = [img for img in tags.imgs if str(img.get("src")).endswith("/large.jpg")]
    assert [img["src"] for img in large] == [first.large["url"], second.large["url"]]
    for img, photo in zip(large, (first, second), strict=True):
        assert photo.large is not None
        assert (img["width"], img["height"]) == (
            str(photo.large["width"]),
            str(photo.large["height"]),
        )
    assert large[0].get("loading") in (None, "eager")  # the first is seen at once
    assert large[1]["loading"] == "lazy" and large[0]["alt"] == "Con đường hoa"
    assert tags.meta["og:image"] == f"http://testserver{first.share['url']}"
    assert (tags.meta["og:image:width"], tags.meta["og:image:height"]) == ("1200", "630")
    assert waiting.token not in detail and "uploads/" not in detail

    gallery = client.get(reverse("practices_public:gallery")).content.decode()
    cards = [img for img in Tags(gallery).imgs if waiting.token not in str(img.get("src"))]
    assert [(c["src"], c["width"], c["height"]) for c in cards] == [
        (first.card["url"], str(first.card["width"]), str(first.card["height"]))
    ]
    assert waiting.token not in gallery and second.token not in gallery

    # A practice whose only photo is not made yet: no picture, no og:image.
    bare = move(
        make_practice(place.commune, title="Chợ không rác"), "start", "propose", "recognise"
    )
    pending = make_photo(bare, process=False)
    page = client.get(reverse("practices_public:detail", args=[bare.pk])).content.decode()
    assert pending.token not in page and "og:image" not in page and not Tags(page).imgs
    assert pending.token not in client.get(reverse("practices_public:gallery")).content.decode()


def test_a_published_deed_shows_its_made_photos(client: Any, place: Place) -> None:
    deed = deeds.nominate(
        nominee_name="Bà Năm", collective=False, area=place.hamlet, deed="Nấu cơm từ thiện.",
        nominator_name="Người dân",
    )  # fmt: skip
    waiting = make_photo(deed, process=False)
    shown = make_photo(deed)
    deeds.move_deed(deeds.move_deed(deed, "verify"), "publish")
    assert shown.large and shown.share and shown.card
    page = client.get(reverse("practices:deed", args=[deed.pk])).content.decode()
    tags = Tags(page)
    assert [img["src"] for img in tags.imgs] == [shown.large["url"]]
    assert tags.meta["og:image"] == f"http://testserver{shown.share['url']}"
    assert waiting.token not in page
    listing = client.get(reverse("practices:deeds")).content.decode()
    assert [img["src"] for img in Tags(listing).imgs] == [shown.card["url"]]


def test_the_media_url_serves_the_sizes_and_nothing_private(client: Any, place: Place) -> None:
    practice = make_practice(place.commune)
    made = make_photo(practice)
    waiting = make_photo(practice, process=False)
    for size in images.SIZES:
        image = made.image(size.name)
        assert image is not None and image["url"].startswith("/media/practices/photos/")
        served = client.get(image["url"])
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert b"".join(served.streaming_content) == stored(made.name_of(size.name))

    assert default_storage.exists(waiting.original)  # there, but private
    assert client.get(f"/media/{waiting.original}").status_code == 404
    document = photos.add_document(
        practice, CheckedDocument("pdf", PDF), title="QĐ", file_name="qd.pdf", user=None
    )
    assert default_storage.exists(document.stored)
    assert client.get(f"/media/{document.stored}").status_code == 404
    assert (
        client.get(f"/media/practices/photos/{made.token}/../../{document.stored}").status_code
        == 404
    )


def test_a_photo_that_cannot_be_made_is_never_shown(client: Any, place: Place) -> None:
    practice = move(make_practice(place.commune), "start", "propose", "recognise")
    photo = make_photo(practice, process=False)
    default_storage.delete(photo.original)
    default_storage.save(photo.original, ContentFile(b"damaged on the disk"))
    failed = photos.process_photo(photo.pk)
    assert failed is not None and failed.status == PhotoStatus.FAILED
    assert Photo.objects.get(pk=photo.pk).status == PhotoStatus.FAILED
    page = client.get(reverse("practices_public:detail", args=[practice.pk])).content.decode()
    assert photo.token not in page and "og:image" not in page


# --- Documents of a practice ------------------------------------------------------------


def test_documents_are_added_downloaded_and_deleted(
    client: Any, place: Place, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from openpyxl import Workbook

    practice = make_practice(place.commune)
    client.force_login(place.officer)
    add = reverse("practices_staff:document_add", args=[practice.pk])

    program = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500
    page = client.post(add, {"title": "QĐ", "file": upload("qd.pdf", program, "application/pdf")})
    assert page.status_code == 200
    assert (
        "Tài liệu không phải tệp PDF, Word (.docx) hoặc Excel (.xlsx), hoặc bị hỏng."
        in page.content.decode()
    )
    assert not Document.objects.exists() and files_in(media_root) == []

    sent = upload("Quyết định công nhận.pdf", PDF, "application/pdf")
    response = client.post(add, {"title": " Quyết định số 12 ", "file": sent})
    assert response.status_code == 302 and response["Location"] == practice.get_absolute_url()
    document = Document.objects.get()
    assert (document.title, document.file_name, document.extension, document.size) == (
        "Quyết định số 12",
        "Quyết định công nhận.pdf",
        "pdf",
        len(PDF),
    )
    assert document.uploaded_by == place.officer
    assert re.fullmatch(r"practices/documents/[\w-]+\.pdf", document.stored)
    assert files_in(media_root) == [document.stored]
    download = reverse("practices_staff:document_download", args=[practice.pk, document.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu tài liệu." in page and "Quyết định số 12" in page and download in page

    client.force_login(place.viewer)  # a reader in scope downloads it
    got = client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        "Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20c%C3%B4ng%20nh%E1%BA%ADn.pdf"
    )
    assert b"".join(got.streaming_content) == PDF
    client.force_login(place.sibling)
    assert client.get(download).status_code == 404

    # A workbook sent under a .pdf name is a workbook, downloaded as one.
    client.force_login(place.officer)
    buffer = io.BytesIO()
    Workbook().save(buffer)
    client.post(add, {"title": "", "file": upload("so-lieu.pdf", buffer.getvalue())})
    workbook = Document.objects.get(file_name="so-lieu.pdf")
    assert (workbook.title, workbook.extension) == ("so-lieu.pdf", "xlsx")
    got = client.get(reverse("practices_staff:document_download", args=[practice.pk, workbook.pk]))
    assert got["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert got["Content-Disposition"] == 'attachment; filename="so-lieu.pdf.xlsx"'

    delete = reverse("practices_staff:document_delete", args=[practice.pk, document.pk])
    confirm = client.get(delete).content.decode()
    assert "Xóa tài liệu?" in confirm and "Quyết định số 12 (Quyết định công nhận.pdf)" in confirm
    assert Document.objects.filter(pk=document.pk).exists()
    with django_capture_on_commit_callbacks() as on_commit:
        response = client.post(delete)
    assert response["Location"] == practice.get_absolute_url()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert default_storage.exists(document.stored)  # not before the commit
    for callback in on_commit:
        callback()
    assert files_in(media_root) == [workbook.stored]
    assert client.get(download).status_code == 404


# --- A race, on PostgreSQL --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a race needs PostgreSQL's concurrent writers"
)
def test_two_staff_adding_the_fifth_photo_at_once(place: Place, media_root: Path) -> None:
    """A deed with 4 photos, two people adding one at the same moment: the
    owner's lock lets one through; the other is refused and leaves no file."""
    deed = deed_with_photos(place, 4)
    checked = images.check_image(upload("a.jpg", picture_bytes(64, 48)))
    gate = threading.Barrier(2)
    outcomes: list[Any] = []

    def add() -> None:
        try:
            gate.wait()
            outcomes.append(photos.add_photos(deed, [checked]))
        except Exception as exc:  # judged below
            outcomes.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=add) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert refused[0].messages == ["Tối đa 5 ảnh (đã có 5)."]
    assert deed.photos.count() == 5
    # Every file belongs to one of the 5 (made on commit here: this test commits).
    owned = [
        name
        for p in deed.photos.all()
        for name in ([p.original] if p.original else [p.name_of(s.name) for s in images.SIZES])
    ]
    assert files_in(media_root) == sorted(owned)


def test_a_document_name_with_control_characters_is_kept_clean(
    client: Any, place: Place, media_root: Path
) -> None:
    """A file name is the sender's text: a NUL (which PostgreSQL refuses in a
    text column) or an escape is dropped, never a 500."""
    practice = make_practice(place.commune)
    client.force_login(place.officer)
    add = reverse("practices_staff:document_add", args=[practice.pk])
    sent = upload("qd\x00so\x1b12.pdf", PDF, "application/pdf")
    assert client.post(add, {"title": "Quyết định", "file": sent}).status_code == 302
    assert Document.objects.get().file_name == "qdso12.pdf"
