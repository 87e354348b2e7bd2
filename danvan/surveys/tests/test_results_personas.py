"""Every URL of survey results and public-opinion reports tried by the named
personas of the demo (the habit of danvan/core/tests/test_personas.py).

- owner:   the board administrator of Xã Phụng Hiệp (canbo.phunghiep): the
           survey is run by a body of the commune, the report is theirs
- above:   the board administrator of Thành phố Cần Thơ (bdv.cantho)
- sibling: the board administrator of Xã Hòa An (canbo.hoaan): 404 for
           everything of Phụng Hiệp
- collaborator of Xã Phụng Hiệp (ctv.phunghiep): reads what is in the
           commune, files reports, never sees another commune's reports
- anonymous visitor: sent to sign in

`test_every_url_is_covered` fails when a URL is added to urls_results or
urls_opinion without a row here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import Area, AreaKind, Organization, OrgKind, Period, User
from danvan.surveys import opinion, urls_opinion, urls_results
from danvan.surveys.models import (
    Field,
    Kind,
    Mode,
    Mood,
    OnePer,
    OpinionReport,
    Question,
    ReportStatus,
    Section,
    Spread,
    Survey,
    SurveyStatus,
)
from danvan.surveys.tests.factories import store_response

OWNER, ABOVE, SIBLING, COLLAB = "canbo.phunghiep", "bdv.cantho", "canbo.hoaan", "ctv.phunghiep"
VIEWER, ORG_OFFICER = "xem.phunghiep", "phunu.phunghiep"
LOGIN = "/quan-ly/dang-nhap/"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _commune(code: str = "31420") -> Area:
    return Area.objects.current().get(code=code, kind=AreaKind.COMMUNE)


def _period() -> Period:
    return Period.objects.latest_first().first()  # type: ignore[return-value]


def owner_survey() -> Survey:
    commune = _commune()
    union = Organization.objects.get(area=commune, kind=OrgKind.WOMEN, valid_to__isnull=True)
    now = timezone.now()
    survey = Survey.objects.create(
        title="Ý kiến hội viên về sinh hoạt chi hội",
        slug=f"y-kien-hoi-vien-{secrets.token_hex(3)}",
        organization=union,
        target_area=commune,
        mode=Mode.ANONYMOUS,
        one_per=OnePer.BROWSER,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        status=SurveyStatus.PUBLISHED,
    )
    section = Section.objects.create(survey=survey, position=1, title="Phần 1")
    single = Question.objects.create(
        survey=survey,
        section=section,
        position=1,
        kind=Kind.SINGLE,
        text="Chi hội sinh hoạt mấy lần một quý?",
        options={"choices": ["Một lần", "Hai lần", "Ba lần trở lên"], "other": False},
    )
    unit = Question.objects.create(
        survey=survey, section=section, position=2, kind=Kind.UNIT, text="Chị ở ấp nào?"
    )
    hamlet = Area.objects.get_children(commune).filter(kind=AreaKind.HAMLET).first() or commune
    store_response(
        survey, {single.pk: 1, unit.pk: hamlet.pk}, browser_token=secrets.token_urlsafe(24)
    )
    return survey


def _report(author: str, code: str = "31420", *, submitted: bool = True) -> OpinionReport:
    return OpinionReport.objects.create(
        author=_user(author),
        period=_period(),
        area=_commune(code),
        field=Field.LAND,
        topic="Bồi thường giải phóng mặt bằng",
        what_people_say="Bà con cho rằng giá bồi thường thấp.",
        mood=Mood.UPSET,
        spread=Spread.COMMUNE,
        status=ReportStatus.SUBMITTED if submitted else ReportStatus.DRAFT,
    )


def submitted_report() -> OpinionReport:
    return _report(OWNER)


def draft_report() -> OpinionReport:
    return _report(OWNER, submitted=False)


# --- Results: url name -> object factory; owner and above 200, sibling 404 ------------

RESULT_URLS: dict[str, Callable[[], Any]] = {
    "results": owner_survey,
    "export_responses": owner_survey,
    "export_summary_xlsx": owner_survey,
    "export_summary_docx": owner_survey,
    "text_answers": owner_survey,
}


# --- Opinion: url name -> (setup returning (args, query), expected status by persona) --


@dataclass
class Case:
    setup: Callable[[], tuple[list[Any], dict[str, Any]]]
    expected: dict[str, int]


def _object(factory: Callable[[], Any]) -> Callable[[], tuple[list[Any], dict[str, Any]]]:
    return lambda: ([factory().pk], {})


def _no_object() -> tuple[list[Any], dict[str, Any]]:
    return [], {}


def _issue_of_owner() -> tuple[list[Any], dict[str, Any]]:
    report = submitted_report()
    return [], {
        "ky": report.period_id,
        "dia_ban": report.area_id,
        "linh_vuc": report.field,
        "van_de": report.topic_folded,
    }


def _two_issues_of_owner() -> tuple[list[Any], dict[str, Any]]:
    """Two issues in the owner's commune: the second can be merged into the first."""
    args, query = _issue_of_owner()
    report = _report(OWNER)
    OpinionReport.objects.filter(pk=report.pk).update(
        topic="Bồi thường giải phóng mặt bằng đường tỉnh", topic_folded="boi thuong gpmb"
    )
    return args, {**query, "van_de": "boi thuong gpmb"}


