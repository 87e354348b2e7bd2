"""Settings for Dân Vận Số, read from the environment with embedded defaults.

One module, small typed helpers (the healthchecks habit). With no environment at
all it runs the embedded profile: SQLite in var/, local-memory cache, DEBUG on.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DANVAN_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """1/true/yes/on or 0/false/no/off, in any case; unset or empty gives the
    default. Anything else is refused: a typo such as HTTPS=ture must not turn
    secure cookies off without a word."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "danvan-embedded-development-key-not-for-production-use-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = "Dân Vận Số"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "danvan.core",
    "danvan.contests",
    "danvan.surveys",
    "danvan.practices",
    "danvan.plans",
    "danvan.outreach",
    "danvan.inspections",
    "danvan.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "danvan.core.middleware.SecurityHeadersMiddleware",
    "danvan.core.middleware.CleanInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "danvan.core.middleware.StaffIdleTimeoutMiddleware",
    "danvan.core.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "danvan.urls"
WSGI_APPLICATION = "danvan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "danvan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "danvan.core.context_processors.site",
            ],
            "builtins": ["danvan.core.templatetags.vi"],
        },
    }
]

# --- Database -----------------------------------------------------------------
# SQLite is the embedded default, tuned for concurrent use: WAL journal, a busy
# timeout, and IMMEDIATE transactions so writers queue instead of failing with
# "database is locked" half-way through. PostgreSQL comes from DATABASE_URL and
# uses psycopg 3 with its connection pool.
_default_sqlite = f"sqlite:///{VAR_DIR / 'danvan.sqlite3'}"
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite))}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    _db["OPTIONS"] = {
        "pool": {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 10),
            "timeout": 10,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Cache, rate limits -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "danvan.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "danvan",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whether every process reads the same cache. Only then may a process keep a
# staff user's scope in its memory under a version that any process can raise
# (danvan.core.scope): with each process's own memory a revoked role would stay.
SHARED_CACHE = bool(REDIS_URL)

# Survey responses (and their spent tokens or codes) are committed without
# waiting for PostgreSQL's disk flush: a crash of the database server may lose
# the responses of its last fraction of a second (never half of one). 0 waits.
SURVEY_ASYNC_COMMIT = env_bool("SURVEY_ASYNC_COMMIT", True)
# The same for starting a contest attempt: a crash may lose the attempts started
# in its last fraction of a second (their participants start again). Submits
# always wait for the disk.
CONTEST_ASYNC_START = env_bool("CONTEST_ASYNC_START", True)

# --- Background work ---------------------------------------------------------------
# django-tasks with the database backend: the embedded default needs no broker,
# `make run` starts `manage.py db_worker` beside the web server. Tests run jobs
# immediately (TASKS_BACKEND=immediate).
_tasks_backend = env_str("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _tasks_backend == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Authentication ------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("FAST_PASSWORD_HASHER", False):  # test runs only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "danvan.core.backends.StaffBackend",
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:dashboard"
LOGOUT_REDIRECT_URL = "public:home"

# Throttle failed sign-ins per address (any account) and per account at each
# address; the lock lifts by itself after a short cool-off. An account is never
# locked for every address at once, so an attacker who guesses from elsewhere
# cannot keep the real owner out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None
# One decision of the client's address (PROXY_COUNT) for sign-in throttling, the
# contest and survey rate limits and the audit log. (Without django-ipware axes
# would otherwise ignore PROXY_COUNT and see only the proxy.)
AXES_CLIENT_IP_CALLABLE = "danvan.core.middleware.client_address"
AXES_VERBOSE = False

# Staff sessions end after this much idle time.
STAFF_IDLE_SECONDS = env_int("STAFF_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
# Sessions are kept in the database and, with Redis, read through it: every
# participant request reads one, and a restart of Redis loses nothing. Without
# Redis the cache is each process's own memory, where a session signed out in
# one process would stay readable in another: then the database alone.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Locale ---------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "danvan" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded and generated files (imports, exports, banners, share images) go
# through Django's storage API only: the folder MEDIA_ROOT by default, or with
# S3_BUCKET a private S3-compatible bucket (the optional extra `s3`), so the web
# servers and the worker need not share a disk. Credentials: the usual
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables.
S3_BUCKET = env_str("S3_BUCKET")


def storage_config(bucket: str) -> dict[str, object]:
    """STORAGES["default"]: the folder, or the bucket named `bucket`."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "danvan.core.storage.BucketStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # other than Amazon's
            "region_name": env_str("S3_REGION") or None,
            "location": env_str("S3_PREFIX"),  # a folder in the bucket, e.g. "danvan"
            "default_acl": None,  # private: the app reads the files, nobody else
            "file_overwrite": False,  # two uploads named bia.png stay two files
        },
    }


STORAGES = {
    "default": storage_config(S3_BUCKET),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A TrueType file the charts measure their text with (empty: the widest of the
# page's sans-serif fonts found on the server; danvan/core/charts.py).
CHART_FONT = env_str("CHART_FONT", "")

# Uploaded Excel workbooks (danvan.core.uploads): checked from the archive's
# directory before anything is decompressed, then read row by row.
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_MB", 50) * 1024 * 1024
UPLOAD_MAX_RATIO = env_int("UPLOAD_MAX_RATIO", 100)
UPLOAD_MAX_MEMBERS = env_int("UPLOAD_MAX_MEMBERS", 1000)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 100_000)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 50)
# Photos (danvan.core.images) and attached documents (danvan.core.documents).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_MB", 10) * 1024 * 1024
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_MEGAPIXELS", 40) * 1_000_000
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 10) * 1024 * 1024

# --- Security --------------------------------------------------------------------------
# Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sent on every answer by danvan.core.middleware.SecurityHeadersMiddleware. No inline
# script and no style="..." attribute anywhere (scripts are files under static/js/,
# layout is classes in danvan.css); the one inline <style> is that of 500.html, which
# must work without static files: allowed by its hash (test_headers.py checks it).
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'sha256-tJIntz67FFBDrfOk8MrBOFl2K9O7y69KfuXOiVplrFM='; "
    "img-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
)
# Pages of the staff workspace and the admin: `Cache-Control: no-store, private`.
STAFF_PATH_PREFIXES = ("/quan-ly/", "/admin/")
# Uploaded files that anyone may fetch under MEDIA_URL (danvan.media): contest
# banners, survey share images and the sizes made from photos of practices and
# good deeds (under unguessable names), images only. Everything else under MEDIA_ROOT
# (imports, exports) is served by staff views after their checks, never here.
PUBLIC_MEDIA_PREFIXES = (
    "contests/banners/",
    "surveys/",
    "practices/photos/",
    "outreach/photos/",
)

# Keys for personal data (danvan.core.crypto): secrets for the data encrypted at
# rest (CCCD), newest first, and for the keyed hashes (returning participants,
# survey guards). Required in production (a system check); in development they
# are derived from SECRET_KEY as before. FIELD_ENCRYPTION_KEY is the older name
# of a single key used for both.
_LEGACY_FIELD_KEY = env_str("FIELD_ENCRYPTION_KEY")
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [
    k for k in [_LEGACY_FIELD_KEY or (SECRET_KEY if DEBUG else "")] if k
]
HASH_KEY = env_str("HASH_KEY") or _LEGACY_FIELD_KEY or (SECRET_KEY if DEBUG else "")

# Contests: the gateway that sends one-time sign-in codes by SMS or Zalo (a
# dotted path to a class with send(phone, text), see danvan/contests/otp.py);
# empty turns the one-time code off. "danvan.contests.otp.ConsoleGateway"
# writes the code to the log (development).
CONTEST_OTP_GATEWAY = env_str("CONTEST_OTP_GATEWAY")

# Surveys: the one-response guards are rewritten in a random order at the end
# of each window of this many minutes in which responses arrived (and when a
# survey closes); names and phone numbers of identified respondents are erased
# this many days after the survey's closing time (`erase_expired_respondents`).
SURVEY_SHUFFLE_MINUTES = env_int("SURVEY_SHUFFLE_MINUTES", 5)
# Anonymous responses wait in a holding table and are written as responses in
# batches of at least SURVEY_MIX_BATCH, in a random order, at the end of each
# window of SURVEY_MIX_MINUTES (all of them when the survey closes): results
# lag by that much (danvan.surveys.mixing, docs/privacy.md).
SURVEY_MIX_BATCH = env_int("SURVEY_MIX_BATCH", 10)
SURVEY_MIX_MINUTES = env_int("SURVEY_MIX_MINUTES", 10)
SURVEY_RESPONDENT_RETENTION_DAYS = env_int("SURVEY_RESPONDENT_RETENTION_DAYS", 180)
# Who raised a petition (name, phone) is erased this many days after the petition
# was closed or returned (`erase_expired_petitioners`).
PETITION_RAISER_RETENTION_DAYS = env_int("PETITION_RAISER_RETENTION_DAYS", 365)

# --- E-mail ---------------------------------------------------------------------------------
# Off unless EMAIL_HOST is set: then reminders (petitions near or past their deadline,
# `manage.py petition_reminders`) also go by e-mail to the staff who hold an address.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Dân Vận Số <khong-tra-loi@localhost>")
EMAIL_TIMEOUT = 20

# --- Error reporting ---------------------------------------------------------------------
# Off unless SENTRY_DSN is set: then unhandled errors and errors written to the log
# go to that Sentry-compatible service (Sentry, GlitchTip) through sentry-sdk, an
# optional extra (`uv sync --extra sentry`). No personal data leaves: no cookies,
# users or addresses (send_default_pii off), no request bodies, no local variables.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")


def init_error_reporting(dsn: str, environment: str) -> bool:
    """Start sentry-sdk for `dsn`; False, with an error in the log, without it."""
    try:
        import sentry_sdk
    except ImportError:
        logging.getLogger("danvan.settings").error(
            "SENTRY_DSN is set but sentry-sdk is not installed (uv sync --extra sentry): "
            "errors are not reported."
        )
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )
    return True


if SENTRY_DSN:
    init_error_reporting(SENTRY_DSN, SENTRY_ENVIRONMENT)

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django_tasks": {"level": "INFO"}},
}
