"""Locust users for bench/run.py: one user class a scenario, run one at a time.

    locust -f bench/locustfile.py StartUser --headless -u 20 -r 20 -t 15s \
        --host http://127.0.0.1:8877

Environment (set by bench/run.py):
  BENCH_ITEMS   JSON file: {"slug", "open_number", "closed_number", "items": [...]}
                (sessions, attempt tokens, answer bodies prepared in the database)
  BENCH_OUT     where to write the summary (JSON) when the run stops
  BENCH_WARMUP  seconds at the start not counted (default 3)
  BENCH_SPIKE   for SpikeUser: how many starts before the run quits by itself
  BENCH_THINK   for DeadlineUser: mean seconds a participant thinks between steps

Every request is recorded (end time, name, milliseconds, status, expected?); the
summary keeps the requests that ended after the warm-up: count, req/s over the
measured window, p50/p95/max, status codes, and how many answers were not the
expected one (a start that does not redirect to an attempt page, a submit that
does not redirect to its result...). A scenario that ran out of prepared items
reports `wrapped` > 0: its figures then include cheaper repeat requests.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task

CSRF = "benchcsrftokenbenchcsrftoken0001"  # 32 characters: a valid unmasked secret
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
SPIKE = int(os.environ.get("BENCH_SPIKE", "2000"))
THINK = float(os.environ.get("BENCH_THINK", "1.0"))

_data: dict[str, Any] = {}
if os.environ.get("BENCH_ITEMS"):
    with open(os.environ["BENCH_ITEMS"], encoding="utf-8") as fh:
        _data = json.load(fh)
ITEMS: list[Any] = _data.get("items", [])
SLUG: str = _data.get("slug", "")
OPEN_NUMBER: int = _data.get("open_number", 2)
CLOSED_NUMBER: int = _data.get("closed_number", 1)

_counter = itertools.count()
_wrapped = {"n": 0}
_records: list[tuple[float, str, float, int, bool]] = []
_times: dict[str, float] = {}


def next_item() -> Any:
    i = next(_counter)
    if ITEMS and i >= len(ITEMS):
        _wrapped["n"] += 1
    return ITEMS[i % len(ITEMS)] if ITEMS else None


def headers(
    session_key: str | None = None, xff: str | None = None, *, form: bool = False
) -> dict[str, str]:
    """The headers of a request: the CSRF cookie and header, the session (if
    any), the client address (X-Forwarded-For) and, with `form`, the content
    type of a posted form body."""
    cookie = f"csrftoken={CSRF}"
    if session_key:
        cookie += f"; sessionid={session_key}"
    out = {"Cookie": cookie, "X-CSRFToken": CSRF}
    if xff:
        out["X-Forwarded-For"] = xff
    if form:
        out["Content-Type"] = "application/x-www-form-urlencoded"
    return out


_unexpected = {"n": 0}


def unexpected(what: str, status: int, where: str) -> None:
    """Print the first few unexpected answers of a scenario to locust.log, to tell why."""
    if _unexpected["n"] < 5:
        _unexpected["n"] += 1
        print(f"unexpected {what} answer: {status} Location={where!r}", flush=True)


def record(name: str, started: float, status: int, ok: bool) -> None:
    now = time.time()
    _records.append((now, name, (now - started) * 1000.0, status, ok))


@events.test_start.add_listener
def _on_start(environment: Any, **_kw: Any) -> None:
    _times["start"] = time.time()


@events.test_stop.add_listener
def _on_stop(environment: Any, **_kw: Any) -> None:
    _times["stop"] = time.time()


@events.quitting.add_listener
def _on_quit(environment: Any, **_kw: Any) -> None:
    out = os.environ.get("BENCH_OUT")
    if not out:
        return
    start = _times.get("start", min((r[0] for r in _records), default=0.0))
    stop = _times.get("stop", max((r[0] for r in _records), default=start))
    window_start = start + WARMUP
    summary: dict[str, Any] = {"wrapped": _wrapped["n"], "names": {}}
    for name in sorted({r[1] for r in _records}):
        rows = [r for r in _records if r[1] == name]
        measured = [r for r in rows if r[0] >= window_start] or rows
        first = window_start if measured is not rows else start
        last = max(stop, max(r[0] for r in measured))
        latencies = sorted(r[2] for r in measured)
        statuses: dict[str, int] = {}
        for r in rows:
            statuses[str(r[3])] = statuses.get(str(r[3]), 0) + 1
        summary["names"][name] = {
            "count": len(measured),
            "total": len(rows),
            "seconds": round(last - first, 3),
            "rps": len(measured) / max(last - first, 1e-9),
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else 0.0,
            "statuses": statuses,
            "unexpected": sum(1 for r in rows if not r[4]),
            "first_to_last": round(max(r[0] for r in rows) - min(r[0] for r in rows), 3)
            if rows
            else 0.0,
        }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(summary, fh)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    # Long enough for the spike's queue; a request still waiting after this fails.
    network_timeout = 60.0
    connection_timeout = 60.0

    def call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: tuple[int, ...] = (200,),
        location: str | None = None,
        **kwargs: Any,
    ) -> int:
        """One request, outside locust's own statistics; recorded for the summary."""
        return self.send(method, path, name, expect=expect, location=location, **kwargs)[0]

    def send(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: tuple[int, ...] = (200,),
        location: str | None = None,
        **kwargs: Any,
    ) -> tuple[int, bool, str, str]:
        """`call`, returning (status, as expected?, Location, body of a GET)."""
        self.client.cookiejar.clear()
        started = time.time()
        status = 0
        ok = False
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            status = response.status_code or 0
            ok = status in expect
            where = response.headers.get("Location") or ""
            if ok and location is not None and 300 <= status < 400:
                ok = location in where
            if ok:
                response.success()
            else:
                response.failure(f"unexpected {status}")
            text = (response.text or "") if method == "GET" else ""
        record(name, started, status, ok)
        return status, ok, where, text


