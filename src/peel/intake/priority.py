"""The order the pipeline worker files received submissions in: risk first, then arrival.

Computed once, when the Standard API receives a submission, from the risk answers in the
document (the same draft the report will be made from), so that after a hub outage an
immediate-danger report is filed before the thousands of thefts that arrived ahead of it.
"""

from __future__ import annotations

from peel.reports.drafts import ReportDraft

# A "yes" to each adds its weight. Danger now outranks every other answer together, as it does
# on a call-taker's desk; a crime still happening comes next.
WEIGHTS: tuple[tuple[str, int], ...] = (
    ("immediate_danger", 256),
    ("still_happening", 64),
    ("weapon_involved", 24),
    ("high_harm", 24),
    ("physically_assaulted", 12),
    ("child_present", 12),
    ("victim_vulnerable", 12),
    ("victim_under_18", 12),
    ("threat_or_assault", 6),
    ("hate_crime", 4),
)


def filing_priority(draft: ReportDraft) -> int:
    """Higher is filed sooner; 0 when no risk answer is "yes"."""
    return sum(weight for name, weight in WEIGHTS if getattr(draft, name, None) is True)
