"""Template filters for GOV.UK-style error messages (see peel.core.formerrors)."""

from __future__ import annotations

from django import forms, template

from peel.core import formerrors

register = template.Library()


@register.filter
def error_messages(bound: forms.BoundField) -> list[str]:
    return formerrors.field_messages(bound)


@register.filter
def error_anchor(bound: forms.BoundField) -> str:
    return formerrors.anchor(bound)
