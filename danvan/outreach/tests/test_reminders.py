"""The daily reminder by e-mail: each officer gets the petitions of their own
scope that are late or due soon, and nothing is sent without EMAIL_HOST."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from danvan.core.testing import ABOVE, OWNER, SIBLING
from danvan.outreach import petitions
from danvan.outreach.models import Petition
from danvan.outreach.tests.conftest import new_petition


def _late_and_soon(world: Any) -> tuple[Petition, Petition]:
    late = new_petition(world.hamlet, "Đường ngập")
    soon = new_petition(world.hamlet, "Đèn hỏng")
    Petition.objects.update(received_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    late = petitions.move_petition(
        late, "assign", agency=world.committee, deadline=today - timedelta(1)
    )
    soon = petitions.move_petition(soon, "assign", agency=world.body, deadline=today)
    return late, soon


def test_each_officer_gets_the_petitions_of_their_scope(world: Any, settings: Any) -> None:
    settings.EMAIL_HOST = "smtp.example.vn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    late, soon = _late_and_soon(world)
    for persona in (ABOVE, OWNER, SIBLING):
        user = world.users[persona]
        user.email = f"{user.username}@example.vn"
        user.save()
    out = StringIO()
    call_command("petition_reminders", "--site", "https://danvan.example.vn", stdout=out)
    by_user = {m.to[0]: m for m in mail.outbox}
    above = by_user["p.above@example.vn"]
    assert "1 quá hạn, 1 sắp đến hạn" in above.subject
    assert petitions.display_code(late.code) in above.body
    assert "https://danvan.example.vn" + late.get_absolute_url() in above.body
    owner = by_user["p.owner@example.vn"]  # the body's officer: only what its body must answer
    assert petitions.display_code(soon.code) in owner.body
    assert petitions.display_code(late.code) not in owner.body
    assert "p.sibling@example.vn" not in by_user
    assert "2 thư đã gửi" in out.getvalue()


def test_nothing_is_sent_without_a_mail_server(world: Any, settings: Any) -> None:
    settings.EMAIL_HOST = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _late_and_soon(world)
    user = world.users[ABOVE]
    user.email = "above@example.vn"
    user.save()
    out = StringIO()
    call_command("petition_reminders", stdout=out)
    assert mail.outbox == [] and "1 cán bộ" in out.getvalue()
