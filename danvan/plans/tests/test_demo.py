"""The seed plan in the demo: its tasks assigned to the bodies it names, some
reports missing, coordination plans of most bodies, its computable targets;
and the targets with the demo's figures in the browser at 390 and 1280 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from conftest import assert_fits, screenshot, sign_in
from danvan.core.documents import check_document
from danvan.core.indicators import INDICATORS
from danvan.plans import services
from danvan.plans.demo import TASKS, load_plans_demo
from danvan.plans.models import Briefing, ReportFile


def _load() -> Any:
    from danvan.core.demo import load_demo
    from danvan.practices.demo import load_practices_demo

    load_demo()
    load_practices_demo()
    return load_plans_demo()


@pytest.mark.django_db
def test_the_seed_plan_with_its_tasks_reports_and_targets() -> None:
    plan = _load()
    assert load_plans_demo().pk == plan.pk  # once
    assert plan.organization.name == "Huyện ủy Phụng Hiệp"
    tasks = list(plan.tasks.select_related("lead"))
    assert [t.number for t in tasks] == [number for number, *_rest in TASKS]
    leads = {t.lead.name for t in tasks}
    assert {"Ban Dân vận Huyện ủy Phụng Hiệp", "Ban Tuyên giáo Huyện ủy Phụng Hiệp",
            "Ủy ban Kiểm tra Huyện ủy Phụng Hiệp"} <= leads  # fmt: skip
    states = {d.state for d in services.dues(tasks)}
    assert states == {"reported", "overdue"}  # the district ended: nothing still to come
    for target in plan.targets.all():
        figure = INDICATORS[target.indicator].compute(target.area.successor or target.area, plan)
        assert 0 < figure.done < figure.total  # the demo shows gaps
        assert sum(d for _a, d, _t in figure.parts) == figure.done
    # One briefing lists its attendees by name (counted by them); one report has a file.
    named = Briefing.objects.filter(plan=plan, named_attendees__isnull=False).distinct().get()
    attendance = named.attendances.get()
    assert attendance.from_names and attendance.attendees == named.named_attendees.count() > 0
    (attached,) = ReportFile.objects.filter(report__task__plan=plan)
    with default_storage.open(attached.stored, "rb") as fh:
        assert check_document(fh).extension == "xlsx"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_targets_with_the_demo_figures(
    width: int, live_server: Any, page_phone: Any, page_desktop: Any
) -> None:
    plan = _load()
    page = page_phone if width == 390 else page_desktop
    sign_in(page, live_server.url, "bdv.cantho")
    page.goto(live_server.url + plan.get_absolute_url())
    page.get_by_role("link", name="Chỉ tiêu", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chỉ tiêu của kế hoạch")
    for target in plan.targets.all():
        figure = INDICATORS[target.indicator].compute(target.area.successor, plan)
        section = page.locator(f"#chi-tieu-{target.pk}")
        expect(section).to_contain_text(f"Thành phố Cần Thơ: {figure.percent:g}%".replace(".", ","))
        done, total = (f"{n:,}".replace(",", ".") for n in (figure.done, figure.total))
        expect(section).to_contain_text(f"({done}/{total})")
    assert_fits(page, width)
    screenshot(page, f"plans-targets-{width}")
