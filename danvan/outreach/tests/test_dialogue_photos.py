"""Photos of a dialogue (issue 13: "Afterwards: attendance, minutes, photos"):
taken once the dialogue is held, checked by content, sized in the background
without the camera's EXIF, shown on the staff page and the public notice,
at most MAX_DIALOGUE_PHOTOS, all or none, deleted after a confirmation with
their files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from danvan.core import images
from danvan.core.photos import PhotoStatus
from danvan.core.testing import OWNER, SIBLING, VIEWER
from danvan.core.tests.factories import picture_bytes, upload
from danvan.core.tests.helpers import files_in
from danvan.outreach import dialogues
from danvan.outreach.models import MAX_DIALOGUE_PHOTOS, DialoguePhoto
from danvan.outreach.tests.conftest import add_photo, held_dialogue, new_dialogue


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """A queued job runs when its transaction commits, whatever TASKS_BACKEND says."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


pytestmark = pytest.mark.usefixtures("media_root")  # from the root conftest


def photo_url(dialogue: Any) -> str:
    return reverse("dialogues_staff:photos", args=[dialogue.pk])


def test_photos_of_a_held_dialogue_reach_the_public_notice(
    world: Any, client: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    dialogue = held_dialogue(world)
    client.force_login(world.users[OWNER])
    detail = client.get(dialogue.get_absolute_url()).content.decode()
    assert photo_url(dialogue) in detail  # the upload form, on the staff page
    with django_capture_on_commit_callbacks(execute=True) as queued:
        sent = client.post(
            photo_url(dialogue),
            {
                "photos": [
                    upload("mot.jpg", picture_bytes(gps=True)),
                    upload("hai.png", picture_bytes(fmt="PNG"), "image/png"),
                ],
                "caption": "Quang cảnh buổi đối thoại",
            },
        )
    assert len(queued) == 2  # sized in the background, one task a photo
    assert sent.status_code == 302 and sent["Location"] == dialogue.get_absolute_url()
    photos = list(dialogue.photos.all())
    assert [p.status for p in photos] == [PhotoStatus.READY] * 2
    assert all(p.original == "" for p in photos)  # the originals (with GPS) are gone
    stored = files_in(media_root)
    assert stored and all(name.startswith("outreach/photos/") for name in stored)
    assert not any(name.startswith("uploads/") for name in stored)
    large = photos[0].large
    assert large is not None
    # The public notice shows them, and the files are served to anyone.
    public = client.get(dialogue.public_url()).content.decode()
    assert large["url"] in public and "Quang cảnh buổi đối thoại" in public
    client.logout()
    image = client.get(large["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    served = b"".join(image.streaming_content)
    assert b"DanvanCam" not in served  # no camera EXIF in what the public gets


def test_no_photo_before_the_outcome_is_recorded(world: Any, client: Any, media_root: Path) -> None:
    coming = new_dialogue(world)
    client.force_login(world.users[OWNER])
    detail = client.get(coming.get_absolute_url()).content.decode()
    assert photo_url(coming) not in detail
    page = client.post(photo_url(coming), {"photos": [upload("a.jpg", picture_bytes())]})
    assert page.status_code == 200
    assert "sau khi đã ghi kết quả" in page.content.decode()
    assert not DialoguePhoto.objects.exists() and files_in(media_root) == []


def test_a_file_that_is_not_a_picture_is_refused_with_a_message(
    world: Any, client: Any, media_root: Path
) -> None:
    dialogue = held_dialogue(world)
    client.force_login(world.users[OWNER])
    page = client.post(
        photo_url(dialogue),
        {"photos": [upload("bien-ban.jpg", b"%PDF-1.4 not a picture")], "caption": "Biên bản"},
    )
    assert page.status_code == 200
    assert "không phải ảnh JPG, PNG hoặc WebP" in page.content.decode()
    assert not DialoguePhoto.objects.exists() and files_in(media_root) == []


def test_at_most_ten_photos_all_or_none(world: Any, media_root: Path) -> None:
    dialogue = held_dialogue(world)
    checked = images.check_image(upload("a.jpg", picture_bytes(64, 48)))
    dialogues.add_dialogue_photos(dialogue, [checked] * (MAX_DIALOGUE_PHOTOS - 1))
    before = files_in(media_root)
    with pytest.raises(ValidationError, match="Tối đa 10 ảnh"):
        dialogues.add_dialogue_photos(dialogue, [checked] * 2)
    assert dialogue.photos.count() == MAX_DIALOGUE_PHOTOS - 1
    assert files_in(media_root) == before  # nothing half-written
    dialogues.add_dialogue_photos(dialogue, [checked])
    assert dialogue.photos.count() == MAX_DIALOGUE_PHOTOS


def test_deleting_asks_first_then_removes_the_files(
    world: Any, client: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    dialogue = held_dialogue(world)
    photo = add_photo(dialogue, "Bà con phát biểu")
    assert files_in(media_root)
    client.force_login(world.users[OWNER])
    url = reverse("dialogues_staff:photo_delete", args=[dialogue.pk, photo.pk])
    page = client.get(url).content.decode()
    assert "Xóa ảnh?" in page and DialoguePhoto.objects.filter(pk=photo.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not DialoguePhoto.objects.exists() and files_in(media_root) == []
    assert "Bà con phát biểu" not in client.get(dialogue.public_url()).content.decode()


def test_others_cannot_add_or_delete(world: Any, client: Any) -> None:
    dialogue = held_dialogue(world)
    photo = add_photo(dialogue)
    other = held_dialogue(world, title="Đối thoại khác")
    for persona in (VIEWER, SIBLING):
        client.force_login(world.users[persona])
        assert client.post(photo_url(dialogue), {}).status_code == 404
        delete = reverse("dialogues_staff:photo_delete", args=[dialogue.pk, photo.pk])
        assert client.post(delete).status_code == 404
    # A photo asked for under another dialogue is not found either.
    client.force_login(world.users[OWNER])
    wrong = reverse("dialogues_staff:photo_delete", args=[other.pk, photo.pk])
    assert client.post(wrong).status_code == 404
    assert DialoguePhoto.objects.filter(pk=photo.pk).exists()
