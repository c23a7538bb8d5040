"""The DASH risk identification checklist (Domestic Abuse, Stalking and Harassment and
Honour-based violence): 24 questions answered yes, no or not known.

The question topics follow SafeLives' checklist as summarised in DOMAIN.md section 5; the exact
SafeLives wording was not available, so these are paraphrases a force should replace with its
own licensed wording. Thresholds (14 or more "yes" is high risk; 10 to 13 medium) are
settings, because forces vary; professional judgement can always raise the risk to high.
"""

from __future__ import annotations

from django.conf import settings

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("injury", "Has the current incident resulted in injury?"),
    ("frightened", "Is the victim very frightened?"),
    ("fears_further_harm", "Is the victim afraid of further injury or violence?"),
    ("isolated", "Does the victim feel isolated from family or friends?"),
    ("depressed_or_suicidal", "Is the victim feeling depressed or having suicidal thoughts?"),
    ("separation", "Has the victim separated, or tried to separate, within the past year?"),
    ("child_contact_conflict", "Is there conflict over child contact?"),
    ("stalking", "Does the abuser constantly text, call, follow, stalk or harass the victim?"),
    ("pregnant_or_new_baby", "Is the victim pregnant, or have they recently had a baby?"),
    ("more_often", "Is the abuse happening more often?"),
    ("getting_worse", "Is the abuse getting worse?"),
    ("controlling", "Does the abuser try to control everything, or show excessive jealousy?"),
    ("weapons", "Has the abuser used weapons or objects to hurt the victim?"),
    ("threats_to_kill", "Has the abuser threatened to kill the victim or someone else, and were they believed?"),
    ("strangulation", "Has the abuser attempted to strangle, choke, suffocate or drown the victim?"),
    ("sexual_abuse", "Does the abuser do or say sexual things that make the victim feel bad or hurt them?"),
    ("other_person_threatening", "Is there another person threatening the victim, or that the victim is afraid of?"),
    ("hurt_others", "Has the abuser hurt anyone else (children, siblings, older relatives, previous partners, strangers)?"),
    ("animals", "Has the abuser ever mistreated an animal or the family pet?"),
    ("financial", "Are there financial issues, or is the victim financially dependent on the abuser?"),
    ("abuser_problems", "Has the abuser had problems with drugs, alcohol or mental health in the past year?"),
    ("abuser_suicide", "Has the abuser threatened or attempted suicide?"),
    ("breached_orders", "Has the abuser breached bail, an injunction or a contact agreement?"),
    ("criminal_history", "Does the abuser have a criminal history, for violence or otherwise?"),
)  # fmt: skip
KEYS = tuple(key for key, _ in QUESTIONS)


def risk_level(yes_count: int) -> str:
    if yes_count >= int(settings.PEEL["DASH_HIGH_AT"]):
        return "high"
    if yes_count >= int(settings.PEEL["DASH_MEDIUM_AT"]):
        return "medium"
    return "standard"
