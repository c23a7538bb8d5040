from __future__ import annotations

import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from peel.process.management.commands.seed_demo import ensure_demo_users, print_logins
from peel.reports.models import Report


class Command(BaseCommand):
    help = (
        "Migrate, create demo users and a few hundred demo reports (first run only), start the "
        "sandbox legacy systems (sandbox/chs) and the robot workers, then serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=300)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8100)
        parser.add_argument("--no-sandbox", action="store_true", help="no sandbox, no robots")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        if Report.objects.exists():
            print_logins(self.stdout, ensure_demo_users())
        else:
            if not options["no_sandbox"]:
                self._credentials(options["sandbox_port"])  # seeded decisions get robot tasks
            call_command("seed_demo", reports=options["reports"], stdout=self.stdout)
        if options["no_serve"]:
            return
        sandbox = None
        if not options["no_sandbox"]:
            sandbox = self._credentials(options["sandbox_port"]).start()
            from peel.robots.worker import start_pool

            start_pool(settings.PEEL["ROBOT_WORKERS"], _never_stop())
            self.stdout.write(
                f"Sandbox CHS at {sandbox.url}/chs/ (user peel-robot; its password is in "
                f"{settings.VAR_DIR / 'sandbox' / 'credentials.json'}). "
                f"{settings.PEEL['ROBOT_WORKERS']} robot workers are carrying decisions into it."
            )
        # Stopped by Ctrl+C or SIGTERM: take the sandbox down with us, never leave it running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("serve", port=options["port"], stdout=self.stdout)
        finally:
            if sandbox is not None:
                sandbox.stop()

    def _credentials(self, port: int) -> Any:
        """The demo sandbox, with Peel's robot targets pointed at it unless told otherwise."""
        from peel.robots.sandbox import Sandbox

        sandbox = Sandbox.for_demo(settings.VAR_DIR / "sandbox", port)
        for name, value in sandbox.environment().items():
            os.environ.setdefault(name, value)
        return sandbox


def _never_stop() -> Any:
    import threading

    return threading.Event()  # the robots stop with the process
