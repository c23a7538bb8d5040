from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.audit.actors import command
from peel.intake.actions import do_add_api_client, do_revoke_api_client
from peel.intake.api import secret_digest
from peel.intake.models import ApiClient

ACTOR = command("apiclient")


class Command(BaseCommand):
    help = (
        "Standard API callers. `peel apiclient add NAME` onboards one and prints its client id "
        "and secret once (only a hash is kept); `list`; `revoke CLIENT_ID`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["add", "list", "revoke"])
        parser.add_argument("arg", nargs="?", help="NAME for add, CLIENT_ID for revoke")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand, arg = options["subcommand"], options["arg"]
        if subcommand == "list":
            for client in ApiClient.objects.order_by("created_at"):
                state = "active" if client.active else "revoked"
                self.stdout.write(f"{client.client_id}  {state:8}  {client.name}")
            return
        if not arg:
            raise CommandError(f"`peel apiclient {subcommand}` needs an argument.")
        if subcommand == "add":
            secret = secrets.token_urlsafe(32)
            client = do_add_api_client(ACTOR, arg, secret_digest(secret))
            self.stdout.write(f"client_id={client.client_id}\nclient_secret={secret}")
            return
        if do_revoke_api_client(ACTOR, arg) is None:
            raise CommandError(f"No active API client with id {arg}.")
        self.stdout.write(f"Revoked {arg}.")
