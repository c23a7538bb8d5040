from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """The evidence store: raw bytes as received (or captured by a robot), content-addressed.
    Written by intake and robots, read by review and robots; it knows none of them."""

    name = "peel.evidence"
    label = "evidence"
    verbose_name = "Evidence store"
