from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.audit.actors import command
from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.intake.pipeline import retry


class Command(BaseCommand):
    help = (
        "Input Peel could not file. `peel quarantine list [--all]` shows each held item with its "
        "exact reason; `peel quarantine retry ID` runs it through intake again (after a schema "
        "or mapping update)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["list", "retry"])
        parser.add_argument("id", nargs="?", type=int)
        parser.add_argument("--all", action="store_true", help="list: include released items")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            items = QuarantineItem.objects.order_by("received_at")
            if not options["all"]:
                items = items.filter(status=QuarantineStatus.HELD)
            for item in items:
                self.stdout.write(
                    f"Q{item.pk}  {item.received_at:%Y-%m-%d %H:%M}  {item.channel:5}  {item.status:9}"
                    f"  {item.get_reason_display()}  {item.source}"
                )
                for problem in item.problems:
                    self.stdout.write(f"    {problem.get('detail', '')}")
            return
        if options["id"] is None:
            raise CommandError("Which item? `peel quarantine retry ID`")
        found = QuarantineItem.objects.filter(pk=options["id"]).first()
        if found is None:
            raise CommandError(f"No quarantine item Q{options['id']}.")
        item = found
        try:
            outcome = retry(command("quarantine retry"), item)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not outcome.ok:
            details = "; ".join(p.detail for p in outcome.problems)
            raise CommandError(f"Q{item.pk} is still held: {details}")
        assert outcome.submission is not None and outcome.submission.report is not None
        self.stdout.write(f"Q{item.pk} released: report {outcome.submission.report.reference}.")
