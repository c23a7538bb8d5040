"""Roles are Django groups; this file is the single definition of what each role may do.

`actions.do_sync_roles` runs after every migrate and makes the groups match this table
exactly, so a permission removed here is removed from the role in every deployment.
"""

from __future__ import annotations

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "operator": [
        "workqueue.get_work",
        "review.record_decision",
        "workqueue.work_transposition",
        "workqueue.work_link_review",
        "triage.record_dash",
    ],
    "supervisor": [
        "workqueue.get_work",
        "workqueue.supervise_queue",
        "review.record_decision",
        "review.check_quality",
        "robots.view_robots",
        "robots.manage_robots",
        "workqueue.work_transposition",
        "workqueue.work_link_review",
        "triage.record_dash",
        "triage.manage_rules",
        "reports.view_any_report",
        "reports.restrict_report",
        "intake.manage_quarantine",
    ],
    "safeguarding": [
        "workqueue.get_work",
        "workqueue.work_safeguarding",
        "triage.record_dash",
        "reports.view_any_report",
    ],
    # Need to know: despatchers, investigators and records officers read the report of the item
    # they hold (the work queue's grant), not any report. Safeguarding staff research a
    # person's history across reports, so they may read any report not restricted from them.
    # Reviews records that are due under MOPI (keep, or dispose of with a reason).
    "records_officer": [
        "workqueue.get_work",
        "workqueue.work_retention",
    ],
    # Sends officers to reports that need attendance (the deployment items decisions create).
    "despatcher": [
        "workqueue.get_work",
        "workqueue.work_deployment",
    ],
    # The investigation unit's allocator: takes each recorded crime and assigns it.
    "investigator": [
        "workqueue.get_work",
        "workqueue.work_investigation",
    ],
    # Sees figures, never decides; a later issue gives analysts their dashboards.
    "analyst": ["robots.view_robots"],
    "auditor": [
        "audit.view_auditevent",
        "audit.view_accessevent",
        "audit.view_audit_log",  # the auditor's pages (peel.oversight)
    ],
    "admin": [
        "workqueue.supervise_queue",
        "robots.view_robots",
        "robots.manage_robots",
        "triage.manage_rules",
        "intake.manage_quarantine",
        "reports.view_any_report",
        "reports.restrict_report",
        "audit.view_auditevent",
        "audit.view_accessevent",
        "accounts.reset_second_factor",  # a lost phone or key: the user enrols again
        # Supervisor of security: sees sign-in failures and lockouts and lifts them (issue 15).
        "accounts.manage_lockouts",
    ],
}
ROLES = list(ROLE_PERMISSIONS)

# The teams Peel starts with, and the team a new user joins for each role unless told otherwise.
# Forces add their own teams in the admin; these are only kept in existence, never overwritten.
TEAMS = {
    "contact-centre": "Contact centre",
    "safeguarding-hub": "Safeguarding hub",
    "records": "Records management",
    "despatch": "Despatch",
    "investigation": "Investigation unit",
}
ROLE_TEAMS: dict[str, list[str]] = {
    "operator": ["contact-centre"],
    "supervisor": ["contact-centre"],
    "safeguarding": ["safeguarding-hub"],
    "records_officer": ["records"],
    "despatcher": ["despatch"],
    "investigator": ["investigation"],
}
