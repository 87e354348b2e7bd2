"""The practices benchmark (issue 11; `make bench-practices`).

    uv run python bench/practices_run.py              # 100 communes, 10,000 practices (~6 min)
    uv run python bench/practices_run.py --small      # smoke: 20 communes, 1,000 practices, 1 × 6 s
    uv run python bench/practices_run.py --only B0,vote --reps 3 --wait-quiet 300
    uv run python bench/practices_run.py --profile gallery [-n 200] [--cprofile]

Same machinery as bench/run.py (bench/harness.py: the gunicorn Server, locust
runs, the quiet-machine checks, medians) on the dataset of
bench/practices_generate.py (its own database, reused while its bench_meta
record matches and its rows are all there). In the same run: the baselines B0
and B2; the public gallery (its first pages, some filtered); the public page of
a practice; a vote by an identified person (a new person, so a new session,
each request: every vote is counted; a third of them on one hot entry, the rest
spread over the 30 entries); the staff commune-coverage page of a provincial
officer. After the votes the entries' counters are compared with the votes
stored: they must be equal (the run fails otherwise), and equal to the number
of votes answered 302.

Before measuring, the votes of earlier runs are deleted, the counters set back
to zero and the voter sessions of earlier runs deleted, so every run starts
from the generated data.

`--profile PATH` measures nothing over HTTP: it calls one view in this process
with the test client (bench/profile_paths.py's `measure`: median time, SQL
statements, and with --cprofile where the time goes).

Results: a table on stdout, bench/results/practices-<preset>-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench import practices_generate as pgen  # noqa: E402

STAFF_SESSIONS = 50
# scenario -> (baseline, minimum share of its req/s), issue 11.
GOALS: dict[str, tuple[str, float]] = {
    "gallery": ("B0", 0.60),
    "detail": ("B0", 0.60),
    "vote": ("B2", 0.40),
    "coverage": ("B0", 0.25),
}
VOTER_PREFIX = "bench-voter-"
PROFILED = ("gallery", "detail", "vote", "coverage")


log = common.logger("practices")


# bench/plans_run.py imports it from here.
execute = common.execute


def reset(meta: dict[str, Any]) -> None:
    """Back to the generated data: no votes, counters at zero, no sessions."""
    campaign = meta["campaign_id"]
    votes = execute("DELETE FROM practices_vote WHERE campaign_id = %s", [campaign])
    execute("UPDATE practices_entry SET votes = 0 WHERE campaign_id = %s", [campaign])
    sessions = execute("DELETE FROM django_session")
    for table in ("practices_vote", "practices_entry", "django_session"):
        execute(f"VACUUM ANALYZE {table}")
    log(f"reset: {votes:,} votes and {sessions:,} sessions of earlier runs deleted")


def voter_sessions(count: int, run: str) -> list[str]:
    """Sessions as the identification leaves them (views_votes.identify: the
    voter key under votes.SESSION_KEY), written in bulk to django_session and
    to the session cache (cached_db), as bench/run.py's make_sessions does."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from danvan.practices import votes

    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    rows, keys, data = [], [], []
    for n in range(count):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        # A voter key is a 64-hex keyed hash: these have the same length.
        value = {votes.SESSION_KEY: f"{VOTER_PREFIX}{run}-{n:08d}".ljust(64, "0")}
        rows.append(Session(session_key=key, session_data=store.encode(value), expire_date=expire))
        keys.append(key)
        data.append(value)
    Session.objects.bulk_create(rows, batch_size=2000)
    if settings.SESSION_ENGINE.endswith("cached_db"):
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        cache = caches[settings.SESSION_CACHE_ALIAS]
        for start in range(0, count, 2000):
            chunk = zip(keys[start : start + 2000], data[start : start + 2000], strict=True)
            cache.set_many({KEY_PREFIX + key: value for key, value in chunk}, 86400)
    return keys


def staff_sessions(meta: dict[str, Any], count: int) -> list[str]:
    """Signed-in sessions of the provincial officer, as a sign-in leaves them."""
    from bench.survey_run import staff_sessions as signed_in

    return signed_in(meta, count)


