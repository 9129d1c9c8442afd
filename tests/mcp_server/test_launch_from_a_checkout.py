"""Every way we start our own command line or server as a subprocess imports the installed package, never
the folders of the directory it starts in (a source checkout's `mcp_server/`, `rustcore/`, ...)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.server_measure import server_command as measured_server
from mcp_server._rpc import StdioClient
from mcp_server.install import server_command
from mcp_server.install._launcher import find_server

ROOT = Path(__file__).resolve().parents[2]
POISON = "imported the folder it was started in"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A working directory whose packages shadow ours and fail on import (a checkout with no built extension)."""
    for package in ("mcp_server", "ccr", "compressors", "rustcore"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"raise ImportError({POISON!r})\n")
    return tmp_path


def _serve_to_version(argv: list[str]) -> list[str]:
    assert argv[-2:] == ["mcp", "serve"], argv
    return [*argv[:-2], "--version"]


def _launches() -> dict[str, list[str]]:
    script = server_command()
    fallback = server_command(str(Path("/nowhere/bin/python3")))
    launcher = find_server({"PATH": ""}, sys.executable, have_package=True)
    assert launcher is not None
    return {
        "installed entry": [script.command, *script.args],
        "installer fallback entry": [sys.executable, *fallback.args],
        "bundle launcher": launcher,
        "benchmark": measured_server(),
    }


def test_started_the_plain_way_from_a_checkout_the_command_imports_the_checkout(checkout: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server.cli", "--version"], cwd=checkout, capture_output=True, text=True
    )
    assert done.returncode == 1 and POISON in done.stderr


@pytest.mark.parametrize("name", ["installed entry", "installer fallback entry", "bundle launcher", "benchmark"])
def test_each_launch_imports_the_installed_package_from_a_checkout(name: str, checkout: Path) -> None:
    done = subprocess.run(_serve_to_version(_launches()[name]), cwd=checkout, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("headroom ")


def test_the_installer_fallback_entry_serves_from_the_checkouts_root(tmp_path: Path) -> None:
    entry = [sys.executable, *server_command(str(Path("/nowhere/bin/python3"))).args]
    env = {**os.environ, "HEADROOM_HOME": str(tmp_path)}
    with StdioClient(entry, env=env, cwd=ROOT) as server:
        assert server.initialize("checkout-test", timeout=120).server_name == "headroom"
        tools = server.request("tools/list", timeout=120)["tools"]
    assert "headroom_compress" in {tool["name"] for tool in tools}
