from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Peel with waitress (a production WSGI server) at http://HOST:PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="run `peel worker` separately")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from peel.evidence.store import sweep_incomplete
        from peel.wsgi import application

        sweep_incomplete()  # temporary files a killed writer left in the evidence store
        if not options["no_worker"]:
            from peel.audit.verification import start_in_thread as verify_chain_daily
            from peel.intake.worker import start_in_thread

            verify_chain_daily(start_in_thread())  # files what the Standard API receives
        self.stdout.write(f"Peel is serving at http://{options['host']}:{options['port']}/")
        # Waitress drops X-Forwarded-For unless told; behind PEEL_TRUSTED_PROXY_COUNT proxies
        # the sign-in lockouts read the client's address from it (accounts/lockout.py).
        behind_proxies = settings.PEEL_TRUSTED_PROXY_COUNT > 0
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            clear_untrusted_proxy_headers=not behind_proxies,
        )