def _owner_commune_page() -> tuple[list[Any], dict[str, Any]]:
    submitted_report()
    return [], {"ky": _period().pk, "dia_ban": _commune().pk}


EVERYONE = {OWNER: 200, ABOVE: 200, SIBLING: 200, COLLAB: 200, VIEWER: 200}
OPINION_URLS: dict[str, Case] = {
    "report_list": Case(_no_object, EVERYONE),
    # Collaborators and board administrators file; a viewer or an org officer does not.
    "report_add": Case(_no_object, {**EVERYONE, VIEWER: 404, ORG_OFFICER: 404}),
    # A sent report is read by everyone whose scope covers its commune.
    "report_detail": Case(
        _object(submitted_report), {OWNER: 200, ABOVE: 200, SIBLING: 404, COLLAB: 200}
    ),
    # A draft belongs to its author until sent.
    "report_edit": Case(_object(draft_report), {OWNER: 200, ABOVE: 404, SIBLING: 404, COLLAB: 404}),
    "report_submit": Case(
        _object(draft_report), {OWNER: 200, ABOVE: 404, SIBLING: 404, COLLAB: 404}
    ),
    # Only the author deletes a draft (a sent report is never deleted).
    "report_delete": Case(
        _object(draft_report), {OWNER: 200, ABOVE: 404, SIBLING: 404, COLLAB: 404}
    ),
    # The viewer holds their role on the district ended in 2025: today's Xã Phụng
    # Hiệp is not under it, so its page is out of their scope.
    "hot_issues": Case(
        _owner_commune_page, {OWNER: 200, ABOVE: 200, SIBLING: 404, COLLAB: 200, VIEWER: 404}
    ),
    "hot_issues_docx": Case(
        _owner_commune_page, {OWNER: 200, ABOVE: 200, SIBLING: 404, COLLAB: 200, VIEWER: 404}
    ),
    # Noting a follow-up takes a manager of the unit.
    "follow_up": Case(
        _issue_of_owner, {OWNER: 200, ABOVE: 200, SIBLING: 404, COLLAB: 404, VIEWER: 404}
    ),
    # So does merging two issues.
    "merge_topics": Case(
        _two_issues_of_owner, {OWNER: 200, ABOVE: 200, SIBLING: 404, COLLAB: 404, VIEWER: 404}
    ),
}


def test_every_url_is_covered() -> None:
    for module, table in ((urls_results, RESULT_URLS), (urls_opinion, OPINION_URLS)):
        names = {p.name for p in module.urlpatterns}  # type: ignore[union-attr]
        assert names - set(table) == set(), f"{module.__name__}: URLs without a persona test"
        assert set(table) - names == set(), "persona rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(RESULT_URLS))
