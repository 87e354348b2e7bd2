from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from danvan.core import services as core_services
from danvan.core.models import OrgKind
from danvan.core.testing import commune_body
from danvan.core.tests.factories import make_period
from danvan.inspections import services
from danvan.inspections.models import Inspection, Kind, Programme


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    units = commune_body()
    farmers = core_services.create_organization(
        name="Hội Nông dân xã Phụng Hiệp", kind=OrgKind.FARMERS, area=units.commune
    )
    core_services.create_organization(  # the sibling commune has its bodies too
        name="Hội Nông dân xã Hòa An", kind=OrgKind.FARMERS, area=units.other
    )
    period = make_period("6 tháng đầu năm 2025", start=date(2025, 1, 1), end=date(2025, 6, 30))
    return SimpleNamespace(**vars(units), farmers=farmers, period=period)


def new_programme(world: SimpleNamespace) -> Programme:
    return services.save_programme(
        Programme(organization=world.body, period=world.period, title="Kiểm tra Đề án 08",
                  issued_on=date(2025, 1, 15))
    )  # fmt: skip


def new_inspection(world: SimpleNamespace, **kwargs: Any) -> Inspection:
    values: dict[str, Any] = {
        "programme": new_programme(world), "kind": Kind.INSPECTION, "inspected": world.farmers,
        "team": "Trưởng đoàn và 2 thành viên", "starts_on": date(2025, 3, 3),
        "ends_on": date(2025, 3, 5), "scope_text": "Kế hoạch phối hợp, tuyên truyền.",
    }  # fmt: skip
    values.update(kwargs)
    return services.save_inspection(Inspection(**values))
