"""Upkeep through the staff forms: the preview before a merge or a split, future
effective dates, correcting a hamlet, editing and closing an organisation, the
list of ended organisations, and reporting periods."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import (
    Area,
    AreaKind,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    Restructuring,
)
from danvan.core.tests.factories import current_commune

pytestmark = pytest.mark.django_db

PAST = "2026-01-15"  # after the 2025 arrangement, before today


def text_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def tree_state() -> list[tuple[Any, ...]]:
    return sorted(Area.objects.values_list("pk", "path", "name", "valid_to", "successor_id"))


# --- Merge and split: preview, then confirm -----------------------------------------------


def merge_data(a: Area, b: Area, **extra: str) -> dict[str, Any]:
    return {
        "others": [b.pk],
        "target_mode": "new",
        "new_unit_type": "Xã",
        "new_name": "Phụng Hòa",
        "new_code": "39999",
        "parent": Area.objects.current().get(code="92").pk,
        "effective_on": PAST,
        "decision": "Nghị quyết 99/NQ-HĐND",
        **extra,
    }


def test_merge_shows_what_ends_moves_and_takes_over_before_writing(
    demo: Any, login_as: Any
) -> None:
    client = login_as("bdv.cantho")
    a, b = current_commune("31420"), current_commune("31393")
    url = reverse("staff:area_merge", args=[a.pk])
    before = tree_state()
    logs = LogEntry.objects.count()

    response = client.post(url, merge_data(a, b))
    assert response.status_code == 200
    text = text_of(response)
    assert "Xem lại trước khi ghi nhận sáp nhập" in text
    assert "Đơn vị ngừng hoạt động (2)" in text
    assert "Xã Phụng Hiệp" in text and "Xã Hòa An" in text
    assert "Xã Phụng Hòa mã 39999, thành lập mới" in text
    assert "Trực thuộc Thành phố Cần Thơ" in text
    hamlets = [h.name for h in Area.objects.get_children(a)] + [
        h.name for h in Area.objects.get_children(b)
    ]
    assert hamlets, "the demo communes have hamlets"
    assert f"Ấp, khu vực chuyển sang Xã Phụng Hòa ({len(hamlets)})" in text
    for name in hamlets:
        assert name in text
    assert "Hội LHPN xã Phụng Hiệp" in text  # a body that ends with its commune
    assert "canbo.phunghiep" in text and "canbo.hoaan" in text  # roles left on history
    assert "Nghị quyết 99/NQ-HĐND" in text
    # Nothing was written by the preview (it ran the merge and rolled it back).
    assert tree_state() == before
    assert LogEntry.objects.count() == logs
    assert not Area.objects.filter(code="39999").exists()
    # The form's values travel in hidden fields.
    body = response.content.decode()
    assert f'type="hidden" name="others" value="{b.pk}"' in body
    assert 'type="hidden" name="new_name" value="Phụng Hòa"' in body

    # "Quay lại sửa" returns to the form with what was typed.
    response = client.post(url, merge_data(a, b, edit="1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Phụng Hòa"' in body and 'value="39999"' in body
    assert "Xem trước" in body
    assert tree_state() == before

    # "Xác nhận" records it.
    response = client.post(url, merge_data(a, b, confirm="1"))
    assert response.status_code == 302
    new = Area.objects.get(code="39999", valid_to__isnull=True)
    assert commune_successor(a) == new == commune_successor(b)
    assert Restructuring.objects.filter(kind="merge", decision="Nghị quyết 99/NQ-HĐND").exists()


def commune_successor(area: Area) -> Area | None:
    return Area.objects.get(pk=area.pk).successor


def test_merge_refusal_shows_on_the_form_not_on_the_preview(demo: Any, login_as: Any) -> None:
    """The preview runs the merge and rolls it back: a refusal of the service (here
    a code already used by a unit in force) shows before any confirmation."""
    client = login_as("bdv.cantho")
    a, b = current_commune("31420"), current_commune("31393")
    response = client.post(
        reverse("staff:area_merge", args=[a.pk]), merge_data(a, b, new_code="31399")
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Mã đơn vị 31399 đã được dùng cho một đơn vị đang hoạt động." in text
    assert "Xem lại trước khi ghi nhận" not in text
    assert 'value="Phụng Hòa"' in response.content.decode()


def test_merge_into_an_existing_commune_names_it_as_successor(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    a, b = current_commune("31420"), current_commune("31393")
    data = {"target_mode": "existing", "into": b.pk, "effective_on": PAST, "decision": ""}
    response = client.post(reverse("staff:area_merge", args=[a.pk]), data)
    text = text_of(response)
    assert "Xã Hòa An (đơn vị có sẵn, mã 31393) tiếp nhận lịch sử" in text
    assert "Đơn vị ngừng hoạt động (1)" in text
    assert current_commune("31420").valid_to is None
    response = client.post(reverse("staff:area_merge", args=[a.pk]), {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Area.objects.get(pk=a.pk).successor_id == b.pk


def test_split_preview_then_confirm(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    c = current_commune("31420")
    url = reverse("staff:area_split", args=[c.pk])
    data = {"parts": "Xã; Phụng Hiệp A; 39001\nXã; Phụng Hiệp B; 39002", "effective_on": PAST}
    before = tree_state()
    response = client.post(url, data)
    text = text_of(response)
    assert "Xem lại trước khi ghi nhận chia tách" in text
    assert "Xã Phụng Hiệp A mã 39001, thành lập mới — kế thừa lịch sử" in text
    assert "Xã Phụng Hiệp B mã 39002, thành lập mới" in text
    assert "Ấp, khu vực chuyển sang Xã Phụng Hiệp A" in text
    assert tree_state() == before
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Area.objects.get(pk=c.pk).successor == Area.objects.get(code="39001")


@pytest.mark.parametrize("name", ["area_rename", "area_merge", "area_split"])
def test_future_effective_date_is_refused_beside_the_field(
    name: str, demo: Any, login_as: Any
) -> None:
    client = login_as("bdv.cantho")
    c = current_commune("31420")
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "area_rename": {"new_name": "Xã Phụng Hiệp Mới"},
        "area_merge": merge_data(c, current_commune("31393")),
        "area_split": {"parts": "Xã; Phụng Hiệp A; 39001\nXã; Phụng Hiệp B; 39002"},
    }[name]
    before = tree_state()
    for extra in ({}, {"confirm": "1"}):  # a crafted confirmation is refused as well
        response = client.post(
            reverse(f"staff:{name}", args=[c.pk]),
            {**data, **extra, "effective_on": tomorrow.isoformat()},
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert re.search(r'id="id_effective_on_error"[^>]*>.*là ngày trong tương lai', body, re.S)
        assert f'value="{tomorrow.isoformat()}"' in body
    assert tree_state() == before


# --- Hamlets ---------------------------------------------------------------------------------


def a_hamlet() -> Area:
    return Area.objects.current().filter(
        kind=AreaKind.HAMLET, path__startswith=current_commune("31420").path
    )[0]


def test_board_administrator_corrects_a_hamlet(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    hamlet = a_hamlet()
    code, path = hamlet.code, hamlet.path
    url = reverse("staff:hamlet_edit", args=[hamlet.pk])
    body = client.get(url).content.decode()
    assert f'value="{hamlet.name}"' in body
    response = client.post(url, {"name": "Mỹ Phú A", "unit_type": "Ấp", "population": "2050"})
    assert response.status_code == 302
    hamlet.refresh_from_db()
    assert (hamlet.name, hamlet.population) == ("Ấp Mỹ Phú A", 2050)
    assert (hamlet.code, hamlet.path) == (code, path)  # the same unit, corrected
    assert not Restructuring.objects.filter(kind="rename").exists()  # a data fix, not a renaming
    entry = LogEntry.objects.get_for_object(hamlet).latest("timestamp")
    assert entry.changes["name"][1] == "Ấp Mỹ Phú A"
    assert entry.actor.username == "canbo.phunghiep"


def test_hamlet_correction_refuses_a_duplicate_and_keeps_input(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    c = current_commune("31420")
    first, second = list(Area.objects.get_children(c).filter(valid_to__isnull=True))[:2]
    response = client.post(
        reverse("staff:hamlet_edit", args=[second.pk]),
        {"name": first.name.lower(), "unit_type": "Ấp", "population": "-3"},
    )
    assert response.status_code == 200
    assert "Ensure this value" not in response.content.decode()
    response = client.post(
        reverse("staff:hamlet_edit", args=[second.pk]),
        {"name": first.name.lower(), "unit_type": "Ấp", "population": ""},
    )
    text = text_of(response)
    assert f"{c.name} đã có" in text
    assert f'value="{first.name.lower()}"' in response.content.decode()
    assert Area.objects.get(pk=second.pk).name == second.name


def test_only_hamlets_in_force_are_corrected_here(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    commune = current_commune("31420")  # a commune, not a hamlet
    assert client.get(reverse("staff:hamlet_edit", args=[commune.pk])).status_code == 404
    old = Area.objects.get(code="31417")  # an ended commune
    assert client.get(reverse("staff:hamlet_edit", args=[old.pk])).status_code == 404
    body = client.get(reverse("staff:area_detail", args=[a_hamlet().pk])).content.decode()
    assert reverse("staff:hamlet_edit", args=[a_hamlet().pk]) in body


# --- Organisations ---------------------------------------------------------------------------


def women_union() -> Organization:
    return Organization.objects.get(
        area=current_commune("31420"), kind=OrgKind.WOMEN, valid_to__isnull=True
    )


def test_board_administrator_renames_and_moves_an_organisation(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    union = women_union()
    city_union = Organization.objects.get(name="Hội LHPN thành phố Cần Thơ")
    branches = set(Organization.objects.get_children(union).values_list("pk", flat=True))
    assert branches
    url = reverse("staff:org_edit", args=[union.pk])
    body = client.get(url).content.decode()
    assert f'<option value="{city_union.pk}" selected>' in body
    # A sibling commune's bodies are not offered as parents.
    hoa_an = Organization.objects.get(area=current_commune("31393"), kind=OrgKind.WOMEN)
    assert f'value="{hoa_an.pk}"' not in body
    # Moving to the top level, with a corrected name.
    response = client.post(
        url, {"name": "Hội Liên hiệp Phụ nữ xã Phụng Hiệp", "kind": OrgKind.WOMEN, "parent": ""}
    )
    assert response.status_code == 302
    union.refresh_from_db()
    assert union.name == "Hội Liên hiệp Phụ nữ xã Phụng Hiệp"
    assert union.depth == 1
    # Its branches moved with it.
    assert set(Organization.objects.get_children(union).values_list("pk", flat=True)) == branches
    entries = LogEntry.objects.get_for_object(union)
    assert entries.filter(changes__has_key="tổ chức cấp trên").exists()
    # And back under the city's union.
    response = client.post(
        url, {"name": union.name, "kind": OrgKind.WOMEN, "parent": str(city_union.pk)}
    )
    assert response.status_code == 302
    assert Organization.objects.get_parent(Organization.objects.get(pk=union.pk)) == city_union


def test_organisation_cannot_go_under_itself_or_a_foreign_body(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    union = women_union()
    branch = Organization.objects.get_children(union).first()
    assert branch is not None
    hoa_an = Organization.objects.get(area=current_commune("31393"), kind=OrgKind.WOMEN)
    url = reverse("staff:org_edit", args=[union.pk])
    for parent in (union, branch, hoa_an):
        response = client.post(url, {"name": "Tên mới", "kind": OrgKind.WOMEN, "parent": parent.pk})
        assert response.status_code == 200
        assert "Không chọn được tổ chức này: tổ chức cấp trên phải đang hoạt động" in text_of(
            response
        )
        assert 'value="Tên mới"' in response.content.decode()
    assert women_union().name == union.name


def test_closing_an_organisation_asks_first_and_ends_its_branches(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    union = women_union()
    branches = list(Organization.objects.get_children(union))
    url = reverse("staff:org_close", args=[union.pk])
    counts = MemberCount.objects.filter(organization=union).count()
    assert counts

    response = client.post(url, {"ended_on": PAST})
    text = text_of(response)
    assert "Xác nhận ngừng hoạt động" in text
    assert f"Tổ chức ngừng hoạt động ({1 + len(branches)})" in text
    for b in branches:
        assert b.name in text
    assert "phunu.phunghiep" in text  # the officer of the union will read history only
    assert women_union().valid_to is None  # nothing yet

    response = client.post(url, {"ended_on": PAST, "edit": "1"})
    assert f'value="{PAST}"' in response.content.decode()

    response = client.post(url, {"ended_on": PAST, "confirm": "1"})
    assert response.status_code == 302
    union.refresh_from_db()
    assert union.valid_to == date(2026, 1, 15)
    for b in branches:
        assert Organization.objects.get(pk=b.pk).valid_to == date(2026, 1, 15)
    assert MemberCount.objects.filter(organization=union).count() == counts  # history kept
    detail = text_of(client.get(reverse("staff:org_detail", args=[union.pk])))
    assert "Tổ chức đã ngừng hoạt động từ 15/01/2026" in detail
    assert "Ghi nhận ngừng hoạt động" not in detail
    # Closed bodies are not edited or closed again.
    assert client.get(url).status_code == 404
    assert client.get(reverse("staff:org_edit", args=[union.pk])).status_code == 404


def test_closing_date_in_the_future_is_refused(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    union = women_union()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for extra in ({}, {"confirm": "1"}):
        response = client.post(
            reverse("staff:org_close", args=[union.pk]), {"ended_on": tomorrow, **extra}
        )
        assert response.status_code == 200
        assert "là ngày trong tương lai" in text_of(response)
    assert women_union().valid_to is None


def test_org_list_filters_ended_organisations(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.phunghiep")
    url = reverse("staff:org_list") + "?q=phung hiep&kind=women"
    district_union = Organization.objects.get(name="Hội LHPN huyện Phụng Hiệp")
    old_union = Organization.objects.get(name="Hội LHPN xã Phụng Hiệp", valid_to__isnull=False)
    new_union = women_union()

    def listed(status: str) -> set[int]:
        body = client.get(url + f"&status={status}").content.decode()
        return {
            o.pk
            for o in (district_union, old_union, new_union)
            if f'href="{reverse("staff:org_detail", args=[o.pk])}"' in body
        }

    assert listed("") == {new_union.pk}
    assert listed("ended") == {district_union.pk, old_union.pk}
    assert listed("all") == {district_union.pk, old_union.pk, new_union.pk}
    assert "ngừng từ 01/07/2025" in text_of(client.get(url + "&status=ended"))


# --- Reporting periods -------------------------------------------------------------------------


def test_everyone_reads_the_periods_with_their_own_figures(demo: Any, login_as: Any) -> None:
    text = text_of(login_as("canbo.hoaan").get(reverse("staff:period_list")))
    for period in Period.objects.all():
        assert period.name in text
    assert "01/07/2025 – 31/12/2025" in text
    assert "Mở kỳ báo cáo" not in text
    assert "quản trị hệ thống hoặc Ban Dân vận cấp tỉnh, thành phố mở" in text


def test_city_administrator_opens_the_next_half_year(demo: Any, login_as: Any) -> None:
    client = login_as("bdv.cantho")
    url = reverse("staff:period_add")
    body = client.get(url).content.decode()
    # The next half-year after the latest one is suggested.
    assert 'value="6 tháng đầu năm 2026"' in body
    assert 'value="2026-01-01"' in body and 'value="2026-06-30"' in body
    response = client.post(
        url,
        {
            "name": "6 tháng đầu năm 2026",
            "kind": "half_year",
            "start": "2026-01-01",
            "end": "2026-06-30",
        },
    )
    assert response.status_code == 302
    period = Period.objects.get(name="6 tháng đầu năm 2026")
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert LogEntry.objects.get_for_object(period).exists()
    # Member counts can now be entered for it.
    officer = login_as("phunu.phunghiep")
    body = officer.get(reverse("staff:member_count_edit", args=[women_union().pk])).content.decode()
    assert "6 tháng đầu năm 2026" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Kỳ ngược", "kind": "half_year", "start": "2026-06-30", "end": "2026-01-01"},
            "Ngày kết thúc phải cùng hoặc sau ngày bắt đầu.",
        ),
        (
            {
                "name": "Cuối 2025 bis",
                "kind": "half_year",
                "start": "2025-10-01",
                "end": "2026-03-31",
            },
            "Trùng thời gian với kỳ “6 tháng cuối năm 2025” (01/07/2025 – 31/12/2025) cùng loại "
            "6 tháng.",
        ),
        (
            {"name": "năm 2024", "kind": "year", "start": "2023-01-01", "end": "2023-12-31"},
            "Đã có kỳ báo cáo tên “Năm 2024”.",
        ),
    ],
)
def test_period_validation(data: dict[str, str], message: str, demo: Any, login_as: Any) -> None:
    client = login_as("admin")
    before = Period.objects.count()
    response = client.post(reverse("staff:period_add"), data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert f'value="{data["name"]}"' in response.content.decode()
    assert Period.objects.count() == before


def test_a_year_may_span_half_years(demo: Any, login_as: Any) -> None:
    """Overlap is refused only within one kind: the year 2025 covers its halves."""
    client = login_as("admin")
    response = client.post(
        reverse("staff:period_add"),
        {"name": "Năm 2025", "kind": "year", "start": "2025-01-01", "end": "2025-12-31"},
    )
    assert response.status_code == 302
    assert Period.objects.filter(name="Năm 2025", kind="year").exists()
