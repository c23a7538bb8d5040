from __future__ import annotations

from typing import Any

from django import forms

from peel.accounts.models import Team, User
from peel.workqueue.models import WorkKind
from peel.workqueue.service_levels import service_levels


class HandBackForm(forms.Form):
    reason = forms.CharField(label="Why are you handing it back?", max_length=500)


class ParkForm(forms.Form):
    reason = forms.CharField(label="What is it waiting for?", max_length=500)
    follow_up_at = forms.DateTimeField(
        label="Bring it back to the queue at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )


def set_aside_context() -> dict[str, Any]:
    """What `workqueue/_set_aside.html` needs: hand-back and park forms, and the heartbeat."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    return {
        "hand_back_form": HandBackForm(prefix="hand_back"),
        "park_form": ParkForm(
            prefix="park", initial={"follow_up_at": timezone.localtime() + timedelta(days=1)}
        ),
        "heartbeat_seconds": settings.PEEL["HEARTBEAT_SECONDS"],
    }


class TaskDoneForm(forms.Form):
    note = forms.CharField(
        label="What did you do?", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


BREACH_STATES = [
    ("", "Any"),
    ("breached", "Past a deadline"),
    ("next_hour", "Due within the hour"),
    ("on_time", "On time"),
]
STATUS_CHOICES = [
    ("open", "Open (waiting, held or parked)"),
    ("queued", "Waiting"),
    ("allocated", "Being worked"),
    ("parked", "Parked"),
]


class QueueFilterForm(forms.Form):
    """The supervisor's filters: one definition for the page, its live refresh and its tests."""

    kind = forms.ChoiceField(required=False, choices=[("", "Any"), *WorkKind.choices])
    grade = forms.ChoiceField(required=False, choices=())
    team = forms.ModelChoiceField(required=False, queryset=Team.objects.all(), empty_label="Any")
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    breach = forms.ChoiceField(required=False, choices=BREACH_STATES, label="Deadline")
    holder = forms.CharField(
        required=False, max_length=150, label="Held by", help_text="A username"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = service_levels().grades.values()
        grade_field = self.fields["grade"]
        assert isinstance(grade_field, forms.ChoiceField)
        grade_field.choices = [("", "Any"), *((g.code, g.code) for g in grades)]


BULK_ACTIONS = [
    ("return", "Return to the queue"),
    ("escalate", "Escalate to grade"),
    ("reassign", "Reassign to"),
    ("route", "Send to team"),
]


class BulkActionForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Items")
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    grade = forms.ChoiceField(required=False, choices=())
    to_user = forms.ModelChoiceField(
        required=False, queryset=User.objects.none(), label="Person", empty_label="Choose"
    )
    team = forms.ModelChoiceField(
        required=False, queryset=Team.objects.all(), label="Team", empty_label="Choose"
    )
    reason = forms.CharField(max_length=500, label="Reason (kept in the audit log)")

    def __init__(self, *args: Any, item_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items, grade, to_user = self.fields["items"], self.fields["grade"], self.fields["to_user"]
        assert isinstance(items, forms.ChoiceField) and isinstance(grade, forms.ChoiceField)
        assert isinstance(to_user, forms.ModelChoiceField)
        items.choices = [(pk, pk) for pk in item_ids]
        grade.choices = [
            ("", "Choose"),
            *((g.code, f"{g.code}: {g.label}") for g in service_levels().grades.values()),
        ]
        to_user.queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {"escalate": "grade", "reassign": "to_user", "route": "team"}
        field = needs.get(data.get("action", ""))
        if field and not data.get(field):
            self.add_error(field, "Choose one for this action.")
        return data
