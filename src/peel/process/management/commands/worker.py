from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from peel.accounts.sessions import clear_and_log as clear_expired_sessions
from peel.accounts.sessions import start_clearing as clear_sessions_periodically
from peel.audit.verification import start_in_thread as verify_chain_daily
from peel.evidence.store import sweep_incomplete
from peel.intake import worker
from peel.intake.pipeline import file_pending


class Command(BaseCommand):
    help = (
        "Peel's background work. The pipeline worker files submissions the Standard API has "
        "received (report, triage, work item), and every 15 seconds keeps the queue's clocks: "
        "returns expired leases and parked items that are due, records deadline breaches, "
        "raises items near a deadline, and re-scores open reports after a rule-set switch; "
        "every PEEL_SESSION_CLEAR_MINUTES it deletes expired staff sessions. "
        "Beside it run --robots N robot workers (default PEEL_ROBOT_WORKERS), which carry "
        "decisions into other systems, restarted by a supervisor if one dies. Run several on "
        "one host or many against one PostgreSQL: they file the riskiest submission first "
        "and never the same one twice (SKIP LOCKED). "
        "`peel worker --once` files and sweeps once and exits. `peel serve` runs the pipeline "
        "worker in a thread unless started with --no-worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="file what is waiting, then exit")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between checks when idle"
        )
        parser.add_argument(
            "--robots",
            type=int,
            default=None,
            help="robot worker threads to run (0: none; default PEEL_ROBOT_WORKERS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sweep_incomplete()  # temporary files a killed writer left in the evidence store
        if options["once"]:
            total = 0
            while filed := file_pending():
                total += filed
            self.stdout.write(f"Filed {total} submissions.")
            worker.housekeeping(budget_seconds=None)
            self.stdout.write("Queue housekeeping done.")
            cleared = clear_expired_sessions()
            self.stdout.write(f"Cleared {'the' if cleared is None else cleared} expired sessions.")
            return
        robots = options["robots"]
        robots = settings.PEEL["ROBOT_WORKERS"] if robots is None else robots
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        pool = []
        if robots:
            from peel.robots.worker import start_pool

            pool = start_pool(robots, stop)
        verify_chain_daily(stop)  # and when an auditor asks; a thread, so filing never waits
        clear_sessions_periodically(stop)  # every PEEL_SESSION_CLEAR_MINUTES, counted in the log
        self.stdout.write(
            f"Peel worker running with {robots} robot(s) (Ctrl+C to stop).", ending="\n"
        )
        self.stdout.flush()
        try:
            worker.run(stop, interval=options["interval"])
        except KeyboardInterrupt:
            stop.set()
        for thread in pool:
            thread.join(timeout=30)
