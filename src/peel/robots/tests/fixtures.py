"""Fixtures for robot tests (loaded by the root conftest.py): a real sandbox CHS (sandbox/chs),
started once per run and reset before each test, and a targets file with a test policy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from peel.robots.sandbox import Sandbox
from peel.robots.testing import targets_with_policy

FAST_POLICY = """
[defaults]
max_attempts = 4
timeout_seconds = {timeout}
retry_base_seconds = 0
retry_cap_seconds = 0
breaker_threshold = 3
breaker_cooldown_seconds = {cooldown}
breaker_max_cooldown_seconds = 7200
"""


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    running = Sandbox(tmp_path_factory.mktemp("sandbox") / "chs.sqlite3").start()
    yield running
    running.stop()


@pytest.fixture
def robot_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox, emptied, with Peel's shipped targets pointed at it."""
    if sandbox.process is None or sandbox.process.poll() is not None:
        sandbox.start()  # a test stopped it to play "down"
    sandbox.reset()
    for name, value in sandbox.environment().items():
        monkeypatch.setenv(name, value)
    return sandbox


@pytest.fixture
def targets_file(settings: Any, tmp_path: Path) -> Callable[..., Path]:
    """Write a targets file from the shipped one with a test policy; point Peel at it."""

    def write(
        only: tuple[str, ...] = (), timeout: float = 60, cooldown: float = 3600, extra: str = ""
    ) -> Path:
        policy = FAST_POLICY.format(timeout=timeout, cooldown=cooldown)
        path = tmp_path / "targets.toml"
        path.write_text(targets_with_policy(policy, only) + extra)
        settings.PEEL = {**settings.PEEL, "ROBOT_TARGETS": str(path)}
        return path

    return write
