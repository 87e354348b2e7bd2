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
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
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

HOST = "127.0.0.1"
PORT = 8877
BASE_URL = f"http://{HOST}:{PORT}"
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Configuration ----------------------------------------------------------------------


@dataclass
class Config:
    db: str = "pg"
    preset: str = "full"
    reps: int = 3
    duration: int = 15
    warmup: float = 3.0
    users: int = 20
    # What `make serve` runs (WORKERS ?= 3): one worker count for every figure.
    workers: int = 3
    spike_count: int = 2000
    spike_seconds: int = 10
    start_pool: int = 30_000
    # The deadline mix: participants at each stage, seconds of thought between steps.
    deadline_users: tuple[int, ...] = (25, 50, 100, 150, 200)
    think: float = 0.5
    submit_pool: int = 15_000
    closing_runs: int = 3
    wait_quiet: int = 0  # seconds to wait for a quiet machine before each run
    retries: int = 0  # measure a disturbed repetition again, this many times
    # Each repetition of a scenario with a baseline right after one of its baseline:
    # the ratio is the median of the pairs' ratios, so the box's drift weighs on both.
    paired: bool = False
    rebuild: bool = False
    only: list[str] = field(default_factory=list)


def make_config(args: argparse.Namespace) -> Config:
    cfg = Config()
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


def ensure_dataset(cfg: Config) -> dict[str, Any]:
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


# --- gunicorn ---------------------------------------------------------------------------


def _get(path: str, timeout: float = 2.0) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(BASE_URL + path, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class Server:
    """gunicorn serving danvan.wsgi with bench.settings on 127.0.0.1:8877."""

    def __init__(self, cfg: Config, **env: str) -> None:
        self.cfg = cfg
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        try:
            _get("/bench/b0/", timeout=1.0)
        except OSError:
            pass
        else:
            raise SystemExit(f"!! something already answers on {BASE_URL}; stop it first")
        env = {k: v for k, v in os.environ.items() if k not in ("PROXY_COUNT", "BENCH_RATELIMIT")}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DB=self.cfg.db, NO_PROXY="*", **self.env
        )
        logfile = (RESULTS / "gunicorn.log").open("ab")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "danvan.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(self.cfg.workers),
            "--backlog",
            "4096",
            "--timeout",
            "120",
            "--error-logfile",
            "-",
            "--no-control-socket",
        ]
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"!! gunicorn exited; see {RESULTS / 'gunicorn.log'}")
            try:
                if _get("/bench/b0/") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            self.stop()
            raise SystemExit("!! gunicorn did not answer within 60 s")
        # Each worker imports the app lazily: touch them all before measuring.
        for _ in range(self.cfg.workers * 4):
            _get("/bench/b0/")
        settings = " ".join(f"{k}={v}" for k, v in self.env.items()) or "relaxed limits"
        log(f"gunicorn up: {self.cfg.workers} workers, {settings}")
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- locust -------------------------------------------------------------------------------


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of all CPUs busy over `seconds` (from /proc/stat). Taken right
    before each repetition, while the bench itself is idle: anything well above
    zero is someone else's work competing with the measurement."""

    def snap() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        return sum(values), values[3] + values[4]

    try:
        total1, idle1 = snap()
        time.sleep(seconds)
        total2, idle2 = snap()
    except OSError:
        return 0.0
    return 1.0 - (idle2 - idle1) / max(total2 - total1, 1)


SHARED_SERVICES = {"postgres", "redis-server"}


def _foreign_backend(pid: int) -> bool:
    """A PostgreSQL backend serving another database than the bench's (its
    process title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE")."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            title = fh.read().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return False
    if len(title) < 5 or "(" not in title[4]:
        return False  # checkpointer, WAL writer, autovacuum...: shared
    from django.conf import settings

    return title[3] != settings.DATABASES["default"].get("NAME")


def _proc_ticks() -> dict[int, tuple[str, int, int]]:
    """pid -> (command, parent pid, CPU ticks used so far) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                raw = fh.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        out[int(entry)] = (comm, int(rest[1]), int(rest[11]) + int(rest[12]))
    return out


def _busy_ticks() -> int:
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    # user + nice + system: what processes used. Interrupt time (the loopback
    # traffic of the benchmark itself) belongs to no process.
    return values[0] + values[1] + values[2]


