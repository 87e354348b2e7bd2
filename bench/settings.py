"""Settings for the benchmark: the production profile (DEBUG off, PostgreSQL,
Redis) on plain http at 127.0.0.1, with the baseline views mounted.

Selected with DJANGO_SETTINGS_MODULE=bench.settings by bench/run.py (for gunicorn
and for its own in-process work) and bench/generate.py. Environment:

  BENCH_DB         "pg" (default) or "sqlite"
  BENCH_PG_URL     default postgres://postgres@127.0.0.1:5432/danvan_bench
  BENCH_SQLITE     SQLite file, default bench/results/bench.sqlite3
  BENCH_REDIS_URL  default redis://127.0.0.1:6379/7 (its own database number)
  BENCH_RATELIMIT  "relaxed" (default: every contest limit, and the practices'
                   vote and nomination limits, raised to 10^9, so the limiter
                   still runs but never refuses) or "default" (the app's limits)
  PROXY_COUNT      read by danvan.settings as usual (the spike sets 1 to spread
                   the load over X-Forwarded-For addresses)
"""

from __future__ import annotations

import os
from pathlib import Path

_BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = _BENCH_DIR / "results"

BENCH_DB = os.environ.get("BENCH_DB", "pg")
BENCH_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/danvan_bench")
BENCH_SQLITE = os.environ.get("BENCH_SQLITE", str(RESULTS_DIR / "bench.sqlite3"))

# danvan.settings reads these at import time: set them first.
os.environ["DEBUG"] = "0"
os.environ["HTTPS"] = "0"
os.environ["SECRET_KEY"] = "bench-only-secret-key-not-for-any-real-deployment-3f9c2a7e1b5d"
os.environ["FIELD_ENCRYPTION_KEYS"] = "bench-only-field-key-not-for-any-real-deployment-7c1e"
os.environ["HASH_KEY"] = "bench-only-hash-key-not-for-any-real-deployment-4b8d"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_SQLITE}" if BENCH_DB == "sqlite" else BENCH_PG_URL
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("DANVAN_VAR_DIR", str(RESULTS_DIR / "var"))
os.environ.setdefault("DB_POOL_MIN", "2")
os.environ.setdefault("DB_POOL_MAX", "4")

from danvan.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]

# No collectstatic for a benchmark (static files are not measured): the manifest
# storage would refuse {% static %} for files it has not collected, and an empty
# STATIC_ROOT keeps WhiteNoise from warning in every worker.
STATIC_ROOT = RESULTS_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

BENCH_RATELIMIT = os.environ.get("BENCH_RATELIMIT", "relaxed")
if BENCH_RATELIMIT == "relaxed":
    from danvan.contests.ratelimit import DEFAULT_LIMITS

    CONTEST_RATE_LIMITS = {name: (10**9, window) for name, (_n, window) in DEFAULT_LIMITS.items()}
    # danvan.practices.votes.LIMITS and danvan.practices.deeds.LIMITS (their
    # modules import the models, which settings cannot: the names are repeated here).
    PRACTICES_VOTE_RATE_LIMITS = {
        "vote_ip": (10**9, 3600),
        "voter_ip": (10**9, 3600),
        "voter_phone": (10**9, 86400),
    }
    PRACTICES_RATE_LIMITS = {"deed_ip": (10**9, 3600), "deed_phone": (10**9, 86400)}

# Request logs would cost the load generator's CPU; errors still go to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
