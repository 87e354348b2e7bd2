"""Every inspections staff URL tried by the personas of a commune body: the
programme is issued by the body, so its officer (the owner) manages it."""

from __future__ import annotations

from datetime import date
from typing import Any

from danvan.core.testing import Matrix, pages
from danvan.inspections import services, urls_staff
from danvan.inspections.tests.conftest import new_inspection, new_programme


def _concluded(world: Any) -> Any:
    return services.conclude_inspection(
        new_inspection(world), findings="F", conclusions="C", concluded_on=date(2025, 3, 6)
    )


def _recommendation(world: Any) -> Any:
    return services.add_recommendation(_concluded(world), text="R", deadline=date(2025, 4, 1))


MATRIX = Matrix.of(
    urls_staff,
    pages(new_programme, view=["programme"], manage=["programme_edit", "inspection_add"]),
    pages(new_inspection, view=["inspection"], manage=["inspection_edit", "conclude"]),
    pages(_concluded, manage=["recommendation_add"]),
    pages(_recommendation, manage=["settle"]),
    pages(None, view=["programme_list", "follow_up", "follow_up_export"], manage=["programme_add"]),
)


test_every_url_is_covered, test_urls_by_persona = MATRIX.tests("world")
