from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peel.intake import worker
from peel.intake.pipeline import file_pending


class Command(BaseCommand):
    help = (
        "The pipeline worker: files submissions the Standard API has received (report, triage, "
        "work item), and every 15 seconds keeps the queue's clocks: returns expired leases and "
        "parked items that are due, records deadline breaches, raises items near a deadline, "
        "and re-scores open reports after a rule-set switch. `peel worker --once` does each "
        "once and exits. `peel serve` runs one in a thread unless started with --no-worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="file what is waiting, then exit")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between checks when idle"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            total = 0
            while filed := file_pending():
                total += filed
            self.stdout.write(f"Filed {total} submissions.")
            worker.housekeeping(budget_seconds=None)
            self.stdout.write("Queue housekeeping done.")
            return
        self.stdout.write("Peel intake worker running (Ctrl+C to stop).")
        stop = threading.Event()
        try:
            worker.run(stop, interval=options["interval"])
        except KeyboardInterrupt:
            stop.set()