class B0User(BenchUser):
    @task
    def b0(self) -> None:
        self.call("GET", "/bench/b0/", "B0")


class B2User(BenchUser):
    @task
    def b2(self) -> None:
        self.call("GET", "/bench/b2/", "B2")


class StartUser(BenchUser):
    """POST start with a signed-in participant who has no attempt yet in the round."""

    @task
    def start_attempt(self) -> None:
        session_key = next_item()
        self.call(
            "POST",
            f"/cuoc-thi/{SLUG}/dot/{OPEN_NUMBER}/bat-dau/",
            "start",
            headers=headers(session_key),
            expect=(302,),
            location="/cuoc-thi/bai/",
        )


class AttemptPageUser(BenchUser):
    """GET the attempt page (the paper) of a running attempt."""

    @task
    def page(self) -> None:
        session_key, token, _body = next_item()
        self.call("GET", f"/cuoc-thi/bai/{token}/", "attempt page", headers=headers(session_key))


class SubmitUser(BenchUser):
    """POST the attempt form with every question answered and a prediction."""

    @task
    def submit(self) -> None:
        session_key, token, body = next_item()
        self.call(
            "POST",
            f"/cuoc-thi/bai/{token}/",
            "submit",
            data=body,
            headers=headers(session_key, form=True),
            expect=(302,),
            location="/ket-qua/",
        )


class LeaderboardUser(BenchUser):
    """GET the results page of the 1M-attempt round: the live top 100."""

    @task
    def leaderboard(self) -> None:
        self.call("GET", f"/cuoc-thi/{SLUG}/ket-qua/{CLOSED_NUMBER}/", "leaderboard")


