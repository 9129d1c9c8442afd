"""Every client: fresh file, a lived-in file with other servers and comments, broken files, uninstall."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mcp_server.install import (
    CLIENTS,
    Change,
    ClientConfigError,
    ServerCommand,
    Target,
    apply_change,
    get_client,
    plan_install,
    plan_uninstall,
)

CMD = "/opt/headroom/bin/headroom"
ARGS = ["mcp", "serve"]

# The stdio entry each client documents (see docs of each client), for the command above.
EXPECTED: dict[str, dict[str, Any]] = {
    **{
        name: {"command": CMD, "args": ARGS, "env": {"HEADROOM_CLIENT": name}}
        for name in ("claude-desktop", "cursor", "windsurf", "codex", "gemini", "zed", "lmstudio", "qwen")
    },
    **{
        name: {"type": "stdio", "command": CMD, "args": ARGS, "env": {"HEADROOM_CLIENT": name}}
        for name in ("claude-code", "vscode")
    },
    "cline": {
        "command": CMD,
        "args": ARGS,
        "env": {"HEADROOM_CLIENT": "cline"},
        "disabled": False,
        "autoApprove": [],
    },
    "continue": {
        "name": "headroom",
        "type": "stdio",
        "command": CMD,
        "args": ARGS,
        "env": {"HEADROOM_CLIENT": "continue"},
    },
    # opencode 1.18 (checked by hand: `opencode mcp list` connects to this entry).
    "opencode": {
        "type": "local",
        "command": [CMD, *ARGS],
        "environment": {"HEADROOM_CLIENT": "opencode"},
        "enabled": True,
    },
    "goose": {
        "type": "stdio",
        "name": "headroom",
        "cmd": CMD,
        "args": ARGS,
        "envs": {"HEADROOM_CLIENT": "goose"},
        "enabled": True,
        "timeout": 300,
        "description": "Compress bulky tool output; originals retrievable",
    },
}

STRICT_JSON = """{
    "numStartups": 12,
    "%s": {
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"]
        }
    },
    "tipsHistory": {"x": 1}
}
"""

JSONC = """// user settings
{
  "editor.fontSize": 14, // big
  /* servers below */
  "%s": {
    "github": { "command": "npx", "args": ["-y", "gh"] }, // gh
  },
}
"""

CODEX = """# Codex config
model = "o3"  # default model

[mcp_servers.github]
command = "npx"
args = ["-y", "gh"]  # pinned
"""

GOOSE = """# goose config
GOOSE_PROVIDER: anthropic  # provider
extensions:
  developer:
    enabled: true
    type: builtin
    name: developer  # builtin dev
"""

CONTINUE = """# Continue config
name: Local Config
version: 1.0.0
schema: v1
models:
  - name: Llama  # local
    provider: ollama
mcpServers:
  - name: github
    command: npx   # gh
    args:
      - -y
      - gh
"""

BROKEN = {
    "json": ('{\n  "mcpServers": {\n    "a": 1\n    "b": 2\n  }\n}\n', "line 4"),
    "jsonc": ('{\n  "servers": {\n    "a": 1\n    "b": 2\n  }\n}\n', "line 4"),
    "toml": ('model = "o3"\n[mcp_servers\n', "line 2"),
    "yaml": ("extensions:\n  a: [1, 2\nname: x\n", "line 3"),
}


def _existing(name: str) -> str:
    client = get_client(name)
    if client.format == "json":
        return STRICT_JSON % client.container[0]
    if client.format == "jsonc":
        return JSONC % client.container[0]
    return {"codex": CODEX, "goose": GOOSE, "continue": CONTINUE}[name]


def _comments(text: str) -> list[str]:
    marks = ("//", "/*", "#")
    lines = [line for line in text.splitlines() if any(m in line for m in marks)]
    return [line[min(line.find(m) for m in marks if m in line) :] for line in lines]


def _parse_independently(name: str, text: str) -> Any:
    """The file as the client's own kind of parser sees it (JSON files we write from scratch are strict JSON)."""
    fmt = get_client(name).format
    if fmt == "toml":
        return tomllib.loads(text)
    if fmt == "yaml":
        return YAML(typ="safe").load(text)
    return json.loads(text)


def _lookup(name: str, data: Any) -> Any:
    client = get_client(name)
    servers = data[client.container[0]]
    if client.list_container:
        return next(item for item in servers if item.get("name") == "headroom")
    return servers["headroom"]


def _target(tmp_path: Path, name: str) -> Target:
    suffix = {"json": "json", "jsonc": "json", "toml": "toml", "yaml": "yaml"}[get_client(name).format]
    return Target(get_client(name), "user", tmp_path / "cfg" / f"config.{suffix}")


def _target_holding(tmp_path: Path, name: str, data: str | bytes) -> Target:
    """The user-scope target of client `name`, its config file already holding `data`."""
    target = _target(tmp_path, name)
    target.path.parent.mkdir()
    if isinstance(data, bytes):
        target.path.write_bytes(data)
    else:
        target.path.write_text(data, encoding="utf-8")
    return target


def _install(target: Target, command: ServerCommand) -> Path | None:
    return apply_change(plan_install(target, command=command, environ={}))


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_install_into_a_missing_file_writes_the_clients_own_entry_shape(
    tmp_path: Path, name: str, command: ServerCommand
) -> None:
    target = _target(tmp_path, name)
    assert _install(target, command) is None  # nothing to back up
    data = _parse_independently(name, target.path.read_text(encoding="utf-8"))
    assert _lookup(name, data) == EXPECTED[name]


