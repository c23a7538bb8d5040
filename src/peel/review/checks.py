"""`peel check` reads the offence table and incident codes, so a bad file fails the deployment."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def reference_data(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from peel.review.reference import ReferenceDataError, incident_codes, offences

    errors: list[checks.CheckMessage] = []
    for loader, setting, code in (
        (offences, "PEEL_OFFENCES", "peel.E010"),
        (incident_codes, "PEEL_INCIDENT_CODES", "peel.E011"),
    ):
        loader.cache_clear()
        try:
            loader()
        except (ReferenceDataError, OSError) as exc:
            errors.append(checks.Error(str(exc), hint=f"Fix {setting}.", id=code))
    return errors