def test_results_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    survey = RESULT_URLS[name]()
    url = reverse(f"surveys_results:{name}", args=[survey.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    for username, expected in ((OWNER, 200), (ABOVE, 200), (COLLAB, 200), (SIBLING, 404)):
        client.force_login(_user(username))
        response = client.get(url)
        assert response.status_code == expected, f"{username} on {url}"
        client.logout()

    # A missing survey answers exactly like a survey out of scope.
    client.force_login(_user(OWNER))
    assert client.get(reverse(f"surveys_results:{name}", args=[10**9])).status_code == 404


@pytest.mark.parametrize("name", sorted(OPINION_URLS))
def test_opinion_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    case = OPINION_URLS[name]
    args, query = case.setup()
    url = reverse(f"opinion:{name}", args=args)

    response = client.get(url, query)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    for username, expected in case.expected.items():
        client.force_login(_user(username))
        response = client.get(url, query)
        assert response.status_code == expected, f"{username} on {url}"
        client.logout()

    if args:  # a missing report answers exactly like one out of scope
        client.force_login(_user(OWNER))
        assert client.get(reverse(f"opinion:{name}", args=[10**9])).status_code == 404


def test_collaborator_files_but_never_reads_another_commune(demo: Any, client: Any) -> None:
    theirs = _report(SIBLING, "31393")
    client.force_login(_user(COLLAB))
    response = client.post(
        reverse("opinion:report_add"),
        {
            "period": _period().pk,
            "area": _commune().pk,
            "field": Field.ENVIRONMENT,
            "topic": "Rác thải ven kênh",
            "what_people_say": "Bà con phản ánh rác thải đổ ven kênh gây ô nhiễm.",
            "mood": Mood.MIXED,
            "spread": Spread.HAMLET,
            "proposals": "",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    mine = OpinionReport.objects.get(topic="Rác thải ven kênh")
    assert response["Location"] == reverse("opinion:report_submit", args=[mine.pk])
    assert mine.author.username == COLLAB and mine.status == ReportStatus.DRAFT
    client.post(response["Location"])  # confirmed
    mine.refresh_from_db()
    assert mine.status == ReportStatus.SUBMITTED

    body = client.get(reverse("opinion:report_list")).content.decode()
    assert "Rác thải ven kênh" in body
    assert reverse("opinion:report_detail", args=[theirs.pk]) not in body
    assert client.get(reverse("opinion:report_detail", args=[theirs.pk])).status_code == 404
    # Nor through the hot issues of the other commune.
    page = client.get(reverse("opinion:hot_issues"), {"dia_ban": _commune("31393").pk})
    assert page.status_code == 404
    # A unit of another commune is not a valid choice in the form.
    response = client.post(
        reverse("opinion:report_add"),
        {"period": _period().pk, "area": _commune("31393").pk, "action": "draft"},
    )
    assert "area" in response.context["form"].errors
    assert not opinion.reporter_areas(_user(COLLAB)).filter(pk=_commune("31393").pk).exists()


def test_sibling_posts_change_nothing(demo: Any, client: Any) -> None:
    draft = draft_report()
    _args, query = _issue_of_owner()
    client.force_login(_user(SIBLING))
    assert client.post(reverse("opinion:report_submit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("opinion:report_edit", args=[draft.pk]), {}).status_code == 404
    follow = reverse("opinion:follow_up") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    assert client.post(follow, {"note": "Ghi chú lạ"}).status_code == 404
    assert client.post(reverse("opinion:report_delete", args=[draft.pk])).status_code == 404
    _args, two = _two_issues_of_owner()
    merge = reverse("opinion:merge_topics") + "?" + "&".join(f"{k}={v}" for k, v in two.items())
    target = opinion.issue_value(Field.LAND, "boi thuong giai phong mat bang")
    assert client.post(merge, {"vao": target, "xac_nhan": "1"}).status_code == 404
    assert OpinionReport.objects.filter(topic_folded="boi thuong gpmb").exists()
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    from danvan.surveys.models import FollowUp

    assert not FollowUp.objects.exists()
