"""Files Peel writes hold personal data: only the service account may read them.

The real entry points (`peel ...` and `peel.wsgi`) set a umask of 077 before anything else, and
settings make var/ 0700. The files here are made through the real code paths, in a fresh process
started with the common umask 022, and their modes checked: the SQLite database and its -wal
and -shm while open, the generated secret key, an evidence file and its folders, a sent email,
the log file.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

PEEL = Path(sys.executable).with_name("peel")

MAKE_FILES = """
import json, logging, os, stat
from pathlib import Path
from django.conf import settings
from django.core.mail import send_mail
from peel.accounts.actions import do_create_user
from peel.audit.actors import command
from peel.evidence.store import store_bytes
from django.db import connection

do_create_user(command("modes"), "modes", "a-long-enough-password-1", ["operator"])
store_bytes(b"a victim's statement", "text/plain")
send_mail("Your report", "Reference PEEL-1", "peel@example.org", ["victim@example.org"])
logging.getLogger("peel").warning("a line for the log file")
var = Path(settings.VAR_DIR)
connection.ensure_connection()  # the database is open: its -wal and -shm exist now
modes = {
    str(p.relative_to(var.parent)): oct(stat.S_IMODE(p.stat().st_mode))
    for p in [var, *var.rglob("*"), Path(os.environ["PEEL_LOG_FILE"])]
    if "static" not in p.parts
}
print(json.dumps(modes))
"""


def run(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEEL_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)  # the SQLite default, in this var/
    env.update(PEEL_VAR_DIR=str(tmp_path / "var"), PEEL_LOG_FILE=str(tmp_path / "peel.log"))
    done = subprocess.run(  # noqa: S603 - our own command
        args, env=env, capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=lambda: os.umask(0o022),  # what a service would inherit by default
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_everything_peel_writes_is_readable_by_the_service_account_only(tmp_path: Path) -> None:
    run(tmp_path, str(PEEL), "migrate", "-v0")
    modes = json.loads(run(tmp_path, str(PEEL), "shell", "-c", MAKE_FILES).splitlines()[-1])
    names = set(modes)
    for wanted in ("var", "var/peel.sqlite3", "var/peel.sqlite3-wal", "var/peel.sqlite3-shm",
                   "var/secret_key", "var/sent-mail", "var/evidence", "peel.log"):  # fmt: skip
        assert wanted in names, f"{wanted} was not made: {sorted(names)}"
    assert any(n.startswith("var/evidence/") and len(n) > 30 for n in names), names
    assert any(n.startswith("var/sent-mail/") for n in names), names
    open_to_others = {name: mode for name, mode in modes.items() if int(mode, 8) & 0o077}
    assert not open_to_others, f"readable by other accounts: {open_to_others}"


def test_the_wsgi_entry_point_sets_the_umask_too(tmp_path: Path) -> None:
    probe = "import os, peel.wsgi; print(oct(os.umask(0)))"
    assert run(tmp_path, sys.executable, "-c", probe).strip() == "0o77"


def test_settings_close_an_existing_var_folder(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    run(tmp_path, str(PEEL), "check")
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
