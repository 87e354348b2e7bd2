"""An inspector reads the audit log: Vietnamese field names, values as the pages
show them (choices by their labels, skip logic in words), never raw JSON,
\\u escapes or a related manager's repr (issue: "the audit log is unreadable")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from danvan.surveys.models import Kind
from danvan.surveys.tests import factories
from danvan.surveys.tests.test_staff import draft, ordered, q_data, url


@pytest.fixture
def officer(client: Any, units: factories.Units) -> Any:
    """A client signed in as the province's board administrator (who reads the log)."""
    client.force_login(factories.board_admin(units.province, "qt.nhatky", "Cán bộ nhật ký"))
    return client


def _changes(body: str) -> list[tuple[str, str]]:
    """The (field, value) pairs of the page's change lists."""
    return re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body, re.S)


def test_a_questions_changes_read_in_vietnamese(officer: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    (q1,) = ordered(survey)
    section = survey.sections.get()
    data = q_data(
        section,
        Kind.SINGLE,
        text="Ông/bà có tham gia họp tổ dân phố không?",
        choices="Thường xuyên\nThỉnh thoảng\nChưa bao giờ",
        other="on",
        show_if_question=str(q1.pk),
        show_if_op="equals",
        show_if_values=[f"{q1.pk}:1"],
    )
    assert officer.post(url("question_add", survey.pk), data).status_code == 302

    body = officer.get(reverse("staff:audit_list")).content.decode()
    pairs = _changes(body)
    fields = {field for field, _ in pairs}
    assert {"Phần", "Phương án, thiết lập", "Điều kiện hiện", "Loại câu hỏi"} <= fields
    for english in ("Section", "Options", "Show if", "Status", "Survey", "Kind"):
        assert english not in fields
    values: dict[str, str] = {}
    for field, value in pairs:  # the newest entry (the question just added) first
        values.setdefault(field, value)
    assert "Phương án: Thường xuyên; Thỉnh thoảng; Chưa bao giờ" in values["Phương án, thiết lập"]
    choice = q1.options["choices"][1]
    assert values["Điều kiện hiện"].startswith("Hiện khi câu “")
    assert values["Điều kiện hiện"].endswith(f"trả lời là {choice}")
    assert values["Loại câu hỏi"] == dict(Kind.choices)[Kind.SINGLE]
    page = "".join(v for _, v in pairs)
    assert "\\u" not in page and "{" not in page and ".None" not in page


def test_a_status_change_shows_the_labels(officer: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    assert officer.post(url("survey_publish", survey.pk)).status_code == 302
    pairs = _changes(officer.get(reverse("staff:audit_list")).content.decode())
    assert ("Trạng thái", "Bản nháp → Đang mở") in pairs
