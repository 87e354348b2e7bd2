"""Briefings (hội nghị quán triệt, tuyên truyền): recording one with its
attendance per body and the people listed by name, and changing that list
later. Every write in one transaction, refusing with a Vietnamese
`ValidationError` and then changing nothing (as `danvan.plans.services`)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from danvan.core.bulk import insert_rows
from danvan.core.indicators import FIGURES
from danvan.core.models import MemberCount, Organization, Period
from danvan.core.text import fold
from danvan.plans.models import Attendance, Attendee, Briefing


def period_of(day: date) -> Period | None:
    """The reporting period `day` falls in (the shortest, when a half-year and
    its year both hold it)."""
    periods = Period.objects.filter(start__lte=day, end__gte=day)
    return min(periods, key=lambda p: p.end - p.start, default=None)


@dataclass(frozen=True)
class Named:
    """A person listed by name at a briefing (not yet stored): the phone
    already normalised (`core.validators.normalize_phone`), or empty."""

    full_name: str
    organization: Organization
    gender: str = ""
    ethnicity: str = ""
    phone: str = ""

    def key(self) -> tuple[str, int, str]:
        """Two rows are the same person: the same name (`same_name`), body and phone."""
        return same_name(self.full_name), self.organization.pk, self.phone


def same_name(full_name: str) -> str:
    """A name as compared for a person listed twice: spaces and case do not
    matter, diacritics do (Lan and Lân are two people)."""
    return unicodedata.normalize("NFC", " ".join(full_name.split())).casefold()[:150]


def _check_names(named: list[Named], organization: Organization) -> None:
    """Every name given, its body under the organiser's unit, nobody twice."""
    if any(not n.full_name.strip() for n in named):
        raise ValidationError("Hãy ghi họ và tên của từng người dự.", code="name")
    seen: set[tuple[str, int, str]] = set()
    twice = []
    for person in named:
        if person.key() in seen:
            twice.append(f"{person.full_name} ({person.organization.name})")
        seen.add(person.key())
    if twice:
        raise ValidationError(
            "Có tên ghi hai lần trong danh sách: " + "; ".join(twice) + ". Nếu là hai người "
            "trùng tên, hãy ghi số điện thoại hoặc thêm dấu phân biệt vào tên.",
            code="name_twice",
        )
    _check_bodies_under(organization, [n.organization for n in named])


def _check_bodies_under(organization: Organization, bodies: Iterable[Organization]) -> None:
    outside = sorted({b.name for b in bodies if not b.area.path.startswith(organization.area.path)})
    if outside:
        raise ValidationError(
            "Chỉ ghi người dự của các chi hội, đoàn thể trên địa bàn của đơn vị tổ chức: "
            + ", ".join(outside),
            code="outside",
        )


def _named_rows(briefing: Briefing, named: list[Named]) -> list[Attendee]:
    from danvan.core.crypto import encrypt

    return [
        Attendee(
            briefing=briefing,
            organization=n.organization,
            full_name=" ".join(n.full_name.split())[:150],
            full_name_folded=fold(" ".join(n.full_name.split()))[:150],
            gender=n.gender,
            ethnicity=n.ethnicity.strip()[:50],
            phone_encrypted=encrypt(n.phone) if n.phone else "",
        )
        for n in named
    ]


def record_briefing(
    *,
    by: Any,
    organization: Organization,
    attendance: list[tuple[Organization, int]],
    named: list[Named] | None = None,
    confirmed: bool = False,
    **fields: Any,
) -> Briefing:
    """A briefing with its attendance, all or nothing: counts per body and
    people listed by name. A body's attendance is its count when one is typed
    (its names, if any, are some of those counted: never more than the
    count), else the number of its names; never both added. An attendance
    above the body's members in the period is questioned: refused unless
    `confirmed`."""
    named = named or []
    held_on: date = fields["held_on"]
    if held_on > timezone.localdate():
        raise ValidationError("Ngày tổ chức không được sau hôm nay.", code="future")
    plan = fields.get("plan")
    if plan is not None and not plan.starts_on <= held_on <= plan.ends_on:
        raise ValidationError(
            f"Ngày tổ chức nằm ngoài thời gian thực hiện kế hoạch {plan.number} "
            f"({plan.starts_on:%d/%m/%Y} – {plan.ends_on:%d/%m/%Y}).",
            code="outside_plan",
        )
    if not attendance and not named:
        raise ValidationError(
            "Hãy ghi số người dự của ít nhất một chi hội, đoàn thể, hoặc danh sách người dự "
            "theo tên.",
            code="no_attendance",
        )
    bodies = [body for body, _n in attendance]
    if len({b.pk for b in bodies}) != len(bodies):
        raise ValidationError("Mỗi chi hội, đoàn thể chỉ ghi một dòng.", code="duplicate")
    if any(n <= 0 for _b, n in attendance):
        raise ValidationError("Số người dự phải lớn hơn 0.", code="attendees")
    _check_bodies_under(organization, bodies)
    _check_names(named, organization)
    names_of: dict[int, int] = defaultdict(int)
    for person in named:
        names_of[person.organization.pk] += 1
    short = [
        f"{b.name} ghi {n} người dự nhưng danh sách có {names_of[b.pk]} tên"
        for b, n in attendance
        if names_of[b.pk] > n
    ]
    if short:
        raise ValidationError(
            "Số người dự không được ít hơn số người có tên trong danh sách: "
            + "; ".join(short)
            + ".",
            code="fewer_than_names",
        )
    combined = attendance_rows(attendance, named)
    period = period_of(held_on) if not confirmed else None  # confirmed: nothing to question
    if period is not None:
        members = dict(
            MemberCount.objects.filter(
                period=period, organization__in=[b for b, _n, _f in combined]
            ).values_list("organization_id", "members")
        )
        above = [
            f"{b.name} ({n} người dự, {members[b.pk]} hội viên)"
            for b, n, _f in combined
            if b.pk in members and n > members[b.pk]
        ]
        if above:
            raise ValidationError(
                "Số người dự nhiều hơn số hội viên kỳ "
                + period.name
                + ": "
                + "; ".join(above)
                + ". Hãy kiểm tra lại, hoặc xác nhận nếu số liệu đúng.",
                code="above_members",
            )
    # The figures version: raised by the briefing's own save, once, when this
    # commits (nothing here reads a figure).
    with FIGURES.at_commit_only(), transaction.atomic():
        briefing = Briefing.objects.create(organization=organization, created_by=by, **fields)
        insert_rows(  # (checked above: plain values, no instance a row)
            Attendance,
            ("briefing", "organization", "attendees", "from_names"),
            [(briefing.pk, body.pk, n, from_names) for body, n, from_names in combined],
        )
        if named:
            Attendee.objects.bulk_create(_named_rows(briefing, named))
    return briefing


