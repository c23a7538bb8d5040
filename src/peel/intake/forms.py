"""Forms of the public pages other than the report itself (that one is built by wizard.py)."""

from __future__ import annotations

from typing import Any

from django import forms


class AnswerForm(forms.Form):
    """The reporter's answer to our question; reference and email are checked again."""

    reference = forms.CharField(max_length=24, widget=forms.HiddenInput)
    email = forms.EmailField(max_length=120, widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Your answer", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer-%s")  # shown beside the look-up form: ids differ
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    reference = forms.CharField(
        label="Your reference", max_length=24, help_text="For example PEEL-261121-ABC234"
    )
    email = forms.EmailField(label="The email address you gave us", max_length=120)


class DangerForm(forms.Form):
    """On the call-999 page: carrying on makes the report a record, not a call for help."""

    choice = forms.ChoiceField(
        label="What do you want to do?",
        choices=[
            ("called_999", "I have called 999 - continue my report"),
            ("cannot_call", "I cannot call now - continue my report"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you have called 999 or cannot call now"},
    )
