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
            from peel.accounts.sessions import start_clearing as clear_sessions_periodically
            from peel.audit.verification import start_in_thread as verify_chain_daily
            from peel.intake.worker import start_in_thread

            stop = start_in_thread()  # files what the Standard API receives
            verify_chain_daily(stop)
            clear_sessions_periodically(stop)
        self.stdout.write(f"Peel is serving at http://{options['host']}:{options['port']}/")
        serve(
            application, host=options["host"], port=options["port"], threads=options["threads"],
            **proxy_options(),
        )  # fmt: skip


def proxy_options() -> dict[str, Any]:
    """Behind a reverse proxy (PEEL_TRUSTED_PROXY, or PEEL_BEHIND_PROXY for a TLS proxy on this
    machine), believe X-Forwarded-For (the client's address, so per-address limits and lockouts
    count people, not the proxy) and, with PEEL_BEHIND_PROXY, X-Forwarded-Proto (HTTPS), from
    that proxy's address only; waitress removes them from any other caller's request."""
    if not (settings.BEHIND_PROXY or settings.PEEL.get("TRUSTED_PROXY")):
        return {}
    headers = {"x-forwarded-for"} | ({"x-forwarded-proto"} if settings.BEHIND_PROXY else set())
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": max(1, settings.PEEL_TRUSTED_PROXY_COUNT),
        "trusted_proxy_headers": headers,
    }
