"""Error messages that say what to do (GOV.UK Design System), for every form in Peel.

A form may give its own message (the public form's `error` in its definition, an action's
problem). Where a field still carries one of Django's generic messages ("This field is
required."), `say_what_to_do` writes one from the field's label and kind instead: "Enter your
reference", "Select yes if anyone is in immediate danger", "Enter an email address in the correct
format, like name@example.com".
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"

# Django's own messages (unformatted), which say what is wrong but not what to do.
GENERIC = {
    "This field is required.",
    "Enter a valid email address.",
    "Select a valid choice. %(value)s is not one of the available choices.",
    "Select a valid choice. That choice is not one of the available choices.",
    "Enter a list of values.",
    "Enter a valid date.",
    "Enter a valid time.",
    "Enter a valid date/time.",
    "Enter a whole number.",
    "Enter a number.",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "Ensure this value is less than or equal to %(limit_value)s.",
    "Ensure this value is greater than or equal to %(limit_value)s.",
}
_CHOOSING = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select, forms.CheckboxInput)
_TRAILING = re.compile(r"\s*\((optional|if you know it)\)\s*$|[?.:]\s*$", re.IGNORECASE)
# "Is anyone in immediate danger?" -> "anyone is in immediate danger"
_YES_NO = re.compile(
    r"^(is|was|are|were|has|have) "
    r"(anyone|anything|anybody|someone|something|it|there|you|(?:the|your|a|an) \w+) (.+)$",
    re.IGNORECASE,
)


def _subject(label: str) -> str:
    """The label as the object of a sentence: no '(optional)', no question mark, lower case."""
    text = _TRAILING.sub("", label.strip()).strip()
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


def _required(label: str, field: forms.Field) -> str:
    if isinstance(field.widget, _CHOOSING) or isinstance(field, forms.ChoiceField):
        choices = {str(value) for value, _text in getattr(field, "choices", [])}
        question = _TRAILING.sub("", label.strip())
        match = _YES_NO.match(question)
        if {"yes", "no"} <= choices and match:
            verb, subject, rest = match.groups()
            return f"Select yes if {subject[:1].lower() + subject[1:]} {verb.lower()} {rest}"
        if {"yes", "no"} <= choices:
            return f"Select yes or no: {label.strip()}"
        if label.strip().endswith("?"):
            return f"Select an answer to: {label.strip()}"
        return f"Select {_subject(label)}"
    if isinstance(field, forms.EmailField):
        return f"Enter {_subject(label)}" if "email" in label.lower() else "Enter an email address"
    if label.strip().endswith("?"):
        return f"Answer the question: {label.strip()}"
    return f"Enter {_subject(label)}"


def say_what_to_do(label: str, field: forms.Field, error: ValidationError) -> str:
    """One error as a person should read it: Django's generic wording replaced, others kept."""
    template = str(error.message)
    params: dict[str, Any] = dict(error.params or {})
    # Django's length and range messages are plural-aware and read as "" until formatted.
    generic = template in GENERIC or not template or template.startswith("Ensure this value")
    if not generic:
        return template % params if params else template
    name = _TRAILING.sub("", label.strip()) or "This"
    if error.code == "required":
        return _required(label, field)
    if error.code == "invalid" and isinstance(field, forms.EmailField):
        return EMAIL_FORMAT
    if error.code == "invalid" and isinstance(field, forms.DateField):
        return f"{name} must be a real date, for example 27/03/2026"
    if error.code == "invalid" and isinstance(field, (forms.IntegerField, forms.DecimalField)):
        return f"{name} must be a number, like 12"
    if error.code == "max_length":
        return f"{name} must be {params['limit_value']} characters or fewer"
    if error.code == "min_length":
        return f"{name} must be {params['limit_value']} characters or more"
    if error.code == "max_value":
        return f"{name} must be {params['limit_value']} or less"
    if error.code == "min_value":
        return f"{name} must be {params['limit_value']} or more"
    if error.code in ("invalid_choice", "invalid_list"):
        return f"Select one of the options given for {_subject(label)}"
    return " ".join(error.messages)


def field_messages(bound: forms.BoundField) -> list[str]:
    """Every error on one field, each saying what to do."""
    errors = bound.form.errors.as_data().get(bound.name, [])
    out: list[str] = []
    for error in errors:
        for single in error.error_list if hasattr(error, "error_list") else [error]:
            out.append(say_what_to_do(str(bound.label or bound.name), bound.field, single))
    return out


def anchor(bound: forms.BoundField) -> str:
    """Where the error summary's link goes: the field, or a group's first option."""
    widget = bound.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{bound.auto_id}_0"
    return str(bound.id_for_label or bound.auto_id)
