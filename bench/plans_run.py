"""The plans benchmark (`make bench-plans`).

    uv run --frozen python bench/plans_run.py              # 100 communes, 1,000,000 rows
    uv run --frozen python bench/plans_run.py --small      # smoke: 10 communes, 1 × 6 s
    uv run --frozen python bench/plans_run.py --only dashboard_province --reps 3 --wait-quiet 300
    uv run --frozen python bench/plans_run.py --profile dashboard_province [-n 200] [--cprofile]

Same machinery as bench/run.py (bench/harness.py: the gunicorn Server, locust
runs, the quiet-machine checks, medians) on the dataset of
bench/plans_generate.py (its own database, reused while its bench_meta record
matches, its rows are all there and its current period still holds today). In
the same run: the baselines B0 and B2; the plan's target dashboard for the
whole city by the provincial officer (`dashboard_province`); the same page for
one commune (?don_vi=) by that commune's officer, over ten communes
(`dashboard_commune`); a briefing recorded with 200 attendees over the 10
hamlet branches of a commune union (`briefing`, a POST answered 302); and,
outside locust, the background job `import_returns` on a workbook made with
`return_template` and filled for every commune and indicator
(`return_import`: started with `core.jobs.start_job`, run as the worker runs
it, timed, its progress updates counted).

After the briefing runs, the briefings stored by the last repetition are
counted against its POSTs answered 302 (the run fails when they differ). Before measuring, the
briefings, jobs, sessions and audit entries of earlier runs are deleted and
the generated aggregate returns written again, so every run starts from the
generated data.

`--profile PATH` measures nothing over HTTP: it calls one view in this process
with the test client (bench/profile_paths.py's `measure`: median time, SQL
statements, and with --cprofile where the time goes); `--profile
return_import` runs the job once under cProfile.

Results: a table on stdout, bench/results/plans-<preset>-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench import plans_generate as pgen  # noqa: E402

STAFF_SESSIONS = 50
OFFICER_SESSIONS = 10
ATTENDEES = 200  # a briefing's attendance, spread over the union's hamlet branches
# scenario -> (baseline, minimum share of its req/s)
GOALS: dict[str, tuple[str, float]] = {
    "dashboard_province": ("B0", 0.25),
    "dashboard_commune": ("B0", 0.25),
    "briefing": ("B2", 0.30),
}
IMPORT_GOAL = 10.0  # seconds
PROFILED = ("dashboard_province", "dashboard_commune", "briefing", "return_import")
BRIEFING_TOPIC = "Tuyên truyền (benchmark)"


log = common.logger("plans")


def ensure_dataset(preset: str, rebuild: bool) -> dict[str, Any]:
    return common.ensure_dataset(
        pgen, preset, rebuild, "plans", log,
        lambda meta: f"{meta['attendance']:,} attendance rows",
        stale="no longer holds the generated rows, or its current period has ended",
    )  # fmt: skip


def reset(meta: dict[str, Any]) -> None:
    """Back to the generated data: no briefings, jobs, queued tasks or sessions
    of earlier runs; the generated aggregate returns only. (Their audit entries
    stay: the audit log is append-only.)"""
    from bench.practices_run import execute

    briefings = delete_briefings(meta)
    jobs = reset_returns(meta)
    sessions = execute("DELETE FROM django_session")
    for table in ("plans_briefing", "plans_attendance", "plans_aggregatereturn", "django_session"):
        execute(f"VACUUM ANALYZE {table}")
    log(
        f"reset: {briefings:,} briefings, {jobs} jobs and {sessions:,} sessions of earlier "
        "runs deleted"
    )


def delete_briefings(meta: dict[str, Any]) -> int:
    """The briefings recorded after the generation, with their attendance."""
    from bench.practices_run import execute

    last = meta["briefings"]
    execute("DELETE FROM plans_attendance WHERE briefing_id > %s", [last])
    return execute("DELETE FROM plans_briefing WHERE id > %s", [last])


def reset_returns(meta: dict[str, Any]) -> int:
    """No jobs (nor their files and queued tasks); the generated aggregate
    returns only. Returns how many jobs were deleted."""
    from django.core.files.storage import default_storage
    from django_tasks_db.models import DBTaskResult

    from bench.practices_run import execute
    from danvan.core.models import Job

    for name in Job.objects.exclude(input_file="").values_list("input_file", flat=True):
        if default_storage.exists(name):
            default_storage.delete(name)
    jobs = execute("DELETE FROM core_job")
    DBTaskResult.objects.all().delete()
    execute("DELETE FROM plans_aggregatereturn")
    pgen.insert_returns(meta["returns"], meta["period_id"])
    return jobs


def officer_sessions(meta: dict[str, Any], count: int) -> list[tuple[dict[str, Any], str]]:
    """`count` signed-in sessions of each commune officer, (officer, key), interleaved."""
    from bench.practices_run import staff_sessions

    per = [
        [(officer, key) for key in staff_sessions({"staff_id": officer["id"]}, count)]
        for officer in meta["officers"]
    ]
    return [pair for group in zip(*per, strict=True) for pair in group]


def write_items(name: str, extra: dict[str, Any], items: list[Any]) -> Path:
    return common.write_items("plans", name, extra, items)


def dashboard_path(meta: dict[str, Any]) -> str:
    return f"/quan-ly/ke-hoach/{meta['plan_id']}/chi-tieu/"


def commune_items(meta: dict[str, Any], rng: random.Random) -> list[list[str]]:
    """[session, the dashboard of the officer's commune], over every officer, shuffled."""
    items = [
        [key, f"{dashboard_path(meta)}?don_vi={officer['commune_id']}"]
        for officer, key in officer_sessions(meta, OFFICER_SESSIONS)
    ]
    rng.shuffle(items)
    return items


def briefing_bodies(meta: dict[str, Any], count: int, rng: random.Random) -> list[list[str]]:
    """[session, form body]: a briefing of the Front or a union of the officer's
    commune, with ATTENDEES people over its hamlet branches (one row each)."""
    from django.utils import timezone

    from danvan.core.models import Organization
    from danvan.plans.models import FRONT_AND_UNIONS, Audience, BriefingFormat

    sessions = officer_sessions(meta, OFFICER_SESSIONS)
    choices: dict[int, list[tuple[int, list[int]]]] = {}
    for officer in meta["officers"]:
        unions = Organization.objects.current().filter(
            area_id=officer["commune_id"], kind__in=FRONT_AND_UNIONS
        )
        choices[officer["id"]] = [
            (union.pk, list(Organization.objects.get_children(union).values_list("pk", flat=True)))
            for union in unions.order_by("path")
        ]
    today = timezone.localdate().isoformat()
    items = []
    for n in range(count):
        officer, key = sessions[n % len(sessions)]
        union, branches = rng.choice(choices[officer["id"]])
        cuts = sorted(rng.sample(range(1, ATTENDEES), len(branches) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, ATTENDEES], strict=True)]
        fields: list[tuple[str, Any]] = [
            ("organization", union),
            ("plan", meta["plan_id"]),
            ("topic", BRIEFING_TOPIC),
            ("held_on", today),
            ("place", "Hội trường ấp"),
            ("format", rng.choice(BriefingFormat.values)),
            ("audience", Audience.MEMBERS.value),
            ("confirmed", "on"),
            ("nguoi-du-TOTAL_FORMS", len(branches)),
            ("nguoi-du-INITIAL_FORMS", 0),
            ("nguoi-du-MIN_NUM_FORMS", 0),
            ("nguoi-du-MAX_NUM_FORMS", 60),
        ]
        for i, (branch, people) in enumerate(zip(branches, shares, strict=True)):
            fields += [(f"nguoi-du-{i}-organization", branch), (f"nguoi-du-{i}-attendees", people)]
        items.append([key, urlencode(fields)])
    return items


