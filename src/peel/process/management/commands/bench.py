from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

BENCH_DIR = Path(__file__).resolve().parents[5] / "bench"


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem != "harness")


class Command(BaseCommand):
    help = "Run one benchmark from bench/ and print its figures as JSON (see bench/README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"one of: {', '.join(available()) or 'none found'}")
        parser.add_argument(
            "bench_args", nargs="*", help="passed to the benchmark, e.g. --items 1000"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in available():
            raise CommandError(f"No benchmark '{name}'. Available: {', '.join(available())}.")
        # A separate process: the benchmark points Django at its own throwaway database.
        result = subprocess.run(  # noqa: S603 - runs a file from this repository's bench/
            [sys.executable, str(BENCH_DIR / f"{name}.py"), *options["bench_args"]],
            env=os.environ.copy(),
            check=False,
        )
        if result.returncode:
            raise CommandError(f"Benchmark '{name}' failed with exit code {result.returncode}.")
