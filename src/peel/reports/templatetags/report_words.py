"""Template filters that show a canonical report in words (see reports/display.py)."""

from __future__ import annotations

from typing import Any

from django import template

from peel.reports import display
from peel.reports.models import Report

register = template.Library()


@register.filter
def sdm_words(name: Any) -> str:
    """`weaponUsed` -> "Weapon used": an SDM name as a person reads it."""
    return display.words(str(name or ""))


@register.filter
def sdm_words_list(names: Any) -> str:
    return ", ".join(display.vulnerability_words(list(names or [])))


@register.filter
def occurred(report: Report) -> str:
    """When, in Europe/London, with no time of day the reporter did not give."""
    return display.occurred_derived(report)


@register.filter
def occurred_given(report: Report) -> str:
    """When, in the reporter's own words."""
    return display.occurred_as_given(report)


@register.filter
def other_sections(report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    return display.other_sections(report)
