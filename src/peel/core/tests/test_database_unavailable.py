"""With the database unreachable, Peel says so: the Standard API its documented JSON 503 with
Retry-After, staff pages a styled 503 page that renders without the database. And however a
database is configured, SQLite gets the same settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from peel import settings as peel_settings
from peel.accounts.testing import sign_in
from peel.intake.models import QuarantineItem, Submission
from peel.process.testing import api_client_headers
from peel.sdm.samples import sample_document


@contextmanager
def database_down() -> Iterator[None]:
    """Point this process's connection at a database that cannot be reached (a closed port on
    PostgreSQL, a folder that does not exist on SQLite), then put it back."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 2}
    else:
        connection.settings_dict["NAME"] = "/nonexistent/peel/peel.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_the_standard_api_answers_503_json_with_retry_after() -> None:
    headers = api_client_headers()
    with database_down():
        response = Client().post(
            "/process",
            json.dumps(sample_document(seed=5)),
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["status"] == "Service Unavailable" and error["id"] == "503"
    assert "cannot reach its database" in error["detail"]
    assert not Submission.objects.exists() and not QuarantineItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_staff_page_says_peel_cannot_reach_its_database(make_user: Any) -> None:
    client = Client()
    sign_in(client, make_user("grace", "supervisor"))
    assert client.get("/staff/").status_code == 200
    with database_down():
        response = client.get("/staff/")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "<h1>Peel cannot reach its database</h1>" in page
    assert "peel/peel.css" in page  # styled like every other page
    assert "Server Error" not in page
    assert client.get("/staff/").status_code == 200  # and back as soon as it is


# ---- SQLite settings, however the database is named ------------------------------------------


def test_a_sqlite_url_gets_the_same_sqlite_settings_as_the_default(tmp_path: Path) -> None:
    default = peel_settings._database(None)
    from_url = peel_settings._database(f"sqlite:///{tmp_path}/peel.sqlite3")
    assert from_url["OPTIONS"] == default["OPTIONS"] == peel_settings.SQLITE_OPTIONS
    assert from_url["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert from_url["CONN_MAX_AGE"] == default.get("CONN_MAX_AGE", 0) == 0
    assert from_url["NAME"] == f"{tmp_path}/peel.sqlite3"


def test_a_postgresql_url_keeps_its_connection_settings() -> None:
    config = peel_settings._database("postgres://peel@db.example:5432/peel")
    assert config["OPTIONS"]["connect_timeout"] == 5 and config["CONN_HEALTH_CHECKS"] is True


def test_a_process_started_with_a_sqlite_url_really_runs_wal_and_immediate(
    tmp_path: Path,
) -> None:
    """The setting reaches the connection: a child `peel` on DATABASE_URL=sqlite:///... reports
    the journal mode, busy timeout and transaction mode SQLite actually uses."""
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    mode = c.execute('PRAGMA journal_mode').fetchone()[0]\n"
        "    busy = c.execute('PRAGMA busy_timeout').fetchone()[0]\n"
        "    keys = c.execute('PRAGMA foreign_keys').fetchone()[0]\n"
        "print(mode, busy, keys, connection.transaction_mode)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/peel.sqlite3",
        "PEEL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "peel.cli", "shell", "-v", "0", "-c", script],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert result.stdout.splitlines()[-1].split() == ["wal", "30000", "1", "IMMEDIATE"]