def gallery_paths(meta: dict[str, Any], rng: random.Random) -> list[str]:
    """The first pages of the gallery, plain and filtered (each commune, each
    field, kind and year), shuffled."""
    paths = [f"/mo-hinh/?page={n}" if n > 1 else "/mo-hinh/" for n in range(1, 6)]
    paths += [f"/mo-hinh/?linh_vuc={f}" for f in ("economy", "society", "defence", "politics")]
    paths += ["/mo-hinh/?loai=practice", "/mo-hinh/?loai=exemplar"]
    paths += [f"/mo-hinh/?nam={y}" for y in (2024, 2025, 2026)]
    paths += [f"/mo-hinh/?xa={pk}" for pk in meta["commune_ids"]]
    paths += ["/mo-hinh/?linh_vuc=economy&nam=2025&page=2"]
    # Half the requests are the first page, as visitors mostly see it.
    paths += ["/mo-hinh/"] * len(paths)
    rng.shuffle(paths)
    return paths


def detail_paths(meta: dict[str, Any], rng: random.Random) -> list[str]:
    """Every practice shown, those with photos (the first ones) and the others, shuffled."""
    ids = list(meta["shown_ids"])
    rng.shuffle(ids)
    return [f"/mo-hinh/{pk}/" for pk in ids]


def report(
    cfg: Any, meta: dict[str, Any], results: dict[str, Any], extra: list[str], started: float
) -> str:
    lines = [*common.goal_table(common.goal_rows(results, GOALS)), ""]
    lines += extra
    dataset = (
        f"pg, preset {cfg.preset}: {meta['communes']} communes ({meta['hamlets']} hamlets), "
        f"{meta['practices']:,} practices ({meta['shown']:,} shown on the gallery, "
        f"{meta['photos']} photos), a campaign of {meta['entries']} entries"
    )
    return common.report_text(lines, results, cfg, started, dataset)


