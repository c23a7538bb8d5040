from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.intake.mailbox import (
    ImapSettings,
    ingest_files,
    ingest_imap,
    ingest_maildir,
)
from peel.intake.pipeline import Outcome


class Command(BaseCommand):
    help = (
        "Bring reports in. `peel ingest sdm FILE...` (Standard API JSON documents); `peel ingest eml FILE...`; `peel ingest maildir DIR` (moves "
        "each message to DIR/.Processed); `peel ingest imap URL [--poll SECONDS]` with "
        "URL imap[s]://user@host[:port]/FOLDER (password in PEEL_IMAP_PASSWORD), moving each "
        "message to Processed or Quarantine. Nothing is lost or filed twice if interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["sdm", "eml", "maildir", "imap"])
        parser.add_argument("targets", nargs="+", help="files, a Maildir directory, or an IMAP URL")
        parser.add_argument("--poll", type=int, default=0, help="imap: check again every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        source, targets = options["source"], options["targets"]
        if source in ("sdm", "eml"):
            missing = [t for t in targets if not Path(t).is_file()]
            if missing:
                raise CommandError(f"No such file: {', '.join(missing)}")
            counts = ingest_files((Path(t) for t in targets), source, self._progress)
        elif source == "maildir":
            if not (Path(targets[0]) / "cur").is_dir():
                raise CommandError(f"{targets[0]} is not a Maildir (it has no cur/ folder).")
            counts = ingest_maildir(Path(targets[0]), self._progress)
        else:
            try:
                settings = ImapSettings.from_url(targets[0])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            while True:
                counts = ingest_imap(settings, self._progress)
                if not options["poll"]:
                    break
                time.sleep(options["poll"])
        summary = (
            ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
        )
        self.stdout.write(f"Done: {summary}.")

    def _progress(self, name: str, outcome: Outcome) -> None:
        if outcome.status == "quarantined" and outcome.quarantine is not None:
            reason = outcome.problems[0].detail if outcome.problems else outcome.quarantine.reason
            self.stdout.write(f"{name}: quarantined as Q{outcome.quarantine.pk}: {reason}")
        elif outcome.submission is not None and outcome.submission.report is not None:
            self.stdout.write(f"{name}: {outcome.status} {outcome.submission.report.reference}")
