"""Every inspections staff URL tried by the personas of a commune body: the
programme is issued by the body, so its officer (the owner) manages it."""

from __future__ import annotations

from datetime import date
from typing import Any

from danvan.core.testing import COMMUNE_BODY, MANAGE, VIEW, Matrix, Row
from danvan.inspections import services, urls_staff
from danvan.inspections.tests.conftest import new_inspection, new_programme


def _concluded(world: Any) -> Any:
    return services.conclude_inspection(
        new_inspection(world), findings="F", conclusions="C", concluded_on=date(2025, 3, 6)
    )


def _recommendation(world: Any) -> Any:
    return services.add_recommendation(_concluded(world), text="R", deadline=date(2025, 4, 1))


MATRIX = Matrix(
    "inspections_staff",
    urls_staff,
    personas=COMMUNE_BODY,
    rows={
        "programme_list": Row(None, VIEW),
        "programme_add": Row(None, MANAGE),
        "programme": Row(new_programme, VIEW),
        "programme_edit": Row(new_programme, MANAGE),
        "inspection_add": Row(new_programme, MANAGE),
        "inspection": Row(new_inspection, VIEW),
        "inspection_edit": Row(new_inspection, MANAGE),
        "conclude": Row(new_inspection, MANAGE),
        "recommendation_add": Row(_concluded, MANAGE),
        "settle": Row(_recommendation, MANAGE),
        "follow_up": Row(None, VIEW),
        "follow_up_export": Row(None, VIEW),
    },
)


test_every_url_is_covered, test_urls_by_persona = MATRIX.tests("world")
