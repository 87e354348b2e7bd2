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
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from danvan.core.models import Area, AreaKind, Period
from danvan.core.testing import (
    DEMO,
    DEMO_ABOVE,
    DEMO_OWNER,
    DEMO_SIBLING,
    IN_SCOPE,
    NOT_FOUND,
    OK,
    Matrix,
    Row,
    Target,
    coverage_test,
    demo_commune,
    demo_union,
    demo_user,
    pages,
)
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
from danvan.surveys.tests.factories import make_opinion_report, store_response

OWNER, ABOVE, SIBLING, COLLAB = DEMO_OWNER, DEMO_ABOVE, DEMO_SIBLING, "ctv.phunghiep"
VIEWER, ORG_OFFICER = "xem.phunghiep", "phunu.phunghiep"
_user, _commune = demo_user, demo_commune


def _period() -> Period:
    return Period.objects.latest_first().first()  # type: ignore[return-value]


def owner_survey() -> Survey:
    commune = _commune()
    union = demo_union(commune)
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
    return make_opinion_report(
        _user(author), _period(), _commune(code), "Bồi thường giải phóng mặt bằng",
        field=Field.LAND, mood=Mood.UPSET, spread=Spread.COMMUNE, submitted=submitted,
        what_people_say="Bà con cho rằng giá bồi thường thấp.",
    )  # fmt: skip


def submitted_report() -> OpinionReport:
    return _report(OWNER)


def draft_report() -> OpinionReport:
    return _report(OWNER, submitted=False)


# --- Results: owner, above and the collaborator 200, sibling 404 ---------------------

RESULTS = Matrix.of(
    urls_results,
    pages(
        owner_survey,
        view=[
            "results", "export_responses", "export_summary_xlsx", "export_summary_docx",
            "text_answers",
        ],
    ),
    personas={**DEMO, COLLAB: IN_SCOPE},
)  # fmt: skip


# --- Opinion: url name -> (URL arguments and query, expected status by persona) -------


def _issue_of_owner() -> Target:
    report = submitted_report()
    return Target(
        query={
            "ky": report.period_id,
            "dia_ban": report.area_id,
            "linh_vuc": report.field,
            "van_de": report.topic_folded,
        }
    )


def _two_issues_of_owner() -> Target:
    """Two issues in the owner's commune: the second can be merged into the first."""
    query = _issue_of_owner().query
    report = _report(OWNER)
    OpinionReport.objects.filter(pk=report.pk).update(
        topic="Bồi thường giải phóng mặt bằng đường tỉnh", topic_folded="boi thuong gpmb"
    )
    return Target(query={**query, "van_de": "boi thuong gpmb"})


def _owner_commune_page() -> Target:
    submitted_report()
    return Target(query={"ky": _period().pk, "dia_ban": _commune().pk})


EVERYONE = {OWNER: OK, ABOVE: OK, SIBLING: OK, COLLAB: OK, VIEWER: OK}
AUTHOR_ONLY = {OWNER: OK, ABOVE: NOT_FOUND, SIBLING: NOT_FOUND, COLLAB: NOT_FOUND}
MANAGERS = {OWNER: OK, ABOVE: OK, SIBLING: NOT_FOUND, COLLAB: NOT_FOUND, VIEWER: NOT_FOUND}
OPINION = Matrix.of(
    urls_opinion,
    {
        "report_list": Row(expected=EVERYONE),
        # Collaborators and board administrators file; a viewer or an org officer does not.
        "report_add": Row(expected={**EVERYONE, VIEWER: NOT_FOUND, ORG_OFFICER: NOT_FOUND}),
        # A sent report is read by everyone whose scope covers its commune.
        "report_detail": Row(
            submitted_report, expected={OWNER: OK, ABOVE: OK, SIBLING: NOT_FOUND, COLLAB: OK}
        ),
        # A draft belongs to its author until sent.
        "report_edit": Row(draft_report, expected=AUTHOR_ONLY),
        "report_submit": Row(draft_report, expected=AUTHOR_ONLY),
        # Only the author deletes a draft (a sent report is never deleted).
        "report_delete": Row(draft_report, expected=AUTHOR_ONLY),
        # The viewer holds their role on the district ended in 2025: today's Xã Phụng
        # Hiệp is not under it, so its page is out of their scope.
        "hot_issues": Row(_owner_commune_page, expected={**MANAGERS, COLLAB: OK}),
        "hot_issues_docx": Row(_owner_commune_page, expected={**MANAGERS, COLLAB: OK}),
        # Noting a follow-up takes a manager of the unit.
        "follow_up": Row(_issue_of_owner, expected=MANAGERS),
        # So does merging two issues.
        "merge_topics": Row(_two_issues_of_owner, expected=MANAGERS),
    },
    personas={},
    owner=OWNER,
)
# Read by danvan/core/tests/test_staff_url_walk.py.
RESULT_URLS, OPINION_URLS = RESULTS.names, OPINION.names


test_every_url_is_covered = coverage_test(RESULTS, OPINION)
test_results_urls_by_persona = RESULTS.persona_test("demo", user=_user)
test_opinion_urls_by_persona = OPINION.persona_test("demo", user=_user)


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
    query = _issue_of_owner().query
    client.force_login(_user(SIBLING))
    assert client.post(reverse("opinion:report_submit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("opinion:report_edit", args=[draft.pk]), {}).status_code == 404
    follow = reverse("opinion:follow_up") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    assert client.post(follow, {"note": "Ghi chú lạ"}).status_code == 404
    assert client.post(reverse("opinion:report_delete", args=[draft.pk])).status_code == 404
    two = _two_issues_of_owner().query
    merge = reverse("opinion:merge_topics") + "?" + "&".join(f"{k}={v}" for k, v in two.items())
    target = opinion.issue_value(Field.LAND, "boi thuong giai phong mat bang")
    assert client.post(merge, {"vao": target, "xac_nhan": "1"}).status_code == 404
    assert OpinionReport.objects.filter(topic_folded="boi thuong gpmb").exists()
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    from danvan.surveys.models import FollowUp

    assert not FollowUp.objects.exists()
