from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peel.notifications.actions import send_pending
from peel.notifications.models import EmailStatus, OutboundEmail


class Command(BaseCommand):
    help = (
        "The email outbox. `peel outbox send [--poll N]` sends waiting emails (retrying ones "
        "that failed); `peel outbox list` shows those not yet sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["send", "list"])
        parser.add_argument("--poll", type=int, default=0, help="send: repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for email in OutboundEmail.objects.exclude(status=EmailStatus.SENT).order_by(
                "created_at"
            ):
                self.stdout.write(
                    f"{email.pk}  {email.status:8} {email.attempts} tries  {email.purpose}  {email.last_error}"
                )
            return
        while True:
            counts = send_pending()
            self.stdout.write(
                f"Sent {counts['sent']}, failed {counts['failed']}, "
                f"withheld {counts['withheld']} (not safe to send)."
            )
            if not options["poll"]:
                break
            time.sleep(options["poll"])
