"""A small legacy contact handling system (CHS) for Peel's robots to work against.

It behaves like the systems forces still run: a session login, a multi-page "new contact"
wizard that keeps its draft on the server until the last page is confirmed, a record view
and a search page, with no API. Beside it sits a small crime recording system with a REST API
(`/api/v1/crimes`) for the API connector. Faults are switched on through `/_sandbox/control`:
slow pages, failing requests, the whole system down, a pause after saving, and the `refresh`
layout. It is a test and demo double, not part of Peel: run `python sandbox/chs/app.py --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from screens import LAYOUTS, Field, all_fields  # beside this file: run as a script

DEFAULT_CONTROL: dict[str, Any] = {
    "layout": "classic",
    "slow_ms": 0,  # every page and API call waits this long first
    "fail_next": 0,  # the next N requests answer 500
    "error_rate": 0.0,  # and this share of the rest, at random
    "down": False,  # every request answers 503
    "pause_after_save_ms": 0,  # the record is saved, then the answer waits this long
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, chs_number TEXT UNIQUE, ext_ref TEXT, fields TEXT NOT NULL,
    layout TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_ext_ref ON contacts (ext_ref);
CREATE TABLE IF NOT EXISTS crimes (
    id INTEGER PRIMARY KEY, crime_ref TEXT UNIQUE, idempotency_key TEXT UNIQUE,
    source_reference TEXT, fields TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS crimes_source ON crimes (source_reference);
CREATE TABLE IF NOT EXISTS drafts (sid TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS control (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, at TEXT, method TEXT, path TEXT);
"""

# What the crime API accepts: field -> (required, max length).
CRIME_FIELDS: dict[str, tuple[bool, int]] = {
    "sourceReference": (True, 40),
    "offenceCode": (True, 8),
    "offenceDescription": (False, 200),
    "peelCrimeNumber": (False, 24),
    "occurredOn": (False, 10),
    "occurredAt": (False, 5),
    "locationText": (False, 200),
    "postcode": (False, 8),
    "victimSurname": (False, 60),
    "victimForenames": (False, 60),
    "victimDateOfBirth": (False, 10),
    "summary": (True, 4000),
    "details": (False, 16000),
    "contactInstructions": (False, 200),
    "flags": (False, 100),
    "recordedBy": (False, 60),
}

_lock = threading.Lock()  # one writer at a time: SQLite, and the fail_next counter


def create_app(database: Path, password: str, api_token: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)  # a restart logs everyone out, as old systems do
    app.config.update(DATABASE=str(database), PASSWORD=password, API_TOKEN=api_token)
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)

    @app.before_request
    def inject_faults() -> Response | None:
        if request.path.startswith("/_sandbox"):
            return None
        control = _control()
        _log_hit()
        if control["down"]:
            return Response("Service unavailable", 503, {"Retry-After": "5"})
        if control["slow_ms"]:
            time.sleep(control["slow_ms"] / 1000)
        if _take_failure(control):
            return Response(render_template("error.html"), 500)
        return None

    _screens(app)
    _crime_api(app)
    _control_api(app)
    return app


# ---- Storage --------------------------------------------------------------------------------


def _db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], timeout=30, isolation_level=None)
        g.db.row_factory = sqlite3.Row
    return g.db  # type: ignore[no-any-return]


def _control() -> dict[str, Any]:
    rows = _db().execute("SELECT key, value FROM control").fetchall()
    return {**DEFAULT_CONTROL, **{r["key"]: json.loads(r["value"]) for r in rows}}


def _take_failure(control: dict[str, Any]) -> bool:
    if control["fail_next"] > 0:
        with _lock:
            db = _db()
            db.execute("BEGIN IMMEDIATE")
            left = _control()["fail_next"]
            if left > 0:
                db.execute(
                    "INSERT OR REPLACE INTO control VALUES ('fail_next', ?)", [json.dumps(left - 1)]
                )
            db.execute("COMMIT")
            if left > 0:
                return True
    return bool(control["error_rate"]) and random.random() < control["error_rate"]  # noqa: S311


