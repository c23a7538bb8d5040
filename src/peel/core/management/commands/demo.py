from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from peel.core.management.commands.seed_demo import ensure_demo_users, print_logins
from peel.reports.models import Report


class Command(BaseCommand):
    help = "Migrate, create demo users and a few hundred demo reports (first run only), then serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=300)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        if Report.objects.exists():
            print_logins(self.stdout, ensure_demo_users())
        else:
            call_command("seed_demo", reports=options["reports"], stdout=self.stdout)
        if not options["no_serve"]:
            call_command("serve", port=options["port"], stdout=self.stdout)
