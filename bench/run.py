"""The benchmark of the contest hot path (`make bench`).

    uv run python bench/run.py            # PostgreSQL, full data (~10-13 min)
    uv run python bench/run.py --small    # PostgreSQL, 10k attempts, short runs (~2 min)
    uv run python bench/run.py --sqlite   # SQLite: B0, B2, start, submit (100k attempts)
    uv run python bench/run.py --rebuild  # generate the data again even if it matches

Everything runs on 127.0.0.1: the dataset (bench/generate.py, reused while its
bench_meta record matches), gunicorn on 127.0.0.1:8877 with bench.settings
(DEBUG off, Redis cache, relaxed rate limits unless said otherwise), and locust
(bench/locustfile.py) driving one scenario at a time with a fixed number of
users that never wait. Each scenario runs --reps times; the table shows the
median req/s, p50 and p95 of the repetitions beside the baselines of the same
run: B0 (a bare Django view) and B2 (a bare view reading and updating one row).

Participants are signed in by sessions written straight into django_session
with the content the public sign-in writes (participant id, verified flag): the
registration/sign-in pages are not part of what is measured. Submits use
attempts started in the database with the app's own draw_paper (one fresh
attempt a submit). Closing a round is timed in this process (not over HTTP).

Results: a table on stdout, and bench/results/bench-<db>-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench import generate as gen  # noqa: E402
from bench.common import execute, goal_table, terminate  # noqa: E402
from bench.harness import (  # noqa: E402
    RESULTS,
    Config,
    ForeignCPU,
    Rep,
    Result,
    Server,
    cpu_busy,
    log,
    measure,
    run_locust,
    table_row,
    wait_quiet,
)

# --- Configuration ----------------------------------------------------------------------


@dataclass
class ContestConfig(Config):
    """The contest benchmark's own settings beside `harness.Config`'s."""

    spike_count: int = 2000
    spike_seconds: int = 10
    start_pool: int = 30_000
    # The deadline mix: participants at each stage, seconds of thought between steps.
    deadline_users: tuple[int, ...] = (25, 50, 100, 150, 200)
    think: float = 0.5
    submit_pool: int = 15_000
    closing_runs: int = 3


def make_config(args: argparse.Namespace) -> ContestConfig:
    cfg = ContestConfig()
    if args.sqlite:
        cfg.db, cfg.preset = "sqlite", "sqlite"
    if args.small:
        cfg.preset = "small"
        cfg.reps, cfg.duration, cfg.warmup = 1, 6, 2.0
        cfg.spike_count, cfg.spike_seconds = 400, 4
        cfg.closing_runs = 1
    participants = gen.PRESETS[cfg.preset]["participants"]
    cfg.start_pool = min(cfg.start_pool, int(participants * 0.6))
    cfg.submit_pool = min(cfg.submit_pool, participants - cfg.start_pool)
    for name in ("reps", "duration", "users", "workers"):
        value = getattr(args, name)
        if value:
            setattr(cfg, name, value)
    cfg.rebuild = args.rebuild
    cfg.paired = args.paired
    cfg.wait_quiet = args.wait_quiet
    cfg.retries = 2 if args.wait_quiet else 0
    cfg.only = [s.strip() for s in (args.only or "").split(",") if s.strip()]
    return cfg


# --- The dataset and the prepared work ------------------------------------------------------


def ensure_dataset(cfg: ContestConfig) -> dict[str, Any]:
    meta = gen.read_meta(cfg.db)
    current = (
        meta is not None
        and meta.get("version") == gen.GENERATOR_VERSION
        and meta.get("preset") == cfg.preset
    )
    if current and not cfg.rebuild and not gen.dataset_intact(cfg.db, meta or {}):
        log("the bench database no longer holds the generated rows; generating it again")
        current = False
    if cfg.rebuild or not current:
        log(f"generating the {cfg.db} dataset ({cfg.preset}); this is done once and reused")
        meta = gen.generate(cfg.db, cfg.preset)
    else:
        assert meta is not None
        log(
            f"reusing the {cfg.db} dataset generated {meta['generated_at']} "
            f"({meta['participants']:,} participants, {meta['attempts']:,} attempts; "
            "--rebuild to regenerate)"
        )
        gen.setup_django(cfg.db)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)  # the schema of this code
    return meta


def make_sessions(meta: dict[str, Any], participant_ids: list[int]) -> list[str]:
    """Sessions as the public sign-in leaves them (views_public.remember_participant)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from danvan.contests.public_helpers import participant_key, verified_key

    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    keys = []
    rows = []
    for pid in participant_ids:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {participant_key(meta["contest_id"]): pid, verified_key(meta["contest_id"]): True}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    # The sign-in saves a session through the cache too (cached_db): prime it.
    if settings.SESSION_ENGINE.endswith("cached_db"):
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        sessions_cache = caches[settings.SESSION_CACHE_ALIAS]
        for start in range(0, len(keys), 2000):
            sessions_cache.set_many(
                {
                    KEY_PREFIX + key: store.decode(row.session_data)
                    for key, row in zip(
                        keys[start : start + 2000], rows[start : start + 2000], strict=True
                    )
                },
                86400,
            )
    return keys


