"""The plan's target per commune, against a recount: a commune counts when a
practice being carried out (or further) runs in it, in one of its hamlets, or
in a commune merged into it by the 2025 restructuring."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from danvan.core.models import Role
from danvan.core.restructuring import merge_areas
from danvan.core.tests.factories import (
    make_commune,
    make_hamlet,
    make_province,
    make_staff,
    make_two_communes,
)
from danvan.practices.coverage import commune_coverage
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db


def test_coverage_per_commune_across_a_merger() -> None:
    province, a, b = make_two_communes(make_province())
    c = make_commune(province, "Xã Cái Tắc", "30003")
    d = make_commune(province, "Xã Đông Phú", "30004")
    hamlet = make_hamlet(a, "Ấp Một")
    viewer = make_staff("xem.tinh", Role.VIEWER, area=province)

    move(make_practice(hamlet, title="Tổ tự quản ở ấp"), "start")  # counts for A
    make_practice(b, title="Chỉ mới đăng ký")  # registered only: does not count
    move(make_practice(c, title="Cổng rào tự quản"), "start", "stop")  # stopped: no
    move(make_practice(d, title="Dân vận khéo ở Đông Phú"), "start", "propose")  # counts

    # 1/7/2025: D is merged into C; D's practice now counts for C.
    merge_areas(None, [d], into=c, effective_on=date(2025, 7, 1))

    rows = {r.commune.name: [p.title for p in r.practices] for r in commune_coverage(viewer)}
    assert rows == {
        "Xã An Bình": ["Tổ tự quản ở ấp"],
        "Xã Bình Hòa": [],
        "Xã Cái Tắc": ["Dân vận khéo ở Đông Phú"],
    }
    # Communes still lacking one come first.
    assert [r.covered for r in commune_coverage(viewer)] == [False, True, True]
    # By year of registration.
    assert all(not r.covered for r in commune_coverage(viewer, year=2024))


def test_counts_name_a_few_and_the_list_shows_the_rest(client: Any) -> None:
    """A commune with many practices shows their number and three of them; the
    link lists them all, those of a commune merged into it included."""
    from django.urls import reverse

    province, a, b = make_two_communes(make_province())
    hamlets = [make_hamlet(a, f"Ấp {n}") for n in ("Một", "Hai", "Ba", "Bốn")]
    for n, hamlet in enumerate(hamlets):
        move(make_practice(hamlet, title=f"Mô hình ấp số {n}"), "start")
    move(make_practice(b, title="Mô hình của xã cũ"), "start")
    make_practice(a, title="Mới đăng ký")  # does not count, but is listed
    merge_areas(None, [b], into=a, effective_on=date(2025, 7, 1))
    viewer = make_staff("xem.tinh", Role.VIEWER, area=province)

    (row,) = commune_coverage(viewer)
    assert row.count == 5 and len(row.practices) == 3
    recount = {f"Mô hình ấp số {n}" for n in range(4)} | {"Mô hình của xã cũ"}
    assert {p.title for p in row.practices} < recount

    client.force_login(viewer)
    page = client.get(reverse("practices_staff:coverage")).content.decode()
    link = f"{reverse('practices_staff:practice_list')}?xa={a.pk}"
    assert link in page and "Xem cả 5 mô hình" in page
    listed = client.get(link).context["page_obj"]
    assert {p.title for p in listed} == recount | {"Mới đăng ký"}
    missing = client.get(f"{reverse('practices_staff:practice_list')}?xa=999999")
    assert missing.status_code == 200 and not list(missing.context["page_obj"])


def test_the_page_is_kept_per_scope_until_a_practice_or_a_unit_changes(client: Any) -> None:
    """Readers of one scope share the rendered table (no practice is counted
    again); a practice that starts, a merger, or a reader of another scope
    gets the figures afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    province, a, b = make_two_communes(make_province())
    practice = make_practice(b, title="Mô hình ở Bình Hòa")
    url = reverse("practices_staff:coverage")

    def page(user: Any) -> tuple[str, list[str]]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            text = client.get(url).content.decode()
        return text, [q["sql"] for q in queries.captured_queries]

    first = make_staff("xem.tinh", Role.VIEWER, area=province)
    second = make_staff("xem.tinh2", Role.VIEWER, area=province)
    commune_officer = make_staff("xem.xa", Role.VIEWER, area=a)  # (a new role: all afresh)
    text, _ = page(first)
    assert "0/2 xã" in text
    text, sql = page(second)
    assert "0/2 xã" in text
    assert not any("practices_practice" in q for q in sql)  # the kept table

    move(practice, "start")
    text, sql = page(second)
    assert "1/2 xã" in text and any("practices_practice" in q for q in sql)

    text, _ = page(commune_officer)
    assert "0/1 xã" in text and "Mô hình ở Bình Hòa" not in text

    merge_areas(None, [b], into=a, effective_on=date(2025, 7, 1))
    text, _ = page(commune_officer)
    assert "1/1 xã" in text and "Mô hình ở Bình Hòa" in text
    text, _ = page(second)
    assert "1/1 xã" in text


def test_the_indicator_of_communes_with_a_practice_against_a_recount() -> None:
    """The plan's target "every commune has a practice" (core.indicators): the
    figure of the province equals the sum of its communes' and a recount, a
    merged commune's practice counting for its successor."""
    from danvan.core.indicators import INDICATORS

    province, a, b = make_two_communes(make_province())
    c = make_commune(province, "Xã Cái Tắc", "30003")
    d = make_commune(province, "Xã Đông Phú", "30004")
    move(make_practice(make_hamlet(a, "Ấp Một"), title="Tổ tự quản"), "start")
    make_practice(b, title="Chỉ mới đăng ký")  # does not count
    move(make_practice(d, title="Dân vận khéo ở Đông Phú"), "start", "propose")
    merge_areas(None, [d], into=c, effective_on=date(2025, 7, 1))

    figure = INDICATORS["communes_with_practice"].compute(province, None)
    viewer = make_staff("xem.tinh", Role.VIEWER, area=province)
    recount = [r.covered for r in commune_coverage(viewer)]
    assert (figure.done, figure.total) == (sum(recount), len(recount)) == (2, 3)
    assert sum(p[1] for p in figure.parts) == figure.done
    assert {area.name: (done, total) for area, done, total in figure.parts} == {
        "Xã An Bình": (1, 1), "Xã Bình Hòa": (0, 1), "Xã Cái Tắc": (1, 1),
    }  # fmt: skip
    (row,) = INDICATORS["communes_with_practice"].compute(c, None).rows
    assert row.done and row.note == "Dân vận khéo ở Đông Phú"
