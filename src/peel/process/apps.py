from django.apps import AppConfig


class ProcessConfig(AppConfig):
    """The top layer: what starts Peel and what fills it (serve, worker, demo, bench, seed_demo,
    demo data, shared test helpers). It may import every app; no app imports it."""

    name = "peel.process"
    label = "process"
    verbose_name = "Process wiring"
