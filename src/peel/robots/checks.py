"""`peel check` reads the robot targets and their screen maps, so a bad file fails the
deployment instead of the first record."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def robot_targets_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from peel.robots.connectors.legacy.screen_map import ScreenMapError, load_screen_map
    from peel.robots.targets import TargetError, robot_targets

    try:
        targets = robot_targets()
    except (TargetError, OSError) as exc:
        return [checks.Error(str(exc), hint="Fix PEEL_ROBOT_TARGETS.", id="peel.E020")]
    errors: list[checks.CheckMessage] = []
    for target in targets.targets.values():
        needed = {
            "api": ["url", "token_env", "lookup_param", "fields"],
            "file": ["folder", "fields"],
            "legacy_screen": ["url", "username", "password_env", "screen_map"],
        }[target.connector]
        missing = [name for name in needed if name not in target.options]
        if missing:
            errors.append(
                checks.Error(f"Robot target {target.name} needs {missing}.", id="peel.E021")
            )
        if target.connector == "legacy_screen" and "screen_map" in target.options:
            try:
                load_screen_map(str(target.options["screen_map"]))
            except ScreenMapError as exc:
                errors.append(checks.Error(str(exc), id="peel.E022"))
    return errors
