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
from danvan.core.models import Area, AreaKind, Job, JobStatus
from danvan.core.testing import (
    DEMO,
    DEMO_JOB,
    DEMO_OWNER,
    DEMO_SIBLING,
    Matrix,
    demo_commune,
    demo_union,
    demo_user,
    pages,
)

OWNER, SIBLING, _user = DEMO_OWNER, DEMO_SIBLING, demo_user


pytestmark = pytest.mark.usefixtures("media_root")  # from conftest.py


def owner_contest() -> Contest:
    commune = demo_commune()
    union = demo_union(commune)
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


MATRIX = Matrix.of(
    urls_stats,
    pages(owner_contest, view=["contest_stats", "export_participants"]),
    pages(owner_round, view=["round_stats", "export_results"]),
    # An export file is served to the person who asked for it (and system
    # administrators); a colleague above sees the contest, not someone else's file.
    pages(owner_export_job, view=["job_download"], expected=DEMO_JOB),
    personas=DEMO,
)


test_every_stats_url_is_covered, test_stats_urls_by_persona = MATRIX.tests("demo", user=_user)


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