def reset_open_round(meta: dict[str, Any]) -> None:
    """The open round back to no attempts: every prepared participant starts afresh."""
    execute("DELETE FROM contests_attempt WHERE round_id = %s", [meta["open_round_id"]])


def make_running_attempts(
    meta: dict[str, Any], participant_ids: list[int], sessions: list[str], rng: random.Random
) -> list[tuple[str, str, str]]:
    """One attempt in progress for each participant, drawn with the app's own
    draw_paper; returns (session key, token, the form body of a full submit)."""
    import secrets

    from django.utils import timezone

    from danvan.contests.bank import draw_paper, load_bank, round_quotas
    from danvan.contests.models import Attempt, Round

    rnd = Round.objects.get(pk=meta["open_round_id"])
    bank = load_bank(rnd.contest_id)
    quotas = round_quotas(rnd)
    now = timezone.now()
    deadline = min(now + timedelta(seconds=rnd.time_limit_seconds), rnd.closes_at)
    attempts = []
    items = []
    for pid, session_key in zip(participant_ids, sessions, strict=True):
        paper = draw_paper(bank, quotas, rnd.question_count, rnd.shuffle_choices)
        token = secrets.token_urlsafe(18)
        attempts.append(
            Attempt(
                round=rnd,
                participant_id=pid,
                number=1,
                token=token,
                started_at=now,
                deadline=deadline,
                paper=paper,
            )
        )
        fields: list[tuple[str, Any]] = []
        for qid, cids in paper:
            right = sorted(bank.questions[qid].correct)
            chosen = right if rng.random() < 0.7 else [rng.choice(cids)]
            fields += [(f"q_{qid}", cid) for cid in chosen]
        fields.append(("du_doan", rng.randint(50_000, 150_000)))
        items.append((session_key, token, urlencode(fields)))
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    return items


