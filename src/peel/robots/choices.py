from django.db import models


class TaskStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a robot"
    RUNNING = "running", "A robot is working on it"
    DONE = "done", "Written and verified"
    FAILED = "failed", "Failed: handed to a person"
    CANCELLED = "cancelled", "Cancelled"


class AttemptOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Written and verified"
    ALREADY_THERE = "already_there", "Found already written, verified"
    TRANSIENT = "transient", "Failed, will retry"
    PERMANENT = "permanent", "Failed, needs a person"
    LOST = "lost", "Worker stopped; reclaimed"


class BreakerState(models.TextChoices):
    CLOSED = "closed", "Closed: working"
    OPEN = "open", "Open: target failing, items wait"
    HALF_OPEN = "half_open", "Half open: one item is testing the target"
