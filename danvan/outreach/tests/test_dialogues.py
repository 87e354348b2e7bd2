"""Dialogues: scheduled, announced on the public site, held (attendance and
minutes), cancelled with a reason; the petitions raised at one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from danvan.core.testing import ABOVE, ADMIN, OWNER, SIBLING, VIEWER
from danvan.outreach import dialogues
from danvan.outreach.models import Audience, ChairRole, Dialogue, DialogueStatus, Source
from danvan.outreach.tests.conftest import new_dialogue


def _form(world: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "title": "Chủ tịch UBND xã đối thoại với thanh niên",
        "organizer": world.body.pk,
        "area": world.commune.pk,
        "chair_role": ChairRole.COMMITTEE_CHAIR,
        "chair_name": "Trần Thị Mai",
        "starts_at": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Nhà văn hóa ấp",
        "audience": Audience.YOUTH,
        "audience_note": "",
        "topics": "Việc làm, học nghề.",
        "cohosts": [world.committee.pk],
    }
    data.update(extra)
    return data


def test_schedule_announce_hold_through_the_pages(world: Any, client: Any) -> None:
    client.force_login(world.users[OWNER])
    response = client.post(reverse("dialogues_staff:add"), _form(world))
    dialogue = Dialogue.objects.get()
    assert response["Location"] == dialogue.get_absolute_url()
    assert dialogue.status == DialogueStatus.PLANNED
    assert list(dialogue.cohosts.all()) == [world.committee]
    # Planned: not on the public site yet.
    assert client.get(dialogue.public_url()).status_code == 404
    announce = reverse("dialogues_staff:announce", args=[dialogue.pk])
    assert "Đăng thông báo" in client.get(announce).content.decode()  # GET asks first
    assert Dialogue.objects.get().status == DialogueStatus.PLANNED
    assert client.post(announce).status_code == 302
    public = client.get(dialogue.public_url()).content.decode()
    assert "Trần Thị Mai" in public and "Nhà văn hóa ấp" in public
    assert dialogue.title in client.get(reverse("dialogues:list")).content.decode()
    assert dialogue.title in client.get("/").content.decode()  # the home page's section
    # Its outcome only once it has taken place.
    outcome = reverse("dialogues_staff:outcome", args=[dialogue.pk])
    early = client.post(outcome, {"attendance": "80", "minutes": "Ghi nhận 3 ý kiến."})
    assert early.status_code == 200 and "chưa diễn ra" in early.content.decode()
    Dialogue.objects.update(starts_at=timezone.now() - timedelta(hours=2))
    assert client.post(outcome, {"attendance": "0", "minutes": "x"}).status_code == 200
    done = client.post(
        outcome, {"attendance": "80", "groups_present": "Đoàn viên", "minutes": "Ghi nhận."}
    )
    assert done.status_code == 302
    held = Dialogue.objects.get()
    assert held.status == DialogueStatus.HELD and held.attendance == 80
    public = client.get(dialogue.public_url()).content.decode()
    assert "80 người dự" in public and "Ghi nhận." not in public  # minutes stay internal


def test_a_bad_schedule_keeps_what_was_typed(world: Any, client: Any) -> None:
    client.force_login(world.users[OWNER])
    page = client.post(reverse("dialogues_staff:add"), _form(world, starts_at="32/13/2026"))
    assert page.status_code == 200 and "starts_at" in page.context["form"].errors
    assert "Chủ tịch UBND xã đối thoại với thanh niên" in page.content.decode()
    assert not Dialogue.objects.exists()
    # A body out of scope is not a choice.
    client.force_login(world.users[SIBLING])
    page = client.post(reverse("dialogues_staff:add"), _form(world))
    assert "organizer" in page.context["form"].errors and not Dialogue.objects.exists()


def test_announcing_a_past_one_and_cancelling(world: Any, client: Any) -> None:
    past = new_dialogue(world, days=-1)
    with pytest.raises(ValidationError):
        dialogues.announce_dialogue(past)
    coming = new_dialogue(world, title="Đối thoại tháng sau")
    dialogues.announce_dialogue(coming)
    with pytest.raises(ValidationError):
        dialogues.cancel_dialogue(coming, reason=" ")
    client.force_login(world.users[ABOVE])
    url = reverse("dialogues_staff:cancel", args=[coming.pk])
    assert client.post(url, {"reason": "Trùng lịch họp Thành ủy."}).status_code == 302
    public = client.get(coming.public_url()).content.decode()
    assert "Đã hủy" in public or "đã hủy" in public
    assert "Trùng lịch họp Thành ủy." in public
    with pytest.raises(ValidationError):
        dialogues.update_dialogue(Dialogue.objects.get(pk=coming.pk))
    # Cancelled before any notice: never public.
    quiet = new_dialogue(world, title="Đối thoại dự kiến")
    dialogues.cancel_dialogue(quiet, reason="Hoãn.")
    assert client.get(quiet.public_url()).status_code == 404


def test_petitions_raised_at_a_dialogue(world: Any, client: Any) -> None:
    """The unit's officers record them (a body's officer sees the dialogue, not the button)."""
    dialogue = new_dialogue(world, days=-1)
    client.force_login(world.users[OWNER])
    assert "?doi_thoai=" not in client.get(dialogue.get_absolute_url()).content.decode()
    client.force_login(world.users[ADMIN])
    detail = client.get(dialogue.get_absolute_url()).content.decode()
    add = reverse("petitions_staff:add") + f"?doi_thoai={dialogue.pk}"
    assert add in detail
    page = client.get(add)
    assert page.context["form"].initial["dialogue"] == dialogue.pk
    response = client.post(
        add,
        {"content": "Đề nghị nạo vét kênh.", "field": "infrastructure", "area": world.hamlet.pk,
         "source": Source.DIALOGUE, "dialogue": dialogue.pk},
    )  # fmt: skip
    assert response.status_code == 302
    petition = dialogue.petitions.get()
    assert petition.source == Source.DIALOGUE
    assert "Đề nghị nạo vét kênh." in client.get(dialogue.get_absolute_url()).content.decode()


def test_the_viewer_reads_and_changes_nothing(world: Any, client: Any) -> None:
    dialogue = new_dialogue(world)
    client.force_login(world.users[VIEWER])
    assert client.get(dialogue.get_absolute_url()).status_code == 200
    assert client.post(reverse("dialogues_staff:announce", args=[dialogue.pk])).status_code == 404
    assert Dialogue.objects.get().status == DialogueStatus.PLANNED
