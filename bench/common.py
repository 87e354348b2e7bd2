"""What the app benchmarks share (bench/survey_run.py, bench/practices_run.py,
bench/plans_run.py, and bench/run.py for `execute` and `terminate`).

Each of them measures its own scenarios on its own generated dataset, with
the machinery of bench/harness.py (the gunicorn Server, locust runs, medians).
Around that they do the same things, kept here once:

- `app_env`, `rows_intact`: an app benchmark's own database and Redis, and
  whether its generated rows are all there.
- `ensure_dataset`: reuse the generated PostgreSQL dataset while its
  bench_meta record matches (kind, generator version, preset) and its rows
  are all there, generate it again otherwise; migrate to this code's schema.
- `logger`, `execute`, `write_items`: the log lines, one SQL statement in
  the bench database (resets between runs), the locust users' items.
- `run_parser` and `configure`: the command-line options every app benchmark
  takes and the `bench.harness.Config` they give.
- `start`: signals (SIGTERM ends the run like Ctrl-C, so the server stops).
- `goal_rows`, `goal_table`: the scenario table (median req/s, p50, p95,
  ratio to the baseline, goal, met).
- `save`: the results as bench/results/<name>-<preset>-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
# The app as `make serve` runs it (scripts/serve.sh): 3 gunicorn workers on the
# 2 cores. More processes than that only contend for the cores with PostgreSQL
# (with 5: the anonymous survey submit 385 req/s against 593 with 3, same code and data).
SERVE_WORKERS = 3
TABLE_HEADER = ["scenario", "median req/s", "p50 ms", "p95 ms", "ratio to baseline", "goal", "met?"]


def app_env(app: str, preset: str, pg_url: str, redis_url: str | None = None) -> None:
    """The bench settings on an app benchmark's own database (BENCH_<app>_PG_URL,
    by default `pg_url`, with "_small" for the small preset) and, given
    `redis_url`, its own Redis database (BENCH_<app>_REDIS_URL); before
    anything imports the settings."""
    default = pg_url if preset == "full" else pg_url + "_small"
    os.environ.setdefault(f"BENCH_{app}_PG_URL", default)
    os.environ["BENCH_PG_URL"] = os.environ[f"BENCH_{app}_PG_URL"]
    if redis_url is not None:
        os.environ.setdefault(f"BENCH_{app}_REDIS_URL", redis_url)
        os.environ["BENCH_REDIS_URL"] = os.environ[f"BENCH_{app}_REDIS_URL"]
    from bench import generate as gen

    gen.setup_env("pg")


def rows_intact(checks: list[tuple[str, list[Any], int]]) -> bool:
    """Does each (query, params, expected) count what it expects in the bench
    database (BENCH_PG_URL)? False too when the database cannot be reached."""
    import psycopg

    from bench import settings as bench_settings

    try:
        with psycopg.connect(bench_settings.BENCH_PG_URL, connect_timeout=5) as conn:
            for query, params, expected in checks:
                row = conn.execute(query, params).fetchone()
                if not row or row[0] != expected:
                    return False
    except Exception:
        return False
    return True


def generator_main(generator: ModuleType, small: str, argv: list[str] | None) -> int:
    """The command line of an app's data generator: `--small` (what it makes
    then: `small`), the app's bench settings (`setup_env`), `generate`."""
    parser = argparse.ArgumentParser(description=(generator.__doc__ or "").split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help=small)
    args = parser.parse_args(argv)
    preset = "small" if args.small else "full"
    generator.setup_env(preset)
    generator.generate(preset)
    return 0


def logger(name: str) -> Callable[[str], None]:
    """A `log(message)` printing "[name HH:MM:SS] message" at once."""

    def log(message: str) -> None:
        print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", flush=True)

    return log


