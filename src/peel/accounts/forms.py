from __future__ import annotations

from django import forms


class ReauthenticateForm(forms.Form):
    """A second-factor code, to confirm it's them before a sensitive action."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=32,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
