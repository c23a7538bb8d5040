"""Forms of the public pages other than the report itself (that one is built by wizard.py)."""

from __future__ import annotations

from django import forms


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
