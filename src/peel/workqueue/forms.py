from __future__ import annotations

from django import forms


class HandBackForm(forms.Form):
    reason = forms.CharField(label="Why are you handing it back?", max_length=500)


class ParkForm(forms.Form):
    reason = forms.CharField(label="What is it waiting for?", max_length=500)
    follow_up_at = forms.DateTimeField(
        label="Bring it back to the queue at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
