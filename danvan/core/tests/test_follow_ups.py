"""The people's words read in one app, followed up in another (core.registry
`register_follow_up`): a submitted opinion report offers "Chuyển thành kiến
nghị" to the unit's officers, and the link prefills the petition form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_period, make_province, make_staff
from danvan.outreach.models import Petition, Source
from danvan.surveys.models import Field, Mood, OpinionReport, ReportStatus, Spread

LABEL = "Chuyển thành kiến nghị"


@pytest.fixture
def report(db: Any) -> OpinionReport:
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    author = make_staff("ctv", Role.COLLABORATOR, area=commune)
    return OpinionReport.objects.create(
        author=author,
        period=make_period(),
        area=commune,
        field=Field.ENVIRONMENT,
        topic="Mùi hôi trại heo",
        what_people_say="Bà con bức xúc vì mùi hôi gần trường học.",
        mood=Mood.UPSET,
        spread=Spread.COMMUNE,
        proposals="Di dời trại heo.",
        status=ReportStatus.SUBMITTED,
    )


def _link(body: str) -> str:
    """The address of the follow-up link in a page."""
    href = body[body.index('href="' + reverse("petitions_staff:add")) + 6 :]
    return href[: href.index('"')].replace("&amp;", "&")


def test_an_opinion_report_becomes_a_petition_in_one_click(
    report: OpinionReport, client: Any
) -> None:
    officer = make_staff("canbo.xa", Role.BOARD_ADMIN, area=report.area)
    client.force_login(officer)
    body = client.get(reverse("opinion:report_detail", args=[report.pk])).content.decode()
    assert LABEL in body
    link = _link(body)
    params = parse_qs(urlsplit(link).query)
    assert params["nguon"] == ["opinion"] and params["don_vi"] == [str(report.area.pk)]
    form = client.get(link).context["form"]
    assert form.initial["source"] == Source.OPINION and form.initial["area"] == report.area.pk
    assert "mùi hôi gần trường học" in form.initial["content"]
    assert "Di dời trại heo." in form.initial["content"]
    assert not Petition.objects.exists()


def test_the_action_is_offered_only_to_who_may_use_it(report: OpinionReport, client: Any) -> None:
    viewer = make_staff("xem", Role.VIEWER, area=report.area)
    client.force_login(viewer)
    body = client.get(reverse("opinion:report_detail", args=[report.pk])).content.decode()
    assert LABEL not in body
