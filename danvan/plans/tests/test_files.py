"""Files of carrying out the plan: documents attached to a progress report
and the file of a coordination plan, checked by content (`core.documents`)
through the forms, kept in `default_storage`, downloaded only by those who
read the task or the body's plan (404 otherwise), and gone from the storage
when their row goes (after the commit) or when a refusal means no row."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import make_org, make_staff, make_two_communes
from danvan.core.tests.test_documents import bomb, docx, pdf
from danvan.plans import services
from danvan.plans.models import CoordinationPlan, Recurrence, Report, ReportFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db: Any) -> Any:
    _province, a, b = make_two_communes()
    board = make_org(a, "Ban Dân vận Đảng ủy xã An Bình", OrgKind.MOBILISATION_BOARD)
    front = make_org(a, "Ủy ban MTTQ xã An Bình", OrgKind.FRONT)
    plan = services.create_plan(
        by=None, organization=board, number="05-KH/ĐU", issued_on=date(2024, 3, 1),
        title="Kế hoạch", starts_on=date(2024, 3, 1), ends_on=date(2025, 12, 31),
    )  # fmt: skip
    task = services.save_task(
        plan, None, partners=[front], areas=[], number="1", text="Quán triệt.", lead=board,
        recurrence=Recurrence.HALF_YEARLY, due_on=None,
    )  # fmt: skip
    return type("Place", (), dict(
        a=a, board=board, front=front, plan=plan, task=task,
        officer=make_staff("mt.xa", Role.ORG_OFFICER, organization=front),
        viewer=make_staff("xem.a", Role.VIEWER, area=a),
        sibling=make_staff("bdv.b", Role.BOARD_ADMIN, area=b),
    ))  # fmt: skip


def stored(folder: str) -> list[str]:
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def report(place: Any, *files: Any, due: str = "2024-06-30") -> dict[str, Any]:
    return {
        "organization": place.front.pk, "due_on": due, "progress": "80",
        "text": "Đã tổ chức 3 hội nghị quán triệt.", "figures": "3 cuộc",
        "attachments": list(files),
    }  # fmt: skip


def test_a_report_with_its_documents(
    place: Any, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(place.officer)
    url = place.task.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Tệp đính kèm" in page

    # Refused by content, by size, as a zip bomb, by number: the form again
    # with what was typed, nothing written, nothing left in the storage.
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    refusals = [
        ([SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 a program")], "không phải tệp PDF"),
        ([SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 1024 * 1024 + b"%%EOF")],
         "quá lớn (tối đa 1 MB)"),
        ([SimpleUploadedFile("bom.docx", bomb(50))], "khi giải nén quá lớn"),
        ([SimpleUploadedFile(f"{n}.pdf", pdf()) for n in range(6)], "tối đa 5 tệp"),
    ]  # fmt: skip
    for files, message in refusals:
        sent = client.post(url, report(place, *files))
        text = sent.content.decode()
        assert sent.status_code == 200 and message in text, message
        assert "Đã tổ chức 3 hội nghị quán triệt." in text
    assert not Report.objects.exists() and stored("plans/reports") == []

    done = client.post(
        url,
        report(place, SimpleUploadedFile("bao-cao.pdf", pdf()),
               SimpleUploadedFile("so-lieu.docx", docx())),
    )  # fmt: skip
    assert done.status_code == 302
    row = Report.objects.get()
    assert sorted(f.file_name for f in row.files.all()) == ["bao-cao.pdf", "so-lieu.docx"]
    assert len(stored("plans/reports")) == 2
    # A second report for the same date is refused: its files do not stay.
    again = client.post(url, report(place, SimpleUploadedFile("lan-2.pdf", pdf())))
    assert "đã báo cáo kỳ 30/06/2024" in again.content.decode()
    assert len(stored("plans/reports")) == 2

    # Downloaded by whoever reads the task; a 404 for a unit elsewhere.
    file = row.files.get(extension="pdf")
    link = reverse("plans_staff:report_file", args=[place.task.pk, row.pk, file.pk])
    assert link in client.get(url).content.decode()
    client.force_login(place.viewer)
    got = client.get(link)
    assert got.status_code == 200 and b"".join(got.streaming_content) == pdf()
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    client.force_login(place.sibling)
    assert client.get(link).status_code == 404
    other = services.save_task(
        place.plan, None, partners=[], areas=[], number="2", text="Khác.", lead=place.board,
        recurrence=Recurrence.YEARLY, due_on=None,
    )  # fmt: skip
    client.force_login(place.viewer)  # a file reached through another task: 404
    assert (
        client.get(reverse("plans_staff:report_file", args=[other.pk, row.pk, file.pk])).status_code
        == 404
    )

    # The task deleted: its reports and their files go, from the storage after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        place.task.delete()
    assert not ReportFile.objects.exists() and stored("plans/reports") == []


def test_the_file_of_a_coordination_plan(
    place: Any, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(place.officer)
    url = reverse("plans_staff:coordination_edit", args=[place.plan.pk, place.front.pk])
    typed = {"status": "issued", "number": "12-KH/MT", "issued_on": "2024-04-02"}
    bad = client.post(url, {**typed, "file": SimpleUploadedFile("kh.pdf", b"not a pdf")})
    text = bad.content.decode()
    assert bad.status_code == 200 and "không phải tệp PDF" in text and 'value="12-KH/MT"' in text
    assert not CoordinationPlan.objects.exists() and stored("plans/coordination") == []
    bombed = client.post(url, {**typed, "file": SimpleUploadedFile("kh.docx", bomb(50))})
    assert "khi giải nén quá lớn" in bombed.content.decode()

    assert (
        client.post(url, {**typed, "file": SimpleUploadedFile("kh.pdf", pdf())}).status_code == 302
    )
    row = CoordinationPlan.objects.get()
    first = row.stored
    assert row.file_name == "kh.pdf" and default_storage.exists(first)
    link = reverse("plans_staff:coordination_file", args=[place.plan.pk, place.front.pk])
    assert (
        link
        in client.get(reverse("plans_staff:coordination", args=[place.plan.pk])).content.decode()
    )
    client.force_login(place.viewer)
    assert client.get(link).status_code == 200
    client.force_login(place.sibling)
    assert client.get(link).status_code == 404

    # Replaced: the old file leaves the storage once the change is committed.
    client.force_login(place.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**typed, "file": SimpleUploadedFile("kh-moi.docx", docx())})
    row.refresh_from_db()
    assert row.file_name == "kh-moi.docx" and not default_storage.exists(first)
    # A refused change (a date in the future) keeps the old file and leaves no new one.
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            url, {**typed, "issued_on": "2999-01-01", "file": SimpleUploadedFile("x.pdf", pdf())}
        )
    assert "không được sau hôm nay" in refused.content.decode()
    assert stored("plans/coordination") == [row.stored.rsplit("/", 1)[1]]
    # Saved without a file: the file stays; "remove" takes it away.
    client.post(url, typed)
    row.refresh_from_db()
    assert row.stored and default_storage.exists(row.stored)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**typed, "remove_file": "on"})
    row.refresh_from_db()
    assert row.stored == "" and stored("plans/coordination") == []
    assert client.get(link).status_code == 404
    # The row deleted: its file goes after the commit.
    client.post(url, {**typed, "file": SimpleUploadedFile("kh.pdf", pdf())})
    row.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        row.delete()
    assert stored("plans/coordination") == []
