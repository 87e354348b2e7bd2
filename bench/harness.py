"""What every benchmark of the project runs on (bench/run.py, survey_run.py,
practices_run.py, plans_run.py): gunicorn serving the app with bench.settings
on 127.0.0.1:8877 (`Server`), locust driving one scenario at a time with users
that never wait (`run_locust`, a `Rep` a run), the watch on other work using
the CPUs (`ForeignCPU`, `wait_quiet`), the repetitions of a scenario beside its
baseline (`measure`, `Result`, `BASELINES`) and the rows of the results table
(`table_row`, `machine_notes`). What an app measures, and on which data, is
its own module's."""

from __future__ import annotations

import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"
PORT = 8877
BASE_URL = f"http://{HOST}:{PORT}"
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Config:
    """How a benchmark runs: the database and its dataset's preset, the
    repetitions of each scenario and their length, the locust users, the
    gunicorn workers, and how to deal with other work on the machine."""

    db: str = "pg"
    preset: str = "full"
    reps: int = 3
    duration: int = 15
    warmup: float = 3.0
    users: int = 20
    # What `make serve` runs (WORKERS ?= 3): one worker count for every figure.
    workers: int = 3
    wait_quiet: int = 0  # seconds to wait for a quiet machine before each run
    retries: int = 0  # measure a disturbed repetition again, this many times
    # Each repetition of a scenario with a baseline right after one of its baseline:
    # the ratio is the median of the pairs' ratios, so the box's drift weighs on both.
    paired: bool = False
    rebuild: bool = False
    only: list[str] = field(default_factory=list)


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
