"""A link never ends in a 404: a unit out of the reader's scope (the city above
a commune officer, the old province above a former district) is shown as text;
a read-only user whose units have all ended lands on their history, told why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from danvan.core.listing import ALL_HISTORY
from danvan.core.models import Area, Organization

UNIT_LINK = re.compile(r'href="(/quan-ly/(?:dia-ban|to-chuc)/\d+/)"')


def _links(body: str) -> set[str]:
    return set(UNIT_LINK.findall(body))


def _every_unit_link_opens(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    for link in _links(body):
        assert client.get(link).status_code == 200, f"{url} links to {link}, a 404"
    return body


@pytest.mark.django_db
def test_a_commune_officer_sees_the_city_as_text(demo: Any, login_as: Any) -> None:
    client = login_as("canbo.phunghiep")
    commune = Area.objects.get(code="31420", valid_to__isnull=True)
    city = Area.objects.get(code="92", valid_to__isnull=True)
    city_page = reverse("staff:area_detail", args=[city.pk])
    assert client.get(city_page).status_code == 404
    body = _every_unit_link_opens(client, reverse("staff:area_detail", args=[commune.pk]))
    assert city.name in body and f'href="{city_page}"' not in body
    for org in Organization.objects.filter(area=commune, valid_to__isnull=True)[:3]:
        _every_unit_link_opens(client, reverse("staff:org_detail", args=[org.pk]))


@pytest.mark.django_db
def test_the_old_districts_inspector_meets_no_dead_link(demo: Any, login_as: Any) -> None:
    client = login_as("kiemtra.phunghiep")
    district = Area.objects.get(code="934")
    body = _every_unit_link_opens(client, reverse("staff:area_detail", args=[district.pk]))
    province = Area.objects.get_parent(district)
    assert province is not None and province.name in body
    for org in Organization.objects.filter(area=district)[:3]:
        _every_unit_link_opens(client, reverse("staff:org_detail", args=[org.pk]))
    _every_unit_link_opens(client, reverse("staff:dashboard"))


@pytest.mark.django_db
def test_a_reader_of_history_only_lands_on_the_history(demo: Any, login_as: Any) -> None:
    client = login_as("xem.phunghiep")
    for name in ("staff:area_list", "staff:org_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse(name) + "?status=ended"
        body = client.get(response["Location"]).content.decode()
        assert ALL_HISTORY in body
        assert _links(body), "the history list is not empty"
    # Someone with units in force keeps the usual first page.
    client = login_as("canbo.phunghiep")
    assert client.get(reverse("staff:area_list")).status_code == 200
