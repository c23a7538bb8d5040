from django.db import models


class HowInvolved(models.TextChoices):
    # Values from the SDM list common/cvmapping/event/howInvolvedInCrime.csv
    VICTIM = "victim", "I'm a victim"
    WITNESS = "witness", "I witnessed a crime taking place"
    ON_BEHALF_OF_VICTIM = "on_behalf_of_victim", "I'm reporting on behalf of a victim"
    ON_BEHALF_OF_BUSINESS = "on_behalf_of_business", "I'm reporting on behalf of a business"


class Role(models.TextChoices):
    # SDM incident -> person link reasons
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    PERSON_REPORTING = "personReporting", "Person reporting"
    KNOWN_SUSPECT = "knownSuspect", "Known suspect"
    UNKNOWN_SUSPECT = "unknownSuspect", "Unknown suspect"


class SuspectKnown(models.TextChoices):
    # SDM suspectKnown answers
    UNKNOWN = "unknown", "No, I don't know anything about them"
    DESCRIBED = "described", "No, but I can describe them"
    KNOWN = "known", "Yes, I know them"


class Channel(models.TextChoices):
    WEB = "web", "Public web form"
    API = "api", "Standard API"
    EMAIL = "email", "Email"


class ReportStatus(models.TextChoices):
    # "Being reviewed" is not stored: it is derived from the report's allocated work item.
    RECEIVED = "received", "Received"
    DECIDED = "decided", "Decision recorded"
    # Another report of the same incident was kept; this one was joined to it (reversible).
    MERGED = "merged", "Merged into another report"


class OccurredPrecision(models.TextChoices):
    # How much of occurred_from/_to the reporter actually gave (see sdm/when.py).
    EXACT = "exact", "Exact date and time"
    TIME = "time", "Date and a time the reporter gave"
    RANGE = "range", "Date and a range of times the reporter gave"
    DATE = "date", "Date only (no time of day)"
