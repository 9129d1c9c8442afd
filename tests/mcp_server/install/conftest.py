"""Fixtures for the installer tests: a fake home per test, and a fixed server command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from mcp_server.install import HostEnv, ServerCommand

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def host(home: Path) -> HostEnv:
    """A Linux host whose home is a temporary directory and no XDG or client overrides."""
    return HostEnv.from_environ({"HOME": str(home)}, platform="linux")


@pytest.fixture
def command() -> ServerCommand:
    return ServerCommand("/opt/headroom/bin/headroom", ("mcp", "serve"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def subprocess_env(home: Path) -> dict[str, str]:
    """An environment for a `headroom` subprocess that sees only the fake home."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "HEADROOM_HOME", "HF_HOME", "HF_HUB_OFFLINE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def headroom_exe() -> list[str]:
    """The command line of this checkout's CLI, run by the test interpreter."""
    return [sys.executable, "-P", "-m", "mcp_server.cli"]
