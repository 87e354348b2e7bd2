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

from danvan.core.testing import (
    ABOVE,
    COMMUNE_BODY,
    MANAGE,
    OWNER,
    POST,
    SIBLING,
    VIEW,
    VIEWER,
    Matrix,
    Row,
    Target,
    assert_posts_change_nothing,
)
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


MATRIX = Matrix(
    "reports_staff",
    urls_staff,
    personas=COMMUNE_BODY,
    rows={
        "report_list": Row(None, VIEW),
        "report_add": Row(None, MANAGE),
        "report_detail": Row(_report, VIEW),
        "report_edit": Row(_report, MANAGE),
        "draft_edit": Row(_report, MANAGE),
        "draft_list": Row(_report, VIEW),
        "draft_detail": Row(_first_draft, VIEW),
        "draft_restore": Row(_first_draft, MANAGE, method=POST, ok=302, redirect=_back),
        "export_start": Row(_report, MANAGE, method=POST, ok=302, redirect=_back),
        "export_docx": Row(_export, VIEW),
        "export_xlsx": Row(_export, VIEW),
    },
)


test_every_reports_staff_url_is_covered, test_urls_by_persona = MATRIX.tests()


def test_out_of_scope_writes_change_nothing(personas: Personas, client: Any) -> None:
    report = personas.report
    first = report.drafts.get(version=1)
    urls = [
        reverse("reports_staff:draft_edit", args=[report.pk]),
        reverse("reports_staff:draft_restore", args=[report.pk, first.pk]),
        reverse("reports_staff:export_start", args=[report.pk]),
        reverse("reports_staff:report_edit", args=[report.pk]),
    ]
    assert_posts_change_nothing(
        client,
        urls,
        [personas.users[SIBLING], personas.users[VIEWER]],
        {
            "results": "Sửa trộm",
            "issuer": "X",
            "party_committee": "X",
            "place": "X",
            "subject": "X",
            "symbol": "BC",
        },
        lambda: (
            list(Draft.objects.values_list("version", "results")),
            Export.objects.count(),
            ReviewReport.objects.values_list("issuer", flat=True).get(),
        ),
    )


def test_the_list_shows_only_reports_in_scope(personas: Personas, client: Any) -> None:
    url = reverse("reports_staff:report_list")
    client.force_login(personas.users[SIBLING])
    assert personas.report.get_absolute_url() not in client.get(url).content.decode()
    client.force_login(personas.users[ABOVE])
    assert personas.report.get_absolute_url() in client.get(url).content.decode()