def ensure_dataset(
    generator: ModuleType,
    preset: str,
    rebuild: bool,
    kind: str,
    log: Callable[[str], None],
    describe: Callable[[dict[str, Any]], str],
    *,
    intact: Callable[[dict[str, Any]], bool] | None = None,
    stale: str = "no longer holds the generated rows",
) -> dict[str, Any]:
    """The bench_meta record of `generator`'s dataset, the record of `kind`
    (the module's `GENERATOR_VERSION`, `generate(preset)` and, unless `intact`
    is given, `intact(meta)`).

    The dataset is generated again when asked (`rebuild`), when the record is
    of another kind, version or preset, or when it is no longer intact (the
    log then says the database `stale`). A reused one is migrated to the
    schema of this code; `describe(meta)` says what it holds ("10,000 practices")."""
    from bench import generate as gen

    meta = gen.read_meta("pg")
    current = (
        meta is not None
        and meta.get("kind") == kind
        and meta.get("version") == generator.GENERATOR_VERSION
        and meta.get("preset") == preset
    )
    check = intact or generator.intact
    if current and not rebuild and not check(meta or {}):
        log(f"the {kind} database {stale}; generating it again")
        current = False
    if rebuild or not current:
        log(f"generating the {kind} dataset; this is done once and reused")
        fresh: dict[str, Any] = generator.generate(preset)
        return fresh
    assert meta is not None
    log(
        f"reusing the {kind} dataset generated {meta['generated_at']} "
        f"({describe(meta)}; --rebuild to regenerate)"
    )
    gen.setup_django("pg")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # the schema of this code
    return meta


def execute(sql: str, params: list[Any] | None = None) -> int:
    """Run one statement on the default database; the number of rows it touched."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


def terminate(signum: int, frame: object) -> NoReturn:
    """SIGTERM ends a run like Ctrl-C does: the `finally`s stop the server."""
    raise SystemExit(128 + signum)


def write_items(app: str, name: str, extra: dict[str, Any], items: list[Any]) -> Path:
    """bench/results/items-<app>-<name>.json: what the locust users of a
    scenario send (`items`), with `extra` beside them."""
    from bench.harness import RESULTS

    path = RESULTS / f"items-{app}-{name}.json"
    path.write_text(json.dumps({**extra, "items": items}), encoding="utf-8")
    return path


def write_no_items() -> None:
    """bench/results/items-none.json, what the baselines' locust runs read."""
    from bench.harness import RESULTS

    (RESULTS / "items-none.json").write_text(json.dumps({"items": []}), encoding="utf-8")


def fresh_start(reset: Callable[[dict[str, Any]], None], meta: dict[str, Any]) -> None:
    """The state a benchmark measures from: the dataset as generated
    (`reset(meta)` undoes what earlier runs wrote), no cache entry left by an
    earlier run, and the baselines' items file written."""
    from django.core.cache import cache

    reset(meta)
    cache.clear()
    write_no_items()


PAIRED_HELP = (
    "measure each scenario repetition right after one of its baseline; the ratio is "
    "the median of the pairs' ratios (the box's drift weighs on both alike)"
)


def run_parser(
    doc: str, only: str, *, workers: int = SERVE_WORKERS, users: str = "locust users (20)"
) -> Any:
    """The options of every app benchmark; `only` lists its scenarios for --only."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="small data, short runs (smoke)")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument("--reps", type=int, help="repetitions of each scenario (3)")
    parser.add_argument("--duration", type=int, help="seconds a repetition (15)")
    parser.add_argument("--users", type=int, help=users)
    parser.add_argument(
        "--workers",
        type=int,
        default=workers,
        help=f"gunicorn workers ({workers}, as `make serve` runs it)",
    )
    parser.add_argument("--wait-quiet", type=int, default=0, metavar="SECONDS")
    parser.add_argument("--paired", action="store_true", help=PAIRED_HELP)
    parser.add_argument("--only", help=f"comma-separated: {only}")
    return parser


def add_profile_options(parser: Any, profiled: tuple[str, ...]) -> None:
    """--profile PATH and its options (bench/profile_paths.py)."""
    parser.add_argument("--profile", choices=profiled, help="profile one view in-process")
    parser.add_argument("-n", type=int, default=200, help="with --profile: requests")
    parser.add_argument("--cprofile", action="store_true", help="with --profile")
    parser.add_argument("--callees", help="with --cprofile: what this function calls")


def configure(args: Any, preset: str, locustfile: str) -> Any:
    """The `bench.harness.Config` of the parsed options, with bench/`locustfile`'s users."""
    from bench import harness

    harness.LOCUSTFILE = ROOT / "bench" / locustfile
    cfg = harness.Config(db="pg", preset=preset)
    if args.small:
        cfg.reps, cfg.duration, cfg.warmup = 1, 6, 2.0
    for name in ("reps", "duration", "users", "workers"):
        if getattr(args, name):
            setattr(cfg, name, getattr(args, name))
    cfg.wait_quiet = args.wait_quiet
    cfg.paired = args.paired
    cfg.retries = 2 if args.wait_quiet else 0
    cfg.only = [s.strip() for s in (args.only or "").split(",") if s.strip()]
    return cfg


