"""Every reports staff URL tried by the personas of a commune body
(`danvan.core.testing.commune_body_personas`): the report is the commune
board's own; the sibling gets 404 for every object, the viewer opens the
VIEW pages (and downloads) only; out-of-scope writes change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from danvan.core.testing import ABOVE, OWNER, POST, SIBLING, Matrix, Target, pages
from danvan.reports import services, urls_staff
from danvan.reports.models import Draft, Export, ReviewReport


@dataclass
class Personas:
    report: ReviewReport
    users: dict[str, Any]


@pytest.fixture
def personas(world: dict[str, Any]) -> Personas:
    services.save_draft(world["report"], world["users"][OWNER], results="Kết quả.")
    return Personas(world["report"], world["users"])


def _report(p: Personas) -> ReviewReport:
    return p.report


def _first_draft(p: Personas) -> Target:
    return Target([p.report.pk, p.report.drafts.get(version=1).pk])


def _export(p: Personas) -> Target:
    export = Export.objects.create(report=p.report, draft=p.report.latest_draft())
    export.document.save("bao-cao.docx", ContentFile(b"PK docx"), save=False)
    export.annex.save("phu-luc.xlsx", ContentFile(b"PK xlsx"), save=False)
    export.save()
    return Target([p.report.pk, export.pk])


def _back(p: Personas) -> str:
    return p.report.get_absolute_url()


def _state(p: Personas) -> Any:
    return (
        list(Draft.objects.values_list("version", "results")),
        Export.objects.count(),
        ReviewReport.objects.values_list("issuer", flat=True).get(),
    )


MATRIX = Matrix.of(
    urls_staff,
    pages(None, view=["report_list"], manage=["report_add"]),
    pages(_report, view=["report_detail", "draft_list"], manage=["report_edit", "draft_edit"]),
    pages(_first_draft, view=["draft_detail"]),
    pages(_export, view=["export_docx", "export_xlsx"]),
    # Writes back to the report's page.
    pages(_first_draft, manage=["draft_restore"], method=POST, ok=302, redirect=_back),
    pages(_report, manage=["export_start"], method=POST, ok=302, redirect=_back),
)


test_every_reports_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()

test_out_of_scope_writes_change_nothing = MATRIX.refused_posts_test(
    {
        "draft_edit": _report,
        "draft_restore": _first_draft,
        "export_start": _report,
        "report_edit": _report,
    },
    {
        "results": "Sửa trộm",
        "issuer": "X",
        "party_committee": "X",
        "place": "X",
        "subject": "X",
        "symbol": "BC",
    },
    _state,
)


def test_the_list_shows_only_reports_in_scope(personas: Personas, client: Any) -> None:
    url = reverse("reports_staff:report_list")
    client.force_login(personas.users[SIBLING])
    assert personas.report.get_absolute_url() not in client.get(url).content.decode()
    client.force_login(personas.users[ABOVE])
    assert personas.report.get_absolute_url() in client.get(url).content.decode()