class OwnRankUser(BenchUser):
    """GET a participant's own rank in the 1M-attempt round, computed live."""

    @task
    def own_rank(self) -> None:
        session_key = next_item()
        self.call(
            "GET",
            f"/bench/{SLUG}/hang/{CLOSED_NUMBER}/?live=1",
            "own rank",
            headers=headers(session_key),
        )


_spike_done = {"n": 0}


class SpikeUser(BenchUser):
    """One start each, then idle (a user that stopped would be replaced by the
    spawner); the run quits when BENCH_SPIKE starts are done. Items are
    (session key, client address for X-Forwarded-For)."""

    @task
    def start_once(self) -> None:
        session_key, address = next_item()
        self.call(
            "POST",
            f"/cuoc-thi/{SLUG}/dot/{OPEN_NUMBER}/bat-dau/",
            "spike start",
            headers=headers(session_key, address),
            expect=(302, 429),
            location="/cuoc-thi/bai/",
        )
        _spike_done["n"] += 1
        if _spike_done["n"] >= SPIKE and self.environment.runner is not None:
            # From a greenlet of its own: quit() kills the user greenlets, this one too.
            gevent.spawn(self.environment.runner.quit)
        gevent.sleep(10**6)


CHOICE = re.compile(r'name="q_(\d+)" value="(\d+)"')


class DeadlineUser(BenchUser):
    """A participant in the last half hour of a round, one cycle after another:
    start an attempt, read the paper, choose the answers while thinking (the
    page saves them as they are chosen: three autosaves), submit with a
    prediction, read the result. Every request is recorded as "deadline" (its
    figures: requests/s, p95, unexpected answers), each finished cycle as
    "deadline cycle". Items: session keys of participants with attempts left."""

    def think(self) -> None:
        gevent.sleep(random.uniform(0.5, 1.5) * THINK)

    def step(
        self,
        method: str,
        path: str,
        session_key: str,
        *,
        expect: int,
        body: str | None = None,
        json_body: Any = None,
    ) -> tuple[bool, str, str]:
        """One request: (as expected?, Location, body text)."""
        kwargs: dict[str, Any] = {"headers": headers(session_key, form=body is not None)}
        if body is not None:
            kwargs["data"] = body
        if json_body is not None:
            kwargs["json"] = json_body
        _status, ok, location, text = self.send(
            method, path, "deadline", expect=(expect,), **kwargs
        )
        return ok, location, text

    @task
    def cycle(self) -> None:
        started = time.time()
        session_key = next_item()
        ok, location, _ = self.step(
            "POST", f"/cuoc-thi/{SLUG}/dot/{OPEN_NUMBER}/bat-dau/", session_key, expect=302
        )
        if not ok or "/cuoc-thi/bai/" not in location:
            record("deadline cycle", started, 0, False)
            return
        attempt = location.split("?")[0]
        ok, _, page = self.step("GET", attempt, session_key, expect=200)
        paper: dict[str, list[str]] = {}
        for qid, cid in CHOICE.findall(page):
            paper.setdefault(qid, []).append(cid)
        if not ok or not paper:
            record("deadline cycle", started, 0, False)
            return
        chosen = {qid: [random.choice(cids)] for qid, cids in paper.items()}
        order = list(chosen)
        for part in (1, 2, 3):
            self.think()
            so_far = {qid: chosen[qid] for qid in order[: len(order) * part // 3]}
            ok, _, _ = self.step(
                "POST", f"{attempt}luu/", session_key, expect=200, json_body={"answers": so_far}
            )
        self.think()
        fields = [f"q_{qid}={cids[0]}" for qid, cids in chosen.items()]
        fields += [f"du_doan={random.randint(50_000, 150_000)}", "action=submit"]
        ok, location, _ = self.step("POST", attempt, session_key, expect=302, body="&".join(fields))
        if not ok:
            record("deadline cycle", started, 0, False)
            return
        ok, _, _ = self.step("GET", location.split("?")[0], session_key, expect=200)
        record("deadline cycle", started, 200 if ok else 0, ok)