def _log_hit() -> None:
    _db().execute(
        "INSERT INTO hits (at, method, path) VALUES (?, ?, ?)",
        [datetime.now(UTC).isoformat(), request.method, request.path],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---- The legacy screens ----------------------------------------------------------------------


def _screens(app: Flask) -> None:
    @app.get("/")
    def root() -> Response:
        return redirect("/chs/")  # type: ignore[return-value]

    @app.route("/chs/login", methods=["GET", "POST"])
    def login() -> Any:
        error = ""
        if request.method == "POST":
            user, given = request.form.get("userid", ""), request.form.get("password", "")
            if secrets.compare_digest(given, app.config["PASSWORD"]) and user:
                session.clear()
                session["user"] = user
                session["sid"] = secrets.token_hex(16)
                return redirect("/chs/")
            error = "Logon failed: user ID or password not recognised."
        return render_template("login.html", error=error)

    @app.get("/chs/logout")
    def logout() -> Any:
        session.clear()
        return redirect("/chs/login")

    @app.get("/chs/")
    def menu() -> Any:
        _require_login()
        return render_template("menu.html", user=session["user"])

    @app.route("/chs/contact/new/<int:step>", methods=["GET", "POST"])
    def new_contact(step: int) -> Any:
        _require_login()
        pages = LAYOUTS[_control()["layout"]]
        if not 1 <= step <= len(pages):
            abort(404)
        page, draft, errors = pages[step - 1], _draft(), []
        if step == 1 and request.method == "GET" and request.args.get("fresh"):
            draft = {}
            _save_draft(draft)
        if request.method == "POST":
            values = {
                f.key: request.form.get(f.html_id, "").replace("\r\n", "\n") for f in page.fields
            }
            errors = _validate(page.fields, values)
            if not errors:
                _save_draft({**draft, **values})
                if step < len(pages):
                    return redirect(f"/chs/contact/new/{step + 1}")
                return redirect("/chs/contact/new/confirm")
            draft = {**draft, **values}
        return render_template(
            "wizard.html", page=page, step=step, steps=len(pages), draft=draft, errors=errors
        )

    @app.route("/chs/contact/new/confirm", methods=["GET", "POST"])
    def confirm() -> Any:
        _require_login()
        control = _control()
        fields, draft = all_fields(control["layout"]), _draft()
        missing = _validate(fields, {f.key: draft.get(f.key, "") for f in fields})
        if missing:
            return redirect("/chs/contact/new/1")
        if request.method == "POST":
            with _lock:
                db = _db()
                db.execute("BEGIN IMMEDIATE")
                cursor = db.execute(
                    "INSERT INTO contacts (ext_ref, fields, layout, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        draft["ext_ref"],
                        json.dumps(draft),
                        control["layout"],
                        session["user"],
                        _now(),
                    ],
                )
                number = f"CHS-{datetime.now(UTC):%y}-{cursor.lastrowid:06d}"
                db.execute(
                    "UPDATE contacts SET chs_number = ? WHERE id = ?", [number, cursor.lastrowid]
                )
                db.execute("DELETE FROM drafts WHERE sid = ?", [session["sid"]])
                db.execute("COMMIT")
            if control["pause_after_save_ms"]:
                time.sleep(control["pause_after_save_ms"] / 1000)
            return redirect(f"/chs/contact/{cursor.lastrowid}?saved=1")
        return render_template("confirm.html", fields=fields, draft=draft)

    @app.get("/chs/contact/<int:contact_id>")
    def view_contact(contact_id: int) -> Any:
        _require_login()
        row = _db().execute("SELECT * FROM contacts WHERE id = ?", [contact_id]).fetchone()
        if row is None:
            abort(404)
        layout = _control()["layout"]  # a record is always shown in today's layout
        return render_template(
            "record.html", record=row, values=json.loads(row["fields"]), fields=all_fields(layout),
            saved=bool(request.args.get("saved")),
        )  # fmt: skip

    @app.get("/chs/contact/find")
    def find_contact() -> Any:
        _require_login()
        ref = request.args.get("ref", "").strip()
        rows = []
        if ref:
            rows = _db().execute(
                "SELECT id, chs_number, ext_ref, created_at FROM contacts WHERE ext_ref = ?"
                " ORDER BY id", [ref]
            ).fetchall()  # fmt: skip
        return render_template("find.html", ref=ref, rows=rows, searched=bool(ref))


def _require_login() -> None:
    if "user" not in session:
        abort(redirect("/chs/login"))


def _draft() -> dict[str, str]:
    row = _db().execute("SELECT data FROM drafts WHERE sid = ?", [session["sid"]]).fetchone()
    return json.loads(row["data"]) if row else {}


def _save_draft(draft: dict[str, str]) -> None:
    _db().execute(
        "INSERT OR REPLACE INTO drafts (sid, data) VALUES (?, ?)",
        [session["sid"], json.dumps(draft)],
    )


def _validate(fields: list[Field], values: dict[str, str]) -> list[str]:
    errors = []
    for f in fields:
        value = values.get(f.key, "")
        if f.required and not value.strip():
            errors.append(f"{f.label} is mandatory.")
        elif len(value) > f.maxlength:
            errors.append(f"{f.label} is longer than {f.maxlength} characters.")
        elif value and f.options and value not in f.options:
            errors.append(f"{f.label}: '{value}' is not an allowed value.")
        elif value and f.pattern and not re.fullmatch(f.pattern, value):
            errors.append(f"{f.label} is not in the expected format.")
    return errors


# ---- The crime recording system's REST API ---------------------------------------------------


