"""A briefing's attendance rows read straight from the POST (no form per
row) give the rows the formset gives, and every row the formset refuses is
left to it, with its message; a count out of range is refused in Vietnamese,
never a 500; a briefing raises the figures version once, at its commit; and
an officer of a province first chooses the unit, whose bodies alone are then
listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from danvan.core.indicators import FIGURES
from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import make_commune, make_org, make_province, make_staff
from danvan.plans import forms_briefing, views_work
from danvan.plans.models import Attendance, Briefing
from danvan.plans.tests.test_briefing_form import form, make_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db: Any) -> Any:
    return make_place()


@pytest.fixture(autouse=True)
def shared_cache(settings: Any) -> None:
    settings.SHARED_CACHE = True


def posted(place: Any, rows: list[tuple[Any, Any]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in form(place, rows).items():
        data[key] = value
    return data


def formset_rows(place: Any, data: QueryDict) -> list[tuple[Any, int]] | None:
    rows = forms_briefing.AttendanceRows(
        data, prefix=forms_briefing.ROWS_PREFIX, form_kwargs={"bodies": views_bodies(place)}
    )
    if not rows.is_valid():
        return None
    return [(r["organization"], r["attendees"]) for r in rows.cleaned_data if r.get("organization")]


def views_bodies(place: Any) -> Any:
    from danvan.core.models import Organization

    return Organization.objects.filter(pk__in=[b.pk for b in place.branches])


ROWS = {
    "two rows": [(0, 20), (1, 30)],
    "an empty row between": [(0, 20), ("", ""), (2, 5)],
    "spaces around a count": [(0, " 20 ")],
    "a count with .0": [(0, "20.0")],
    "a count of zero": [(0, 0)],
    "a negative count": [(0, -3)],
    "a count too large": [(0, 100_001)],
    "the largest count": [(0, 100_000)],
    "a count in words": [(0, "hai mươi")],
    "a count without a body": [("", 20)],
    "a body without a count": [(0, "")],
    "a body out of the offered": ["outsider"],
    "a body not a number": [("abc", 20)],
    "non-ascii digits": [(0, "١٢")],
}


@pytest.mark.parametrize("case", ROWS)
def test_rows_read_from_the_post_are_the_formsets_or_left_to_it(place: Any, case: str) -> None:
    rows = []
    for item in ROWS[case]:
        if item == "outsider":
            rows.append((place.farmers_b, 10))
            continue
        body, count = item
        rows.append((place.branches[body] if isinstance(body, int) else body, count))
    data = posted(place, rows)
    offered = {b.pk: b for b in views_bodies(place)}
    read = forms_briefing.attendance_from(data, lambda pks: offered)
    expected = formset_rows(place, data)
    if read is not None:  # read straight: exactly the formset's rows
        assert expected is not None
        assert [(b.pk, n) for b, n in read] == [(b.pk, n) for b, n in expected]
    if expected is None:  # the formset refuses: never read straight
        assert read is None
    if case in ("two rows", "an empty row between", "spaces around a count", "the largest count"):
        assert read is not None


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("abc", "Số người dự phải là một số nguyên, ví dụ 25."),
        ("0", "Số người dự phải lớn hơn 0."),
        ("3000000000", "Số người dự không quá 100.000."),
    ],
)
def test_a_wrong_count_is_refused_in_words_and_nothing_is_stored(
    place: Any, client: Any, count: str, message: str
) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    rows = [(place.branches[0], 20), (place.branches[1], count)]
    page = client.post(reverse("plans_staff:briefing_add"), form(place, rows))
    assert page.status_code == 200
    text = page.content.decode()
    assert message in text
    assert 'value="Luật Đất đai 2024"' in text  # what was typed is kept
    assert not Briefing.objects.exists() and not Attendance.objects.exists()


def test_a_briefing_raises_the_figures_version_once_at_its_commit(
    place: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    before = FIGURES.get()
    body = form(place, [(place.branches[0], 20)])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("plans_staff:briefing_add"), body).status_code == 302
        assert FIGURES.get() == before  # not before the commit
    assert FIGURES.get() == before + 1


def test_at_commit_only_raises_once_when_the_transaction_commits_and_not_on_rollback(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache.delete(FIGURES.key)
    with django_capture_on_commit_callbacks(execute=True):
        with FIGURES.at_commit_only(), transaction.atomic():
            FIGURES.changed()
            FIGURES.changed()
        assert FIGURES.get() == 0  # nothing before the commit
    assert FIGURES.get() == 1  # once at it
    with (
        django_capture_on_commit_callbacks(execute=True),
        FIGURES.at_commit_only(),
        transaction.atomic(),
    ):
        FIGURES.changed()
        transaction.set_rollback(True)
    assert FIGURES.get() == 1  # rolled back: nothing
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():  # outside it: at once and at the commit, as before
            FIGURES.changed()
        assert FIGURES.get() == 2
    assert FIGURES.get() == 3


@pytest.fixture
def province_officer(place: Any, monkeypatch: Any) -> Any:
    """The city's board officer, whose bodies are more than a page lists."""
    monkeypatch.setattr(views_work, "UNIT_FIRST", 3)
    return make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.board.area)


