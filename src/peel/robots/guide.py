"""What a person re-keying a failed task types: each field as the target system wants it."""

from __future__ import annotations

from dataclasses import dataclass

from peel.robots.connectors.legacy.screen_map import ScreenMapError, load_screen_map
from peel.robots.models import RobotTask
from peel.robots.targets import TargetError, robot_targets


@dataclass(frozen=True)
class KeyLine:
    where: str  # the screen page, or "" for a flat record
    label: str
    value: str


def keying_guide(task: RobotTask) -> list[KeyLine]:
    try:
        target = robot_targets().get(task.target)
    except TargetError:
        return [KeyLine("", name, value) for name, value in task.fields.items()]
    if target.connector == "legacy_screen":
        try:
            screen_map = load_screen_map(str(target.option("screen_map", "")))
        except ScreenMapError:
            return [KeyLine("", name, value) for name, value in task.fields.items()]
        return [
            KeyLine(page.title, spec.label, spec.value(task.fields))
            for page in screen_map.pages
            for spec in page.fields
        ]
    mapping = target.option("fields", {})
    return [KeyLine("", column, task.fields.get(name, "")) for name, column in mapping.items()]
