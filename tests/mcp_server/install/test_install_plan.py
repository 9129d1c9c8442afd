"""What goes into an entry: the command, the env block, http shapes, transport switches, project scope."""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mcp_server.install import (
    CLIENTS,
    DEFAULT_HTTP_URL,
    ClientConfigError,
    HostEnv,
    ServerCommand,
    Target,
    apply_change,
    entry_env,
    get_client,
    plan_install,
    plan_uninstall,
    resolve_target,
    server_command,
)

URL = "http://127.0.0.1:9911/mcp"
TOKEN = "install-plan-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# The remote-server shape each client documents, with the access token where each reads its headers.
HTTP_EXPECTED: dict[str, dict[str, Any]] = {
    "claude-code": {"type": "http", "url": URL, "headers": AUTH},
    "cursor": {"url": URL, "headers": AUTH},
    "windsurf": {"serverUrl": URL, "headers": AUTH},
    "vscode": {"type": "http", "url": URL, "headers": AUTH},
    "codex": {"url": URL, "http_headers": AUTH},
    "gemini": {"url": URL, "type": "http", "headers": AUTH},  # as `gemini mcp add -t http` writes it (0.61)
    "qwen": {"httpUrl": URL, "headers": AUTH},  # as `qwen mcp add -t http` writes it (0.24)
    "opencode": {"type": "remote", "url": URL, "headers": AUTH, "enabled": True},
    "zed": {"url": URL, "headers": AUTH},
    "cline": {"type": "streamableHttp", "url": URL, "headers": AUTH, "disabled": False, "autoApprove": []},
    "continue": {"name": "headroom", "type": "streamable-http", "url": URL, "requestOptions": {"headers": AUTH}},
    "goose": {
        "type": "streamable_http",
        "name": "headroom",
        "uri": URL,
        "headers": AUTH,
        "enabled": True,
        "timeout": 300,
        "description": "Compress bulky tool output; originals retrievable",
    },
    "lmstudio": {"url": URL, "headers": AUTH},
}


def _read(target: Target) -> Any:
    text = target.path.read_text(encoding="utf-8")
    client = target.client
    if client.format == "toml":
        data = tomllib.loads(text)
    elif client.format == "yaml":
        data = YAML(typ="safe").load(text)
    else:
        data = json.loads(text)
    servers = data[client.container[0]]
    if client.list_container:
        return next(item for item in servers if item["name"] == "headroom")
    return servers["headroom"]


def _target(tmp_path: Path, name: str) -> Target:
    return Target(get_client(name), "user", tmp_path / name / "config")


def test_every_client_but_claude_desktop_has_an_http_shape() -> None:
    assert set(HTTP_EXPECTED) == set(CLIENTS) - {"claude-desktop"}


@pytest.mark.parametrize("name", sorted(HTTP_EXPECTED))
def test_http_transport_writes_each_clients_remote_shape(tmp_path: Path, name: str, command: ServerCommand) -> None:
    target = _target(tmp_path, name)
    apply_change(plan_install(target, transport="http", url=URL, command=command, environ={}, token=TOKEN))
    assert _read(target) == HTTP_EXPECTED[name]


def test_claude_desktop_refuses_http_with_a_clear_error(tmp_path: Path, command: ServerCommand) -> None:
    target = _target(tmp_path, "claude-desktop")
    with pytest.raises(ClientConfigError, match="Claude Desktop does not read http servers"):
        plan_install(target, transport="http", url=URL, command=command, environ={}, token=TOKEN)
    assert not target.path.exists()


@pytest.mark.parametrize("name", ["cursor", "goose", "codex", "continue"])
def test_switching_transport_drops_the_other_transports_keys(tmp_path: Path, name: str, command: ServerCommand) -> None:
    target = _target(tmp_path, name)
    apply_change(plan_install(target, command=command, environ={}))
    apply_change(plan_install(target, transport="http", url=URL, command=command, environ={}, token=TOKEN))
    assert _read(target) == HTTP_EXPECTED[name]
    apply_change(plan_install(target, command=command, environ={}))
    entry = _read(target)
    assert not {"url", "uri", "serverUrl", "httpUrl", "headers", "http_headers", "requestOptions"} & set(entry)
    assert command.command in (entry.get("command"), entry.get("cmd"))


