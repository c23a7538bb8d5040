from django.db import models


class Outcome(models.TextChoices):
    CRIME = "crime", "Crime"
    NOT_A_CRIME = "not_a_crime", "Not a crime"
    # A crime is alleged or suspected but not recorded yet (DOMAIN.md 3.4); reasons required.
    CRIME_RELATED_INCIDENT = "crime_related_incident", "Crime-related incident"