def test_a_new_continue_config_carries_the_header_continue_requires(tmp_path: Path, command: ServerCommand) -> None:
    target = _target(tmp_path, "continue")
    _install(target, command)
    data = YAML(typ="safe").load(target.path.read_text(encoding="utf-8"))
    assert {"name", "version", "schema"} <= set(data)
    assert data["schema"] == "v1"


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_install_keeps_other_servers_unknown_keys_and_comments(
    tmp_path: Path, name: str, command: ServerCommand
) -> None:
    original = _existing(name)
    target = _target_holding(tmp_path, name, original)
    backup = _install(target, command)
    text = target.path.read_text(encoding="utf-8")
    for comment in _comments(original):
        assert comment in text
    change = plan_install(target, command=command, environ={})
    assert not change.changed  # what we wrote reads back as our entry
    assert change.entry == EXPECTED[name]
    assert backup is not None and backup.read_text(encoding="utf-8") == original
    if get_client(name).format in ("json", "toml", "yaml"):
        before, after = _parse_independently(name, original), _parse_independently(name, text)
        assert _lookup(name, after) == EXPECTED[name]
        container = get_client(name).container[0]
        others_before = before[container]
        others_after = after[container]
        if isinstance(others_after, list):
            others_after = [item for item in others_after if item.get("name") != "headroom"]
        else:
            others_after = {k: v for k, v in others_after.items() if k != "headroom"}
        assert others_after == others_before
        assert {k: v for k, v in after.items() if k != container} == {k: v for k, v in before.items() if k != container}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_uninstall_removes_only_our_entry_and_restores_the_file(
    tmp_path: Path, name: str, command: ServerCommand
) -> None:
    original = _existing(name)
    target = _target_holding(tmp_path, name, original)
    _install(target, command)
    change = plan_uninstall(target)
    assert change.entry == EXPECTED[name]
    apply_change(change)
    assert target.path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_an_unparseable_file_is_left_untouched_with_an_error_naming_file_and_line(
    tmp_path: Path, name: str, command: ServerCommand
) -> None:
    broken, where = BROKEN[get_client(name).format]
    if get_client(name).format in ("json", "jsonc"):
        broken = broken.replace('"servers"', f'"{get_client(name).container[0]}"').replace(
            '"mcpServers"', f'"{get_client(name).container[0]}"'
        )
    target = _target_holding(tmp_path, name, broken)
    plans: list[Callable[[], Change]] = [
        lambda: plan_install(target, command=command, environ={}),
        lambda: plan_uninstall(target),
    ]
    for plan in plans:
        with pytest.raises(ClientConfigError) as caught:
            plan()
        assert caught.value.path == target.path
        assert str(target.path) in str(caught.value)
        assert where in str(caught.value)
        assert "left untouched" in str(caught.value)
    assert target.path.read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in target.path.parent.iterdir()) == [target.path.name]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("cursor", '{"mcpServers": ["not", "a", "map"]}', "mcpServers is not an object"),
        ("claude-desktop", "[]", "top level of the file is not an object"),
        ("codex", "mcp_servers = 3\n", "mcp_servers is not a table"),
        ("goose", "extensions:\n  - a\n", "extensions is not a mapping"),
        ("continue", "mcpServers:\n  headroom: {}\n", "mcpServers is not a list"),
        ("goose", "- just\n- a list\n", "top level is not a mapping"),
    ],
)
def test_a_servers_key_of_the_wrong_kind_is_an_error_not_an_overwrite(
    tmp_path: Path, name: str, text: str, problem: str, command: ServerCommand
) -> None:
    target = _target_holding(tmp_path, name, text)
    with pytest.raises(ClientConfigError, match=problem):
        plan_install(target, command=command, environ={})
    assert target.path.read_text(encoding="utf-8") == text


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, command: ServerCommand) -> None:
    target = _target_holding(tmp_path, "cursor", b'{"a": "\xff"}')
    with pytest.raises(ClientConfigError, match="not UTF-8"):
        plan_install(target, command=command, environ={})


@pytest.mark.parametrize("dash", ["  - ", "- "])
def test_yaml_keeps_the_files_own_list_indentation(tmp_path: Path, dash: str, command: ServerCommand) -> None:
    pad = " " * len(dash)
    original = f"name: c\nversion: 1.0.0\nschema: v1\nmodels:\n{dash}name: x\n{pad}provider: p\n"
    target = _target_holding(tmp_path, "continue", original)
    _install(target, command)
    text = target.path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert f"\nmcpServers:\n{dash}name: headroom\n{pad}type: stdio\n" in text


def test_an_existing_entry_keeps_the_users_own_keys_and_env_on_reinstall(
    tmp_path: Path, command: ServerCommand
) -> None:
    mine = {
        "command": "/old/venv/bin/headroom",
        "args": ["mcp", "serve"],
        "env": {"HEADROOM_CLIENT": "cline", "HEADROOM_TTL_HOURS": "24"},
        "disabled": False,
        "autoApprove": ["headroom_compress"],
        "timeout": 120,
    }
    target = _target_holding(tmp_path, "cline", json.dumps({"mcpServers": {"headroom": mine}}, indent=2))
    _install(target, command)
    entry = json.loads(target.path.read_text(encoding="utf-8"))["mcpServers"]["headroom"]
    assert entry["command"] == CMD
    assert entry["autoApprove"] == ["headroom_compress"]
    assert entry["timeout"] == 120
    assert entry["env"] == {"HEADROOM_CLIENT": "cline", "HEADROOM_TTL_HOURS": "24"}


def test_a_bom_is_kept(tmp_path: Path, command: ServerCommand) -> None:
    target = _target_holding(tmp_path, "claude-desktop", b'\xef\xbb\xbf{\n  "mcpServers": {}\n}\n')
    _install(target, command)
    raw = target.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf{")
    assert json.loads(raw.decode("utf-8-sig"))["mcpServers"]["headroom"] == EXPECTED["claude-desktop"]
