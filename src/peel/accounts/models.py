from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff or a service account. Roles are Django groups (see roles.py)."""

    collar_number = models.CharField(max_length=10, blank=True)
    team = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username