def _crime_api(app: Flask) -> None:
    def authorised() -> None:
        given = request.headers.get("Authorization", "")
        if not secrets.compare_digest(given, f"Bearer {app.config['API_TOKEN']}"):
            abort(Response(json.dumps({"error": "unauthorised"}), 401, mimetype="application/json"))

    @app.post("/api/v1/crimes")
    def create_crime() -> Any:
        authorised()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(
                errors=[{"field": "", "message": "The body must be a JSON object."}]
            ), 400
        errors = [
            {"field": name, "message": problem} for name, problem in _crime_problems(body).items()
        ]
        if errors:
            return jsonify(errors=errors), 400
        key = request.headers.get("Idempotency-Key", "") or None
        with _lock:
            db = _db()
            db.execute("BEGIN IMMEDIATE")
            existing = (
                key
                and db.execute("SELECT * FROM crimes WHERE idempotency_key = ?", [key]).fetchone()
            )
            if existing:
                db.execute("COMMIT")
                return jsonify(_crime_json(existing)), 200
            cursor = db.execute(
                "INSERT INTO crimes (idempotency_key, source_reference, fields, created_at)"
                " VALUES (?, ?, ?, ?)",
                [key, body["sourceReference"], json.dumps(body), _now()],
            )
            crime_ref = f"CRS/{cursor.lastrowid:06d}/{datetime.now(UTC):%y}"
            db.execute(
                "UPDATE crimes SET crime_ref = ? WHERE id = ?", [crime_ref, cursor.lastrowid]
            )
            row = db.execute("SELECT * FROM crimes WHERE id = ?", [cursor.lastrowid]).fetchone()
            db.execute("COMMIT")
        if pause := _control()["pause_after_save_ms"]:
            time.sleep(pause / 1000)
        return jsonify(_crime_json(row)), 201

    @app.get("/api/v1/crimes/<int:crime_id>")
    def get_crime(crime_id: int) -> Any:
        authorised()
        row = _db().execute("SELECT * FROM crimes WHERE id = ?", [crime_id]).fetchone()
        if row is None:
            return jsonify(error="not found"), 404
        return jsonify(_crime_json(row))

    @app.get("/api/v1/crimes")
    def find_crimes() -> Any:
        authorised()
        source = request.args.get("sourceReference", "")
        rows = (
            _db()
            .execute("SELECT * FROM crimes WHERE source_reference = ? ORDER BY id", [source])
            .fetchall()
        )
        return jsonify(results=[_crime_json(r) for r in rows])


def _crime_problems(body: dict[str, Any]) -> dict[str, str]:
    problems = {}
    for name, (required, maxlength) in CRIME_FIELDS.items():
        value = body.get(name, "")
        if not isinstance(value, str):
            problems[name] = "must be a string"
        elif required and not value.strip():
            problems[name] = "is required"
        elif len(value) > maxlength:
            problems[name] = f"is longer than {maxlength} characters"
    for name in body.keys() - CRIME_FIELDS.keys():
        problems[name] = "is not a field of a crime record"
    return problems


def _crime_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "crimeReference": row["crime_ref"],
        "createdAt": row["created_at"],
        "record": json.loads(row["fields"]),
    }


# ---- Test and demo control -------------------------------------------------------------------


def _control_api(app: Flask) -> None:
    def authorised() -> None:
        given = request.headers.get("X-Sandbox-Token", "")
        if not secrets.compare_digest(given, app.config["API_TOKEN"]):
            abort(401)

    @app.get("/_sandbox/state")
    def state() -> Any:
        authorised()
        db = _db()
        contacts = db.execute("SELECT * FROM contacts ORDER BY id").fetchall()
        crimes = db.execute("SELECT * FROM crimes ORDER BY id").fetchall()
        hits = db.execute("SELECT at, method, path FROM hits ORDER BY id DESC LIMIT 200").fetchall()
        return jsonify(
            control=_control(),
            contacts=[
                {
                    "id": r["id"],
                    "chs_number": r["chs_number"],
                    "layout": r["layout"],
                    "created_by": r["created_by"],
                    "fields": json.loads(r["fields"]),
                    # as the record page shows it today, label by label
                    "shown": {
                        f.label: json.loads(r["fields"]).get(f.key, "")
                        for f in all_fields(_control()["layout"])
                    },
                }
                for r in contacts
            ],
            crimes=[_crime_json(r) for r in crimes],
            hits=[dict(r) for r in reversed(hits)],
        )

    @app.post("/_sandbox/control")
    def control() -> Any:
        authorised()
        changes = request.get_json(force=True)
        unknown = set(changes) - DEFAULT_CONTROL.keys()
        if unknown or changes.get("layout", "classic") not in LAYOUTS:
            return jsonify(error=f"unknown settings {sorted(unknown)} or layout"), 400
        db = _db()
        for key, value in changes.items():
            db.execute("INSERT OR REPLACE INTO control VALUES (?, ?)", [key, json.dumps(value)])
        return jsonify(control=_control())

    @app.post("/_sandbox/reset")
    def reset() -> Any:
        authorised()
        db = _db()
        for table in ("contacts", "crimes", "drafts", "control", "hits"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        return jsonify(control=_control())

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        if db := g.pop("db", None):
            db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--database", type=Path, default=Path("var/sandbox/chs.sqlite3"))
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    password, token = os.environ.get("SANDBOX_PASSWORD"), os.environ.get("SANDBOX_API_TOKEN")
    if not password or not token:
        parser.error("set SANDBOX_PASSWORD and SANDBOX_API_TOKEN (peel demo makes them up)")
    args.database.parent.mkdir(parents=True, exist_ok=True)
    from waitress import serve

    app = create_app(args.database, password, token)
    print(f"Sandbox CHS at http://{args.host}:{args.port}/chs/", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
