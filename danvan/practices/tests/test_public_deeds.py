"""The public pages of good deeds: the list filtered by commune (a deed of a
hamlet counts for its commune) and year, and a deed's own page to share, with
its share preview; nothing unpublished, no phone, the name only with consent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.core.tests.factories import make_commune, make_hamlet, make_province
from danvan.practices import deeds
from danvan.practices.models import GoodDeed
from danvan.practices.tests.factories import make_deed, make_photo, nomination_form

pytestmark = pytest.mark.django_db

LIST = reverse("practices:deeds")


def published(area: Any, name: str, *, consents: bool = False, year: int = 2026) -> GoodDeed:
    deed = deeds.nominate(
        nominee_name=name, collective=False, area=area, deed="Nấu cơm cho bệnh nhân nghèo.",
        nominator_name="Người dân", nominator_phone="0912345678",
    )  # fmt: skip
    deeds.move_deed(deed, "verify", nominee_consents=consents)
    deed = deeds.move_deed(deed, "publish")
    when = timezone.make_aware(datetime(year, 3, 1, 9, 0))
    GoodDeed.objects.filter(pk=deed.pk).update(published_at=when)
    deed.refresh_from_db()
    return deed


@pytest.fixture
def places(db: Any) -> dict[str, Any]:
    province = make_province()
    phung_hiep = make_commune(province, "Xã Phụng Hiệp", "31417")
    hoa_an = make_commune(province, "Xã Hòa An", "31393")
    return {"phung_hiep": phung_hiep, "hamlet": make_hamlet(phung_hiep, "Ấp Phụng Thạnh"),
            "hoa_an": hoa_an}  # fmt: skip


def titles(client: Any, **query: Any) -> list[str]:
    from danvan.practices.views_public import PAGES

    PAGES.changed()  # a kept page has no template context to read
    page = client.get(LIST, query)
    assert page.status_code == 200
    return [d.public_name for d in page.context["page_obj"]]


def test_the_list_filters_by_commune_including_its_hamlets_and_by_year(
    client: Any, places: dict[str, Any]
) -> None:
    published(places["hamlet"], "Bà Mười", consents=True)
    published(places["hoa_an"], "Ông Hai", consents=True, year=2025)
    assert sorted(titles(client)) == ["Bà Mười", "Ông Hai"]
    assert titles(client, xa=places["phung_hiep"].pk) == ["Bà Mười"]
    assert titles(client, xa=places["hoa_an"].pk) == ["Ông Hai"]
    assert titles(client, nam=2025) == ["Ông Hai"]
    communes = [c.name for c in client.get(LIST).context["communes"]]
    assert communes == ["Xã Hòa An", "Xã Phụng Hiệp"]
    assert titles(client, xa="x", nam="abcd") == titles(client)  # garbage ignored


def test_a_deed_page_has_its_share_preview_and_no_phone(
    client: Any, places: dict[str, Any]
) -> None:
    deed = published(places["hamlet"], "Bà Trần Thị Mười")  # no consent: no name
    photo = make_photo(deed, caption="Bữa cơm ở trạm y tế")
    page = client.get(reverse("practices:deed", args=[deed.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Bà Trần Thị Mười" not in body and "Một người dân" in body
    assert "0912345678" not in body and "0912 345 678" not in body
    share = photo.share
    assert f'<meta property="og:image" content="http://testserver{share["url"]}">' in body
    assert '<meta property="og:image:width" content="1200">' in body
    large = photo.large
    assert f'src="{large["url"]}" width="{large["width"]}" height="{large["height"]}"' in body
    listed = client.get(LIST).content.decode()
    assert reverse("practices:deed", args=[deed.pk]) in listed
    assert photo.card["url"] in listed


def test_an_unpublished_deed_has_no_public_page(client: Any, places: dict[str, Any]) -> None:
    deed = make_deed(places["hoa_an"], nominator_phone="0912345678")
    make_photo(deed)
    assert client.get(reverse("practices:deed", args=[deed.pk])).status_code == 404
    deeds.move_deed(deed, "verify")
    assert client.get(reverse("practices:deed", args=[deed.pk])).status_code == 404
    assert client.get(reverse("practices:deed", args=[10**9])).status_code == 404


def test_a_country_of_places_is_chosen_province_first(
    client: Any, places: dict[str, Any], monkeypatch: Any
) -> None:
    """Above PLACE_SELECT_MAX places the nomination asks for the province, then
    offers only its communes and hamlets; a place of another province is refused."""
    from danvan.core import places as core_places

    other = make_province("92", "Thành phố Cần Thơ")
    far = make_commune(other, "Xã Thới Lai", "31234")
    url = reverse("practices:nominate")
    assert 'name="place"' in client.get(url).content.decode()  # few places: one select
    monkeypatch.setattr(core_places, "PLACE_SELECT_MAX", 2)
    first = client.get(url).content.decode()
    assert 'name="tinh"' in first and 'name="place"' not in first
    chosen = client.get(url, {"tinh": other.pk}).content.decode()
    assert "Xã Thới Lai" in chosen and "Ấp Phụng Thạnh" not in chosen
    data = nomination_form(places["hamlet"], nominee_name="Ông Tư", deed="Sửa cầu khỉ.")
    refused = client.post(f"{url}?tinh={other.pk}", data)
    assert refused.status_code == 200 and "Hãy chọn xã, ấp." in refused.content.decode()
    assert not GoodDeed.objects.exists()
    data["place"] = far.pk
    assert client.post(f"{url}?tinh={other.pk}", data).status_code == 302
    assert GoodDeed.objects.get().area == far


def test_public_pages_are_kept_until_something_changes(
    client: Any, places: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """A visitor without a session gets the kept page (no query); any change
    of a deed shows at once; a session (staff, a voter) always gets a fresh page."""
    deed = published(places["hamlet"], "Bà Mười", consents=True)
    first = client.get(LIST).content
    with django_assert_num_queries(0):
        assert client.get(LIST).content == first
    deed.nominee_name = "Bà Trần Thị Mười"
    deed.save()
    assert "Bà Trần Thị Mười" in client.get(LIST).content.decode()
    client.cookies["sessionid"] = "abc"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert any("practices_gooddeed" in q["sql"] for q in queries.captured_queries)


def test_a_message_for_one_visitor_is_never_kept_for_others(
    client: Any, places: dict[str, Any]
) -> None:
    """A browser with a message waiting (messages cookie) gets its own page,
    and that page is not the one the next visitor gets."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    published(places["hamlet"], "Bà Mười", consents=True)
    carrier = HttpRequest()
    storage = CookieStorage(carrier)
    storage.add(20, "Thông báo riêng của một người")
    response = client.get(LIST)  # a response to attach the cookie to
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Thông báo riêng của một người" in client.get(LIST).content.decode()
    stranger = client.__class__()
    assert "Thông báo riêng của một người" not in stranger.get(LIST).content.decode()
