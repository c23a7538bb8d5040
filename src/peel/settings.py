"""Django settings, read from the environment so that one build runs anywhere.

DATABASE_URL     default: SQLite in WAL mode under var/ (no server needed)
PEEL_VAR_DIR     where the SQLite database, evidence store and secret key live (default ./var)
PEEL_SECRET_KEY  default: a random key generated once into var/secret_key (never in the repo);
                 required when PEEL_ENVIRONMENT=production (see the transport block at the end)
PEEL_DEBUG       "1" turns on Django's debug pages (never in production)
PEEL_ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any, cast

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PEEL_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
if VAR_DIR.stat().st_uid == os.getuid():  # the database, evidence, mail, key: ours alone (15)
    VAR_DIR.chmod(0o700)


def _secret_key() -> str:
    if key := os.environ.get("PEEL_SECRET_KEY"):
        return key
    if os.environ.get("PEEL_ENVIRONMENT", "").strip().lower() == "production":
        # Never generated in production: a key made on one server breaks every session and
        # signed link on the next, and a key on disk beside the database leaks with it.
        raise ImproperlyConfigured(
            "PEEL_SECRET_KEY is not set. In production (PEEL_ENVIRONMENT=production) the secret "
            "key must come from the environment: set PEEL_SECRET_KEY to at least 50 random "
            "characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():  # created 0600, never readable by others even for a moment
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(50))
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
    # Failed sign-ins counted per account and per address in the database, and lockouts
    # (issue 15): after django.contrib.auth, whose sign-in signals it listens to.
    "axes",
    "django.forms",  # its widget templates, for Peel's form renderer below
    "csp",  # django-csp: its checks of the policy setting (the middleware is below)
    # The second factor (issue 15): device models for authenticator apps, recovery codes and
    # security keys. Before peel.accounts so its signals see their admin registrations.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
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
    # Before WhiteNoise, so static files carry them too (an SVG or a file opened directly is a
    # document as well); the policies are in the transport block at the end (issue 15).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files (answered above) stay cacheable; every page Peel builds
    # is `Cache-Control: no-store`: staff pages and the public form hold personal data.
    "peel.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after sign-in is known: django-otp says which second factor verified this session,
    # then Peel refuses every staff and admin page to a session without one (second_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "peel.accounts.second_factor.SecondFactorMiddleware",
    "peel.accounts.middleware.ActingUserMiddleware",  # who made an admin change (audited)
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (each says why it signed someone out or sent them to confirm it's them),
    # before any view: a staff session past its idle or absolute limit ends here, and a POST in
    # the admin needs a recent re-authentication (accounts/sessions.py, accounts/reauth.py).
    "peel.accounts.sessions.SessionLimitsMiddleware",
    "peel.accounts.reauth.AdminReauthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a sign-in refused for too many failures into the lockout page (issue 15); inside the
    # others, so the page it returns gets every header they add.
    "axes.middleware.AxesMiddleware",
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

LOGGING: dict[str, Any] = {
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

# --- transport and browser (issue 15) ---
# What a force must set in production is listed in docs/browser.md ("What a force sets").


def _flag(name: str, default: bool = False) -> bool:
    """An on/off setting: "1", "true", "yes" or "on" is on; unset or empty is the default."""
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# "production" on a force's servers: an explicit switch, because nothing else can tell a live
# server from a laptop (DEBUG off is also true of CI). Anything but the two names is refused, so
# a typo ("prod") cannot quietly run a live service with development defaults.
PEEL_ENVIRONMENT = os.environ.get("PEEL_ENVIRONMENT", "development").strip().lower()
if PEEL_ENVIRONMENT not in ("development", "production"):
    raise ImproperlyConfigured(
        f"PEEL_ENVIRONMENT={PEEL_ENVIRONMENT!r}: use 'production' on a force's servers, "
        "or 'development' (the default)."
    )
PRODUCTION = PEEL_ENVIRONMENT == "production"
if PRODUCTION and DEBUG:  # debug pages show settings and personal data to anyone
    raise ImproperlyConfigured("PEEL_DEBUG=1 is refused when PEEL_ENVIRONMENT=production.")

# PEEL_HTTPS=1: Peel is reached over HTTPS only (directly, or through a TLS-terminating proxy).
HTTPS = _flag("PEEL_HTTPS")
SESSION_COOKIE_SECURE = HTTPS  # cookies never travel over plain HTTP
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # "__Host-": the browser takes the cookie only if Secure, for path /, with no Domain, so a
    # sibling subdomain cannot plant or overwrite it (session fixation, CSRF token tossing).
    SESSION_COOKIE_NAME = "__Host-peel_session"
    CSRF_COOKIE_NAME = "__Host-peel_csrftoken"
# Flash messages ("Robot task 7 is with J. Smith") are kept in the session, not in a readable
# cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Plain HTTP requests are sent to HTTPS (default on with PEEL_HTTPS).
SECURE_SSL_REDIRECT = _flag("PEEL_SSL_REDIRECT", HTTPS)
# HSTS: browsers refuse plain HTTP for this long (default a year with PEEL_HTTPS, else off).
SECURE_HSTS_SECONDS = int(os.environ.get("PEEL_HSTS_SECONDS", "31536000" if HTTPS else "0"))
# ... for subdomains of Peel's host too (default on with PEEL_HTTPS).
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("PEEL_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# ... and consent to browsers' preload list (default on with PEEL_HTTPS; it takes effect only
# when the domain's owner submits the registrable domain, so "0" only for a domain that must
# keep a plain-HTTP subdomain).
SECURE_HSTS_PRELOAD = _flag("PEEL_HSTS_PRELOAD", HTTPS)
# PEEL_BEHIND_PROXY=1: TLS ends at a proxy that sets X-Forwarded-Proto (and removes any the
# client sent). Only then is that header believed: without such a proxy, any client could send
# "X-Forwarded-Proto: https" over plain HTTP and be taken for a secure request (no redirect to
# HTTPS, secure cookies handed over plain HTTP).
BEHIND_PROXY = _flag("PEEL_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# With PEEL_BEHIND_PROXY, the proxy's address (or "*" for any, e.g. a container network):
# `peel serve` (waitress) takes the scheme and the client's address (X-Forwarded-Proto, -For)
# from it only, and strips those headers from anyone else. Default: a proxy on this machine.
TRUSTED_PROXY = os.environ.get("PEEL_TRUSTED_PROXY", "127.0.0.1")
# Origins (https://peel.force.police.uk) trusted for forms posted through a proxy that rewrites
# the host; comma-separated, default none (same-origin posts need nothing).
CSRF_TRUSTED_ORIGINS = _list("PEEL_CSRF_TRUSTED_ORIGINS")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # no other window keeps a handle on Peel's

# Content-Security-Policy (django-csp): every script and style from Peel's own static files;
# no inline script, style, style= or on*= anywhere (templates, and HTML built in Python).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: images cannot run anything; QR codes for authenticator apps are often data: URIs.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        # Forms post to Peel only, plus any origins listed in PEEL_CSP_FORM_ACTION (Chromium
        # also checks the redirects after a post: a sign-in form that redirects to an identity
        # provider needs that provider's origin here).
        "form-action": ["'self'", *_list("PEEL_CSP_FORM_ACTION")],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}
# Permissions-Policy (django-permissions-policy): no page may use these powerful features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        # Features Chromium knows (it logs an error for any other name in the header).
        "accelerometer", "autoplay", "browsing-topics",
        "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "idle-detection", "magnetometer", "microphone", "midi", "payment", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
# Security keys (WebAuthn) are the second factor's business, on Peel's own pages only.
PERMISSIONS_POLICY.update(
    {"publickey-credentials-create": ["self"], "publickey-credentials-get": ["self"]}
)

# PEEL_LOG_FILE: also write the log to this file (reopened when logrotate moves it); default
# none, the console only. Like everything Peel writes, it is created rw------- (peel.cli's umask).
if _log_file := os.environ.get("PEEL_LOG_FILE", ""):
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": _log_file,
        "formatter": "timed",
    }
    LOGGING["formatters"] = {"timed": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}
    LOGGING["root"]["handlers"].append("file")
# --- Second factor (issue 15) ---
# Who names the authenticator-app entry ("Peel Constabulary: olivia"); default the force's name.
OTP_TOTP_ISSUER = os.environ.get("PEEL_OTP_ISSUER", PEEL["FORCE_NAME"])
# Wrong codes in a row make a device wait FACTOR * 2^(n-1) seconds before it checks another.
OTP_TOTP_THROTTLE_FACTOR = int(os.environ.get("PEEL_OTP_THROTTLE_FACTOR", "1"))
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR  # recovery codes: the same
# Codes one account may send to the second-factor step (each refused one is audited); then 429.
PEEL["SECOND_FACTOR_RATE"] = os.environ.get("PEEL_SECOND_FACTOR_RATE", "20/m")
# The Django admin never shows a device's secret key or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Security keys: the site's domain (WebAuthn relying party) and the https origins that may use
# them; production sets both (e.g. peel.force.police.uk, https://peel.force.police.uk). The
# defaults serve the demo and tests on http://localhost (any port; 127.0.0.1 cannot use keys).
OTP_WEBAUTHN_RP_ID = os.environ.get("PEEL_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("PEEL_WEBAUTHN_RP_NAME", "Peel")
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("PEEL_WEBAUTHN_ORIGINS", "http://localhost:8000").split(",")
    if origin.strip()
]
OTP_WEBAUTHN_HELPER_CLASS = "peel.accounts.second_factor.PeelWebAuthnHelper"
# A security key is a second factor only: never a way to sign in without the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# --- sessions and re-authentication (issue 15) ---
# A staff session ends after this many minutes without activity (a page, a form, or keys,
# clicks or scrolls reported by the review and queue pages' scripts; their timed refreshes alone
# do not count), and this many hours after signing in whatever the activity.
PEEL["SESSION_IDLE_MINUTES"] = int(os.environ.get("PEEL_SESSION_IDLE_MINUTES", "30"))
PEEL["SESSION_MAX_HOURS"] = float(os.environ.get("PEEL_SESSION_MAX_HOURS", "10"))
# How often `peel worker` deletes expired session rows (Django's clearsessions).
PEEL["SESSION_CLEAR_MINUTES"] = float(os.environ.get("PEEL_SESSION_CLEAR_MINUTES", "15"))
# Sensitive actions (switching on a rule set, bulk reassigning, exporting, changing users in the
# admin) need the second factor again unless it was given within this many minutes.
PEEL["REAUTH_MINUTES"] = float(os.environ.get("PEEL_REAUTH_MINUTES", "5"))
# --- Password guessing and passwords (issue 15) ---
# Argon2id first: new passwords are hashed with it, and an older PBKDF2 hash is re-hashed with
# Argon2 the next time its owner signs in (Django does this for any hasher after the first).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # The shortest password a member of staff may choose (NCSC: length beats complexity).
        "OPTIONS": {"min_length": int(os.environ.get("PEEL_PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The lockout check runs before any other backend (django-axes); sign-in itself is Django's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# "0" switches lockouts off (only for measuring what an attacker gets without them).
AXES_ENABLED = os.environ.get("PEEL_LOCKOUT_ENABLED", "1") == "1"
# Failures on one account (from any addresses) within the cool-off that lock it.
AXES_FAILURE_LIMIT = int(os.environ.get("PEEL_LOCKOUT_FAILURES", "5"))
# Failures from one address (on any accounts) that lock the address: higher than an account's,
# as a contact centre's staff share one address behind its proxy (see accounts/lockout.py).
PEEL_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("PEEL_LOCKOUT_ADDRESS_FAILURES", "20"))
# Minutes a lockout lasts (a supervisor of security can lift it sooner).
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("PEEL_LOCKOUT_MINUTES", "30")))
# A try while locked is refused unchecked and audited, but not counted: counted, a sprayer
# locked out by address would go on to lock every account it names.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # counted per account and per address
AXES_HANDLER = "peel.accounts.lockout.PeelLockoutHandler"  # axes' database handler, extended
AXES_LOCKOUT_CALLABLE = "peel.accounts.lockout.lockout_response"  # Peel's page: what to do
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # lockouts are seen and lifted on /staff/security/lockouts/ (audited)
AXES_VERBOSE = False  # each failure is already in the audit log
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log; no second store of addresses
# A success does not wipe the counts: with the address counted, signing in to one's own account
# would otherwise reset a sprayer's count for the address.
AXES_RESET_ON_SUCCESS = False
# How many reverse proxies stand in front of Peel (0: none; the client's address is the
# connection's). With N, it is the Nth address from the right of X-Forwarded-For (each proxy
# appends the address it was reached from), never one a client wrote into the header itself.
PEEL_TRUSTED_PROXY_COUNT = int(os.environ.get("PEEL_TRUSTED_PROXY_COUNT", "0"))
if PEEL_TRUSTED_PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # django-ipware: the client is the entry this many places before the last one...
    AXES_IPWARE_PROXY_COUNT = PEEL_TRUSTED_PROXY_COUNT - 1
    # ...however many a client prepended (strict would fall back to the proxy's own address,
    # putting every client who sends the header on one address, easily locked for all).
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Axes logs every failure as a warning; each is already an audit event (auth.login_failed).
cast(dict[str, Any], LOGGING["loggers"])["axes"] = {"level": "ERROR"}
# --- single sign-on with OpenID Connect (issue 15) ---
# Off unless PEEL_OIDC_CLIENT_ID is set; docs/sso.md says what a force sets (Entra ID and others).
# `peel check` validates these (peel.accounts.checks); nothing is fetched from the provider until
# someone presses "Sign in with ...". mozilla-django-oidc reads the OIDC_* names.
PEEL_OIDC_NAME = os.environ.get("PEEL_OIDC_NAME", "your organisation")  # the button's words
# The provider's issuer (Entra: https://login.microsoftonline.com/<tenant id>/v2.0): every ID
# token's `iss` must equal it; its discovery document gives any endpoint not set below.
PEEL_OIDC_ISSUER = os.environ.get("PEEL_OIDC_ISSUER", "")  # exactly as the provider writes it
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("PEEL_OIDC_AUTHORIZATION_ENDPOINT", "")  # or found
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PEEL_OIDC_TOKEN_ENDPOINT", "")  # or discovered
OIDC_OP_USER_ENDPOINT = os.environ.get("PEEL_OIDC_USERINFO_ENDPOINT", "")  # optional: "none" skips
OIDC_OP_JWKS_ENDPOINT = os.environ.get("PEEL_OIDC_JWKS_ENDPOINT", "")  # or discovered
OIDC_RP_CLIENT_ID = os.environ.get("PEEL_OIDC_CLIENT_ID", "")  # the app registration's id
OIDC_RP_CLIENT_SECRET = os.environ.get("PEEL_OIDC_CLIENT_SECRET", "")  # only ever from the env
OIDC_RP_SCOPES = os.environ.get("PEEL_OIDC_SCOPES", "openid profile email")  # asked for
OIDC_RP_SIGN_ALGO = "RS256"  # ID tokens signed with the provider's published keys, nothing else
OIDC_USE_PKCE = True  # S256 code challenge on every sign-in
OIDC_USE_NONCE = True  # each ID token bound to the sign-in that asked for it
OIDC_TIMEOUT = int(os.environ.get("PEEL_OIDC_TIMEOUT", "10"))  # seconds per call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"  # the redirect URI registered at the provider
OIDC_CREATE_USER = False  # Peel decides (PEEL_OIDC_CREATE_USERS), not the library
# Which claim carries the person's groups: "groups" (Entra group object ids) or "roles" (app roles).
PEEL_OIDC_GROUPS_CLAIM = os.environ.get("PEEL_OIDC_GROUPS_CLAIM", "groups")
# Which claim is the person's stable id: "sub", or Entra's "oid" (the same in every app).
PEEL_OIDC_SUBJECT_CLAIM = os.environ.get("PEEL_OIDC_SUBJECT_CLAIM", "sub")
PEEL_OIDC_GROUP_MAP = os.environ.get("PEEL_OIDC_GROUP_MAP", "")  # TOML: provider group -> roles
# The provider's "mfa" in the ID token's `amr` counts as Peel's second factor (COMMON contract).
PEEL_OIDC_TRUST_IDP_MFA = os.environ.get("PEEL_OIDC_TRUST_IDP_MFA", "1") == "1"
# Create an account at a first sign-in by someone in a mapped group (else an admin links them).
PEEL_OIDC_CREATE_USERS = os.environ.get("PEEL_OIDC_CREATE_USERS", "0") == "1"
# Tried after the lockout check and Django's password backend (the guessing block above); does
# nothing until single sign-on is configured.
AUTHENTICATION_BACKENDS.append("peel.accounts.sso.PeelOIDCBackend")
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