@pytest.mark.parametrize("name", ["cursor", "codex", "continue"])
def test_a_file_that_now_holds_the_token_becomes_owner_only(tmp_path: Path, name: str, command: ServerCommand) -> None:
    target = _target(tmp_path, name)
    apply_change(plan_install(target, command=command, environ={}))
    target.path.chmod(0o644)
    backup = apply_change(plan_install(target, transport="http", url=URL, command=command, environ={}, token=TOKEN))
    assert target.path.stat().st_mode & 0o777 == 0o600
    assert backup is not None and backup.stat().st_mode & 0o077 == 0


def test_an_http_entry_carries_the_stores_own_token_by_default(
    tmp_path: Path, command: ServerCommand, headroom_home: Path
) -> None:
    from ccr import stored_token

    target = _target(tmp_path, "cursor")
    apply_change(plan_install(target, transport="http", url=URL, command=command))
    assert _read(target)["headers"] == {"Authorization": f"Bearer {stored_token(headroom_home)}"}


def test_the_default_url_is_the_local_http_endpoint() -> None:
    assert DEFAULT_HTTP_URL == "http://127.0.0.1:8765/mcp"


def test_the_env_block_names_the_client_and_carries_a_custom_store_location(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert entry_env(get_client("zed"), {}) == {"HEADROOM_CLIENT": "zed"}
    env = entry_env(get_client("zed"), {"HEADROOM_HOME": str(store)})
    assert env == {"HEADROOM_CLIENT": "zed", "HEADROOM_HOME": str(store)}


def test_a_relative_store_location_is_written_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = entry_env(get_client("cursor"), {"HEADROOM_HOME": "store"})
    assert env["HEADROOM_HOME"] == str(tmp_path / "store")


def test_the_server_command_is_the_console_script_beside_the_interpreter(tmp_path: Path) -> None:
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    python = bindir / "python"
    python.write_text("")
    script = bindir / ("headroom.exe" if os.name == "nt" else "headroom")
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert server_command(str(python)) == ServerCommand(str(script), ("mcp", "serve"))


def test_without_a_console_script_the_server_command_is_the_interpreter_with_dash_m(tmp_path: Path) -> None:
    python = tmp_path / "python3"
    python.write_text("")
    assert server_command(str(python)) == ServerCommand(str(python), ("-P", "-m", "mcp_server.cli", "mcp", "serve"))


def test_the_server_command_is_absolute_for_this_interpreter() -> None:
    cmd = server_command()
    assert Path(cmd.command).is_absolute()
    assert Path(cmd.command).parent == Path(os.path.abspath(sys.executable)).parent


def test_clients_without_a_project_scope_resolve_to_no_target(host: HostEnv, project: Path) -> None:
    assert resolve_target(get_client("windsurf"), "project", host, project) is None
    assert resolve_target(get_client("claude-desktop"), "project", host, project) is None


def test_continue_project_scope_writes_a_block_file_and_uninstall_removes_it(
    host: HostEnv, project: Path, command: ServerCommand
) -> None:
    target = resolve_target(get_client("continue"), "project", host, project)
    assert target is not None
    apply_change(plan_install(target, command=command, environ={}))
    assert target.path == project / ".continue" / "mcpServers" / "headroom.yaml"
    block = YAML(typ="safe").load(target.path.read_text(encoding="utf-8"))
    assert block["schema"] == "v1"
    assert [s["name"] for s in block["mcpServers"]] == ["headroom"]
    change = plan_uninstall(target)
    assert change.new_text is None
    backup = apply_change(change)
    assert not target.path.exists()
    assert backup is not None and backup.exists()


def test_a_continue_block_file_the_user_added_to_is_edited_not_removed(
    host: HostEnv, project: Path, command: ServerCommand
) -> None:
    target = resolve_target(get_client("continue"), "project", host, project)
    assert target is not None
    apply_change(plan_install(target, command=command, environ={}))
    with target.path.open("a", encoding="utf-8") as f:
        f.write("  - name: theirs\n    command: npx\n")
    apply_change(plan_uninstall(target))
    block = YAML(typ="safe").load(target.path.read_text(encoding="utf-8"))
    assert [s["name"] for s in block["mcpServers"]] == ["theirs"]


def test_claude_code_project_scope_writes_dot_mcp_json(host: HostEnv, project: Path, command: ServerCommand) -> None:
    target = resolve_target(get_client("claude-code"), "project", host, project)
    assert target is not None
    apply_change(plan_install(target, command=command, environ={}))
    data = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))
    assert data["mcpServers"]["headroom"]["type"] == "stdio"
    assert not (host.home / ".claude.json").exists()
