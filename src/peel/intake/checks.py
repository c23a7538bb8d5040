"""`peel check` reads the public pages' rate limits; `peel check --deploy` wants them shared."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

RATES = {
    "FORM_RATE": "PEEL_FORM_RATE",
    "STATUS_RATE": "PEEL_STATUS_RATE",
    "STATUS_REFERENCE_RATE": "PEEL_STATUS_REFERENCE_RATE",
}


@checks.register()
def rate_limits(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A rate django-ratelimit cannot read would fail every public POST: fail the deployment."""
    from django_ratelimit.core import _split_rate

    errors: list[checks.CheckMessage] = []
    for name, variable in RATES.items():
        try:
            limit, period = _split_rate(settings.PEEL[name])
            assert limit >= 1 and period >= 1
        except (AssertionError, AttributeError, KeyError, ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"{variable}={settings.PEEL[name]!r} is not a rate.",
                    hint='Write it as a count per period, e.g. "20/h" (s, m, h or d).',
                    id="peel.E150",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def shared_rate_limit_counters(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each process counting alone multiplies every limit by the number of processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "The public pages' rate limits are counted per process (no shared cache).",
                hint="Set PEEL_CACHE_URL=redis://HOST:6379/0 (one Redis for every process).",
                id="peel.W150",
            )
        ]
    return []
