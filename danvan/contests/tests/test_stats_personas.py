"""Every statistics URL tried by the named personas of the demo (the habit of
danvan/core/tests/test_personas.py).

- owner:   the commune officer of Xã Phụng Hiệp, whose Women's Union runs the contest
- above:   the board administrator of Thành phố Cần Thơ
- sibling: the commune officer of Xã Hòa An: 404 for everything of the owner's contest
- anonymous visitor: sent to sign in

`test_every_stats_url_is_covered` fails when a URL is added to urls_stats
without a row here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.contests import services, urls_stats
from danvan.contests.models import Contest, Round
from danvan.contests.tests.factories import add_contest, make_participant, right_answers
from danvan.core.jobs import run_job, start_job
from danvan.core.models import Area, AreaKind, Job, JobStatus, Organization, OrgKind, User
from danvan.core.testing import IN_SCOPE, NOT_FOUND, OK, OUT_OF_SCOPE, Matrix, Row

OWNER, ABOVE, SIBLING, ADMIN = "canbo.phunghiep", "bdv.cantho", "canbo.hoaan", "admin"


pytestmark = pytest.mark.usefixtures("media_root")  # from conftest.py


def _user(username: str) -> User:
    return User.objects.get(username=username)


def owner_contest() -> Contest:
    commune = Area.objects.current().get(code="31420", kind=AreaKind.COMMUNE)
    union = Organization.objects.get(area=commune, kind=OrgKind.WOMEN, valid_to__isnull=True)
    contest, _cats, rnd = add_contest(
        union,
        commune,
        title="Phụ nữ Phụng Hiệp tìm hiểu pháp luật",
        slug="phu-nu-phung-hiep-tim-hieu-phap-luat",
        max_attempts=1,
    )
    hamlet = Area.objects.get_children(commune).filter(kind=AreaKind.HAMLET).first() or commune
    person = make_participant(contest, hamlet, organization=union)
    attempt = services.start_attempt(rnd, person)
    services.submit_attempt(attempt.token, right_answers(attempt), 50)
    return contest


def owner_round() -> Round:
    return owner_contest().rounds.get()


def owner_export_job() -> Job:
    rnd = owner_round()
    job = start_job(_user(OWNER), "export_results", "Xuất kết quả", params={"round": rnd.pk})
    run_job(job.pk)  # the on-commit enqueue does not fire inside a test transaction
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    return job


MATRIX = Matrix(
    "contests_stats",
    urls_stats,
    personas={OWNER: IN_SCOPE, ABOVE: IN_SCOPE, SIBLING: OUT_OF_SCOPE},
    rows={
        "contest_stats": Row(owner_contest),
        "export_participants": Row(owner_contest),
        "round_stats": Row(owner_round),
        "export_results": Row(owner_round),
        # An export file is served to the person who asked for it (and system
        # administrators); a colleague above sees the contest, not someone else's file.
        "job_download": Row(
            owner_export_job, expected={OWNER: OK, ADMIN: OK, SIBLING: NOT_FOUND, ABOVE: NOT_FOUND}
        ),
    },
)


def test_every_stats_url_is_covered() -> None:
    MATRIX.assert_covers()


@pytest.mark.parametrize("name", MATRIX.sorted_names())
def test_stats_urls_by_persona(name: str, demo: Any, client: Any) -> None:
    MATRIX.check(client, name, _user)


def test_sibling_gets_nothing_even_with_the_full_flag(demo: Any, client: Any) -> None:
    contest = owner_contest()
    client.force_login(_user(SIBLING))
    for name, pk in (
        ("export_participants", contest.pk),
        ("export_results", contest.rounds.get().pk),
    ):
        url = reverse(f"contests_stats:{name}", args=[pk]) + "?day_du=1"
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not Job.objects.exists()
