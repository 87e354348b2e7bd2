"""`manage.py load_demo`: the demo district and its logins (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.core.demo import DemoError, format_logins, load_demo
from danvan.core.registry import DEMO_LOADERS


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu huyện Phụng Hiệp (Hậu Giang) và các tài khoản mẫu; chạy lại "
        "nhiều lần không tạo trùng, chỉ đặt lại mật khẩu tài khoản mẫu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Cho phép nạp khi DEBUG tắt (máy chủ thật: không nên).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG đang tắt: đây có thể là máy chủ thật. Dữ liệu mẫu tạo tài khoản quản trị "
                "với mật khẩu công khai nên không được nạp. Nếu chắc chắn, thêm --force."
            )
        try:
            result = load_demo(stdout=self.stdout)
            # The apps' demos, each built on the district demo (danvan.core.registry).
            lines = [line for _name, load in DEMO_LOADERS for line in load(self.stdout)]
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(format_logins(result))
        for line in lines:
            self.stdout.write(line)
