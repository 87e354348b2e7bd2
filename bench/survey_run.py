"""The survey benchmark (issue 4; `make bench-surveys`).

    uv run python bench/survey_run.py              # 100k + 1M responses (~8 min, +5 the 1st time)
    uv run python bench/survey_run.py --small      # smoke: 2k + 20k responses, 1 × 6 s runs
    uv run python bench/survey_run.py --wait-quiet 600
    uv run python bench/survey_run.py --only B0,submit --reps 1

Same machinery as bench/run.py (bench/harness.py: the gunicorn Server, locust
runs, the quiet-machine checks, medians), on the survey dataset of
bench/survey_generate.py (its own database, reused while its bench_meta record
matches). In the same run: the baselines B0 and B2; the anonymous submit (a
full one-page response POSTed by a new browser each time, from its own
address); the staff results page of the surveys with 100k and 1M responses;
and, in this process, the same results counted with the plain GROUP BY (no
tally, no cache), and the tally's own refreshes.

Before measuring, the responses that earlier runs submitted are deleted (they
are the ones received on or after the generation day, and the spent tokens
without the generator's prefix), and the tallies forgotten, so every run
starts from the generated data and counts it once (timed).

Results: a table on stdout, bench/results/surveys-<preset>-<time>.json and .md.
"""

from __future__ import annotations

import random
import secrets
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench import survey_generate as sgen  # noqa: E402

RESULTS_USERS = 5


log = common.logger("surveys")


def label_of(responses: int) -> str:
    """100000 -> "100k", 1000000 -> "1M"."""
    if responses >= 1_000_000 and responses % 1_000_000 == 0:
        return f"{responses // 1_000_000}M"
    return f"{responses // 1000}k"


def sizes(meta: dict[str, Any]) -> str:
    return " and ".join(f"{s['responses']:,}" for s in meta["surveys"])


def intact(meta: dict[str, Any]) -> bool:
    """Are the generated responses still there (those of earlier runs aside)?"""
    query = "SELECT count(*) FROM surveys_response WHERE survey_id = %s AND received_on < %s"
    return common.rows_intact(
        [(query, [s["id"], meta["generated_on"]], s["responses"]) for s in meta["surveys"]]
    )


execute = common.execute


def reset(meta: dict[str, Any]) -> None:
    """Back to the generated data: drop what earlier runs submitted, forget the tallies."""
    from danvan.surveys import tally
    from danvan.surveys.models import Survey

    ids = [s["id"] for s in meta["surveys"]]
    day = meta["generated_on"]
    gone = execute(
        "DELETE FROM surveys_answer WHERE response_id IN (SELECT id FROM surveys_response "
        "WHERE survey_id = ANY(%s) AND received_on >= %s)",
        [ids, day],
    )
    n = execute(
        "DELETE FROM surveys_response WHERE survey_id = ANY(%s) AND received_on >= %s", [ids, day]
    )
    spent = execute(
        "DELETE FROM surveys_spenttoken WHERE survey_id = ANY(%s) AND token_hash NOT LIKE %s",
        [ids, sgen.SPENT_PREFIX + "%"],
    )
    execute("DELETE FROM surveys_pendingresponse WHERE survey_id = ANY(%s)", [ids])
    for survey in Survey.objects.filter(pk__in=ids):
        tally.forget(survey)
    execute("DELETE FROM django_session")
    t0 = time.monotonic()
    tables = ("surveys_response", "surveys_answer", "surveys_spenttoken", "django_session")
    for table in (*tables, "surveys_pendingresponse"):
        execute(f"VACUUM ANALYZE {table}")
    log(
        f"reset: {n:,} responses ({gone:,} answers, {spent:,} spent tokens) of earlier runs "
        f"deleted, tallies forgotten; VACUUM ANALYZE {time.monotonic() - t0:.1f} s"
    )


