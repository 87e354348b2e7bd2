"""Briefing attendees listed by name: how they combine with the counts typed
per body (a body's attendance is its typed count, else its number of names;
never both added), kept consistent by every write, the "members briefed"
figure against a recount from the raw rows, the pages and the Excel import
(all or nothing, an error per row), and the privacy of names and phones."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from danvan.core.models import Job, JobStatus, MemberCount, Role
from danvan.core.tests.factories import make_staff
from danvan.plans import briefings
from danvan.plans.briefings import Named
from danvan.plans.indicators import members_briefed
from danvan.plans.models import Attendance, Attendee, Briefing
from danvan.plans.tests.test_briefings import brief
from danvan.plans.tests.test_briefings import place as place  # the fixture

pytestmark = pytest.mark.django_db


def people(body: Any, *names: str, phone: str = "") -> list[Named]:
    return [Named(n, body, phone=phone) for n in names]


def recount(area: Any, period: Any) -> tuple[int, int]:
    """The members briefed under `area` from the raw rows alone: each
    (briefing, body) attends its typed count if one was typed, else its number
    of named rows; summed into the lowest union body with a member count whose
    path holds it, capped at its members."""
    typed = {
        (a.briefing_id, a.organization_id): a.attendees
        for a in Attendance.objects.filter(from_names=False)
    }
    named: dict[tuple[int, int], int] = defaultdict(int)
    for person in Attendee.objects.all():
        named[(person.briefing_id, person.organization_id)] += 1
    attended: dict[str, int] = defaultdict(int)
    for key in set(typed) | set(named):
        briefing = Briefing.objects.get(pk=key[0])
        if not period.start <= briefing.held_on <= period.end:
            continue
        body = Attendance._meta.get_field("organization").related_model.objects.get(pk=key[1])
        attended[body.path] += typed[key] if key in typed else named[key]
    counts = MemberCount.objects.filter(
        period=period, organization__area__path__startswith=area.path
    ).select_related("organization")
    paths = {c.organization.path: c.members for c in counts if c.organization.kind != "branch"}
    lowest = {p: m for p, m in paths.items() if not any(q != p and q.startswith(p) for q in paths)}
    done = sum(
        min(sum(n for path, n in attended.items() if path.startswith(p)), m)
        for p, m in lowest.items()
    )
    return done, sum(lowest.values())


def test_names_and_counts_combine_without_double_counting(place: Any) -> None:
    # A count typed for the union and three of those people named: 40, not 43.
    first = brief(
        place, place.women_a, [(place.women_a, 40)],
        named=people(place.women_a, "Nguyễn Thị Lan", "Trần Thị Mai", "Lê Thị Hoa"),
    )  # fmt: skip
    # The branch with names only: it attends by its names.
    second = brief(
        place, place.women_a, [], named=people(place.branch_a, "Phạm Thị Thu", "Võ Thị Hằng")
    )
    rows = {(a.briefing_id, a.organization_id): a for a in Attendance.objects.all()}
    assert rows[(first.pk, place.women_a.pk)].attendees == 40
    assert not rows[(first.pk, place.women_a.pk)].from_names
    assert rows[(second.pk, place.branch_a.pk)].attendees == 2
    assert rows[(second.pk, place.branch_a.pk)].from_names
    figure = members_briefed(place.province)
    assert (figure.done, figure.total) == recount(place.province, place.period) == (42, 300)

    # Names added later: the branch counted by names gains them; the union's
    # typed count stays, and takes no more names than it counts.
    briefings.add_attendees(second, people(place.branch_a, "Huỳnh Thị Ngọc"))
    assert Attendance.objects.get(briefing=second).attendees == 3
    briefings.add_attendees(first, people(place.women_a, "Đặng Thị Yến"))
    assert Attendance.objects.get(briefing=first).attendees == 40
    with pytest.raises(ValidationError, match="ghi 2 người dự, đã có 2 tên, thêm 1 tên"):
        briefings.add_attendees(
            brief(place, place.women_a, [(place.women_a, 2)], named=people(
                place.women_a, "Bùi Thị Sen", "Mai Thị Cúc")),
            people(place.women_a, "Tô Thị Lụa"),
        )  # fmt: skip
    # A new body named on an existing briefing gets its own attendance by names.
    briefings.add_attendees(first, people(place.branch_a, "Lâm Thị Kim"))
    assert Attendance.objects.get(briefing=first, organization=place.branch_a).from_names
    figure = members_briefed(place.province)
    assert (figure.done, figure.total) == recount(place.province, place.period) == (46, 300)

    # Taken off the list: a body by names counts one fewer, and goes at none;
    # a typed count stays what was typed.
    lam = Attendee.objects.get(full_name="Lâm Thị Kim")
    briefings.remove_attendee(lam)
    assert not Attendance.objects.filter(briefing=first, organization=place.branch_a).exists()
    briefings.remove_attendee(Attendee.objects.get(full_name="Nguyễn Thị Lan"))
    assert Attendance.objects.get(briefing=first).attendees == 40
    briefings.remove_attendee(Attendee.objects.get(full_name="Huỳnh Thị Ngọc"))
    assert Attendance.objects.get(briefing=second).attendees == 2
    figure = members_briefed(place.province)
    assert (figure.done, figure.total) == recount(place.province, place.period) == (44, 300)
    assert sum(d for _a, d, _t in figure.parts) == figure.done


def test_bad_lists_are_refused_and_nothing_is_written(place: Any) -> None:
    cases = [
        (
            [(place.women_a, 1)],
            people(place.women_a, "A", "B"),
            "không được ít hơn số người có tên",
        ),
        ([], people(place.farmers_b, "Nguyễn Văn Ba"), "trên địa bàn của đơn vị tổ chức"),
        ([], people(place.women_a, "Lê Thị Hoa", "Lê  thị hoa"), "ghi hai lần"),
        ([], people(place.women_a, "Lê Thị Hoa", "Lê Thị Hòa", "Lê Thị Hoa"), "ghi hai lần"),
        ([], [Named("  ", place.women_a)], "Hãy ghi họ và tên"),
    ]
    for attendance, named, message in cases:
        with pytest.raises(ValidationError, match=message):
            brief(place, place.women_a, attendance, named=named)
    # Names over the members are questioned like counts.
    set_small = MemberCount.objects.get(organization=place.women_a, period=place.period)
    set_small.members = 1
    set_small.save()
    with pytest.raises(ValidationError, match="nhiều hơn số hội viên"):
        brief(place, place.women_a, [], named=people(place.women_a, "A", "B"))
    assert not Briefing.objects.exists() and not Attendee.objects.exists()
    # Two people of the same name are told apart by their phones.
    kept = brief(
        place, place.women_a, [], confirmed=True,
        named=[Named("Lê Thị Hoa", place.women_a, phone="0912345678"),
               Named("Lê Thị Hoa", place.women_a, phone="0987654321")],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Đã có trong danh sách"):
        briefings.add_attendees(kept, [Named("Lê Thị Hoa", place.women_a, phone="0912345678")])
    assert Attendee.objects.count() == 2


def test_phones_are_encrypted_and_names_stay_out_of_the_audit_log(place: Any) -> None:
    briefing = brief(
        place, place.women_a, [],
        named=[Named("Nguyễn Thị Riêng", place.women_a, gender="female", phone="0912345678")],
    )  # fmt: skip
    person = Attendee.objects.get()
    assert person.phone == "0912345678" and person.phone_masked == "0912***678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone_encrypted FROM plans_attendee")
        (stored,) = cursor.fetchone()
    assert "0912345678" not in stored
    briefings.remove_attendee(person)
    entries = LogEntry.objects.filter(content_type__model="attendee")
    assert entries.exists()
    for entry in entries:
        text = f"{entry.object_repr} {entry.changes}"
        assert "Riêng" not in text and "0912" not in text
    assert briefing.attendances.count() == 0


def test_the_pages_record_names_and_keep_what_was_typed(place: Any, client: Any) -> None:
    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a)
    client.force_login(officer)
    url = reverse("plans_staff:briefing_add")
    body = {
        "organization": place.women_a.pk, "plan": "", "topic": "Luật Đất đai 2024",
        "held_on": place.day.isoformat(), "place": "", "format": "in_person",
        "audience": "members",
        "nguoi-du-TOTAL_FORMS": "1", "nguoi-du-INITIAL_FORMS": "0",
        "nguoi-du-0-organization": place.women_a.pk, "nguoi-du-0-attendees": "10",
        "ten-TOTAL_FORMS": "3", "ten-INITIAL_FORMS": "0",
        "ten-0-full_name": "Nguyễn Thị Lan", "ten-0-organization": place.women_a.pk,
        "ten-0-phone": "0912 345 678", "ten-0-gender": "female",
        "ten-1-full_name": "Phạm Thị Thu", "ten-1-organization": "",
        "ten-2-full_name": "", "ten-2-phone": "12",
    }  # fmt: skip
    refused = client.post(url, body)
    text = refused.content.decode()
    assert refused.status_code == 200 and not Briefing.objects.exists()
    assert "Hãy chọn chi hội, đoàn thể." in text and "Số điện thoại không đúng" in text
    assert 'value="Phạm Thị Thu"' in text and 'value="Luật Đất đai 2024"' in text
    body.update({"ten-1-organization": place.branch_a.pk, "ten-2-phone": ""})
    done = client.post(url, body)
    assert done.status_code == 302
    briefing = Briefing.objects.get()
    page = client.get(done["Location"]).content.decode()
    assert "Người dự: 11" in page  # the union's 10 typed (Lan among them), the branch's 1 name
    assert "Nguyễn Thị Lan" in page and "0912***678" in page

    # The viewer of the commune reads the names, with the phone masked only.
    viewer = make_staff("xem.xa", Role.VIEWER, area=place.a)
    client.force_login(viewer)
    seen = client.get(done["Location"]).content.decode()
    assert "Nguyễn Thị Lan" in seen and "0912***678" in seen and "0912345678" not in seen
    assert reverse("plans_staff:attendee_add", args=[briefing.pk]) not in seen

    # More names on the briefing's page; a refusal keeps the rows typed.
    client.force_login(officer)
    add = reverse("plans_staff:attendee_add", args=[briefing.pk])
    more = {"ten-TOTAL_FORMS": "2", "ten-INITIAL_FORMS": "0",
            "ten-0-full_name": "Nguyễn Thị Lan", "ten-0-organization": place.women_a.pk,
            "ten-0-phone": "0912345678",
            "ten-1-full_name": "Trần Văn Nam", "ten-1-organization": place.branch_a.pk}  # fmt: skip
    again = client.post(add, more)
    assert "Đã có trong danh sách người dự" in again.content.decode()
    assert 'value="Trần Văn Nam"' in again.content.decode()
    more.update({"ten-0-full_name": "", "ten-0-organization": "", "ten-0-phone": ""})
    assert client.post(add, more).status_code == 302
    assert Attendance.objects.get(briefing=briefing, organization=place.branch_a).attendees == 2
    assert client.post(add, {"ten-TOTAL_FORMS": "x"}).status_code == 200  # never a 500

    # Taking a person off: asked first, then done.
    person = Attendee.objects.get(full_name="Trần Văn Nam")
    gone = reverse("plans_staff:attendee_delete", args=[briefing.pk, person.pk])
    assert "Bỏ Trần Văn Nam khỏi danh sách" in client.get(gone).content.decode()
    assert client.post(gone).status_code == 302
    assert Attendance.objects.get(briefing=briefing, organization=place.branch_a).attendees == 1


def sheet(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Chi hội, đoàn thể", "Giới tính", "Dân tộc", "Số điện thoại"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_excel_import_is_all_or_nothing_with_an_error_per_row(
    place: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def send(name: str, data: bytes) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"file": SimpleUploadedFile(name, data)})

    briefing = brief(place, place.women_a, [(place.women_a, 5)])
    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a)
    client.force_login(officer)
    template = client.get(reverse("plans_staff:attendee_template", args=[briefing.pk]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    listed = load_workbook(io.BytesIO(template.content))["Chi hội, đoàn thể"]
    names = {row[0].value for row in listed.iter_rows(min_row=2)}
    assert {"Hội LHPN xã An Bình", "Chi hội Phụ nữ ấp Một"} <= names
    assert "Hội Nông dân xã Bình Hòa" not in names  # not under the organiser's commune

    url = reverse("plans_staff:attendee_import", args=[briefing.pk])
    bad = sheet([
        ["Nguyễn Thị Lan", "Chi hội Phụ nữ ấp Một", "Nữ", "Kinh", 912345678],
        ["", "Chi hội Phụ nữ ấp Một", None, None, None],
        ["Trần Văn Ba", "Hội Nông dân xã Bình Hòa", "Nam", None, None],
        ["Lê Thị Hoa", "Chi hội Phụ nữ ấp Một", "khác", None, "12"],
        ["Nguyễn Thị Lan", "chi hoi phu nu ap mot", "nu", None, "0912 345 678"],
    ])  # fmt: skip
    send("nguoi-du.xlsx", bad)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not Attendee.objects.exists()
    errors = "\n".join(job.errors)
    assert "Dòng 3: thiếu họ và tên." in errors
    assert "Dòng 4: không có chi hội, đoàn thể “Hội Nông dân xã Bình Hòa”" in errors
    assert "Dòng 5: giới tính “khác” không hợp lệ (Nam hoặc Nữ); số điện thoại “12”" in errors
    assert "Dòng 6: trùng với dòng 2." in errors

    good = sheet([
        ["Nguyễn Thị Lan", "Chi hội Phụ nữ ấp Một", "Nữ", "Kinh", 912345678],
        ["Danh Thị Sa Rươne", "chi hoi phu nu ap mot", "nu", "Khmer", None],
        ["Lê Thị Hoa", "Hội LHPN xã An Bình", None, None, None],
    ])  # fmt: skip
    send("nguoi-du.xlsx", good)
    job = Job.objects.latest("pk")
    assert job.status == JobStatus.DONE, job.errors
    assert Attendee.objects.count() == 3
    lan = Attendee.objects.get(full_name="Nguyễn Thị Lan")
    assert (lan.gender, lan.ethnicity, lan.phone) == ("female", "Kinh", "0912345678")
    counts = {a.organization_id: (a.attendees, a.from_names) for a in briefing.attendances.all()}
    assert counts == {place.women_a.pk: (5, False), place.branch_a.pk: (2, True)}
    # The same file again: every row is already listed; nothing is added.
    send("nguoi-du.xlsx", good)
    assert Job.objects.latest("pk").status == JobStatus.FAILED and Attendee.objects.count() == 3
    # Not a workbook, or not .xlsx: the form says so (no job, no 500).
    refused = send("nguoi-du.xls", b"\xd0\xcf\x11")
    assert "Chỉ nhận file Excel định dạng .xlsx." in refused.content.decode()
    send("nguoi-du.xlsx", b"PK\x03\x04 not a zip")
    assert Job.objects.latest("pk").status == JobStatus.FAILED and Attendee.objects.count() == 3


def test_a_briefing_out_of_scope_cannot_be_listed(place: Any, client: Any) -> None:
    briefing = brief(place, place.farmers_b, [(place.farmers_b, 5)])
    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a)
    client.force_login(officer)
    add = reverse("plans_staff:attendee_add", args=[briefing.pk])
    sent = client.post(
        add, {"ten-TOTAL_FORMS": "1", "ten-INITIAL_FORMS": "0", "ten-0-full_name": "X",
              "ten-0-organization": place.farmers_b.pk},
    )  # fmt: skip
    assert sent.status_code == 404 and not Attendee.objects.exists()
