"""Who acts: a staff account, or a named actor that is not one.

Every audit event names its actor, and `peel.audit.log.record` accepts only an `Actor`: no
bare strings and no None, so "who did this" is never a guess read back from free text.

A staff account is the project's user model (audit is a base app and knows no domain, so it
is typed here as Django's `AbstractBaseUser`). Everything else is a `Robot`: a robot worker
thread (`robot host:pid:n`), the outbox, the intake pipeline, a management command, the
system's own sweeps, or the public (a reporter, who has no account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth import get_user_model

if TYPE_CHECKING:  # importing a model class needs the app registry; this module must not
    from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class Robot:
    """An actor without a staff account; `name` is what the audit log shows for it."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 120:  # the logs keep up to 120 characters
            raise ValueError(f"A robot actor needs a name of 1 to 120 characters: {self.name!r}")

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = "AbstractBaseUser | Robot"

# The non-person actors Peel has. Name new ones here, so the auditor sees a short, known list.
SYSTEM = Robot("system")  # scheduled sweeps: leases, deadlines, re-scoring
OUTBOX = Robot("outbox")  # the e-mail outbox sender
PUBLIC = Robot("public")  # a reporter, through the public pages
UNKNOWN_VISITOR = Robot("unknown visitor")  # someone not signed in (a failed sign-in)
PIPELINE = Robot("intake worker")  # the worker that files received submissions
EMAIL_INTAKE = Robot("email intake")  # the mailbox reader
ROBOTS = Robot("robots")  # the robot service as a whole (breakers, hand-overs to people)
ROBOT_SUPERVISOR = Robot("robot supervisor")  # the thread that restarts dead robot workers
DEMO = Robot("demo set-up")  # the demo's seed data
SINGLE_SIGN_ON = Robot("single sign-on")  # the identity provider's groups, applied at sign-in
TEST = Robot("test")  # tests and test helpers


def robot_worker(worker: str) -> Robot:
    """A robot worker thread, named `host:pid:n`."""
    return Robot(f"robot {worker}")


def command(name: str) -> Robot:
    """`peel <name>` run by someone at a shell (who is not known to Peel)."""
    return Robot(f"peel {name}")


def check_actor(actor: object) -> Actor:
    """Return the actor, or refuse anything that is not a saved staff account or a Robot."""
    if isinstance(actor, Robot):
        return actor
    if isinstance(actor, get_user_model()) and actor.pk is not None:
        return actor
    raise TypeError(
        f"An audit actor must be a staff user or a peel.audit.actors.Robot, not {actor!r}."
    )
