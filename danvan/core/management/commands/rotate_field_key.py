"""`manage.py rotate_field_key`: re-encrypt every stored encrypted value with the
newest key (the first of FIELD_ENCRYPTION_KEYS). Idempotent: values already
under the newest key are left alone, so it can be run again after an
interruption. Each value is written only if it is still the one read (an
erasure meanwhile wins)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from danvan.core import crypto


class Command(BaseCommand):
    help = (
        "Mã hóa lại mọi dữ liệu cá nhân đã mã hóa (số CCCD) bằng khóa mới nhất, tức khóa "
        "đầu tiên của FIELD_ENCRYPTION_KEYS. Chạy lại nhiều lần vẫn an toàn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Số dòng mỗi lượt (mặc định 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch_size"])
        newest = crypto.newest_fernet()
        every = crypto.fernet()
        rotated = current = unreadable = 0
        for model, field in crypto.ENCRYPTED_FIELDS:
            label = f"{model._meta.label}.{field}"
            manager = model._default_manager
            stored = manager.exclude(**{field: ""}).order_by("pk")
            total = stored.count()
            done = 0
            last_pk: Any = None
            while True:
                page = stored if last_pk is None else stored.filter(pk__gt=last_pk)
                rows = list(page.values_list("pk", field)[:batch])
                if not rows:
                    break
                with transaction.atomic():
                    for pk, token in rows:
                        try:
                            newest.decrypt(token.encode())
                            current += 1
                            continue
                        except InvalidToken:
                            pass
                        try:
                            fresh = every.rotate(token.encode()).decode()
                        except InvalidToken:
                            unreadable += 1
                            self.stderr.write(f"{label} #{pk}: không khóa nào giải mã được.")
                            continue
                        rotated += manager.filter(pk=pk, **{field: token}).update(**{field: fresh})
                done += len(rows)
                last_pk = rows[-1][0]
                self.stdout.write(f"{label}: {done}/{total}")
        self.stdout.write(
            f"Đã mã hóa lại {rotated} giá trị; {current} giá trị đã dùng khóa mới nhất; "
            f"{unreadable} giá trị không giải mã được."
        )
        if unreadable:
            raise CommandError(
                f"{unreadable} giá trị không giải mã được bằng khóa nào trong "
                "FIELD_ENCRYPTION_KEYS: đừng bỏ khóa cũ nào cho đến khi tìm ra khóa của chúng."
            )
