from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.accounts.models import Team
from peel.audit.actors import command
from peel.reports.models import Report
from peel.workqueue.actions import do_enqueue, do_sweep_queue
from peel.workqueue.kinds import KINDS
from peel.workqueue.queries import queue_counts
from peel.workqueue.service_levels import ServiceLevelError


class Command(BaseCommand):
    help = (
        "The work queue. `peel work add KIND --grade G --summary TEXT [--report REF] [--team SLUG]` "
        "queues a task (kinds: " + ", ".join(KINDS) + "). `peel work counts` prints what is "
        "waiting, held, parked, breached and due to breach in the next hour. `peel work sweep` "
        "runs the queue's housekeeping once (the worker does this every 15 seconds)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["add", "counts", "sweep"])
        parser.add_argument("kind", nargs="?", choices=list(KINDS))
        parser.add_argument("--grade", default="P3")
        parser.add_argument("--summary", default="")
        parser.add_argument("--report", help="a report reference")
        parser.add_argument("--team", help="a team slug (default: the kind's team)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        if options["subcommand"] == "counts":
            for name, count in queue_counts(timezone.now()).items():
                self.stdout.write(f"{name:20} {count}")
            return
        if options["subcommand"] == "sweep":
            for name, count in do_sweep_queue().items():
                self.stdout.write(f"{name:20} {count}")
            return
        if not options["kind"]:
            raise CommandError("Which kind of work? `peel work add KIND ...`")
        report = None
        if options["report"]:
            report = Report.objects.filter(reference=options["report"]).first()
            if report is None:
                raise CommandError(f"No report {options['report']}.")
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                slugs = ", ".join(Team.objects.values_list("slug", flat=True))
                raise CommandError(f"No team {options['team']}; teams: {slugs}.")
        try:
            item = do_enqueue(
                command("work add"), options["kind"], options["grade"], report=report,
                summary=options["summary"], team=team,
            )  # fmt: skip
        except (ValueError, ServiceLevelError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Queued {item} for {item.team}, next deadline {item.due_at:%Y-%m-%d %H:%M}."
        )
