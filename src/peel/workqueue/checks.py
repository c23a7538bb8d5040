"""`peel check` reads the service-level file, so a typo fails the deployment, not live work."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def service_level_file(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from peel.workqueue.service_levels import ServiceLevelError, service_levels

    service_levels.cache_clear()
    try:
        service_levels()
    except (ServiceLevelError, OSError) as exc:
        return [checks.Error(str(exc), hint="Fix PEEL_SERVICE_LEVELS.", id="peel.E001")]
    return []
