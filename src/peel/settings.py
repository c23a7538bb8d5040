"""Django settings, read from the environment so that one build runs anywhere.

DATABASE_URL     default: SQLite in WAL mode under var/ (no server needed)
PEEL_VAR_DIR     where the SQLite database, evidence store and secret key live (default ./var)
PEEL_SECRET_KEY  default: a random key generated once into var/secret_key (never in the repo)
PEEL_DEBUG       "1" turns on Django's debug pages (never in production)
PEEL_ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PEEL_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("PEEL_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("PEEL_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("PEEL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for Peel's form renderer below
    "peel.core",
    "peel.accounts",
    "peel.audit",
    "peel.reports",
    "peel.evidence",
    "peel.intake",
    "peel.triage",
    "peel.workqueue",
    "peel.review",
    "peel.robots",
    "peel.notifications",
    "peel.oversight",
    "peel.process",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peel.accounts.middleware.ActingUserMiddleware",  # who made an admin change (audited)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a view's exception first: a styled 503 when the database is unreachable.
    "peel.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "peel.urls"
WSGI_APPLICATION = "peel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peel.core.context.public_site",
            ],
        },
    },
]
# Every form field is drawn by templates/forms/field.html: errors that say what to do, GOV.UK style.
FORM_RENDERER = "peel.core.rendering.PeelFormRenderer"
CSRF_FAILURE_VIEW = "peel.core.views.csrf_failure"


# Every SQLite database Peel opens, however it was named. IMMEDIATE transactions take the write
# lock at BEGIN, so a read-then-write (claiming a work item, chaining an audit event) cannot
# interleave with another writer; the busy timeout makes writers queue instead of failing; WAL
# lets readers go on while one writes.
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def _database(url: str | None) -> dict[str, Any]:
    """DATABASE_URL, or the embedded SQLite default; either way a SQLite database gets Peel's
    SQLite settings (a `sqlite:///` URL used to lose them: 43% of Get Work presses failed with
    "database is locked" under 50 operators)."""
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "peel.sqlite3"}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast when the server is unreachable instead of hanging a request or a test run.
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
        config["CONN_HEALTH_CHECKS"] = True
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**config.get("OPTIONS", {}), **SQLITE_OPTIONS}
        # A file, not :memory:, so that threads in the concurrency tests share one database.
        named = url and config["NAME"] not in ("", ":memory:")
        test_name = Path(config["NAME"]).with_suffix(".test.sqlite3") if named else None
        config["TEST"] = {"NAME": str(test_name or VAR_DIR / "test.sqlite3")}
        config["CONN_MAX_AGE"] = 0  # as the embedded default: a connection per request
    return config


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one shift
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it; files come from the app finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

# Raw submissions are stored content-addressed (sha256) before anything else happens.
EVIDENCE_DIR = Path(os.environ.get("PEEL_EVIDENCE_DIR", VAR_DIR / "evidence"))

PEEL: dict[str, Any] = {
    # A claimed work item returns to the queue when its lease runs out.
    "WORK_LEASE_MINUTES": int(os.environ.get("PEEL_WORK_LEASE_MINUTES", "10")),
    # The review page renews the lease this often while the operator is active (heartbeat.js).
    "HEARTBEAT_SECONDS": int(os.environ.get("PEEL_HEARTBEAT_SECONDS", "60")),
    # The supervisor's queue page refreshes its counts and rows this often (static/peel/queue.js).
    "QUEUE_REFRESH_SECONDS": int(os.environ.get("PEEL_QUEUE_REFRESH_SECONDS", "10")),
    # Deadlines per kind and grade, calendars and bank holidays (workqueue/service_levels.toml).
    "SERVICE_LEVELS": os.environ.get("PEEL_SERVICE_LEVELS", ""),
    # Repeat victim, suspect, location and vehicle: other reports within this many days.
    "REPEAT_LOOKBACK_DAYS": int(os.environ.get("PEEL_REPEAT_LOOKBACK_DAYS", "365")),
    # DASH: this many "yes" answers is high risk (SafeLives: 14), and medium from DASH_MEDIUM_AT.
    "DASH_HIGH_AT": int(os.environ.get("PEEL_DASH_HIGH_AT", "14")),
    "DASH_MEDIUM_AT": int(os.environ.get("PEEL_DASH_MEDIUM_AT", "10")),
    # Reference data for the crime-recording decision (review/reference/): a force's own offence
    # table (CSV) and incident categories and qualifiers (TOML), in the shipped files' format.
    "OFFENCES": os.environ.get("PEEL_OFFENCES", ""),
    "INCIDENT_CODES": os.environ.get("PEEL_INCIDENT_CODES", ""),
    # Crime numbers are PREFIX-NNNNNNN-YY, e.g. CR-0000042-26.
    "CRIME_NUMBER_PREFIX": os.environ.get("PEEL_CRIME_NUMBER_PREFIX", "CR"),
    # The Crime Recording Rules' clock: a crime is recorded within this many hours of the report.
    "CRIME_RECORDING_HOURS": int(os.environ.get("PEEL_CRIME_RECORDING_HOURS", "24")),
    # A force's own SDM schema files, read after the national copy (see sdm/national/README.md).
    "SDM_OVERRIDE_DIR": os.environ.get("PEEL_SDM_OVERRIDE_DIR", ""),
    # The Standard API answers 503 (the hub retries) rather than fill the disk.
    "MIN_FREE_DISK_MB": int(os.environ.get("PEEL_MIN_FREE_DISK_MB", "100")),
    "API_MAX_BYTES": 10 * 1024 * 1024,
    # The supervisor's queue page alerts when a received report has waited this long to be
    # filed (the pipeline worker is down or behind: start more `peel worker` processes).
    "INTAKE_BACKLOG_ALERT_SECONDS": int(os.environ.get("PEEL_INTAKE_BACKLOG_ALERT_SECONDS", "120")),
    # Email intake: larger messages are quarantined unread.
    "EMAIL_MAX_BYTES": int(os.environ.get("PEEL_EMAIL_MAX_BYTES", str(25 * 1024 * 1024))),
    # Robots: the downstream systems they write into (robots/targets.toml format), how long a
    # worker's claim on a task lasts without a heartbeat, and how many robot threads
    # `peel worker` runs unless told (--robots N).
    "ROBOT_TARGETS": os.environ.get("PEEL_ROBOT_TARGETS", ""),
    "ROBOT_LEASE_SECONDS": float(os.environ.get("PEEL_ROBOT_LEASE_SECONDS", "60")),
    "ROBOT_WORKERS": int(os.environ.get("PEEL_ROBOT_WORKERS", "2")),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = PEEL["API_MAX_BYTES"]

# The public pages: the force's name (footer, privacy notice, accessibility statement), and where
# the quick-exit control goes (a neutral site; the visit to Peel is replaced in the history).
PEEL.update(
    {
        "FORCE_NAME": os.environ.get("PEEL_FORCE_NAME", "Peel Constabulary"),
        "QUICK_EXIT_URL": os.environ.get("PEEL_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather"),
        # The privacy notice's contacts (a force publishes its own).
        "DPO_EMAIL": os.environ.get("PEEL_DPO_EMAIL", "data.protection@peel.invalid"),
        "ACCESSIBILITY_EMAIL": os.environ.get(
            "PEEL_ACCESSIBILITY_EMAIL", "accessibility@peel.invalid"
        ),
        "ACCESSIBILITY_TESTED": os.environ.get("PEEL_ACCESSIBILITY_TESTED", "1 December 2026"),
    }
)

# The public form's protection against floods and bots (no third-party service).
PEEL.update(
    {
        "FORM_RATE": os.environ.get("PEEL_FORM_RATE", "10/h"),  # reports per IP address
        "STATUS_RATE": os.environ.get("PEEL_STATUS_RATE", "20/h"),  # status look-ups per IP
        "FORM_MIN_SECONDS": int(os.environ.get("PEEL_FORM_MIN_SECONDS", "5")),  # faster is a bot
    }
)
# Counters for the rate limits. One process (waitress) can use its memory; several processes
# need a shared cache, e.g. PEEL_CACHE_URL=redis://127.0.0.1:6379/0.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["PEEL_CACHE_URL"],
        }
        if os.environ.get("PEEL_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Outgoing email (receipts). PEEL_SMTP_URL=smtp://host:port sends by SMTP; without it, emails are
# written as files under var/sent-mail/ (the demo), never silently dropped.
_smtp = os.environ.get("PEEL_SMTP_URL", "")
if _smtp:
    from urllib.parse import urlparse as _urlparse

    _parts = _urlparse(_smtp)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = _parts.hostname or "localhost", _parts.port or 25
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _parts.username or "", _parts.password or ""
    EMAIL_USE_TLS = _parts.scheme == "smtp+starttls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "sent-mail"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("PEEL_FROM_EMAIL", "Peel <no-reply@peel.invalid>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PEEL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}

# --- The public side: receipt once, shared rate limits (issue 15) ---
# Status look-ups per reference, whatever the address (an attacker rotating addresses against
# one reference); PEEL_STATUS_RATE above limits each address whatever the reference.
PEEL["STATUS_REFERENCE_RATE"] = os.environ.get("PEEL_STATUS_REFERENCE_RATE", "10/h")
# Rate-limit counters must be shared by every process serving Peel: with PEEL_CACHE_URL (Redis)
# they are; without it each process counts alone (fine for one `peel serve`, the demo).
# A prefix keeps several deployments (or test runs) apart in one Redis.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PEEL_CACHE_KEY_PREFIX", "peel")
# A reverse proxy in front of `peel serve`: its address (or "*"), and how many proxies add to
# X-Forwarded-For. Only then is that header believed, for the per-address limits; default none.
PEEL["TRUSTED_PROXY"] = os.environ.get("PEEL_TRUSTED_PROXY", "")
PEEL["TRUSTED_PROXY_COUNT"] = int(os.environ.get("PEEL_TRUSTED_PROXY_COUNT", "1"))
# The address the limits count (waitress writes an IPv6 one from the proxy in brackets).
RATELIMIT_IP_META_KEY = "peel.core.ratelimit.client_address"
