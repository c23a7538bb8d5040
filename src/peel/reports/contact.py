"""What the reporter said about contacting them safely, as rules and as words for people.

A reporter in a domestic-abuse case may share a phone or mailbox with the abuser: a message
that says "there is an update on your crime report" can put them in danger. The rules here are
the only ones Peel applies (notifications enforce them; screens and legacy records show them).
"""

from __future__ import annotations

from django.db import models

from peel.reports.choices import Role
from peel.reports.models import ContactPreference, Report


def preference_of(report: Report) -> ContactPreference | None:
    try:
        return report.contact_preference
    except ContactPreference.DoesNotExist:  # a report filed before preferences were kept
        return None


def email_withheld_reason(report: Report) -> str:
    """Why an email to this reporter must not be sent, or "" when it may be.

    Only an explicit "no" withholds: a national document that states no preference keeps the
    behaviour the hub's own service has (it emails the address the reporter gave), and the
    operator sees "not stated" at the top of the report.
    """
    preference = preference_of(report)
    if preference is not None and preference.email_ok is False:
        return "The reporter said it is not safe to email them."
    return ""


def reporter_emails(report: Report) -> set[str]:
    """The addresses the person (or people) reporting gave, normalised for comparison."""
    return {
        email.strip().lower()
        for email in report.involvements.filter(role=Role.PERSON_REPORTING).values_list(
            "person__email", flat=True
        )
    }


def withhold_from_reporter(to: str, about: models.Model) -> str:
    """The outbox's rule (registered in apps.py): an email about a report, addressed to its
    reporter, whatever its purpose, is withheld when they said emailing them is not safe."""
    if not isinstance(about, Report) or to.strip().lower() not in reporter_emails(about):
        return ""
    return email_withheld_reason(about)


def contact_summary(report: Report) -> str:
    """One line for operators and legacy records, e.g. "Do not email. Someone else may read or
    hear messages. Safe to phone: 9am-5pm." Empty when the reporter said nothing about it."""
    return " ".join(contact_sentences(preference_of(report)))


def contact_sentences(preference: ContactPreference | None) -> list[str]:
    if preference is None:
        return []
    sentences = []
    if preference.email_ok is False:
        sentences.append("Do not email.")
    if preference.phone_ok is False:
        sentences.append("Do not phone.")
    if preference.others_may_read:
        sentences.append("Someone else may read or hear messages.")
    if preference.email_ok:
        sentences.append("Safe to email.")
    if preference.phone_ok:
        times = preference.safe_times.strip().rstrip(".")
        sentences.append(f"Safe to phone: {times}." if times else "Safe to phone.")
    elif preference.safe_times.strip():  # kept even when it contradicts "do not phone"
        sentences.append(f"Safe times to call: {preference.safe_times.strip().rstrip('.')}.")
    if preference.post_ok:
        sentences.append("Safe to write by post.")
    elif preference.post_ok is False and preference.email_ok is not None:
        sentences.append("Do not write by post.")
    return sentences


def is_restricted(preference: ContactPreference | None) -> bool:
    """The reporter limited how we may contact them: shown as a warning, not a note."""
    return preference is not None and (
        preference.email_ok is False
        or preference.phone_ok is False
        or bool(preference.others_may_read)
    )


def not_stated(preference: ContactPreference | None) -> bool:
    return preference is None or (
        preference.email_ok is None and preference.phone_ok is None and preference.post_ok is None
    )


def contact_panel(report: Report) -> dict[str, object]:
    """What the review screen and the report page show at the top."""
    preference = preference_of(report)
    return {
        "summary": contact_summary(report),
        "restricted": is_restricted(preference),
        "not_stated": not_stated(preference),
    }
