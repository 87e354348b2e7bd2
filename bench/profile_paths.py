"""Where the time of one hot-path request goes, in this process (no HTTP).

    uv run python bench/profile_paths.py [start|page|submit|leaderboard|b0|b2] [-n 300] [--cprofile]
    uv run python bench/profile_paths.py [survey_submit|survey_results] [-n 300]

Uses the bench database (bench/generate.py; bench/survey_generate.py for the
survey paths) and the bench settings, calls the
views through Django's test client, and prints the median time a request, the
SQL statements and their time, and (with --cprofile) the functions that cost
most. A tool for the developer; `make bench` is the measurement.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402


class SqlTimer:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.count += 1
            self.statements.append(sql[:110])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "path",
        choices=[
            *("start", "page", "submit", "leaderboard", "b0", "b2"),
            *("survey_submit", "survey_results"),
        ],
    )
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--callees", help="with --cprofile: show what this function calls")
    parser.add_argument("--db", default="pg", choices=["pg", "sqlite"])
    args = parser.parse_args(argv)

    if args.path.startswith("survey_"):
        return profile_survey(args)
    meta = gen.read_meta(args.db)
    if meta is None:
        print("no bench dataset: run bench/generate.py first", file=sys.stderr)
        return 2
    gen.setup_django(args.db)
    from bench import run

    rng = random.Random(7)
    slug, open_no = meta["contest_slug"], meta["open_round_number"]
    run.clear_cache()
    requests: list[tuple[str, str, dict[str, Any] | str | None]] = []
    sessions: list[str] = []
    if args.path in ("start", "page", "submit"):
        run.reset_open_round(meta)
        pids = rng.sample(range(1, meta["participants"] + 1), args.n + 20)
        from danvan.contests.models import Participant

        pids = list(
            Participant.objects.filter(contest_id=meta["contest_id"], pk__in=pids).values_list(
                "pk", flat=True
            )
        )[: args.n + 20]
        sessions = run.make_sessions(meta, pids)
        if args.path == "start":
            requests = [("post", f"/cuoc-thi/{slug}/dot/{open_no}/bat-dau/", None)] * len(pids)
        else:
            items = run.make_running_attempts(meta, pids, sessions, rng)
            requests = [
                ("get", f"/cuoc-thi/bai/{token}/", None)
                if args.path == "page"
                else ("post", f"/cuoc-thi/bai/{token}/", body)
                for _s, token, body in items
            ]
    else:
        url = {
            "leaderboard": f"/cuoc-thi/{slug}/ket-qua/{meta['closed_round_number']}/",
            "b0": "/bench/b0/",
            "b2": "/bench/b2/",
        }[args.path]
        requests = [("get", url, None)] * (args.n + 20)
        sessions = [""] * len(requests)

    return measure(args, requests, sessions)


def profile_survey(args: argparse.Namespace) -> int:
    """The anonymous submit of the big survey, or its results page for the officer."""
    import os
    import secrets

    from bench import survey_generate as sgen

    os.environ["BENCH_PG_URL"] = sgen.PG_URL
    meta = gen.read_meta("pg")
    if meta is None or meta.get("kind") != "surveys":
        print("no survey dataset: run bench/survey_generate.py first", file=sys.stderr)
        return 2
    gen.setup_django("pg")
    from bench import run, survey_run
    from danvan.core.models import Area, AreaKind
    from danvan.surveys.models import Survey
    from danvan.surveys.services import ordered_questions
    from danvan.surveys.views_public import COOKIE_PREFIX

    run.clear_cache()
    big = Survey.objects.get(pk=meta["surveys"][-1]["id"])
    count = args.n + 20
    if args.path == "survey_results":
        sessions = survey_run.staff_sessions(meta, 1) * count
        url = f"/quan-ly/khao-sat/ket-qua/{big.pk}/"
        return measure(args, [("get", url, None)] * count, sessions)
    rng = random.Random(7)
    questions = ordered_questions(big)
    assert big.target_area is not None
    areas = list(
        Area.objects.filter(
            path__startswith=big.target_area.path, kind=AreaKind.HAMLET
        ).values_list("pk", flat=True)
    )
    url = f"/khao-sat/{big.slug}/phan-1/"
    requests: list[tuple[str, str, dict[str, Any] | str | None]] = [
        ("post", url, survey_run.submit_body(questions, areas, rng)) for _ in range(count)
    ]
    cookies = [f"{COOKIE_PREFIX}{big.pk}={secrets.token_urlsafe(32)}" for _ in range(count)]
    return measure(args, requests, [""] * count, cookies)


def measure(
    args: argparse.Namespace,
    requests: list[tuple[str, str, dict[str, Any] | str | None]],
    sessions: list[str],
    cookies: list[str] | None = None,
) -> int:
    from django.db import connection
    from django.test import Client

    timer = SqlTimer()
    times: list[float] = []
    profiler = cProfile.Profile()
    for i, ((method, url, body), session) in enumerate(zip(requests, sessions, strict=True)):
        # Its own client address each (the per-address limits still run).
        address = f"10.{i // 62500}.{(i // 250) % 250}.{i % 250 + 1}"
        client = Client(enforce_csrf_checks=False, HTTP_HOST="127.0.0.1", REMOTE_ADDR=address)
        if session:
            client.cookies["sessionid"] = session
        if cookies:
            name, value = cookies[i].split("=", 1)
            client.cookies[name] = value
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"}
        warm = i >= 20
        if warm:
            timer_ctx = connection.execute_wrapper(timer)
            timer_ctx.__enter__()
            if args.cprofile:
                profiler.enable()
        began = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        elapsed = time.perf_counter() - began
        if warm:
            if args.cprofile:
                profiler.disable()
            timer_ctx.__exit__(None, None, None)
            times.append(elapsed)
        if response.status_code not in (200, 302):
            print("unexpected", response.status_code, url, file=sys.stderr)
            return 1
    n = len(times)
    print(
        f"{args.path}: {n} requests, median {statistics.median(times) * 1000:.2f} ms, "
        f"SQL {timer.count / n:.1f} statements {timer.seconds / n * 1000:.2f} ms a request"
    )
    for sql in timer.statements[: timer.count // n]:
        print("   ", sql)
    if args.cprofile:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        if args.callees:
            stats.sort_stats("cumulative").print_callees(args.callees)
    return 0


if __name__ == "__main__":
    sys.exit(main())
