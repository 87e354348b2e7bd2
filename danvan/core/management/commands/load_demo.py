"""`manage.py load_demo`: the demo district and its logins (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.core.demo import DemoError, format_logins, load_demo


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
            contest = self._load_app_demos()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(format_logins(result))
        if contest is not None:
            self.stdout.write(f"Cuộc thi mẫu: http://127.0.0.1:8000{contest.get_absolute_url()}")
        for survey in self._load_survey_demo():
            self.stdout.write(f"Khảo sát mẫu: http://127.0.0.1:8000{survey.get_absolute_url()}")

    def _load_survey_demo(self) -> list[Any]:
        from django.apps import apps

        if not apps.is_installed("danvan.surveys"):
            return []
        from danvan.surveys.demo import load_survey_demo

        return load_survey_demo(stdout=self.stdout)

    def _load_app_demos(self) -> Any:
        """The demos of the feature apps, each built on the district demo."""
        from django.apps import apps

        if not apps.is_installed("danvan.contests"):
            return None
        from danvan.contests.demo import load_contest_demo

        return load_contest_demo(stdout=self.stdout)
