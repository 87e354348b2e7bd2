"""Send each officer, by e-mail, the petitions in their scope whose deadline is
near or past (`petitions.reminders`), once a day from cron. Without EMAIL_HOST
it only counts them: the staff workspace shows the same reminders anyway."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from danvan.core.models import User
from danvan.core.scope import MANAGE
from danvan.outreach.models import Petition
from danvan.outreach.petitions import display_code, reminders


def reminder_mail(user: Any, found: dict[str, list[Petition]], site: str) -> tuple[str, str]:
    """(subject, body) of one officer's reminder."""
    lines = []
    for title, key in (("Quá hạn trả lời", "late"), ("Sắp đến hạn", "soon")):
        if found[key]:
            lines.append(f"{title}:")
            for p in found[key]:
                agency = p.agency.name if p.agency else "chưa chuyển cơ quan"
                lines.append(
                    f"- {display_code(p.code)}, hạn {p.deadline:%d/%m/%Y}, {agency}: "
                    f"{p.content[:120]}\n  {site}{p.get_absolute_url()}"
                )
            lines.append("")
    late, soon = len(found["late"]), len(found["soon"])
    subject = f"Nhắc hạn kiến nghị: {late} quá hạn, {soon} sắp đến hạn"
    body = (
        f"Kính gửi {user.get_full_name() or user.username},\n\n"
        + "\n".join(lines)
        + f"\nDanh sách đầy đủ: {site}{reverse('petitions_staff:list')}\n"
    )
    return subject, body


class Command(BaseCommand):
    help = "Nhắc hạn kiến nghị qua e-mail cho cán bộ (chạy hằng ngày)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không gửi.")
        parser.add_argument(
            "--site", default="", help="Địa chỉ trang, ví dụ https://danvan.example.vn"
        )

    def handle(self, *args: Any, dry_run: bool, site: str, **options: Any) -> None:
        sending = bool(settings.EMAIL_HOST) and not dry_run
        officers = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
        sent = due = 0
        for user in officers:
            found = reminders(Petition.objects.visible_to(user, MANAGE))
            if not (found["late"] or found["soon"]):
                continue
            due += 1
            if sending:
                subject, body = reminder_mail(user, found, site.rstrip("/"))
                sent += send_mail(subject, body, None, [user.email], fail_silently=False)
        how = "đã gửi" if sending else "không gửi (chưa cấu hình EMAIL_HOST hoặc --dry-run)"
        self.stdout.write(f"{due} cán bộ có kiến nghị cần nhắc; {sent} thư {how}.")
