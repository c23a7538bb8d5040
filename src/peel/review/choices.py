from django.db import models


class Outcome(models.TextChoices):
    CRIME = "crime", "Crime"
    NOT_A_CRIME = "not_a_crime", "Not a crime"
    # A crime is alleged or suspected but not recorded yet (DOMAIN.md 3.4); reasons required.
    CRIME_RELATED_INCIDENT = "crime_related_incident", "Crime-related incident"


class CrimeFlag(models.TextChoices):
    # Home Office crime flags the review sets (DOMAIN.md 3.3).
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    HATE = "hate", "Hate crime"
    ONLINE = "online", "Online or cyber-enabled"


class NextAction(models.TextChoices):
    """What follows a decision; each creates the next piece of work or closes the matter."""

    DEPLOY = "deploy", "Deploy an officer"
    INVESTIGATE = "investigate", "Send the crime to the investigation unit"
    REFER = "refer", "Refer to the safeguarding hub"
    REQUEST_INFO = "request_info", "Ask the reporter for more information"
    RESOLVE = "resolve", "Resolve without deployment"
    NO_FURTHER_ACTION = "nfa", "No further action"


class CrimeStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    # A later decision found no crime; the number is never reused.
    CANCELLED = "cancelled", "Cancelled by a later decision"


class Verdict(models.TextChoices):
    PENDING = "pending", "Waiting for a supervisor"
    AGREED = "agreed", "Agreed"
    SENT_BACK = "sent_back", "Sent back to the operator"
