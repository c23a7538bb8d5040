from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Team(models.Model):
    """A group of staff that work is routed to (the contact centre, the safeguarding hub, ...).

    Roles say what someone may do; teams say whose work it is. Get Work hands a user only items
    of kinds their roles allow, routed to a team they belong to.
    """

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff or a service account. Roles are Django groups (see roles.py)."""

    collar_number = models.CharField(max_length=10, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    # The identity provider's stable id for this person (single sign-on, docs/sso.md): how a
    # sign-in finds its account, never by a name or an email the person could change.
    sso_subject = models.CharField(
        "single sign-on subject",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The identity provider's id for this person (its sub or oid claim). Set to "
        "link an existing account; empty for an account that signs in only with a password.",
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs lacks it
        permissions = [
            ("reset_second_factor", "Can remove a member of staff's second factor (a lost phone)"),
            ("manage_lockouts", "Can see sign-in failures and lockouts, and lift a lockout"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
