from __future__ import annotations

from typing import Any

from django import forms

from peel.audit.events import EVENTS
from peel.oversight.search import Search

LOGS = [("audit", "Changes (audit log)"), ("access", "Reads (access log)")]


class SearchForm(forms.Form):
    log = forms.ChoiceField(choices=LOGS, initial="audit", label="Search")
    person = forms.CharField(
        required=False, max_length=120, label="Person", help_text="A name, or part of one"
    )
    report = forms.CharField(required=False, max_length=24, label="Report reference")
    user = forms.CharField(
        required=False,
        max_length=150,
        label="User",
        help_text="Username, collar number, or a robot's name",
    )
    action = forms.ChoiceField(
        required=False,
        label="Action (changes only)",
        choices=[("", "Any action"), *((name, f"{name}: {text}") for name, text in EVENTS.items())],
    )
    object = forms.RegexField(
        required=False,
        max_length=150,
        regex=r"^[a-z_]+\.[a-z_]+:\S+$",
        label="Object",
        help_text="Type and id, as the log shows them, e.g. workqueue.workitem:12",
    )
    since = forms.DateField(
        required=False, label="From (date)", widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To (date)", widget=forms.DateInput({"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the period is before its start.")
        return data

    def to_search(self) -> Search:
        data = {key: value for key, value in self.cleaned_data.items() if value}
        return Search(**data)
