from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_demo, register_staff_menu

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    """The demo practices over the demo district (manage.py load_demo)."""
    from danvan.practices.demo import load_practices_demo

    count = load_practices_demo(stdout=stdout)
    return [f"Mô hình “Dân vận khéo” mẫu ({count}): http://127.0.0.1:8000/quan-ly/mo-hinh/"]


class PracticesConfig(AppConfig):
    name = "danvan.practices"
    label = "practices"
    verbose_name = "Mô hình, điển hình “Dân vận khéo”"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from danvan.core.audit import register_visibility, scoped, through
        from danvan.practices.models import Indicator, Practice, Step

        register_staff_menu(
            MenuItem("practices", "Mô hình, điển hình", "practices_staff:practice_list")
        )
        register_demo("practices", load_demo)
        for model in (Practice, Step, Indicator):
            if not auditlog.contains(model):
                auditlog.register(model)
        register_visibility(Practice, scoped(Practice))
        for part in (Step, Indicator):
            register_visibility(part, through(part, "practice", scoped(Practice)))
