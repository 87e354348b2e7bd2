"""The demo review report: a draft of the demo city's board for the latest
half-year, loaded once after the other apps' demos, opened by the city's
board administrator and rendered with the demo's figures."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from danvan.core.review import review_sections
from danvan.reports.demo import load_reports_demo
from danvan.reports.jobs import render_report


@pytest.mark.django_db
def test_the_demo_report(client: Any) -> None:
    from danvan.core.demo import load_demo
    from danvan.core.models import User
    from danvan.core.registry import DEMO_LOADERS

    load_demo()
    for name, load in DEMO_LOADERS:
        if name != "reports":
            load(None)
    report = load_reports_demo()
    assert load_reports_demo().pk == report.pk  # once
    assert report.organization.name == "Ban Dân vận Thành ủy Cần Thơ"
    assert report.latest_draft().version == 2  # type: ignore[union-attr]
    client.force_login(User.objects.get(username="bdv.cantho"))
    assert client.get(report.get_absolute_url()).status_code == 200
    document, annex, results = render_report(report, report.latest_draft())
    assert [s.key for s, _r in results] == [s.key for s in review_sections()]
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml").decode()
    assert "ĐẢNG BỘ THÀNH PHỐ CẦN THƠ" in xml and "Nguyễn Văn Mẫu" in xml
    assert annex[:2] == b"PK"
