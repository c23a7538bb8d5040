from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.audit.verification import verify_now


class Command(BaseCommand):
    help = (
        "Audit log tools. `peel audit verify` checks the hash chain end to end and keeps the "
        "result for the auditor's pages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_now("peel audit verify")
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at event {result.first_bad_id}: {result.problem} "
                f"({result.checked} events verified before it)."
            )
        self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
