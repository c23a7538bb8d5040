"""The `peel` command: Django's management commands with Peel's settings.

peel serve              serve the web application (waitress)
peel demo               migrate, create demo users and reports, serve
peel audit verify       check the audit hash chain end to end
peel bench NAME         run one benchmark from bench/, JSON on stdout
peel help               every command, including Django's own
"""

from __future__ import annotations

import os
import sys

# Files Peel creates (the SQLite database and its -wal/-shm, evidence, sent mail, robot
# captures, the generated key) are readable by the service account only: rw------- and rwx------.
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> None:
    os.umask(PRIVATE_UMASK)  # once, before settings create var/ or anything opens a file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peel", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