def test_a_province_officer_first_chooses_the_unit(
    place: Any, client: Any, province_officer: Any
) -> None:
    client.force_login(province_officer)
    url = reverse("plans_staff:briefing_add")
    chooser = client.get(url).content.decode()
    assert "Trước hết hãy chọn xã, phường" in chooser
    assert f'href="?don_vi={place.a.pk}"' in chooser and "Xã Bình Hòa" in chooser
    found = client.get(url, {"q": "binh hoa"}).content.decode()
    assert "Xã Bình Hòa" in found and "Xã An Bình" not in found
    page = client.get(url, {"don_vi": place.a.pk}).content.decode()
    assert "Đơn vị: <strong>Xã An Bình</strong>" in page
    assert f'name="don_vi" value="{place.a.pk}"' in page
    assert all(b.name in page for b in place.branches)
    assert "Hội Nông dân xã Bình Hòa" not in page  # another commune's body
    assert "Ban Dân vận Thành ủy" in page  # the city's bodies may hold it
    body = {**form(place, [(place.branches[0], 20)]), "don_vi": place.a.pk}
    assert client.post(url, body).status_code == 302
    assert Attendance.objects.get().organization == place.branches[0]


def test_a_unit_chosen_holds_the_rows_to_its_bodies(
    place: Any, client: Any, province_officer: Any
) -> None:
    """A body of another commune, sent with the unit chosen, is refused."""
    client.force_login(province_officer)
    other = make_org(place.farmers_b.area, "Chi hội Nông dân", OrgKind.BRANCH, place.farmers_b)
    body = {**form(place, [(other, 20)]), "don_vi": place.a.pk}
    page = client.post(reverse("plans_staff:briefing_add"), body)
    assert page.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in page.content.decode()
    assert not Briefing.objects.exists()


def test_a_unit_out_of_scope_is_not_found(place: Any, client: Any, province_officer: Any) -> None:
    elsewhere = make_commune(make_province("94", "Tỉnh Sóc Trăng"), "Xã Xa", "40001")
    client.force_login(province_officer)
    url = reverse("plans_staff:briefing_add")
    assert client.get(url, {"don_vi": elsewhere.pk}).status_code == 404
    assert client.get(url, {"don_vi": "x1"}).status_code == 404
    body = {**form(place, [(place.branches[0], 20)]), "don_vi": elsewhere.pk}
    assert client.post(url, body).status_code == 404
    assert not Briefing.objects.exists()


def test_a_commune_officer_goes_straight_to_the_form(place: Any, client: Any) -> None:
    client.force_login(make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a))
    page = client.get(reverse("plans_staff:briefing_add")).content.decode()
    assert "Trước hết hãy chọn" not in page and 'name="don_vi"' not in page
    assert all(b.name in page for b in place.branches)


def test_a_briefing_reads_the_scope_and_readers_versions_in_one_round_trip(
    place: Any, client: Any, monkeypatch: Any
) -> None:
    """The scope version comes with the plans' readers version (one get_many),
    not in a read of its own; the versions still decide what is kept."""
    from danvan.core import scope
    from danvan.core.models import RoleAssignment

    officer = make_staff("hpn.xa", Role.ORG_OFFICER, organization=place.women_a)
    client.force_login(officer)
    url = reverse("plans_staff:briefing_add")
    assert client.get(url).status_code == 200  # warm: the scope and the bodies kept
    alone: list[Any] = []
    together: list[Any] = []
    real_version, real_many = scope.scope_version, cache.get_many
    monkeypatch.setattr(scope, "scope_version", lambda: alone.append(1) or real_version())
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **k: together.append(keys) or real_many(keys, *a, **k)
    )
    assert client.post(url, form(place, [(place.branches[0], 20)])).status_code == 302
    assert alone == [] and [k for k in together if scope.SCOPE_VERSION_KEY in k] != []
    RoleAssignment.objects.filter(user=officer).delete()  # a new version: the scope built again
    assert client.post(url, form(place, [(place.branches[1], 15)])).status_code == 404
    assert Briefing.objects.count() == 1
