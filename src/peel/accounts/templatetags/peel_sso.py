"""The log-in page's "Sign in with <provider>" button, shown only when single sign-on is set up."""

from __future__ import annotations

from typing import Any

from django import template

from peel.accounts.sso import enabled, provider_name

register = template.Library()


@register.inclusion_tag("accounts/_sso_button.html")
def sso_sign_in_button(next_url: str = "") -> dict[str, Any]:
    return {"sso_enabled": enabled(), "sso_name": provider_name(), "next": next_url}
