"""Who raised a petition is erased once it has been closed or returned for the
retention time; nothing else changes, and a second run erases nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from danvan.outreach import petitions
from danvan.outreach.models import Petition, PetitionStep
from danvan.outreach.retention import erase_expired
from danvan.outreach.tests.conftest import new_petition


def test_raisers_are_erased_after_the_retention_time(world: Any, settings: Any) -> None:
    settings.PETITION_RAISER_RETENTION_DAYS = 30
    today = timezone.localdate()
    old = new_petition(world.hamlet, "Cũ", raiser_name="Trần Văn A", raiser_phone="0912345678")
    petitions.move_petition(old, "return", reason="Trùng.")
    recent = new_petition(world.hamlet, "Mới", raiser_name="Lê Thị B")
    petitions.move_petition(recent, "return", reason="Trùng.")
    waiting = new_petition(world.hamlet, "Đang chờ", raiser_name="Ngô Văn C")
    petitions.move_petition(waiting, "assign", agency=world.committee, deadline=today)
    PetitionStep.objects.filter(petition__in=[old, waiting]).update(
        at=timezone.now() - timedelta(days=40)
    )
    dry = erase_expired(dry_run=True)
    assert dry.total == 1 and Petition.objects.get(pk=old.pk).raiser_name == "Trần Văn A"
    out = StringIO()
    call_command("erase_expired_petitioners", stdout=out)
    assert "1 người kiến nghị" in out.getvalue()
    erased = Petition.objects.get(pk=old.pk)
    assert (erased.raiser_name, erased.raiser_phone_encrypted, erased.raiser_phone_hash) == (
        "",
        "",
        "",
    )
    assert erased.content == "Cũ" and erased.return_reason == "Trùng."
    assert Petition.objects.get(pk=recent.pk).raiser_name == "Lê Thị B"
    assert Petition.objects.get(pk=waiting.pk).raiser_name == "Ngô Văn C"  # still handled
    assert erase_expired().total == 0