def attendance_rows(
    attendance: list[tuple[Organization, int]], named: list[Named]
) -> list[tuple[Organization, int, bool]]:
    """The attendance rows `record_briefing` writes: (body, attendees, counted
    from the names?) — each body's typed count, else the number of its names."""
    names_of: dict[int, int] = defaultdict(int)
    for person in named:
        names_of[person.organization.pk] += 1
    typed = {b.pk for b, _n in attendance}
    by_names = {n.organization.pk: n.organization for n in named if n.organization.pk not in typed}
    combined = [(b, n, False) for b, n in attendance]
    combined += [(b, names_of[pk], True) for pk, b in by_names.items()]
    return combined


def _existing_keys(briefing: Briefing) -> dict[tuple[str, int, str], str]:
    """The people already listed for the briefing, by `Named.key`."""
    return {
        (same_name(a.full_name), a.organization_id, a.phone): a.full_name
        for a in briefing.named_attendees.all()
    }


def add_attendees(briefing: Briefing, named: list[Named]) -> list[Attendee]:
    """People listed by name after the briefing was recorded (the form of its
    page, an Excel list), all or none. Each counts for their body: a body
    counted by names gains them; a body with a typed count keeps it, and
    refuses more names than that count (correct the count first)."""
    if not named:
        raise ValidationError("Hãy ghi ít nhất một người dự.", code="empty")
    with transaction.atomic():
        locked = (
            Briefing.objects.select_for_update()
            .select_related("organization__area")
            .get(pk=briefing.pk)
        )
        _check_names(named, locked.organization)
        existing = _existing_keys(locked)
        again = [f"{n.full_name} ({n.organization.name})" for n in named if n.key() in existing]
        if again:
            raise ValidationError(
                "Đã có trong danh sách người dự của buổi này: " + "; ".join(again) + ".",
                code="already",
            )
        counts = {a.organization_id: a for a in locked.attendances.all()}
        listed = _names_per_body(locked)
        adding: dict[int, int] = defaultdict(int)
        for person in named:
            adding[person.organization.pk] += 1
        short = []
        for pk, k in adding.items():
            row = counts.get(pk)
            if row is not None and not row.from_names and listed.get(pk, 0) + k > row.attendees:
                body = next(n.organization for n in named if n.organization.pk == pk)
                short.append(
                    f"{body.name} ghi {row.attendees} người dự, đã có {listed.get(pk, 0)} tên, "
                    f"thêm {k} tên"
                )
        if short:
            raise ValidationError(
                "Danh sách tên nhiều hơn số người dự đã ghi: " + "; ".join(short) + ".",
                code="fewer_than_names",
            )
        added = Attendee.objects.bulk_create(_named_rows(locked, named))
        _sync_named(locked, set(adding))
        FIGURES.changed()  # a bulk write sends no signal
    return added


def remove_attendee(attendee: Attendee) -> None:
    """Take a person off a briefing's list; a body counted by names counts
    one fewer (and no longer appears once it has no name left)."""
    with transaction.atomic():
        locked = Briefing.objects.select_for_update().get(pk=attendee.briefing_id)
        Attendee.objects.filter(pk=attendee.pk, briefing=locked).delete()
        _sync_named(locked, {attendee.organization_id})
        FIGURES.changed()


def _names_per_body(briefing: Briefing) -> dict[int, int]:
    return dict(
        briefing.named_attendees.values_list("organization_id").annotate(n=Count("pk")).order_by()
    )


def _sync_named(briefing: Briefing, bodies: set[int]) -> None:
    """Bring the attendance of `bodies` counted by names back to their number
    of names (inside the caller's transaction, the briefing locked)."""
    listed = _names_per_body(briefing)
    counts = {a.organization_id: a for a in briefing.attendances.filter(organization__in=bodies)}
    for pk in bodies:
        row, n = counts.get(pk), listed.get(pk, 0)
        if row is None:
            if n:
                Attendance.objects.create(
                    briefing=briefing, organization_id=pk, attendees=n, from_names=True
                )
        elif row.from_names:
            if n == 0:
                row.delete()
            elif row.attendees != n:
                row.attendees = n
                row.save(update_fields=["attendees"])
