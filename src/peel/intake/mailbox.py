"""Bring reports in from files (SDM JSON or email), a Maildir or an IMAP mailbox.

Each message is stored and filed (or quarantined) before it is moved out of the way, so a crash
between the two leaves it to be read again, and reading it again changes nothing.
"""

from __future__ import annotations

import mailbox
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from imapclient import IMAPClient

from peel.audit.actors import EMAIL_INTAKE, Robot
from peel.intake.email import accept_email
from peel.intake.pipeline import Outcome, accept_json
from peel.reports.choices import Channel

ACTOR = EMAIL_INTAKE
FILE_INTAKE = Robot("file intake")
Progress = Callable[[str, Outcome], None]


@dataclass
class ImapSettings:
    host: str
    port: int
    ssl: bool
    username: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"

    @classmethod
    def from_url(cls, url: str) -> ImapSettings:
        """imap[s]://user[:password]@host[:port]/FOLDER?processed=NAME&quarantine=NAME

        The password may instead come from PEEL_IMAP_PASSWORD, so it need not be in a command line.
        """
        parts = urlparse(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ValueError("Use imap://user@host[:port]/FOLDER or imaps://...")
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            ssl=parts.scheme == "imaps",
            username=unquote(parts.username),
            password=unquote(parts.password or os.environ.get("PEEL_IMAP_PASSWORD", "")),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            processed_folder=query.get("processed", ["Processed"])[0],
            quarantine_folder=query.get("quarantine", ["Quarantine"])[0],
        )


def ingest_files(
    paths: Iterable[Path], kind: str, progress: Progress | None = None
) -> Counter[str]:
    """Files one by one: `kind` "eml" (raw emails) or "sdm" (Standard API documents saved as
    files, for example from the hub's dead-letter store)."""
    counts: Counter[str] = Counter()
    for path in paths:
        if kind == "sdm":
            outcome = accept_json(FILE_INTAKE, Channel.API, path.read_bytes(), source=str(path))
        else:
            outcome = accept_email(ACTOR, path.read_bytes(), source=str(path))
        counts[outcome.status] += 1
        if progress:
            progress(str(path), outcome)
    return counts


def ingest_maildir(directory: Path, progress: Progress | None = None) -> Counter[str]:
    """Read every message in new/ and cur/, then move it to the Processed sub-folder."""
    box = mailbox.Maildir(directory, factory=None, create=False)
    processed = box.add_folder("Processed")
    counts: Counter[str] = Counter()
    for key in list(box.keys()):
        raw = box.get_bytes(key)
        outcome = accept_email(ACTOR, raw, source=f"maildir:{directory}/{key}")
        counts[outcome.status] += 1
        processed.add(raw)
        box.discard(key)
        if progress:
            progress(key, outcome)
    return counts


def ingest_imap(settings: ImapSettings, progress: Progress | None = None) -> Counter[str]:
    """One pass over the folder: file each message, then move it to Processed or Quarantine."""
    counts: Counter[str] = Counter()
    with IMAPClient(settings.host, port=settings.port, ssl=settings.ssl, timeout=60) as client:
        client.login(settings.username, settings.password)
        for folder in (settings.processed_folder, settings.quarantine_folder):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(settings.folder)
        for uid in client.search(["ALL"]):
            fetched = client.fetch([uid], ["BODY.PEEK[]"])
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:
                continue  # expunged by another client meanwhile
            outcome = accept_email(
                ACTOR, raw, source=f"imap:{settings.host}/{settings.folder}/{uid}"
            )
            counts[outcome.status] += 1
            target = settings.processed_folder if outcome.ok else settings.quarantine_folder
            client.move([uid], target)
            if progress:
                progress(f"uid {uid}", outcome)
    return counts
