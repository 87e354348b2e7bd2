from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "danvan.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from danvan.core import audit, crypto, imports  # noqa: F401  (job handlers, checks)
        from danvan.core.changes import on_rows_changed
        from danvan.core.models import Area, AreaMove, Organization, RoleAssignment
        from danvan.core.scope import scopes_changed

        audit.register_models()

        # Scopes kept in the processes hold roles and paths (danvan.core.scope).
        on_rows_changed(scopes_changed, Area, AreaMove, Organization, RoleAssignment, uid="scope")

        # The plan's figures kept by the target dashboard (danvan.core.indicators).
        from danvan.core.indicators import FIGURES
        from danvan.core.models import MemberCount, Period

        FIGURES.on_change_of(Area, AreaMove, Organization, MemberCount, Period)
