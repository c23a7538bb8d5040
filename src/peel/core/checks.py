"""Peel's own system checks for a production configuration (`peel check`, and before `peel
serve`, `migrate` and every other command): what Django's deploy checks do not know.

They say nothing unless PEEL_ENVIRONMENT=production, except the policy check, which holds
everywhere (a development policy that allowed inline script would hide violations until
production).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:")


def _production() -> bool:
    return getattr(settings, "PRODUCTION", False) is True


@register(Tags.security)
def production_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _production():
        return []
    problems: list[CheckMessage] = []
    if not os.environ.get("PEEL_SECRET_KEY"):
        problems.append(
            Error(
                "The secret key does not come from the environment.",
                hint="Set PEEL_SECRET_KEY (at least 50 random characters) on every server.",
                id="peel.E001",
            )
        )
    if settings.DEBUG:
        problems.append(
            Error("DEBUG is on in production.", hint="Unset PEEL_DEBUG.", id="peel.E002")
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in LOCAL_CACHES:
        problems.append(
            Error(
                f"The cache is local to one process ({backend.rsplit('.', 1)[-1]}): rate limits "
                "and lockouts would be counted per process, so each extra process multiplies "
                "what an attacker gets.",
                hint="Set PEEL_CACHE_URL to the shared Redis, e.g. redis://127.0.0.1:6379/0.",
                id="peel.E003",
            )
        )
    if not getattr(settings, "HTTPS", False):
        problems.append(
            Error(
                "HTTPS is off: cookies, HSTS and the redirect to HTTPS are not in force.",
                hint="Serve Peel over HTTPS (directly or behind a TLS proxy) and set PEEL_HTTPS=1.",
                id="peel.E004",
            )
        )
    if not os.environ.get("PEEL_ALLOWED_HOSTS"):
        problems.append(
            Error(
                "ALLOWED_HOSTS is the development default (127.0.0.1, localhost, testserver).",
                hint="Set PEEL_ALLOWED_HOSTS to the host names Peel is served under.",
                id="peel.E005",
            )
        )
    problems.extend(_open_folders())
    return problems


def _open_folders() -> list[CheckMessage]:
    """Folders holding personal data that other accounts on the server can read or enter (files
    made by Peel are private through its umask; these may predate it or be made by hand)."""
    folders = {settings.VAR_DIR, settings.EVIDENCE_DIR}
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folders.add(Path(database["NAME"]).parent)
    if getattr(settings, "EMAIL_FILE_PATH", None):
        folders.add(Path(settings.EMAIL_FILE_PATH))
    open_ = sorted(
        str(f) for f in map(Path, folders) if f.is_dir() and stat.S_IMODE(f.stat().st_mode) & 0o077
    )
    if not open_:
        return []
    return [
        Warning(
            f"Other accounts on this server can open {', '.join(open_)}.",
            hint="chmod 700 each (and chown it to the service account).",
            id="peel.W009",
        )
    ]


@register(Tags.security)
def content_security_policy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The policy stays strict: no inline or eval'd script or style, no wildcard sources."""
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    problems: list[CheckMessage] = []
    for name in ("default-src", "script-src", "style-src", "object-src", "base-uri"):
        if name not in directives and name != "default-src" and "default-src" in directives:
            continue
        values = directives.get(name)
        if values is None:
            problems.append(Error(f"The Content-Security-Policy has no {name}.", id="peel.E006"))
            continue
        loose = [v for v in values if v in UNSAFE_SOURCES]
        if loose:
            problems.append(
                Error(
                    f"The Content-Security-Policy's {name} allows {', '.join(loose)}.",
                    hint="Move the script or style into a static file instead.",
                    id="peel.E007",
                )
            )
    for name, wanted in (("frame-ancestors", ["'none'"]), ("object-src", ["'none'"])):
        if directives.get(name) != wanted:
            problems.append(
                Warning(f"The Content-Security-Policy's {name} is not 'none'.", id="peel.W008")
            )
    return problems
