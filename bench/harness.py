"""Shared set-up for benchmarks: a fresh, throwaway database and a description of the machine.

Benchmarks never touch the demo database: SQLite runs in var/bench/, PostgreSQL in a database
named <name>_bench that is dropped and re-created on each run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[1]


def prepare_database() -> str:
    """Point Peel's settings at a fresh benchmark database; return the engine's name."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres"):
        import psycopg

        parts = urlparse(url)
        name = (parts.path.lstrip("/") or "peel") + "_bench"
        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunparse(parts._replace(path=f"/{name}"))
        engine = "postgresql"
    else:
        var = REPO / "var" / "bench"
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["PEEL_VAR_DIR"] = str(var)
        engine = "sqlite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return engine


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        db_version = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": f"{connection.vendor} {db_version}",
    }


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "max_ms": round(ordered[-1], 3),
    }


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, indent=2))


def run_threads(target: Callable[..., None], arguments: list[tuple[Any, ...]]) -> float:
    """Start one thread per argument tuple, wait for all; return the wall-clock seconds."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
