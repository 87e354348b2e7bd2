"""Build the review-report benchmark dataset (`danvan_bench_reports`): a copy
of the plans benchmark's database (Thành phố Cần Thơ, 100 communes of 10
hamlets, ten half-years of briefings: 1,000,000 attendance rows; see
bench/plans_generate.py, run it first), migrated, plus, in the half-year
"6 tháng đầu năm 2026", what the other sections count:

* 10 contests (the city board's and nine commune boards'), a round each,
  100,000 participants and 200,000 sittings, 10 prizes a contest;
* 5 surveys of the city board with 100,000 responses;
* 3,000 submitted opinion reports on the hamlets, over 30 topics;
* half of the practices recognised in the half-year, 2,000 good deeds.

Then time the report of the city with the command the operations guide names:

    uv run --frozen python bench/reports_generate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/danvan_bench_reports \\
        uv run --frozen python manage.py review_report_timing --area 92 \\
        --period "6 tháng đầu năm 2026"
"""

from __future__ import annotations

import os
import random
import secrets
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOURCE = "danvan_bench_plans"
TARGET = "danvan_bench_reports"
PG = "postgres://postgres@127.0.0.1:5432/"
START, END = date(2026, 1, 1), date(2026, 6, 30)


def log(message: str) -> None:
    print(f"[reports-generate] {message}", flush=True)


def copy_database() -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SOURCE]).fetchone()
        if not found:
            raise SystemExit(f"{SOURCE} is missing: run bench/plans_generate.py first.")
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [SOURCE]
        ).fetchone()
        if busy and busy[0]:
            raise SystemExit(f"{SOURCE} is in use ({busy[0]} sessions): try again later.")
        conn.execute(f'DROP DATABASE IF EXISTS "{TARGET}"')
        conn.execute(f'CREATE DATABASE "{TARGET}" TEMPLATE "{SOURCE}"')


def at(rng: random.Random) -> datetime:
    day = START + timedelta(days=rng.randrange((END - START).days + 1))
    return datetime(day.year, day.month, day.day, rng.randrange(1, 23), tzinfo=UTC)


