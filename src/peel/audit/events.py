"""The closed list of audit event names, each with one line for the auditor.

`peel.audit.log.record` refuses a name that is not here, and a test checks that every name used
in the source is listed and every listed name is used, so this list is always the whole truth.
The auditor's pages and the dashboards read the descriptions.

To add an event: add one entry below (keep the app's block in alphabetical order) and call
`record` with the name as a string literal, never one built at run time.
"""

from __future__ import annotations

EVENTS: dict[str, str] = {
    # accounts: staff accounts, their roles, teams and sign-ins
    "account.created": "A staff account was created with its roles and teams.",
    "account.password_set": "A staff account's password was set (the password is never kept).",
    "account.role_permissions_synced": "A role's permissions were set to match roles.py (after "
    "migrate); before and after.",
    "account.team_created": "A team named in roles.py was created (after migrate).",
    "admin.changed": "A record was changed in the Django admin (fields before and after).",
    "admin.created": "A record was created in the Django admin.",
    "admin.deleted": "A record was deleted in the Django admin.",
    "admin.members_changed": "Members, groups or permissions were added to or removed from a "
    "user, group or team (in the admin or elsewhere).",
    "auth.locked_out": "Sign-in was locked for an account or an address after too many failures "
    "(the username tried, the address, which was locked, the counts).",
    "auth.lockout_lifted": "A supervisor of security lifted a sign-in lockout of an account or an "
    "address before its cool-off ended.",
    "auth.logged_in": "A member of staff signed in.",
    "auth.logged_out": "A member of staff signed out.",
    "auth.login_failed": "A sign-in failed (the username tried and the client address).",
    "auth.password_changed": "A staff account's password was changed (never the password).",
    "auth.recovery_code_used": "A recovery code was used as the second factor (how many are left).",
    "auth.recovery_codes_renewed": "A member of staff made a new set of recovery codes; the old "
    "ones stopped working.",
    "auth.second_factor_enrolled": "A second factor was enrolled: an authenticator app (with new "
    "recovery codes) or a security key. Never the key itself.",
    "auth.second_factor_failed": "A second-factor code or security key was refused (the factor, "
    "the client address, whether the device was throttled).",
    "auth.second_factor_reset": "An admin removed every second factor of an account, with the "
    "reason; the account enrols again at its next sign-in.",
    "auth.reauthenticated": "A member of staff gave their second factor again before a "
    "sensitive action (which kind of device, the client address).",
    "auth.reauthentication_failed": "A wrong (or throttled) second-factor code was given to "
    "confirm it's them before a sensitive action.",
    "auth.session_expired": "A staff session was ended for being idle too long or past its "
    "longest time (which limit, when it began, its last activity).",
    "auth.sso_refused": "A single sign-on was refused (no mapped group, no linked account, a "
    "token that failed its checks, a wrong state); the reason and the client address.",
    "auth.sso_roles_changed": "Single sign-on set an account's roles and teams from the identity "
    "provider's groups; before and after.",
    "auth.sso_signed_in": "A member of staff signed in (or re-authenticated) through the identity "
    "provider; the groups it sent and how the person authenticated there (amr).",
    # crime: the crime record
    "crime.cancelled": "A recorded crime was cancelled by a later non-crime decision.",
    "crime.recorded": "A crime was recorded from a review decision.",
    "crime.reclassified": "A recorded crime's classification was changed by a later decision.",
    # intake: submissions arriving and being filed
    "intake.api_client_added": "A Standard API client was registered.",
    "intake.api_client_revoked": "A Standard API client's access was revoked.",
    "intake.filed": "A received submission was filed as a report.",
    "intake.filing_failed": "Filing a received submission failed; its error is kept and its input "
    "held to be filed again.",
    "intake.quarantine_repeated": "Input already in quarantine arrived again or failed again "
    "(attempts, latest reason).",
    "intake.quarantined": "A submission failed its checks and was set aside in quarantine.",
    "intake.received": "A checked submission was received and kept as evidence.",
    "intake.released": "A quarantined submission was released to be filed.",
    # notifications: messages to reporters
    "notifications.email_failed": "Sending an email from the outbox failed (attempt count and "
    "error; given up after the last).",
    "notifications.email_queued": "An email to a reporter was written to the outbox.",
    "notifications.email_sent": "An email in the outbox was sent.",
    "notifications.withheld": "A message to a reporter was withheld (not safe to contact).",
    # report: the canonical report
    "report.created": "A report was created from a draft, with its people, place and vehicles.",
    "report.restricted": "A report was made visible to one team only, or the restriction lifted.",
    "report.status_changed": "A report's status changed.",
    # review: decisions and their quality checks
    "review.decided": "An operator recorded a decision on a report.",
    "review.decision_superseded": "A decision was replaced by a later decision on the same report.",
    "review.info_answered": "The reporter answered a request for more information.",
    "review.info_requested": "An operator asked the reporter for more information.",
    "review.merged": "A duplicate report was joined to the report kept.",
    "review.quality_agreed": "A supervisor agreed with a sampled decision.",
    "review.sampled": "A decision was drawn for a supervisor's quality check.",
    "review.sent_back": "A supervisor sent a decision back to the operator who made it.",
    "review.unmerged": "A merge of two reports was undone.",
    # robot: writing decisions into downstream systems
    "robot.breaker_closed": "A failing target system answered again, so robots write to it again.",
    "robot.breaker_opened": "A target system kept failing, so robots stopped writing to it.",
    "robot.breaker_probing": "After its pause, robots tried one task to see whether a failing "
    "system is back.",
    "robot.cancelled": "A robot task was cancelled (the decision no longer needs it).",
    "robot.enqueued": "A robot task was created to write a decision to a downstream system.",
    "robot.handed_to_person": "A failed robot task was handed to a person to key by hand.",
    "robot.keyed_by_hand": "A person keyed what a robot could not write.",
    "robot.reclaimed": "A robot task whose worker went quiet was taken back for another.",
    "robot.retried": "A supervisor gave a failed robot task back to the robots.",
    "robot.started": "A robot worker took a task.",
    "robot.try_failed": "A robot's try at a task failed (retried later or given to a person).",
    "robot.worker_died": "A robot worker thread stopped on an error.",
    "robot.worker_restarted": "A supervisor restarted a robot worker thread.",
    "robot.written": "A robot wrote a decision downstream and verified every field.",
    # triage: risk assessment and its rules
    "triage.assessed": "A new report was assessed and graded.",
    "triage.dash_recorded": "A DASH risk checklist was recorded and the report re-scored.",
    "triage.rescored": "A report was re-assessed and its grade changed.",
    "triage.ruleset_activated": "A triage rule-set version was switched on.",
    "triage.ruleset_installed": "The shipped triage rule set was installed.",
    "triage.ruleset_proposed": "A draft triage rule-set version was saved.",
    # work: the work queue
    "work.allocated": "A work item was handed to a member of staff.",
    "work.cancelled": "An open work item was closed as no longer needed.",
    "work.completed": "A work item was finished.",
    "work.deadline_breached": "A work item's deadline passed unmet.",
    "work.enqueued": "A work item was put on the queue with its deadlines.",
    "work.escalated": "A supervisor raised a work item's grade.",
    "work.follow_up_due": "A parked work item's follow-up time came and it went back on the queue.",
    "work.handed_back": "A member of staff gave their work item back to the queue.",
    "work.lease_expired": "A work item's holder went quiet and it went back on the queue.",
    "work.near_breach": "A work item near its deadline was moved up the queue.",
    "work.parked": "A work item was set aside awaiting information.",
    "work.reassigned": "A supervisor gave a work item to a named person.",
    "work.referral_already_open": "A safeguarding referral was asked for while one was open.",
    "work.regraded": "A work item took a new grade after its report was re-scored.",
    "work.reservation_released": "A work item kept for someone went to anyone in its team, "
    "because they left the team.",
    "work.returned": "A supervisor put a held or parked work item back on the queue.",
    "work.routed": "A supervisor sent a work item to another team's queue.",
    "work.task_note": "A note was added to a work item.",
}


def describe(name: str) -> str:
    """The auditor's line for an event name (the name itself if it is no longer listed)."""
    return EVENTS.get(name, name)


def check_event(name: str) -> str:
    """Return the name, or refuse one that is not in the closed list."""
    if name not in EVENTS:
        raise ValueError(
            f"Unknown audit event {name!r}: add it, with a line for the auditor, "
            "to EVENTS in peel/audit/events.py."
        )
    return name