def with_baselines(cfg: Any, alone: tuple[str, ...] = ()) -> Callable[[str], bool]:
    """B0 and B2 added to --only (every ratio needs its baseline from the same
    run), unless it names only scenarios measured `alone` (with no ratio);
    `want(key)`: whether the scenario `key` runs."""
    if cfg.only and not set(cfg.only) <= set(alone):
        cfg.only += [key for key in ("B0", "B2") if key not in cfg.only]
    return lambda key: not cfg.only or key in cfg.only


def start() -> float:
    """Install the signal handlers and make bench/results; the start time (monotonic)."""
    from bench import harness

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    return time.monotonic()


def goal_rows(results: dict[str, Any], goals: dict[str, tuple[str, float]]) -> list[list[str]]:
    """A table row for each measured scenario: its req/s as a share of its
    baseline's in the same run, for those with a goal in `goals`
    (scenario -> (baseline, minimum share)), and whether the goal is met."""
    from bench.harness import table_row

    rows: list[list[str]] = []
    base: dict[str, float] = {
        k: results[k].med("rps") for k in ("B0", "B2") if k in results and results[k].reps
    }
    for key, result in results.items():
        if not result.reps:
            continue
        ratio = goal = met = "—"
        if key in goals:
            against, share = goals[key]
            goal = f"≥ {share * 100:.0f}% of {against}"
            value = result.ratio(base, against)
            if value is not None:
                paired = " (paired)" if result.pairs else ""
                ratio = f"{value * 100:.0f}% of {against}{paired}"
                met = "yes" if value >= share else "NO"
        rows.append(table_row(result, ratio, goal, met))
    return rows


def run_summary(cfg: Any, started: float, users: str = "") -> str:
    """The end of a report's last line: the server, the load and the time the run took."""
    return (
        f"gunicorn {cfg.workers} sync workers; locust {cfg.users} users{users}, {cfg.reps} × "
        f"{cfg.duration} s (first {cfg.warmup:g} s not counted); total "
        f"{(time.monotonic() - started) / 60:.1f} min."
    )


def report_text(
    lines: list[str],
    results: dict[str, Any],
    cfg: Any,
    started: float,
    dataset: str,
    users: str = "",
) -> str:
    """A report's text: its `lines`, the notes on the machine during the run's
    `results`, and a last line: the `dataset` ("pg, preset full: 100 communes,
    ...") and `run_summary`."""
    from bench.harness import machine_notes

    return "\n".join(
        [*lines, *machine_notes(results), f"{dataset}; " + run_summary(cfg, started, users)]
    )


def goal_table(rows: list[list[str]]) -> list[str]:
    """The lines of the scenario table (`TABLE_HEADER`, then `rows`), in Markdown."""
    from bench.harness import fmt_row

    widths = [max(len(r[i]) for r in [TABLE_HEADER, *rows]) for i in range(len(TABLE_HEADER))]
    lines = [fmt_row(TABLE_HEADER, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [fmt_row(r, widths) for r in rows]
    return lines


def save(
    name: str,
    cfg: Any,
    dataset: dict[str, Any],
    results: dict[str, Any],
    table: str,
    log: Callable[[str], None],
    **extra: Any,
) -> Path:
    """Write bench/results/<name>-<preset>-<time>.json (the configuration, the
    dataset, the machine, every repetition, `extra`, the table) and the table
    as .md beside it; print the table."""
    from bench import harness

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = harness.RESULTS / f"{name}-{cfg.preset}-{stamp}.json"
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": cfg.__dict__,
        "dataset": dataset,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "scenarios": {
            k: {
                "label": r.label,
                "baseline": r.baseline,
                "goal": r.goal,
                "reps": [rep.__dict__ for rep in r.reps],
            }
            for k, r in results.items()
        },
        **extra,
        "table": table,
    }
    out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    print()
    print(table)
    print()
    log(f"saved {out.relative_to(ROOT)} (and .md)")
    return out
