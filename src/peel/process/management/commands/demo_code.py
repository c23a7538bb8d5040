"""`peel demo_code USERNAME`: the second-factor code a demo account's authenticator app would
show now. It reads only the demo's own keys (var/demo_second_factor.json, written by `peel demo`),
so it knows no real account's key."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.accounts.second_factor import code_for
from peel.process.management.commands.seed_demo import second_factors_file


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (the demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        path = second_factors_file()
        keys = json.loads(path.read_text()) if path.exists() else {}
        key = keys.get(options["username"])
        if not key:
            raise CommandError(
                f"{options['username']!r} is not a demo account with a key in {path} "
                "(run `peel demo` first; real accounts use their own authenticator app)."
            )
        self.stdout.write(code_for(key))
