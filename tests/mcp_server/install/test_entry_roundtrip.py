"""The installed entry actually works: launch its exact command, args and env and complete an MCP handshake."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from mcp_server.install import HostEnv, apply_change, get_client, plan_install, resolve_target

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("mcp_server.server") is None,
        reason="mcp_server.server (headroom mcp serve) is not built yet",
    ),
]

LAUNCHER = Path(__file__).resolve().parents[3] / "mcp_server" / "install" / "_launcher.py"


def _app_environment(entry_env: dict[str, str]) -> dict[str, str]:
    # Apps start servers with little more than PATH and HOME, plus the entry's env block.
    base = {k: os.environ[k] for k in ("PATH", "HOME", "HF_HOME", "HF_HUB_OFFLINE") if k in os.environ}
    return {**base, **entry_env}


async def _handshake(params: StdioServerParameters) -> tuple[str, set[str]]:
    with anyio.fail_after(120):
        async with Client(params, raise_exceptions=True) as client:
            tools = await client.list_tools()
            info = client.server_info
            assert info is not None
            return info.name, {t.name for t in tools.tools}


@pytest.mark.parametrize("name", ["claude-desktop", "codex", "goose"])
def test_the_installed_entry_starts_the_server_and_answers_initialize(
    host: HostEnv, project: Path, headroom_home: Path, name: str
) -> None:
    target = resolve_target(get_client(name), "user", host, project)
    assert target is not None
    change = plan_install(target, environ={"HEADROOM_HOME": str(headroom_home)})
    apply_change(change)
    entry = change.entry
    assert entry is not None
    command = entry.get("command", entry.get("cmd"))
    env = entry.get("env", entry.get("envs"))
    assert isinstance(command, str)
    assert env == {"HEADROOM_CLIENT": name, "HEADROOM_HOME": str(headroom_home)}
    params = StdioServerParameters(command=command, args=entry["args"], env=_app_environment(env))
    _server_name, tools = anyio.run(_handshake, params)
    assert "headroom_compress" in tools
    assert "headroom_retrieve" in tools


def test_status_launches_the_installed_entry_and_reports_that_it_runs(
    home: Path, headroom_exe: list[str], subprocess_env: dict[str, str]
) -> None:
    cmd = [*headroom_exe, "mcp"]
    assert subprocess.run([*cmd, "install", "--client", "cursor"], env=subprocess_env, check=False).returncode == 0
    done = subprocess.run(
        [*cmd, "status", "--json", "--timeout", "90"],
        capture_output=True,
        text=True,
        env=subprocess_env,
        cwd=home,
        timeout=300,
        check=False,
    )
    cursor = next(r for r in json.loads(done.stdout) if r["client"] == "cursor")
    assert cursor["state"] == "matches"
    assert cursor["runs"]["ok"], cursor["runs"]["detail"]
    assert done.returncode == 0, done.stderr


def test_the_bundle_launcher_starts_the_server_from_this_interpreter(headroom_home: Path) -> None:
    env = _app_environment({"HEADROOM_HOME": str(headroom_home), "HEADROOM_TTL_HOURS": "${user_config.ttl_hours}"})
    params = StdioServerParameters(command=sys.executable, args=[str(LAUNCHER)], env=env)
    _server_name, tools = anyio.run(_handshake, params)
    assert "headroom_compress" in tools
