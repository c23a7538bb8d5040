"""A real IMAP server for tests: Debian's Dovecot on a free loopback port, in a temp directory.

Dovecot refuses to run its login and mail processes as root, so they run as the `dovecot` and
`dovenull` users its package creates, and the mail folder belongs to `dovecot` (SERVICES.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "imap-test-password"


@dataclass
class ImapServer:
    port: int
    user: str = "reports"
    password: str = PASSWORD

    def url(self, folder: str = "INBOX") -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/{folder}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_dovecot(directory: Path) -> tuple[ImapServer, subprocess.Popen[bytes]]:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        raise RuntimeError("Dovecot is not installed: run `make test` (it installs dovecot-imapd).")
    account = pwd.getpwnam("dovecot")
    directory.chmod(0o755)
    base_dir, mail_dir = directory / "run", directory / "mail"
    for path in (base_dir, mail_dir):
        path.mkdir(mode=0o755)
    os.chown(mail_dir, account.pw_uid, account.pw_gid)
    port = free_port()
    config = directory / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base_dir}
state_dir = {directory / "state"}
log_path = {directory / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{mail_dir}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={mail_dir}
}}
"""
    )
    # -F: stay in the foreground, so the fixture owns the process.
    process = subprocess.Popen([binary, "-F", "-c", str(config)])  # noqa: S603
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return ImapServer(port), process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    log = (directory / "dovecot.log").read_text() if (directory / "dovecot.log").exists() else ""
    raise RuntimeError(f"Dovecot did not start on port {port}: {log[-2000:]}")
