"""`collect_status`: detection, where the entry is, whether it is ours, whether it runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mcp_server.install import (
    CLIENTS,
    ClientStatus,
    HostEnv,
    ServerCommand,
    apply_change,
    collect_status,
    get_client,
    plan_install,
    resolve_target,
)

SDK_SERVER = """
from mcp.server import MCPServer
MCPServer("status-target", version="1.2.3").run()
"""


@pytest.fixture
def live_command(tmp_path: Path) -> ServerCommand:
    script = tmp_path / "server.py"
    script.write_text(SDK_SERVER, encoding="utf-8")
    return ServerCommand(sys.executable, (str(script),))


def _install(host: HostEnv, project: Path, name: str, command: ServerCommand, scope: str = "user") -> Path:
    target = resolve_target(get_client(name), scope, host, project)  # type: ignore[arg-type]
    assert target is not None
    apply_change(plan_install(target, command=command, environ={}))
    return target.path


def _row(rows: list[ClientStatus], name: str, scope: str = "user") -> ClientStatus:
    return next(r for r in rows if r.client == name and r.scope == scope)


def test_every_client_is_listed_even_when_nothing_is_installed(host: HostEnv, project: Path) -> None:
    rows = collect_status(host, project, probe=False)
    assert [r.client for r in rows] == list(CLIENTS)
    assert {r.state for r in rows} == {"no-file"}
    assert not any(r.detected for r in rows)


def test_an_installed_entry_matches_and_its_command_answers_initialize(
    host: HostEnv, project: Path, live_command: ServerCommand
) -> None:
    path = _install(host, project, "cursor", live_command)
    rows = collect_status(host, project, command=live_command, environ={}, timeout=60)
    row = _row(rows, "cursor")
    assert row.detected
    assert row.path == path
    assert row.state == "matches"
    assert row.probe is not None and row.probe.ok, row.probe
    assert row.probe.server_name == "status-target"


def test_an_entry_for_another_install_is_reported_as_differing_and_failing(
    host: HostEnv, project: Path, command: ServerCommand, live_command: ServerCommand
) -> None:
    _install(host, project, "codex", command)  # /opt/headroom/bin/headroom does not exist here
    rows = collect_status(host, project, command=live_command, environ={}, timeout=30)
    row = _row(rows, "codex")
    assert row.state == "differs"
    assert row.probe is not None and not row.probe.ok
    assert "cannot start /opt/headroom/bin/headroom" in row.probe.detail


def test_a_file_without_our_entry_says_not_installed(host: HostEnv, project: Path) -> None:
    path = host.home / ".gemini" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"mcpServers": {"other": {"command": "x"}}}', encoding="utf-8")
    row = _row(collect_status(host, project, probe=False), "gemini")
    assert (row.detected, row.state, row.probe) == (True, "no-entry", None)


def test_a_broken_file_is_reported_and_left_alone(host: HostEnv, project: Path) -> None:
    path = host.home / ".lmstudio" / "mcp.json"
    path.parent.mkdir()
    path.write_text('{"mcpServers": {', encoding="utf-8")
    row = _row(collect_status(host, project, probe=False), "lmstudio")
    assert row.state == "unreadable"
    assert row.error is not None and "line 1" in row.error
    assert path.read_text(encoding="utf-8") == '{"mcpServers": {'


def test_project_files_are_listed_when_they_exist(host: HostEnv, project: Path, command: ServerCommand) -> None:
    _install(host, project, "vscode", command, scope="project")
    rows = collect_status(host, project, probe=False, command=command, environ={})
    row = _row(rows, "vscode", "project")
    assert row.path == project / ".vscode" / "mcp.json"
    assert row.state == "matches"
    assert not [r for r in rows if r.scope == "project" and r.client != "vscode"]


def test_the_json_form_has_stable_keys(host: HostEnv, project: Path, live_command: ServerCommand) -> None:
    _install(host, project, "zed", live_command)
    rows = collect_status(host, project, command=live_command, environ={}, timeout=60)
    data = json.loads(json.dumps([r.to_json() for r in rows]))
    zed = next(d for d in data if d["client"] == "zed")
    assert set(zed) == {"client", "title", "scope", "path", "detected", "state", "entry", "error", "runs"}
    assert zed["runs"]["ok"] is True
    assert zed["entry"]["env"] == {"HEADROOM_CLIENT": "zed"}