def fill(rng: random.Random) -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from danvan.contests.models import (
        Attempt,
        AttemptStatus,
        Award,
        Contest,
        ContestStatus,
        Participant,
        Prize,
        PrizeKind,
        Round,
    )
    from danvan.core.models import Area, AreaKind, Organization, OrgKind, Period
    from danvan.practices.models import DeedStatus, GoodDeed, Practice, Status
    from danvan.surveys.models import (
        Field,
        Mode,
        Mood,
        OnePer,
        OpinionReport,
        ReportStatus,
        Response,
        Spread,
        Survey,
        SurveyStatus,
    )

    city = Area.objects.get(code="92", valid_to__isnull=True)
    boards = list(
        Organization.objects.filter(kind=OrgKind.MOBILISATION_BOARD, valid_to__isnull=True)
        .select_related("area")
        .order_by("path")[:10]
    )
    communes = list(Area.objects.filter(kind=AreaKind.COMMUNE, valid_to__isnull=True))
    hamlets = list(Area.objects.filter(kind=AreaKind.HAMLET, valid_to__isnull=True))
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 30, tzinfo=UTC)

    rounds = []
    for i, body in enumerate(boards):
        contest = Contest.objects.create(
            title=f"Tìm hiểu Nghị quyết số {i + 1}", slug=f"bench-review-{i}",
            organization=body, target_area=body.area, starts_at=first, ends_at=last,
            status=ContestStatus.PUBLISHED,
        )  # fmt: skip
        rounds.append(Round.objects.create(contest=contest, number=1, opens_at=first,
                                           closes_at=last - timedelta(days=1)))  # fmt: skip
    now = datetime.now(UTC)
    people: list[Any] = []
    for n in range(100_000):
        rnd = rounds[n % len(rounds)]
        people.append(Participant(
            contest_id=rnd.contest_id, full_name=f"Người dự thi {n}", area=rng.choice(hamlets),
            consent_version="1", consented_at=now, access_code=f"B{n:010d}",
        ))  # fmt: skip
    Participant.objects.bulk_create(people, batch_size=5000)
    log("participants: 100,000")
    by_contest: dict[int, list[int]] = {}
    for pk, contest_id in Participant.objects.filter(contest__slug__startswith="bench-review-")\
            .values_list("pk", "contest_id"):  # fmt: skip
        by_contest.setdefault(contest_id, []).append(pk)
    attempts = []
    for n in range(200_000):
        rnd = rounds[n % len(rounds)]
        started = at(rng)
        attempts.append(Attempt(
            round_id=rnd.pk, participant_id=by_contest[rnd.contest_id][(n // len(rounds)) % 10_000],
            number=1 + n // 100_000, token=secrets.token_hex(16), started_at=started,
            deadline=started + timedelta(minutes=10), submitted_at=started + timedelta(minutes=5),
            status=AttemptStatus.SUBMITTED, score=rng.randrange(11),
        ))  # fmt: skip
        if len(attempts) == 10_000:
            Attempt.objects.bulk_create(attempts)
            attempts = []
    log("attempts: 200,000")
    for rnd in rounds:
        prize = Prize.objects.create(contest_id=rnd.contest_id, round=rnd, kind=PrizeKind.FIRST,
                                     quantity=10)  # fmt: skip
        Award.objects.bulk_create([
            Award(prize=prize, round=rnd, participant_id=pk, rank=k + 1, published_name="X")
            for k, pk in enumerate(by_contest[rnd.contest_id][:10])
        ])  # fmt: skip

    surveys = [
        Survey.objects.create(
            title=f"Khảo sát ý kiến {i + 1}",
            slug=f"bench-review-{i}",
            organization=boards[0],
            target_area=city,
            mode=Mode.ANONYMOUS,
            one_per=OnePer.BROWSER,
            opens_at=first,
            closes_at=last,
            status=SurveyStatus.CLOSED,
        )
        for i in range(5)
    ]
    span = (END - START).days + 1
    Response.objects.bulk_create(
        (Response(survey=surveys[n % 5], received_on=START + timedelta(days=n % span))
         for n in range(100_000)),
        batch_size=10_000,
    )  # fmt: skip
    log("responses: 100,000")
    period = Period.objects.get(start=START, end=END)
    author = get_user_model().objects.filter(is_superuser=False).order_by("pk").first()
    if author is None:
        author = get_user_model().objects.create(username="bench.review")
    topics = [f"Vấn đề dân sinh số {k}" for k in range(30)]
    OpinionReport.objects.bulk_create(
        (OpinionReport(
            author=author, period=period, area=rng.choice(hamlets), field=Field.POLICY,
            topic=(t := rng.choice(topics)), topic_folded=t.lower(),
            what_people_say="Bà con quan tâm.", mood=rng.choice(list(Mood)),
            spread=rng.choice(list(Spread)), status=ReportStatus.SUBMITTED, submitted_at=now,
        ) for _ in range(3000)),
        batch_size=3000,
    )  # fmt: skip
    practices = list(Practice.objects.order_by("pk").values_list("pk", flat=True))
    Practice.objects.filter(pk__in=practices[::2]).update(
        status=Status.RECOGNISED, decision_date=date(2026, 5, 1), decision_number="1-QĐ"
    )
    GoodDeed.objects.bulk_create(
        (GoodDeed(nominee_name=f"Gương {n}", area=rng.choice(communes), deed="Việc tốt.",
                  nominator_name="Người dân", status=DeedStatus.PUBLISHED, published_at=at(rng))
         for n in range(2000)),
        batch_size=2000,
    )  # fmt: skip
    return {"contests": len(rounds), "attempts": 200_000, "responses": 100_000, "reports": 3000}


def main() -> int:
    log(f"copying {SOURCE} to {TARGET}…")
    copy_database()
    os.environ["DATABASE_URL"] = PG + TARGET
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import transaction

    with transaction.atomic():
        made = fill(random.Random(2026))
    log(f"done: {made}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
