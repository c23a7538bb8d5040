"""The kinds of work on the queue: who may do each, which team it goes to, where it is worked.

Adding a kind: add it to `WorkKind`, give it a row here and a `[[level]]` in service_levels.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

from peel.workqueue.models import WorkKind


@dataclass(frozen=True)
class KindSpec:
    permission: str  # the skill: a role must grant this for Get Work to hand the kind out
    team: str  # slug of the team new items of this kind are routed to
    page: str  # URL name of the page the item is worked on


KINDS: dict[str, KindSpec] = {
    WorkKind.REVIEW_REPORT: KindSpec("review.record_decision", "contact-centre", "review-item"),
    WorkKind.MANUAL_TRANSPOSITION: KindSpec(
        "workqueue.work_transposition", "contact-centre", "manual-transposition"
    ),
    WorkKind.LINK_REVIEW: KindSpec("workqueue.work_link_review", "contact-centre", "work-item"),
    WorkKind.SAFEGUARDING_REFERRAL: KindSpec(
        "workqueue.work_safeguarding", "safeguarding-hub", "work-item"
    ),
    WorkKind.RETENTION_REVIEW: KindSpec("workqueue.work_retention", "records", "work-item"),
    WorkKind.DEPLOYMENT: KindSpec("workqueue.work_deployment", "despatch", "work-item"),
    WorkKind.CRIME_INVESTIGATION: KindSpec(
        "workqueue.work_investigation", "investigation", "work-item"
    ),
}