class ForeignCPU:
    """CPU used during a measurement by other people's work on the machine, as a
    fraction of all the CPUs: everything the machine did (/proc/stat) minus what
    is the benchmark's: this process and its descendants (gunicorn, locust,
    counted from rusage once it has exited), Redis, and PostgreSQL except the
    backends that serve other databases."""

    def __enter__(self) -> ForeignCPU:
        self.fraction = 0.0
        try:
            self.busy = _busy_ticks()
            self.before = _proc_ticks()
        except OSError:
            self.busy = -1
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.busy < 0:
            return
        wall = time.monotonic() - self.t0
        hz = os.sysconf("SC_CLK_TCK")
        busy = _busy_ticks() - self.busy
        after = _proc_ticks()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours = {os.getpid()}
        changed = True
        while changed:  # the descendants of this process, by parent links
            changed = False
            for pid, (_comm, ppid, _t) in after.items():
                if ppid in ours and pid not in ours:
                    ours.add(pid)
                    changed = True
        mine = 0
        for pid, (comm, _ppid, used) in after.items():
            shared = comm in SHARED_SERVICES and not (comm == "postgres" and _foreign_backend(pid))
            if pid in ours or shared:
                mine += used - self.before.get(pid, ("", 0, 0))[2]
        reaped = (children.ru_utime - self.children.ru_utime) + (
            children.ru_stime - self.children.ru_stime
        )
        mine += int(reaped * hz)
        self.fraction = max(0, busy - mine) / max(wall * hz * (os.cpu_count() or 1), 1e-9)


def wait_quiet(limit: float, seconds: int) -> None:
    """Wait up to `seconds` for the machine to be quiet (busy < limit)."""
    deadline = time.monotonic() + seconds
    busy = cpu_busy(2.0)
    while busy >= limit and time.monotonic() < deadline:
        log(f"machine {busy * 100:.0f}% busy with other work; waiting (--wait-quiet)")
        time.sleep(10)
        busy = cpu_busy(2.0)


@dataclass
class Rep:
    rps: float
    p50: float
    p95: float
    max: float
    count: int
    statuses: dict[str, int]
    unexpected: int
    wrapped: int
    client_cpu: float  # locust CPU seconds / wall seconds
    seconds: float
    p99: float = 0.0
    busy_before: float = 0.0  # CPU busy (others) right before the run
    foreign: float = 0.0  # CPU used by other people's processes during the run

    @property
    def disturbed(self) -> bool:
        return self.busy_before > 0.15 or self.foreign > 0.10


def run_locust(
    cfg: Config,
    user_class: str,
    name: str,
    items: Path | None,
    *,
    users: int | None = None,
    spawn_rate: float | None = None,
    duration: float | None = None,
    extra_env: dict[str, str] | None = None,
) -> Rep:
    users = users or cfg.users
    busy = cpu_busy(1.0)
    out = RESULTS / f"locust-{user_class}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_OUT": str(out),
        "BENCH_WARMUP": str(cfg.warmup),
        "NO_PROXY": "*",
        **(extra_env or {}),
    }
    if items is not None:
        env["BENCH_ITEMS"] = str(items)
    run_time = duration or cfg.duration
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        user_class,
        "--headless",
        "--only-summary",
        "--loglevel",
        "ERROR",
        "-u",
        str(users),
        "-r",
        str(spawn_rate or users),
        "-t",
        f"{int(run_time)}s",
        "--stop-timeout",
        "5",
        "--host",
        BASE_URL,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic()
    with (RESULTS / "locust.log").open("ab") as logfile, ForeignCPU() as foreign:
        subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            timeout=run_time + 120,
            check=False,
        )
    wall = time.monotonic() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not out.exists():
        raise SystemExit(
            f"!! locust wrote no summary for {user_class}; see {RESULTS / 'locust.log'}"
        )
    summary = json.loads(out.read_text())
    row = summary["names"].get(name)
    if row is None:
        raise SystemExit(f"!! locust recorded no {name!r} request; see {RESULTS / 'locust.log'}")
    return Rep(
        rps=row["rps"],
        p50=row["p50"],
        p95=row["p95"],
        p99=row.get("p99", 0.0),
        max=row["max"],
        count=row["total"],
        statuses=row["statuses"],
        unexpected=row["unexpected"],
        wrapped=summary["wrapped"],
        client_cpu=cpu / max(wall, 1e-9),
        seconds=row["first_to_last"],
        busy_before=busy,
        foreign=foreign.fraction,
    )


