"""Template filters for GOV.UK-style error messages (see peel.core.formerrors)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.contrib.messages import constants

from peel.core import formerrors

register = template.Library()


@register.filter
def error_messages(bound: forms.BoundField) -> list[str]:
    return formerrors.field_messages(bound)


@register.filter
def error_anchor(bound: forms.BoundField) -> str:
    return formerrors.anchor(bound)


@register.filter
def problems(messages: Iterable[Any]) -> list[Any]:
    """Error messages: shown as an error summary at the top of the page."""
    return [m for m in messages if m.level >= constants.ERROR]


@register.filter
def news(messages: Iterable[Any]) -> list[Any]:
    return [m for m in messages if m.level < constants.ERROR]
