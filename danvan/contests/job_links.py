"""Where the page of a contests job leads once the job has ended (core/jobs.py
`job_handler(about=, again=)`): to the round or contest it was about, and to the
page that starts it afresh; only what the reader may open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from danvan.contests.models import Contest, Round
from danvan.core.jobs import Link
from danvan.core.models import Job
from danvan.core.scope import MANAGE


def round_link(param: str, page: str) -> Link:
    """The round named by the job's `param`, linked to `page` (a URL name)."""

    def link(job: Job, user: Any) -> tuple[str, str] | None:
        rnd = (
            Round.objects.visible_to(user)
            .select_related("contest")
            .filter(pk=job.params.get(param))
            .first()
        )
        return (f"{rnd} — {rnd.contest.title}", reverse(page, args=[rnd.pk])) if rnd else None

    return link


def contest_link(param: str, page: str, label: Callable[[Contest], str] = str) -> Link:
    """The contest named by the job's `param`, linked to `page` (a URL name)."""

    def link(job: Job, user: Any) -> tuple[str, str] | None:
        contest = Contest.objects.visible_to(user).filter(pk=job.params.get(param)).first()
        return (label(contest), reverse(page, args=[contest.pk])) if contest else None

    return link


def import_again(job: Job, user: Any) -> tuple[str, str] | None:
    contest = (
        Contest.objects.visible_to(user, MANAGE).filter(pk=job.params.get("contest_id")).first()
    )
    if contest is None:
        return None
    return "Nhập lại từ file khác", reverse("contests_staff:question_import", args=[contest.pk])
