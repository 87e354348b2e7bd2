from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "danvan.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from danvan.core import audit, imports  # noqa: F401  (registers job handlers)

        audit.register_models()