# --- In-process timings -------------------------------------------------------------------


def filled_returns(meta: dict[str, Any], rng: random.Random) -> tuple[bytes, int]:
    """The officer's `return_template`, every row filled; (workbook, rows)."""
    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from danvan.core.indicators import INDICATORS
    from danvan.plans.imports import return_template

    totals = {"coordination_plans": 5, "members_briefed": 3500, "bodies_with_communicator": 15,
              "trained_grassroots": 3, "trained_public_facing": 3,
              "communes_with_practice": 1}  # fmt: skip
    by_label = {i.label: code for code, i in INDICATORS.items()}
    user = get_user_model().objects.get(pk=meta["staff_id"])
    book = load_workbook(io.BytesIO(return_template(user)))
    rows = 0
    for row in book["Số liệu"].iter_rows(min_row=2):
        total = totals.get(by_label[str(row[2].value)], 10)
        row[3].value, row[4].value = rng.randint(0, total), total
        row[5].value = "Số liệu của xã"
        rows += 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), rows


def run_import(meta: dict[str, Any], data: bytes) -> dict[str, Any]:
    """Start the job as the import page does, run it as the worker does; the
    seconds of each, and the progress updates it wrote to its Job row."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection

    from danvan.core import jobs
    from danvan.core.models import Job

    progress: list[tuple[int, int]] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('UPDATE "core_job"') and '"progress_done"' in sql and params:
            progress.append((int(params[0]), int(params[1])))
        return execute(sql, params, many, context)

    user = get_user_model().objects.get(pk=meta["staff_id"])
    t0 = time.perf_counter()
    job = jobs.start_job(
        user, "import_returns", "Nhập báo cáo số liệu tổng hợp (benchmark)",
        params={"period": meta["period_id"]}, input_file=ContentFile(data, name="so-lieu.xlsx"),
    )  # fmt: skip
    t1 = time.perf_counter()
    with connection.execute_wrapper(spy):
        jobs.run_job(job.pk)
    t2 = time.perf_counter()
    job = Job.objects.get(pk=job.pk)
    return {
        "seconds": t2 - t1,
        "start_seconds": t1 - t0,
        "status": job.status,
        "message": job.message,
        "result": job.result,
        "errors": job.errors[:3],
        "progress": progress,
        "final": [job.progress_done, job.progress_total],
    }


def time_imports(cfg: Any, meta: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    from bench import harness
    from danvan.core.models import JobStatus

    data, rows = filled_returns(meta, rng)
    runs = []
    for i in range(cfg.reps):
        for attempt in range(cfg.retries + 1):
            reset_returns(meta)
            if cfg.wait_quiet:
                harness.wait_quiet(0.15, cfg.wait_quiet)
            busy = harness.cpu_busy(1.0)
            with harness.ForeignCPU() as foreign:
                run = run_import(meta, data)
            # (Others' share of a run shorter than a second is noise: not judged.)
            disturbed = busy > 0.15 or (foreign.fraction > 0.10 and run["seconds"] >= 1.0)
            if not disturbed or attempt == cfg.retries:
                break
            log(f"return_import #{i + 1}: disturbed by other work; measuring it again")
        run.update(rows=rows, busy_before=busy, foreign=foreign.fraction, disturbed=disturbed)
        runs.append(run)
        steps = ", ".join(f"{d}/{t}" for d, t in run["progress"])
        log(
            f"return_import #{i + 1}: {run['seconds']:.2f} s (start {run['start_seconds']:.2f} s), "
            f"{run['status']}: {run['message']} progress written {len(run['progress'])} times "
            f"({steps})" + (" — WARNING other work" if disturbed else "")
        )
        if run["status"] != JobStatus.DONE:
            log(f"!! the job failed: {run['errors']}")
    reset_returns(meta)
    return runs


def time_figures(meta: dict[str, Any], times: int = 3) -> dict[str, dict[str, float]]:
    """Each indicator computed without the kept figures (what a dashboard costs
    after any change of what it counts), for the city and an officer's commune:
    median ms of `times`."""
    from django.utils import timezone

    from danvan.core.indicators import INDICATORS
    from danvan.core.models import Area, AreaKind, Period, PeriodKind
    from danvan.plans.models import Plan

    plan = Plan.objects.get(pk=meta["plan_id"])
    recent = list(  # as the dashboard takes them: the last four half-years begun
        Period.objects.filter(
            kind=PeriodKind.HALF_YEAR, start__lte=timezone.localdate()
        ).latest_first()[:4]
    )
    out: dict[str, dict[str, float]] = {}
    units = [
        Area.objects.get(kind=AreaKind.PROVINCE, valid_to__isnull=True, code="92"),
        Area.objects.get(pk=meta["officers"][0]["commune_id"]),
    ]
    for unit in units:
        out[unit.name] = {}
        for code, indicator in INDICATORS.items():
            trend = getattr(indicator, "trend", None)
            spent = []
            for _ in range(times):
                t0 = time.perf_counter()
                indicator.compute(unit, plan)
                spent.append((time.perf_counter() - t0) * 1000)
            out[unit.name][code] = statistics.median(spent)
            if trend is not None:  # the dashboard's trend: each recent half-year recounted
                spent = []
                for _ in range(times):
                    t0 = time.perf_counter()
                    for period in recent:
                        trend(unit, plan, period)
                    spent.append((time.perf_counter() - t0) * 1000)
                out[unit.name][f"{code} trend ×{len(recent)}"] = statistics.median(spent)
    return out


# --- Report -------------------------------------------------------------------------------


def report(
    cfg: Any,
    meta: dict[str, Any],
    results: dict[str, Any],
    imports: list[dict[str, Any]],
    extra: list[str],
    started: float,
) -> str:

    rows = common.goal_rows(results, GOALS)
    if imports:
        med = statistics.median(run["seconds"] for run in imports)
        done = all(run["status"] == "done" for run in imports)
        # Progress written while it ran, and its Job row left at every row done.
        reported = all(
            run["progress"] and run["final"] == [run["rows"], run["rows"]] for run in imports
        )
        met = "yes" if med < IMPORT_GOAL and done else "NO"
        updates = min(len(run["progress"]) for run in imports)
        met += (
            f"; progress reported ({updates} updates, ended {imports[0]['final'][0]}/"
            f"{imports[0]['final'][1]})"
            if reported
            else "; progress NOT reported"
        )
        if not done:
            met += "; JOB FAILED"
        if any(run["disturbed"] for run in imports):
            met += " (disturbed by other work)"
        rows.append(
            [
                f"return_import job, {imports[0]['rows']} rows ({meta['communes']} communes × "
                f"{len(meta['indicators'])} indicators), s (median of {len(imports)})",
                "—",
                f"{med:.2f} s",
                f"max {max(run['seconds'] for run in imports):.2f} s",
                "—",
                f"< {IMPORT_GOAL:g} s",
                met,
            ]
        )
    lines = common.goal_table(rows)
    lines.append("")
    lines += extra
    dataset = (
        f"pg, preset {cfg.preset}: {meta['communes']} communes ({meta['hamlets']:,} hamlets), "
        f"{meta['organizations']:,} organisations, {meta['briefings']:,} briefings with "
        f"{meta['attendance']:,} attendance rows, {meta['targets']} targets"
    )
    return common.report_text(lines, results, cfg, started, dataset)


def profile(meta: dict[str, Any], path: str, n: int, cprofile: bool, callees: str | None) -> int:
    """One view called in this process (bench/profile_paths.py's `measure`), or
    the import job once under cProfile."""
    from django.core.cache import cache

    from bench import profile_paths
    from bench.practices_run import staff_sessions

    cache.clear()
    rng = random.Random(3)
    count = n + 20
    if path == "return_import":
        reset(meta)
        data, rows = filled_returns(meta, rng)
        profiler = cProfile.Profile()
        profiler.enable()
        run = run_import(meta, data)
        profiler.disable()
        print(f"return_import: {rows} rows, {run['seconds']:.2f} s, {run['status']}: "
              f"{run['message']}; progress {run['progress']}")  # fmt: skip
        if cprofile:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(20)
            if callees:
                stats.print_callees(callees)
        reset(meta)
        return 0 if run["status"] == "done" else 1
    requests: list[tuple[str, str, dict[str, Any] | str | None]]
    if path == "dashboard_province":
        requests = [("get", dashboard_path(meta), None)] * count
        sessions = staff_sessions(meta, 1) * count
    elif path == "dashboard_commune":
        items = commune_items(meta, rng)
        requests = [("get", items[i % len(items)][1], None) for i in range(count)]
        sessions = [items[i % len(items)][0] for i in range(count)]
    else:
        reset(meta)
        items = briefing_bodies(meta, count, rng)
        requests = [("post", "/quan-ly/ke-hoach/tuyen-truyen/them/", body) for _k, body in items]
        sessions = [key for key, _body in items]
    args = argparse.Namespace(path=path, cprofile=cprofile, callees=callees)
    status = profile_paths.measure(args, requests, sessions)
    if path == "briefing":
        reset(meta)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = common.run_parser(
        __doc__, "B0,B2,dashboard_province,dashboard_commune,briefing,return_import"
    )
    common.add_profile_options(parser, PROFILED)
    args = parser.parse_args(argv)
    preset = "small" if args.small else "full"
    pgen.setup_env(preset)
    from bench import harness

    cfg = common.configure(args, preset, "plans_locustfile.py")
    want = common.with_baselines(cfg, alone=("return_import",))
    started = common.start()
    meta = ensure_dataset(preset, args.rebuild)
    if args.profile:
        return profile(meta, args.profile, args.n, args.cprofile, args.callees)
    rng = random.Random(11)

    from django.core.cache import cache
    from django.db import connection

    from bench.practices_run import staff_sessions
    from danvan.plans.models import Attendance, Briefing

    common.fresh_start(reset, meta)
    province_items = write_items(
        "dashboard-province", {"path": dashboard_path(meta)}, staff_sessions(meta, STAFF_SESSIONS)
    )
    commune_items_path = write_items("dashboard-commune", {}, commune_items(meta, rng))
    prepared = {"n": 0}

    def prepare_briefings() -> Path:
        """More briefings than a repetition can record (reused ones would still be new
        rows); the briefings of the repetition before deleted (and their tables
        vacuumed), so every repetition starts from the same tables and the last
        one's can be counted against its answers."""
        from bench.practices_run import execute

        prepared["n"] += 1
        delete_briefings(meta)
        for table in ("plans_briefing", "plans_attendance"):  # no autovacuum amid the next run
            execute(f"VACUUM ANALYZE {table}")
        items = briefing_bodies(meta, max(3000, 200 * (cfg.duration + 5)), rng)
        connection.close()
        return write_items("briefing", {}, items)

    results: dict[str, Any] = {}
    extra: list[str] = []
    connection.close()
    http = ("B0", "B2", "dashboard_province", "dashboard_commune", "briefing")
    if any(want(k) for k in http):
        with harness.Server(cfg):
            harness.measure(cfg, results, "B0", "B0 bare view", "B0User", "B0")
            harness.measure(cfg, results, "B2", "B2 read + update one row", "B2User", "B2")
            harness.measure(
                cfg, results, "dashboard_province",
                f"plan targets, the city: {meta['communes']} communes, {meta['targets']} "
                "targets (GET, provincial officer)",
                "DashboardProvinceUser", "dashboard province", items=province_items,
                baseline="B0",
            )  # fmt: skip
            harness.measure(
                cfg, results, "dashboard_commune",
                f"plan targets, one commune ?don_vi= ({len(meta['officers'])} communes, GET, "
                "the commune's officer)",
                "DashboardCommuneUser", "dashboard commune", items=commune_items_path,
                baseline="B0",
            )  # fmt: skip
            harness.measure(
                cfg, results, "briefing",
                f"record a briefing, {ATTENDEES} attendees over 10 branch rows (POST) → 302",
                "BriefingUser", "briefing", prepare=prepare_briefings, baseline="B2",
            )  # fmt: skip
            connection.close()

    exact = True
    if "briefing" in results:
        made = Briefing.objects.filter(pk__gt=meta["briefings"])
        stored = made.count()
        rows = Attendance.objects.filter(briefing__in=made).count()
        people = sum(
            Attendance.objects.filter(briefing__in=made).values_list("attendees", flat=True)
        )
        answered = results["briefing"].reps[-1].statuses.get("302", 0)
        exact = stored == answered and people == ATTENDEES * stored and rows == 10 * stored
        extra.append(
            f"Briefings of the last briefing repetition: {stored:,} stored with {rows:,} "
            f"attendance rows and {people:,} attendees; answered 302 = {answered:,} "
            f"({'every 302 a briefing of 200 over 10 rows' if exact else 'NOT EQUAL'})."
        )
        log(extra[-1])
    reset(meta)
    cache.clear()
    figures = time_figures(meta) if any(want(k) for k in http) else {}
    for unit, spent in figures.items():
        extra.append(
            f"Figures computed afresh (in-process, median of 3), {unit}: "
            + ", ".join(f"{code} {ms:.0f} ms" for code, ms in spent.items())
            + f"; all {sum(spent.values()):.0f} ms."
        )
        log(extra[-1])
    imports = time_imports(cfg, meta, rng) if want("return_import") else []
    table = report(cfg, meta, results, imports, extra, started)
    dataset = {k: v for k, v in meta.items() if k not in ("commune_ids", "returns")}
    common.save(
        "plans", cfg, dataset, results, table, log,
        return_import=imports, figures_ms=figures, briefings_exact=exact,
    )  # fmt: skip
    if not exact:
        log("!! the briefings stored and the POSTs answered 302 differ")
        return 1
    if imports and not all(run["status"] == "done" for run in imports):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
