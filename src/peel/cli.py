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


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peel", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