def staff_sessions(meta: dict[str, Any], count: int) -> list[str]:
    """Signed-in sessions of the generated officer, as a sign-in leaves them."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from danvan.core.middleware import LAST_SEEN_KEY

    user = get_user_model().objects.get(pk=meta["staff_id"])
    keys = []
    for _ in range(count):
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store[LAST_SEEN_KEY] = int(time.time()) + 3600  # no session write while measuring
        store.create()
        assert store.session_key is not None
        keys.append(store.session_key)
    return keys


def survey_days(survey: Any) -> list[date]:
    from django.db.models import Max, Min

    from danvan.surveys.models import Response

    days = Response.objects.filter(survey_id=survey.pk).aggregate(
        first=Min("received_on"), last=Max("received_on")
    )
    first, last = days["first"], days["last"]
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def filtered_paths(survey: Any, rng: random.Random) -> list[str]:
    """Results pages of `survey` with a filter: each commune and each hamlet,
    every range of days, each unit by week, each commune by every range of
    days; shuffled, each path once (a run asks each at most once: the 5-second
    cache never answers)."""
    from danvan.core.models import Area, AreaKind

    assert survey.target_area is not None
    base = f"/quan-ly/khao-sat/ket-qua/{survey.pk}/"
    units = list(
        Area.objects.filter(
            path__startswith=survey.target_area.path, kind__in=[AreaKind.COMMUNE, AreaKind.HAMLET]
        ).values_list("pk", "kind")
    )
    communes = [pk for pk, kind in units if kind == AreaKind.COMMUNE]
    days = survey_days(survey)
    weeks = [(days[i], days[min(i + 6, len(days) - 1)]) for i in range(0, len(days), 7)]
    ranges = [(a, b) for i, a in enumerate(days) for b in days[i:]]
    queries = [f"dia_ban={pk}" for pk, _kind in units]
    queries += [f"tu={a.isoformat()}&den={b.isoformat()}" for a, b in ranges]
    queries += [
        f"dia_ban={pk}&tu={a.isoformat()}&den={b.isoformat()}"
        for pk, _kind in units
        for a, b in weeks
    ]
    queries += [
        f"dia_ban={pk}&tu={a.isoformat()}&den={b.isoformat()}" for pk in communes for a, b in ranges
    ]
    rng.shuffle(queries)
    return [f"{base}?{q}" for q in queries]


def sample_filters(survey: Any) -> dict[str, dict[str, Any]]:
    """A few filters timed in-process, beside the plain GROUP BY."""
    from danvan.core.models import Area, AreaKind

    assert survey.target_area is not None
    commune = (
        Area.objects.filter(path__startswith=survey.target_area.path, kind=AreaKind.COMMUNE)
        .order_by("path")
        .first()
    )
    days = survey_days(survey)
    week = {"date_from": days[-7], "date_to": days[-1]}
    return {
        "commune": {"area": commune},
        "last-week": week,
        "commune-last-week": {"area": commune, **week},
    }


def submit_body(questions: list[Any], areas: list[int], rng: random.Random) -> str:
    """A full valid answer to the bench questionnaire, as the one-page form posts it."""
    fields: list[tuple[str, Any]] = [("action", "submit")]
    for q in questions:
        name = f"q{q.pk}"
        options = q.options or {}
        if q.kind == "unit":
            fields.append((name, rng.choice(areas)))
        elif q.kind in ("single", "dropdown"):
            fields.append((name, rng.randrange(len(options["choices"]))))
        elif q.kind == "multiple":
            picked = rng.sample(range(len(options["choices"])), rng.randint(1, 3))
            fields += [(name, c) for c in sorted(picked)]
        elif q.kind == "agreement":
            fields.append((name, rng.randint(0, 4)))
        elif q.kind == "rating":
            fields.append((name, rng.randint(options["min"], options["max"])))
        elif q.kind == "grid":
            fields += [(f"{name}_r{r}", rng.randint(0, 4)) for r in range(len(options["rows"]))]
        elif q.kind == "short_text":
            fields.append((name, rng.choice(sgen.SHORT_TEXTS)))
    return urlencode(fields)


def timed(fn: Any, times: int) -> list[float]:
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(
    cfg: Any,
    meta: dict[str, Any],
    results: dict[str, Any],
    inproc: dict[str, Any],
    started: float,
) -> str:
    from bench.harness import table_row

    rows: list[list[str]] = []
    base = {k: results[k].med("rps") for k in ("B0", "B2") if k in results and results[k].reps}
    for key, result in results.items():
        if not result.reps:
            continue
        rps = result.med("rps")
        ratio = goal = met = "—"
        if result.baseline in base:
            ratio = f"{rps / base[result.baseline] * 100:.0f}% of {result.baseline}"
        if key == "submit":
            goal = "≥ 500 req/s"
            met = "yes" if rps >= 500 else "NO"
        elif key.startswith("results"):
            goal = "p95 < 20 ms"
            met = "yes" if result.med("p95") < 20 else "NO"
        elif key.startswith("filtered"):
            goal = "p95 < 200 ms"
            met = "yes" if result.med("p95") < 200 else "NO"
        rows.append(table_row(result, ratio, goal, met))
    for s in meta["surveys"]:
        label = label_of(s["responses"])
        plain = inproc.get(f"plain-{label}")
        if plain:
            rows.append(
                [
                    f"plain GROUP BY, {label} responses (in-process, ms, median of {len(plain)})",
                    "—",
                    f"{statistics.median(plain):.0f}",
                    f"max {max(plain):.0f}",
                    "—",
                    "—",
                    "—",
                ]
            )
    lines = [*common.goal_table(rows), ""]
    for s in meta["surveys"]:
        label = label_of(s["responses"])
        first = inproc.get(f"first-{label}")
        warm = inproc.get(f"tally-{label}")
        if first is not None and warm:
            lines.append(
                f"{label}: first count of the tally {first / 1000:.1f} s (once); figures from "
                f"the tally, cache emptied (a refresh with nothing new + assembling): median "
                f"{statistics.median(warm):.1f} ms of {len(warm)}; tally rows "
                f"{inproc.get(f'rows-{label}', 0)}."
            )
        for name in ("commune", "last-week", "commune-last-week"):
            sliced = inproc.get(f"sliced-{label}-{name}")
            recount = inproc.get(f"recount-{label}-{name}")
            if sliced and recount:
                lines.append(
                    f"{label}, filter {name}: from the slices, cache emptied, median "
                    f"{statistics.median(sliced):.1f} ms of {len(sliced)}; the plain GROUP BY "
                    f"{recount[0]:.0f} ms; the same figures."
                )
        after = inproc.get(f"after-submit-{label}")
        if after:
            lines.append(
                f"{label}: refresh after the submit runs ({after['responses']:,} new responses): "
                f"{after['ms']:.0f} ms."
            )
    dataset = (
        f"pg, preset {cfg.preset}: surveys of {sizes(meta)} responses, {meta['answers']:,} answers"
    )
    users = f" (results pages: {inproc.get('results_users')})"
    return common.report_text(lines, results, cfg, started, dataset, users)


def main(argv: list[str] | None = None) -> int:
    parser = common.run_parser(
        __doc__,
        "B0,B2,submit,results,filtered,plain",
        users="locust users for B0, B2, submit (20)",
    )
    parser.add_argument(
        "--results-users", type=int, default=RESULTS_USERS, help="locust users, results pages"
    )
    args = parser.parse_args(argv)
    preset = "small" if args.small else "full"
    sgen.setup_env(preset)
    from bench import harness

    cfg = common.configure(args, preset, "survey_locustfile.py")
    want = lambda key: not cfg.only or key in cfg.only  # noqa: E731
    started = common.start()
    describe = lambda meta: f"{sizes(meta)} responses, {meta['answers']:,} answers"  # noqa: E731
    meta = common.ensure_dataset(
        sgen, preset, args.rebuild, "surveys", log, describe, intact=intact
    )
    rng = random.Random(11)

    from django.core.cache import cache
    from django.db import connection

    from danvan.core.cache import LocalCache
    from danvan.core.models import Area, AreaKind
    from danvan.surveys import mixing, recount
    from danvan.surveys import results as sresults
    from danvan.surveys.models import Survey, Tally
    from danvan.surveys.services import ordered_questions

    common.fresh_start(reset, meta)
    surveys = {s["id"]: Survey.objects.get(pk=s["id"]) for s in meta["surveys"]}
    big = surveys[meta["surveys"][-1]["id"]]
    inproc: dict[str, Any] = {"results_users": args.results_users}

    # The first count of each tally (what a survey pays once, or after `forget`).
    for s in meta["surveys"]:
        label = label_of(s["responses"])
        t0 = time.perf_counter()
        sresults.survey_results(surveys[s["id"]])
        inproc[f"first-{label}"] = (time.perf_counter() - t0) * 1000
        inproc[f"rows-{label}"] = Tally.objects.filter(survey_id=s["id"]).count()
        log(f"{label}: first count of the tally {inproc[f'first-{label}'] / 1000:.1f} s")
    # The first counts wrote the slices at once: the planner's statistics, as
    # autovacuum's analyze brings them within a minute on a running server.
    execute("ANALYZE surveys_tallyslice")

    questions = ordered_questions(big)
    assert big.target_area is not None
    areas = list(
        Area.objects.filter(path__startswith=big.target_area.path, kind=AreaKind.HAMLET)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    addresses = iter(f"10.{i // 62500}.{(i // 250) % 250}.{i % 250 + 1}" for i in range(10**7))
    submit_extra = {"survey_slug": big.slug, "survey_id": big.pk}

    def prepare_submit() -> Path:
        count = max(3000, 900 * (cfg.duration + 5))
        items = [
            [secrets.token_urlsafe(32), next(addresses), submit_body(questions, areas, rng)]
            for _ in range(count)
        ]
        return common.write_items("surveys", "submit", submit_extra, items)

    sessions = staff_sessions(meta, 50)
    results: dict[str, Any] = {}
    connection.close()
    with harness.Server(cfg, PROXY_COUNT="1"):
        harness.measure(cfg, results, "B0", "B0 bare view", "B0User", "B0")
        harness.measure(cfg, results, "B2", "B2 read + update one row", "B2User", "B2")
        if want("submit"):
            before = big.responses.count()
            harness.measure(
                cfg, results, "submit", "anonymous submit (POST, one page, 12 questions)",
                "SurveySubmitUser", "survey submit", prepare=prepare_submit, baseline="B2",
            )  # fmt: skip
            # The submits wait to be mixed (danvan.surveys.mixing): release them
            # all at once, as closing the survey would.
            t0 = time.perf_counter()
            mixed = mixing.mix(big, release_all=True)
            log(f"mixing {mixed:,} pending responses: {time.perf_counter() - t0:.1f} s")
            added = big.responses.count() - before
            t0 = time.perf_counter()
            cache.clear()
            sresults.survey_results(big)
            inproc["after-submit-" + label_of(meta["surveys"][-1]["responses"])] = {
                "responses": added,
                "ms": (time.perf_counter() - t0) * 1000,
            }
            log(f"submits stored {added:,} responses; the tally took them in")
        if want("results"):
            users = cfg.users
            runs = [(s, args.results_users) for s in meta["surveys"]]
            runs.append((meta["surveys"][-1], 1))  # one officer alone: the page's own time
            for s, cfg.users in runs:
                label = label_of(s["responses"])
                key = f"results-{label}" + ("-1u" if cfg.users == 1 else "")
                path = f"/quan-ly/khao-sat/ket-qua/{s['id']}/"
                items = common.write_items("surveys", f"results-{label}", {"path": path}, sessions)
                harness.measure(
                    cfg, results, key,
                    f"results page, {label} responses (GET, staff, {cfg.users} "
                    f"{'user' if cfg.users == 1 else 'users'})",
                    "ResultsUser", "survey results", items=items, baseline="B0",
                )  # fmt: skip
            cfg.users = users
        if want("filtered"):
            users = cfg.users
            label = label_of(meta["surveys"][-1]["responses"])
            paths = filtered_paths(big, rng)
            half = len(paths) // 2  # each run its own filters: never a cached page
            for cfg.users, chunk in ((args.results_users, paths[:half]), (1, paths[half:])):
                key = f"filtered-{label}" + ("-1u" if cfg.users == 1 else "")
                items = common.write_items(
                    "surveys",
                    key,
                    {},
                    [[sessions[i % len(sessions)], path] for i, path in enumerate(chunk)],
                )
                harness.measure(
                    cfg, results, key,
                    f"results page filtered by unit and/or dates, {label} responses (GET, "
                    f"staff, {cfg.users} {'user' if cfg.users == 1 else 'users'}, "
                    f"{len(chunk)} different filters)",
                    "FilteredResultsUser", "survey results, filtered", items=items,
                    baseline="B0",
                )  # fmt: skip
            cfg.users = users
        connection.close()

    # In-process: the plain GROUP BY beside the tally (cache emptied before each).
    if want("plain") or want("results"):
        for s in meta["surveys"]:
            label = label_of(s["responses"])
            survey = surveys[s["id"]]
            if cfg.wait_quiet:
                harness.wait_quiet(0.15, cfg.wait_quiet)

            def from_tally(survey: Survey = survey) -> None:
                cache.clear()
                LocalCache.clear_all()  # the figures the process keeps while fresh
                sresults.survey_results(survey)

            def plain(survey: Survey = survey) -> None:
                cache.clear()
                LocalCache.clear_all()
                recount.recount(survey, None, None, None)

            inproc[f"tally-{label}"] = timed(from_tally, 5)
            inproc[f"plain-{label}"] = timed(plain, 3 if s["responses"] >= 500_000 else 5)
            log(
                f"{label}: from the tally {statistics.median(inproc[f'tally-{label}']):.1f} ms, "
                f"plain GROUP BY {statistics.median(inproc[f'plain-{label}']):.0f} ms (medians)"
            )
            tallied = sresults.survey_results(survey)
            direct = recount.recount(survey, None, None, None)
            assert tallied.total == direct.total, (tallied.total, direct.total)
            assert [(r.question_id, r.answered, [o.count for o in r.options]) for r in tallied] == [
                (r.question_id, r.answered, [o.count for o in r.options]) for r in direct
            ], "the tally differs from the plain GROUP BY"

    # In-process: filtered pages from the tally's slices beside the plain GROUP BY,
    # and the figures compared.
    if want("filtered"):
        label = label_of(meta["surveys"][-1]["responses"])
        for name, filters in sample_filters(big).items():
            if cfg.wait_quiet:
                harness.wait_quiet(0.15, cfg.wait_quiet)

            def sliced(filters: dict[str, Any] = filters) -> None:
                cache.clear()
                LocalCache.clear_all()
                sresults.survey_results(big, **filters)

            def counted(filters: dict[str, Any] = filters) -> None:
                recount.recount(big, filters.get("date_from"), filters.get("date_to"),
                                filters.get("area"))  # fmt: skip

            inproc[f"sliced-{label}-{name}"] = timed(sliced, 5)
            inproc[f"recount-{label}-{name}"] = timed(counted, 1)
            got = sresults.survey_results(big, **filters)
            want_ = recount.recount(
                big, filters.get("date_from"), filters.get("date_to"), filters.get("area")
            )
            assert got.total == want_.total, (name, got.total, want_.total)
            assert [(r.question_id, r.answered, [o.count for o in r.options]) for r in got] == [
                (r.question_id, r.answered, [o.count for o in r.options]) for r in want_
            ], f"the slices differ from the plain GROUP BY ({name})"
            log(
                f"filtered {name}: from the slices "
                f"{statistics.median(inproc[f'sliced-{label}-{name}']):.1f} ms, plain GROUP BY "
                f"{inproc[f'recount-{label}-{name}'][0]:.0f} ms, same figures"
            )

    table = report(cfg, meta, results, inproc, started)
    common.save(
        "surveys", cfg, meta, results, table, log,
        results_users=args.results_users, in_process=inproc,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
