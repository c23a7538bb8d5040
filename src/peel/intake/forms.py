"""Forms of the public pages other than the report itself (that one is built by wizard.py)."""

from __future__ import annotations

from django import forms


class StatusForm(forms.Form):
    reference = forms.CharField(
        label="Your reference", max_length=24, help_text="For example PEEL-261121-ABC234"
    )
    email = forms.EmailField(label="The email address you gave us", max_length=120)
