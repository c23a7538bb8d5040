"""Rules that stop an email being sent, registered by the apps that know what it is about.

Notifications is a base app and knows no domain: it cannot tell that an email is to the person
who reported a crime, or what they said about contact. The app that can (reports: "the reporter
said it is not safe to email them") registers a rule here in its AppConfig.ready(), and the
outbox asks every rule when an email is queued and again just before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

# (to, about) -> why this email must not go, or "" when this rule does not object.
WithholdingRule = Callable[[str, models.Model], str]
_rules: list[WithholdingRule] = []


def register_withholding_rule(rule: WithholdingRule) -> None:
    if rule not in _rules:  # ready() may run more than once in tests
        _rules.append(rule)


def withheld_reason(to: str, about: models.Model | None) -> str:
    """The first registered rule's reason to withhold this email, or "" if it may go."""
    if about is None:
        return ""
    for rule in _rules:
        reason = rule(to, about)
        if reason:
            return reason
    return ""