# --- Scenarios ------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    label: str
    reps: list[Rep] = field(default_factory=list)
    baseline: str = ""  # "B0" | "B2" | ""
    goal: float | None = None  # minimum ratio to the baseline
    # With --paired: each repetition's req/s over its baseline's repetition just before.
    pairs: list[float] = field(default_factory=list)

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.reps)

    def ratio(self, base: dict[str, float], against: str) -> float | None:
        """The share of the baseline `against`: the median of the paired ratios
        when measured paired, else the medians' ratio (`base`: baseline -> median)."""
        if self.pairs:
            return statistics.median(self.pairs)
        return self.med("rps") / base[against] if against in base else None

    def statuses(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for rep in self.reps:
            for code, n in rep.statuses.items():
                total[code] = total.get(code, 0) + n
        return total


# key -> (label, locust user class, locust name) of the baselines.
BASELINES = {
    "B0": ("B0 bare view", "B0User", "B0"),
    "B2": ("B2 read + update one row", "B2User", "B2"),
}


def measure(
    cfg: Config,
    results: dict[str, Result],
    key: str,
    label: str,
    user_class: str,
    name: str,
    *,
    prepare: Any = None,
    items: Path | None = None,
    baseline: str = "",
    goal: float | None = None,
) -> None:
    """`cfg.reps` repetitions of a scenario (with --paired, each one after a
    repetition of its baseline, added to the baseline's)."""
    if cfg.only and key not in cfg.only:
        return
    result = results.setdefault(key, Result(key, label, baseline=baseline, goal=goal))
    paired = cfg.paired and baseline in BASELINES and key not in BASELINES
    for i in range(cfg.reps):
        base_rep = None
        if paired:
            b_label, b_class, b_name = BASELINES[baseline]
            base = results.setdefault(baseline, Result(baseline, b_label))
            base_rep = _repetition(cfg, base, b_label, b_class, b_name, None, None, i)
        rep = _repetition(cfg, result, label, user_class, name, prepare, items, i)
        if base_rep is not None and base_rep.rps > 0:
            result.pairs.append(rep.rps / base_rep.rps)
            log(f"{label} #{i + 1}: {rep.rps / base_rep.rps * 100:.1f}% of {baseline} just before")


def _repetition(
    cfg: Config,
    result: Result,
    label: str,
    user_class: str,
    name: str,
    prepare: Any,
    items: Path | None,
    i: int,
) -> Rep:
    for attempt in range(cfg.retries + 1):
        if cfg.wait_quiet:
            wait_quiet(0.15, cfg.wait_quiet)
        path = prepare() if prepare is not None else (items or RESULTS / "items-none.json")
        rep = run_locust(cfg, user_class, name, path)
        if not rep.disturbed or attempt == cfg.retries:
            break
        log(
            f"{label} #{i + 1}: disturbed by other work ({rep.busy_before * 100:.0f}% busy "
            f"before, others used {rep.foreign * 100:.0f}% during); measuring it again"
        )
    result.reps.append(rep)
    bad = f", {rep.unexpected} UNEXPECTED" if rep.unexpected else ""
    wrapped = f", {rep.wrapped} repeated items" if rep.wrapped else ""
    if rep.disturbed:
        wrapped += (
            f"; WARNING other work: {rep.busy_before * 100:.0f}% busy before, "
            f"{rep.foreign * 100:.0f}% during"
        )
    log(
        f"{label} #{len(result.reps)}: {rep.rps:7.1f} req/s  p50 {rep.p50:6.1f} ms  "
        f"p95 {rep.p95:6.1f} ms  (n={rep.count}, statuses {rep.statuses}{bad}{wrapped}; "
        f"load generator {rep.client_cpu * 100:.0f}% of a core)"
    )
    return rep


@dataclass
class Spike:
    label: str
    rep: Rep
    limiter: str


def run_spike(
    cfg: Config, meta: dict[str, Any], sessions: list[str], addresses: list[str], label: str
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


def time_closing(cfg: Config, meta: dict[str, Any]) -> list[dict[str, Any]]:
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


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def table_row(result: Result, ratio: str, goal: str, met: str) -> list[str]:
    """A scenario's line of the results table; `met` is marked when a repetition
    had unexpected answers or was disturbed by other work."""
    bad = sum(rep.unexpected for rep in result.reps)
    if bad:
        met = f"{met} ({bad} unexpected answers!)"
    if any(rep.disturbed for rep in result.reps):
        met = f"{met} (disturbed by other work)"
    return [
        result.label,
        f"{result.med('rps'):.1f}",
        f"{result.med('p50'):.1f}",
        f"{result.med('p95'):.1f}",
        ratio,
        goal,
        met,
    ]


DEADLINE: list[dict[str, Any]] = []  # the deadline mix's stages, filled by run_deadline
DEADLINE_P95 = 300.0  # ms
DEADLINE_ERRORS = 0.001


def run_deadline(cfg: Config, meta: dict[str, Any], sessions: list[str]) -> None:
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


def machine_notes(results: dict[str, Result]) -> list[str]:
    """What else ran on the machine during the runs, and the load generator's share."""
    reps = [rep for r in results.values() for rep in r.reps]
    if not reps:
        return []
    disturbed = [r.label for r in results.values() if any(rep.disturbed for rep in r.reps)]
    cpu = [rep.client_cpu for rep in reps]
    return [
        "Other work on the machine: CPU busy right before a run median "
        f"{statistics.median(rep.busy_before for rep in reps) * 100:.0f}% "
        f"(max {max(rep.busy_before for rep in reps) * 100:.0f}%); other processes during "
        f"a run median {statistics.median(rep.foreign for rep in reps) * 100:.0f}% "
        f"(max {max(rep.foreign for rep in reps) * 100:.0f}%) of the 2 cores. "
        + (
            "Disturbed (figures low): " + ", ".join(disturbed) + "."
            if disturbed
            else "No run was disturbed."
        ),
        f"Load generator (locust, one process) used {min(cpu) * 100:.0f}–{max(cpu) * 100:.0f}% "
        "of a core during the runs (same 2 cores as the server).",
    ]


def report(
    cfg: Config,
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