def profile(meta: dict[str, Any], path: str, n: int, cprofile: bool, callees: str | None) -> int:
    """One view called in this process (bench/profile_paths.py's `measure`)."""
    from django.core.cache import cache

    from bench import profile_paths

    cache.clear()
    rng = random.Random(3)
    count = n + 20
    sessions: list[str]
    requests: list[tuple[str, str, dict[str, Any] | str | None]]
    if path == "gallery":
        paths = gallery_paths(meta, rng)
        requests = [("get", paths[i % len(paths)], None) for i in range(count)]
        sessions = [""] * count
    elif path == "detail":
        paths = detail_paths(meta, rng)
        requests = [("get", paths[i % len(paths)], None) for i in range(count)]
        sessions = [""] * count
    elif path == "vote":
        from danvan.practices.models import Entry

        entries = list(
            Entry.objects.filter(campaign_id=meta["campaign_id"]).values_list("pk", flat=True)
        )
        slug = meta["campaign_slug"]
        requests = [
            ("post", f"/binh-chon/{slug}/muc/{rng.choice(entries)}/", "") for _ in range(count)
        ]
        sessions = voter_sessions(count, f"profile{int(time.time())}")
    else:
        requests = [("get", "/quan-ly/mo-hinh/phu-song/", None)] * count
        sessions = staff_sessions(meta, 1) * count
    args = argparse.Namespace(path=path, cprofile=cprofile, callees=callees)
    status = profile_paths.measure(args, requests, sessions)
    if path == "vote":
        reset(meta)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = common.run_parser(__doc__, "B0,B2,gallery,detail,vote,coverage")
    common.add_profile_options(parser, PROFILED)
    args = parser.parse_args(argv)
    preset = "small" if args.small else "full"
    pgen.setup_env(preset)
    from bench import harness

    cfg = common.configure(args, preset, "practices_locustfile.py")
    want = common.with_baselines(cfg)
    started = common.start()
    meta = common.ensure_dataset(
        pgen,
        preset,
        args.rebuild,
        "practices",
        log,
        lambda meta: f"{meta['practices']:,} practices",
    )
    if args.profile:
        return profile(meta, args.profile, args.n, args.cprofile, args.callees)
    rng = random.Random(11)

    from django.db import connection

    from danvan.practices.models import Entry, Vote

    common.fresh_start(reset, meta)
    gallery_items = common.write_items(
        "practices", "gallery", {}, [[p] for p in gallery_paths(meta, rng)]
    )
    detail_items = common.write_items(
        "practices", "detail", {}, [[p] for p in detail_paths(meta, rng)]
    )
    coverage_items = common.write_items(
        "practices",
        "coverage",
        {"path": "/quan-ly/mo-hinh/phu-song/"},
        staff_sessions(meta, STAFF_SESSIONS),
    )
    entries = list(
        Entry.objects.filter(campaign_id=meta["campaign_id"])
        .order_by("position")
        .values_list("pk", flat=True)
    )
    hot = entries[0]
    prepared = {"n": 0}

    def prepare_votes() -> Path:
        """A new voter for every request of the repetition (more than it can send)."""
        prepared["n"] += 1
        count = max(3000, 600 * (cfg.duration + 5))
        keys = voter_sessions(count, f"{int(time.time())}r{prepared['n']}")
        items = [
            [
                key,
                hot if n % 3 == 0 else rng.choice(entries),
                f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}",
            ]
            for n, key in enumerate(keys)
        ]
        connection.close()
        return common.write_items("practices", "vote", {"slug": meta["campaign_slug"]}, items)

    results: dict[str, Any] = {}
    extra: list[str] = []
    connection.close()
    with harness.Server(cfg, PROXY_COUNT="1"):
        harness.measure(cfg, results, "B0", "B0 bare view", "B0User", "B0")
        harness.measure(cfg, results, "B2", "B2 read + update one row", "B2User", "B2")
        harness.measure(
            cfg, results, "gallery", "public gallery /mo-hinh/ (GET, first pages and filters)",
            "GalleryUser", "practices gallery", items=gallery_items, baseline="B0",
        )  # fmt: skip
        harness.measure(
            cfg, results, "detail", "a practice's public page /mo-hinh/<pk>/ (GET)",
            "DetailUser", "practice detail", items=detail_items, baseline="B0",
        )  # fmt: skip
        harness.measure(
            cfg, results, "vote", "a vote (POST, identified, a new person each) → 302",
            "VoteUser", "vote", prepare=prepare_votes, baseline="B2",
        )  # fmt: skip
        harness.measure(
            cfg, results, "coverage",
            f"commune coverage, {meta['communes']} communes, {meta['practices']:,} "
            "practices (GET, provincial officer)",
            "CoverageUser", "coverage", items=coverage_items, baseline="B0",
        )  # fmt: skip
        connection.close()

    exact = True
    if want("vote") and "vote" in results:
        counted = sum(
            Entry.objects.filter(campaign_id=meta["campaign_id"]).values_list("votes", flat=True)
        )
        stored = Vote.objects.filter(campaign_id=meta["campaign_id"]).count()
        answered = sum(rep.statuses.get("302", 0) for rep in results["vote"].reps)
        hot_votes = Entry.objects.get(pk=hot).votes
        hot_rows = Vote.objects.filter(entry_id=hot).count()
        per_entry = dict(
            Entry.objects.filter(campaign_id=meta["campaign_id"]).values_list("pk", "votes")
        )
        rows_per_entry = {pk: 0 for pk in per_entry}
        for pk in Vote.objects.filter(campaign_id=meta["campaign_id"]).values_list(
            "entry_id", flat=True
        ):
            rows_per_entry[pk] += 1
        each = per_entry == rows_per_entry
        exact = counted == stored and each
        extra.append(
            f"Votes after the vote runs: sum(Entry.votes) = {counted:,}, Vote rows = {stored:,}, "
            f"every entry's counter equal to its rows: {'yes' if each else 'NO'} "
            f"({'exact' if exact else 'NOT EXACT'}); answered 302 = {answered:,}; the hot entry "
            f"{hot_votes:,} counted, {hot_rows:,} rows."
        )
        log(extra[-1])
    table = report(cfg, meta, results, extra, started)
    dataset = {k: v for k, v in meta.items() if k not in ("shown_ids", "commune_ids")}
    common.save("practices", cfg, dataset, results, table, log, votes_exact=exact)
    if not exact:
        log("!! the entries' counters and the stored votes differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
