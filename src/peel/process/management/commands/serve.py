from __future__ import annotations

from typing import Any

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
        serve(
            application, host=options["host"], port=options["port"], threads=options["threads"],
            **behind_proxy(),
        )  # fmt: skip


def behind_proxy() -> dict[str, Any]:
    """Behind a reverse proxy (PEEL_TRUSTED_PROXY), the client's address is the one the proxy
    puts in X-Forwarded-For, so that the per-address rate limits count people, not the proxy;
    the header is believed only from that proxy's address. Other headers are left as they are
    (Django's own settings decide about X-Forwarded-Proto)."""
    from django.conf import settings

    proxy = settings.PEEL["TRUSTED_PROXY"]
    if not proxy:
        return {}  # the connecting address is the client's; X-Forwarded-For is ignored
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": settings.PEEL["TRUSTED_PROXY_COUNT"],
        "trusted_proxy_headers": {"x-forwarded-for"},
        "clear_untrusted_proxy_headers": False,
    }
