"""The public showcase: only recognised (or replicated) practices, filters by
field, commune and year, a detail page to share; nothing private shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.core.tests.factories import make_province, make_two_communes
from danvan.practices.models import Field
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db


def test_only_recognised_practices_are_shown_and_shared(client: Any) -> None:
    _province, a, b = make_two_communes(make_province())
    shown = move(make_practice(a, title="Đường hoa tự quản"), "start", "propose", "recognise")
    move(
        make_practice(b, title="Hũ gạo tình thương", field=Field.SOCIETY),
        "start", "propose", "recognise",
    )  # fmt: skip
    hidden = move(make_practice(a, title="Mới đề nghị"), "start", "propose")
    gallery = reverse("practices_public:gallery")
    body = client.get(gallery).content.decode()
    assert "Đường hoa tự quản" in body and "Hũ gạo tình thương" in body
    assert "Mới đề nghị" not in body
    body = client.get(gallery, {"linh_vuc": Field.SOCIETY}).content.decode()
    assert "Hũ gạo tình thương" in body and "Đường hoa tự quản" not in body
    body = client.get(gallery, {"xa": a.pk}).content.decode()
    assert "Đường hoa tự quản" in body and "Hũ gạo tình thương" not in body
    assert client.get(gallery, {"nam": "2024"}).content.decode().count("card-title") == 0

    page = client.get(reverse("practices_public:detail", args=[shown.pk])).content.decode()
    assert '<meta property="og:title" content="Đường hoa tự quản">' in page
    assert "12/QĐ-UBND" in page
    assert client.get(reverse("practices_public:detail", args=[hidden.pk])).status_code == 404
    home = client.get("/").content.decode()
    assert reverse("practices_public:detail", args=[shown.pk]) in home


def test_the_commune_filter_offers_communes_of_hamlet_practices(client: Any) -> None:
    """A practice run in a hamlet puts its commune among the filter's choices,
    and filtering by that commune finds it; exemplars are filtered by kind."""
    from danvan.core.tests.factories import make_hamlet
    from danvan.practices.models import Kind

    _province, commune, _binh_hoa = make_two_communes(make_province())  # nothing recognised there
    hamlet = make_hamlet(commune, "Ấp Một")
    move(make_practice(hamlet, title="Tổ tự quản ấp Một"), "start", "propose", "recognise")
    move(
        make_practice(hamlet, title="Ông Hai hiến đất", kind=Kind.EXEMPLAR),
        "start", "propose", "recognise",
    )  # fmt: skip
    gallery = reverse("practices_public:gallery")
    page = client.get(gallery)
    assert [c.name for c in page.context["communes"]] == ["Xã An Bình"]
    titles = [p.title for p in client.get(gallery, {"xa": commune.pk}).context["page_obj"]]
    assert sorted(titles) == ["Tổ tự quản ấp Một", "Ông Hai hiến đất"]
    exemplars = client.get(gallery, {"loai": Kind.EXEMPLAR}).context["page_obj"]
    assert [p.title for p in exemplars] == ["Ông Hai hiến đất"]
