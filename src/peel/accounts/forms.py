"""The forms of a member of staff's own account pages, re-authentication and the lockouts page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest

from peel.accounts.models import User


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (the current password, the new one twice, the password validators), with
    the current password checked through the sign-in backends: a wrong one counts towards the
    account's lockout and is audited as a failed sign-in, so a left-open session cannot be used
    to guess the password."""

    def __init__(self, user: User, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                "Your current password is not right. Enter the password you signed in with.",
                code="password_incorrect",
            )
        return old_password


class LiftLockoutForm(forms.Form):
    kind = forms.ChoiceField(choices=[("account", "Account"), ("address", "Address")])
    username = forms.CharField(max_length=255, required=False)
    address = forms.GenericIPAddressField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "account" and not data.get("username"):
            raise forms.ValidationError("Say which account to let sign in again.")
        if kind == "address" and not data.get("address"):
            raise forms.ValidationError("Say which address to let sign in again.")
        return data


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