def write_items(name: str, meta: dict[str, Any], items: list[Any]) -> Path:
    path = RESULTS / f"items-{name}.json"
    payload = {
        "slug": meta["contest_slug"],
        "open_number": meta["open_round_number"],
        "closed_number": meta["closed_round_number"],
        "items": items,
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def clear_cache() -> None:
    """Empty the bench Redis database (rate-limit counters, bank, leaderboard)."""
    from django.core.cache import cache

    cache.clear()


# --- Scenarios ------------------------------------------------------------------------------


@dataclass
class Spike:
    label: str
    rep: Rep
    limiter: str


def run_spike(
    cfg: ContestConfig, meta: dict[str, Any], sessions: list[str], addresses: list[str], label: str
) -> Spike:
    rate = cfg.spike_count / cfg.spike_seconds
    for attempt in range(cfg.retries + 1):
        if cfg.wait_quiet:
            wait_quiet(0.15, cfg.wait_quiet)
        reset_open_round(meta)
        clear_cache()
        items = write_items("spike", meta, list(zip(sessions, addresses, strict=True)))
        rep = run_locust(
            cfg,
            "SpikeUser",
            "spike start",
            items,
            users=cfg.spike_count,
            spawn_rate=rate,
            duration=cfg.spike_seconds + 90,  # the client gives up on a request after 60 s
            extra_env={"BENCH_SPIKE": str(cfg.spike_count), "BENCH_WARMUP": "0"},
        )
        if not rep.disturbed or attempt == cfg.retries:
            break
        log(f"{label}: disturbed by other work; measuring it again")
    log(
        f"{label}: {rep.count} starts in {rep.seconds:.1f} s, statuses {rep.statuses}, "
        f"p50 {rep.p50:.0f} ms, p95 {rep.p95:.0f} ms, max {rep.max:.0f} ms"
        + (f", {rep.unexpected} UNEXPECTED" if rep.unexpected else "")
        + (
            f"; WARNING other work: {rep.busy_before * 100:.0f}% busy before, "
            f"{rep.foreign * 100:.0f}% during"
            if rep.disturbed
            else ""
        )
    )
    return Spike(label, rep, label)


def spike_addresses(count: int, rng: random.Random) -> list[str]:
    """Client addresses for the default-limiter spike: one big NAT (a mobile
    carrier: a tenth of the starts, above the per-address limit of 60 per 10 min),
    the rest spread over addresses of ~30 people (a commune hall, a school lab)."""
    big = count // 10
    rest = count - big
    out = ["100.64.0.1"] * big
    out += [f"10.{(i // 30) // 250}.{(i // 30) % 250}.7" for i in range(rest)]
    rng.shuffle(out)
    return out


# --- Closing and the in-process timings -----------------------------------------------------


def reset_closed_round(meta: dict[str, Any]) -> None:
    rid = meta["closed_round_id"]
    execute("DELETE FROM contests_award WHERE round_id = %s", [rid])
    execute(
        "UPDATE contests_attempt SET rank = NULL WHERE round_id = %s AND rank IS NOT NULL", [rid]
    )
    execute(
        "UPDATE contests_round SET status = 'scheduled', closed_at = NULL, actual_value = NULL, "
        "published_at = NULL WHERE id = %s",
        [rid],
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        execute("VACUUM ANALYZE contests_attempt")


def time_closing(cfg: ContestConfig, meta: dict[str, Any]) -> list[dict[str, Any]]:
    from danvan.contests.closing import close_round
    from danvan.contests.models import Round

    runs = []
    for i in range(cfg.closing_runs):
        for attempt in range(cfg.retries + 1):
            reset_closed_round(meta)
            if cfg.wait_quiet:
                wait_quiet(0.15, cfg.wait_quiet)
            rnd = Round.objects.select_related("contest").get(pk=meta["closed_round_id"])
            busy = cpu_busy(1.0)
            with ForeignCPU() as foreign:
                t0 = time.perf_counter()
                summary = close_round(rnd)
                seconds = time.perf_counter() - t0
            disturbed = busy > 0.15 or foreign.fraction > 0.10
            if not disturbed or attempt == cfg.retries:
                break
            log(f"close_round #{i + 1}: disturbed by other work; measuring it again")
        runs.append(
            {
                "seconds": seconds,
                "busy_before": busy,
                "foreign": foreign.fraction,
                **summary.as_dict(),
            }
        )
        warn = (
            f"; WARNING other work: {busy * 100:.0f}% busy before, "
            f"{foreign.fraction * 100:.0f}% during"
            if disturbed
            else ""
        )
        log(
            f"close_round #{i + 1}: {seconds:.2f} s ({summary.attempts:,} attempts, "
            f"{summary.ranked:,} ranked, {summary.awards} awards, "
            f"{summary.collective_awards} collective{warn})"
        )
    return runs


def time_leaderboard_cold(meta: dict[str, Any], times: int = 5) -> list[float]:
    """The top-100 query and rows, cache emptied first (what the page pays every 10 s)."""
    from django.core.cache import cache

    from danvan.contests.models import Round
    from danvan.contests.views_public import live_leaderboard

    rnd = Round.objects.get(pk=meta["closed_round_id"])
    out = []
    for _ in range(times):
        cache.delete(f"contests:leaderboard:{rnd.pk}")
        t0 = time.perf_counter()
        rows = live_leaderboard(rnd)
        out.append((time.perf_counter() - t0) * 1000)
        assert len(rows) == min(100, meta["participants"])
    return out


# --- Report -------------------------------------------------------------------------------


DEADLINE: list[dict[str, Any]] = []  # the deadline mix's stages, filled by run_deadline
DEADLINE_P95 = 300.0  # ms
DEADLINE_ERRORS = 0.001


def run_deadline(cfg: ContestConfig, meta: dict[str, Any], sessions: list[str]) -> None:
    """The last half hour of a round: more and more participants, each going
    through start, the paper, three autosaves, the submit and the result with
    think times between. One stage a participant count, more each time; stops
    after the first stage far beyond the goal's p95 (the box is saturated)."""
    items = write_items("deadline", meta, sessions)
    for users in cfg.deadline_users:
        reset_open_round(meta)
        if cfg.wait_quiet:
            wait_quiet(0.15, cfg.wait_quiet)
        rep = run_locust(
            cfg, "DeadlineUser", "deadline", items, users=users,
            spawn_rate=max(1.0, users / 2), extra_env={"BENCH_THINK": str(cfg.think)},
        )  # fmt: skip
        summary = json.loads((RESULTS / "locust-DeadlineUser.json").read_text())
        cycle = summary["names"].get("deadline cycle", {})
        stage = {
            "users": users,
            "think": cfg.think,
            "cycles": cycle.get("rps", 0.0),
            "cycles_failed": cycle.get("unexpected", 0),
            "rps": rep.rps,
            "p50": rep.p50,
            "p95": rep.p95,
            "p99": rep.p99,
            "errors": rep.unexpected / max(rep.count, 1),
            "statuses": rep.statuses,
            "disturbed": rep.disturbed,
        }
        DEADLINE.append(stage)
        log(
            f"deadline mix, {users} participants: {stage['cycles']:.1f} cycles/s, "
            f"{rep.rps:.0f} req/s, p50 {rep.p50:.0f} ms, p95 {rep.p95:.0f} ms, "
            f"errors {stage['errors'] * 100:.2f} % (statuses {rep.statuses})"
        )
        if rep.p95 > 3 * DEADLINE_P95:
            break


def report(
    cfg: ContestConfig,
    meta: dict[str, Any],
    results: dict[str, Result],
    spikes: list[Spike],
    closing: list[dict[str, Any]],
    cold: list[float],
    started: float,
) -> str:
    lines: list[str] = []
    rows: list[list[str]] = []
    base: dict[str, float] = {
        k: results[k].med("rps") for k in ("B0", "B2") if k in results and results[k].reps
    }
    for result in results.values():
        if not result.reps:
            continue
        ratio = goal = met = "—"
        r = result.ratio(base, result.baseline) if result.baseline else None
        if r is not None:
            paired = " (paired)" if result.pairs else ""
            ratio = f"{r * 100:.0f}% of {result.baseline}{paired}"
            if result.goal is not None:
                goal = f"≥ {result.goal * 100:.0f}% of {result.baseline}"
                met = "yes" if r >= result.goal else "NO"
        rows.append(table_row(result, ratio, goal, met))
    if closing:
        med = statistics.median(run["seconds"] for run in closing)
        shaken = any(run["busy_before"] > 0.15 or run["foreign"] > 0.10 for run in closing)
        rows.append(
            [
                f"close_round, {closing[0]['attempts']:,} attempts (s, median of {len(closing)})",
                "—",
                f"{med:.2f} s",
                f"max {max(run['seconds'] for run in closing):.2f} s",
                "—",
                "≤ 5 s",
                ("yes" if med <= 5 else "NO") + (" (disturbed by other work)" if shaken else ""),
            ]
        )
    for spike in spikes:
        st = spike.rep.statuses
        five = sum(n for code, n in st.items() if code.startswith("5"))
        lost = st.get("0", 0) + max(0, cfg.spike_count - spike.rep.count)
        problems = []
        if five:
            problems.append(f"{five} 5xx")
        if lost:
            problems.append(f"{lost} no answer in 60 s")
        if spike.rep.p99 >= 2000:
            problems.append(f"p99 {spike.rep.p99 / 1000:.1f} s")
        rows.append(
            [
                spike.label,
                f"{spike.rep.count / max(spike.rep.seconds, 1e-9):.1f}",
                f"{spike.rep.p50:.0f}",
                f"{spike.rep.p95:.0f} (p99 {spike.rep.p99:.0f})",
                "—",
                "no 5xx, p99 < 2 s",
                (f"NO ({', '.join(problems)})" if problems else "yes")
                + f"; 302: {st.get('302', 0)}, 429: {st.get('429', 0)}"
                + (" (disturbed by other work)" if spike.rep.disturbed else ""),
            ]
        )
    for stage in DEADLINE:
        good = stage["p95"] < DEADLINE_P95 and stage["errors"] < DEADLINE_ERRORS
        rows.append(
            [
                f"deadline mix, {stage['users']} participants (start, page, 3 autosaves, "
                f"submit, result; think {stage['think']:g} s): {stage['cycles']:.1f} cycles/s",
                f"{stage['rps']:.1f}",
                f"{stage['p50']:.0f}",
                f"{stage['p95']:.0f}",
                "—",
                "p95 < 300 ms, errors < 0.1 %",
                ("yes" if good else "NO")
                + f" (errors {stage['errors'] * 100:.2f} %)"
                + (" (disturbed by other work)" if stage["disturbed"] else ""),
            ]
        )
    lines += goal_table(rows)
    lines.append("")
    held = [st for st in DEADLINE if st["p95"] < DEADLINE_P95 and st["errors"] < DEADLINE_ERRORS]
    if DEADLINE:
        lines.append(
            "Deadline mix: the box holds "
            + (
                f"{max(st['cycles'] for st in held):.1f} participant cycles/s"
                if held
                else "no stage"
            )
            + " with p95 < 300 ms and errors < 0.1 % (the goal: 100 cycles/s)."
        )
    if cold:
        lines.append(
            f"Leaderboard cache miss (top-100 query + rows, in-process): median "
            f"{statistics.median(cold):.1f} ms of {len(cold)} (the page caches it 10 s in Redis)."
        )
    dataset = (
        f"{cfg.db}, preset {cfg.preset}: {meta['participants']:,} participants, "
        f"{meta['attempts']:,} attempts, {meta['questions']:,} questions"
    )
    return common.report_text(lines, results, cfg, started, dataset)


# --- Main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="small data, short runs (smoke)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite: B0, B2, start, submit")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument("--reps", type=int, help="repetitions of each scenario (3)")
    parser.add_argument("--duration", type=int, help="seconds a repetition (15)")
    parser.add_argument("--users", type=int, help="locust users (20)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (3, as make serve)")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=0,
        metavar="SECONDS",
        help="before each run wait up to SECONDS for the machine to be < 15%% busy, and "
        "measure again (twice at most) a run that other work disturbed",
    )
    parser.add_argument("--paired", action="store_true", help=common.PAIRED_HELP)
    parser.add_argument(
        "--only",
        help="comma-separated: B0,B2,start,page,submit,leaderboard,rank,spike,closing",
    )
    args = parser.parse_args(argv)
    cfg = make_config(args)
    started = time.monotonic()
    # Stop cleanly (gunicorn and locust with us) on Ctrl-C or SIGTERM, also when
    # started in the background (where the shell leaves SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    RESULTS.mkdir(parents=True, exist_ok=True)
    gen.setup_env(cfg.db, cfg.preset)
    meta = ensure_dataset(cfg)
    rng = random.Random(7)

    from django.db import connection

    execute("DELETE FROM django_session")
    reset_open_round(meta)
    clear_cache()
    if cfg.db == "pg":
        # Settle the table after earlier runs (closing rewrites 100k rows): the
        # steady state of a round that is over, with its visibility map set.
        t0 = time.monotonic()
        execute("VACUUM ANALYZE contests_attempt")
        execute("VACUUM ANALYZE django_session")
        log(f"VACUUM ANALYZE: {time.monotonic() - t0:.1f} s")
    start_ids = list(range(1, cfg.start_pool + 1))
    submit_ids = list(range(cfg.start_pool + 1, cfg.start_pool + cfg.submit_pool + 1))
    start_sessions = make_sessions(meta, start_ids)
    submit_sessions = make_sessions(meta, submit_ids)
    start_items = write_items("start", meta, start_sessions)
    write_items("none", meta, [])
    log(f"{len(start_sessions) + len(submit_sessions):,} participant sessions written")

    def prepare_start() -> Path:
        reset_open_round(meta)
        return start_items

    def prepare_running() -> Path:
        reset_open_round(meta)
        items = make_running_attempts(meta, submit_ids, submit_sessions, rng)
        return write_items("running", meta, items)

    results: dict[str, Result] = {}
    spikes: list[Spike] = []
    closing: list[dict[str, Any]] = []
    cold: list[float] = []
    want = lambda key: not cfg.only or key in cfg.only  # noqa: E731
    connection.close()

    http = ("B0", "B2", "start", "page", "submit", "leaderboard", "rank", "deadline", "spike")
    with Server(cfg) if any(want(k) for k in http) else contextlib.nullcontext():
        measure(cfg, results, "B0", "B0 bare view", "B0User", "B0")
        measure(cfg, results, "B2", "B2 read + update one row", "B2User", "B2")
        measure(
            cfg, results, "start", "start attempt (POST)", "StartUser", "start",
            prepare=prepare_start, baseline="B2", goal=0.60,
        )  # fmt: skip
        if cfg.db == "pg" and want("page"):
            running = prepare_running()
            measure(
                cfg, results, "page", "attempt page (GET)", "AttemptPageUser", "attempt page",
                items=running, baseline="B0",
            )  # fmt: skip
        measure(
            cfg, results, "submit", "submit (POST, full answers)", "SubmitUser", "submit",
            prepare=prepare_running, baseline="B2", goal=0.50,
        )  # fmt: skip
        if cfg.db == "pg":
            measure(
                cfg, results, "leaderboard", "leaderboard top 100 (GET)", "LeaderboardUser",
                "leaderboard", baseline="B0", goal=0.90,
            )  # fmt: skip
            measure(
                cfg, results, "rank", "own rank, live (GET, bench view)", "OwnRankUser",
                "own rank", items=start_items, baseline="B0",
            )  # fmt: skip
            if want("deadline"):
                run_deadline(cfg, meta, start_sessions)
            if want("spike"):
                n = cfg.spike_count
                spikes.append(
                    run_spike(
                        cfg, meta, start_sessions[:n], ["127.0.0.1"] * n,
                        f"spike: {n} starts in {cfg.spike_seconds} s, relaxed limits",
                    )
                )  # fmt: skip
        connection.close()
    if cfg.db == "pg" and want("spike"):
        n = cfg.spike_count
        with Server(cfg, BENCH_RATELIMIT="default", PROXY_COUNT="1"):
            spikes.append(
                run_spike(
                    cfg, meta, start_sessions[:n], spike_addresses(n, rng),
                    f"spike: {n} starts in {cfg.spike_seconds} s, default limits",
                )
            )  # fmt: skip
            connection.close()
    reset_open_round(meta)
    if cfg.db == "pg" and want("closing"):
        cold = time_leaderboard_cold(meta)
        closing = time_closing(cfg, meta)

    table = report(cfg, meta, results, spikes, closing, cold, started)
    common.save(
        f"bench-{cfg.db}", cfg, meta, results, table, log,
        spikes=[{"label": s.label, **s.rep.__dict__} for s in spikes],
        closing=closing, deadline=DEADLINE, leaderboard_cold_ms=cold,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
