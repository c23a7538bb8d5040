"""Run the sandbox legacy systems (sandbox/chs in the repository) for the demo, tests and bench.

The sandbox is a separate program; this starts it as a child process on a free port, with a
password and API token made up on the spot, and points Peel's robot targets at it through the
environment variables the shipped targets file names.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

APP = Path(__file__).resolve().parents[3] / "sandbox" / "chs" / "app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sandbox:
    def __init__(
        self, database: Path, port: int | None = None, password: str = "", token: str = ""
    ):
        self.database = database
        self.port = port or free_port()
        self.password = password or secrets.token_urlsafe(12)
        self.token = token or secrets.token_urlsafe(24)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """What Peel's robots need to reach this sandbox with the shipped targets file."""
        return {
            "PEEL_CHS_URL": f"{self.url}/chs/",
            "PEEL_CHS_PASSWORD": self.password,
            "PEEL_CRIME_API_URL": f"{self.url}/api/v1/crimes",
            "PEEL_CRIME_API_TOKEN": self.token,
        }

    @classmethod
    def for_demo(cls, folder: Path, port: int) -> Sandbox:
        """The demo's sandbox: its data and made-up credentials kept in `folder` (var/sandbox),
        so records and the robot's password survive a restart."""
        folder.mkdir(parents=True, exist_ok=True)
        credentials = folder / "credentials.json"
        if not credentials.exists():
            fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(
                    {"password": secrets.token_urlsafe(12), "token": secrets.token_urlsafe(24)}, fh
                )
        saved = json.loads(credentials.read_text())
        return cls(folder / "chs.sqlite3", port, saved["password"], saved["token"])

    def start(self) -> Sandbox:
        if not APP.exists():
            raise FileNotFoundError(f"The sandbox is not here: {APP} (run from a clone of Peel).")
        env = {**os.environ, "SANDBOX_PASSWORD": self.password, "SANDBOX_API_TOKEN": self.token}
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, str(APP), "--port", str(self.port), "--database", str(self.database)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(100):
            if self.process.poll() is not None:
                raise RuntimeError(f"The sandbox did not start: {self.process.stderr.read()!r}")  # type: ignore[union-attr]
            try:
                self.state()
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("The sandbox did not answer within 10 seconds.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.url}{path}", json=body, headers={"X-Sandbox-Token": self.token},
            timeout=10,
        )  # fmt: skip
        response.raise_for_status()
        return response.json()

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/_sandbox/state")

    def control(self, **settings: Any) -> dict[str, Any]:
        return self._call("POST", "/_sandbox/control", settings)

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")
