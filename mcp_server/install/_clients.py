"""The MCP clients we register with: their files, the shape of their entry, and how to merge it.

An entry is built as two dicts: ``fields`` we own and always write, and
``defaults`` written only where the user has not set that key (so a user's
``autoApprove`` list or ``timeout`` survives a reinstall). Keys that name a
transport are ours too: switching stdio <-> http drops the other transport's keys.

An HTTP entry carries the server's access token (``ccr.access_token``) as an
``Authorization: Bearer`` header, in the key each client reads headers from.
Codex refuses an inline ``bearer_token`` but sends ``http_headers``; Continue
reads them from ``requestOptions``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mcp_server.install._paths import HostEnv

__all__ = [
    "CLIENTS",
    "DEFAULT_HTTP_URL",
    "SERVER_NAME",
    "Client",
    "Entry",
    "Format",
    "Scope",
    "ServerCommand",
    "Transport",
    "bearer_headers",
    "entry_headers",
    "get_client",
    "merge_entry",
    "server_command",
]

SERVER_NAME = "headroom"
DEFAULT_HTTP_URL = "http://127.0.0.1:8765/mcp"

Format = Literal["json", "jsonc", "toml", "yaml"]
Scope = Literal["user", "project"]
Transport = Literal["stdio", "http"]

# Keys that describe how to reach the server; an entry for one transport never keeps the other's.
_TRANSPORT_KEYS = frozenset(
    {"type", "command", "args", "env", "url", "serverUrl", "httpUrl", "uri", "cmd", "envs", "environment"}
    | {"headers", "http_headers", "requestOptions"}
)
_ENV_KEYS = ("env", "envs", "environment")


@dataclass(frozen=True, slots=True)
class ServerCommand:
    """How to launch this installation's stdio server: an absolute command and its arguments."""

    command: str
    args: tuple[str, ...]


def server_command(executable: str | None = None) -> ServerCommand:
    """The ``headroom`` console script beside the running interpreter, else the interpreter with ``-P -m``.

    Clients launch servers with a minimal PATH, so the command is always absolute; and in whatever working
    directory they like, so the interpreter gets ``-P``: a source checkout there must not shadow the package.
    """
    python = Path(os.path.abspath(executable or sys.executable))
    names = ("headroom.exe", "headroom") if os.name == "nt" else ("headroom",)
    for folder in (python.parent, python.parent / "Scripts"):
        for name in names:
            script = folder / name
            if script.is_file() and os.access(script, os.X_OK):
                return ServerCommand(str(script), ("mcp", "serve"))
    return ServerCommand(str(python), ("-P", "-m", "mcp_server.cli", "mcp", "serve"))


@dataclass(frozen=True, slots=True)
class Entry:
    """What we write for one client: keys we own, and keys we only fill in when absent."""

    fields: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)


def merge_entry(existing: Mapping[str, Any] | None, entry: Entry) -> dict[str, Any]:
    """``existing`` updated with ``entry``: user keys and extra env variables survive; stale transport keys go."""
    if not isinstance(existing, Mapping):
        return {**entry.fields, **entry.defaults}
    merged = {k: v for k, v in existing.items() if k not in _TRANSPORT_KEYS or k in entry.fields}
    for key, value in entry.fields.items():
        old = merged.get(key)
        if key in _ENV_KEYS and isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    for key, value in entry.defaults.items():
        merged.setdefault(key, value)
    return merged


EntryBuilder = Callable[[ServerCommand, dict[str, str]], Entry]
HttpBuilder = Callable[[str, dict[str, str]], Entry]


def _standard(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    return Entry({"command": cmd.command, "args": list(cmd.args), "env": env})


def _typed_stdio(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    return Entry({"type": "stdio", "command": cmd.command, "args": list(cmd.args), "env": env})


def _cline(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    return Entry(_standard(cmd, env).fields, {"disabled": False, "autoApprove": []})


def _continue(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    return Entry({"name": SERVER_NAME, "type": "stdio", "command": cmd.command, "args": list(cmd.args), "env": env})


_GOOSE_DEFAULTS = {"enabled": True, "timeout": 300, "description": "Compress bulky tool output; originals retrievable"}


def _goose(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    fields = {"type": "stdio", "name": SERVER_NAME, "cmd": cmd.command, "args": list(cmd.args), "envs": env}
    return Entry(fields, dict(_GOOSE_DEFAULTS))


def _opencode(cmd: ServerCommand, env: dict[str, str]) -> Entry:
    # opencode runs one argument vector and calls the variables `environment` (checked with opencode 1.18).
    fields = {"type": "local", "command": [cmd.command, *cmd.args], "environment": env}
    return Entry(fields, {"enabled": True})


def _opencode_http(url: str, headers: dict[str, str]) -> Entry:
    return Entry({"type": "remote", "url": url, "headers": headers}, {"enabled": True})


def _gemini_http(url: str, headers: dict[str, str]) -> Entry:
    # What `gemini mcp add -t http NAME URL` writes (Gemini CLI 0.61), plus the token; `httpUrl` is older.
    return Entry({"url": url, "type": "http", "headers": headers})


def _url_key(key: str, headers_key: str = "headers", **extra: Any) -> HttpBuilder:
    def build(url: str, headers: dict[str, str]) -> Entry:
        return Entry({**extra, key: url, headers_key: headers})

    return build


def _cline_http(url: str, headers: dict[str, str]) -> Entry:
    return Entry({"type": "streamableHttp", "url": url, "headers": headers}, {"disabled": False, "autoApprove": []})


def _continue_http(url: str, headers: dict[str, str]) -> Entry:
    fields = {"name": SERVER_NAME, "type": "streamable-http", "url": url, "requestOptions": {"headers": headers}}
    return Entry(fields)


def _goose_http(url: str, headers: dict[str, str]) -> Entry:
    fields = {"type": "streamable_http", "name": SERVER_NAME, "uri": url, "headers": headers}
    return Entry(fields, dict(_GOOSE_DEFAULTS))


def bearer_headers(token: str) -> dict[str, str]:
    """The headers an HTTP entry sends: the server's access token."""
    return {"Authorization": f"Bearer {token}"}


def entry_headers(entry: Mapping[str, Any]) -> dict[str, str]:
    """The HTTP headers an entry (in any client's shape) tells its client to send."""
    for found in (entry.get("headers"), entry.get("http_headers"), (entry.get("requestOptions") or {}).get("headers")):
        if isinstance(found, Mapping):
            return {str(k): str(v) for k, v in found.items()}
    return {}


@dataclass(frozen=True, slots=True)
class Client:
    """One MCP client: where its config lives and what our entry looks like there."""

    name: str
    title: str
    format: Format
    container: tuple[str, ...]
    user_path: Callable[[HostEnv], Path]
    detect: Callable[[HostEnv], tuple[Path, ...]]
    stdio: EntryBuilder
    http: HttpBuilder | None
    project_path: Callable[[Path], Path] | None = None
    # Continue keeps servers in a list of named items instead of a map.
    list_container: bool = False
    # Top-level keys a brand-new file needs before the client will load it.
    skeleton: Callable[[Scope], dict[str, Any]] | None = None
    # A project file that holds nothing but our entry: uninstall removes the file.
    owns_project_file: bool = False
    restart_hint: str = ""

    def config_path(self, host: HostEnv, scope: Scope, project_dir: Path) -> Path | None:
        """The file to edit, or None when the client has no such scope."""
        if scope == "user":
            return self.user_path(host)
        return None if self.project_path is None else self.project_path(project_dir)

    def is_detected(self, host: HostEnv) -> bool:
        """Whether the client looks installed: one of its config locations exists."""
        return any(p.exists() for p in self.detect(host))

    def entry(
        self,
        transport: Transport,
        command: ServerCommand,
        env: dict[str, str],
        url: str,
        headers: dict[str, str] | None = None,
    ) -> Entry | None:
        """Our entry for this client, or None when it cannot use `transport` from its config file.

        `headers` (for http: the access token, see `bearer_headers`) are what the client must send.
        """
        if transport == "http":
            return None if self.http is None else self.http(url, dict(headers or {}))
        return self.stdio(command, env)


def _cline_path(host: HostEnv) -> Path:
    # The VS Code extension is the common case; the Cline CLI keeps the same file under ~/.cline.
    if not host.cline_extension_dir.exists() and host.cline_cli_dir.exists():
        return host.cline_cli_dir / "data" / "settings" / "cline_mcp_settings.json"
    return host.cline_extension_dir / "settings" / "cline_mcp_settings.json"


def _continue_skeleton(scope: Scope) -> dict[str, Any]:
    name = "headroom" if scope == "project" else "Local Config"
    return {"name": name, "version": "1.0.0", "schema": "v1"}


CLIENTS: dict[str, Client] = {
    c.name: c
    for c in (
        Client(
            "claude-desktop",
            "Claude Desktop",
            "json",
            ("mcpServers",),
            user_path=lambda h: h.claude_desktop_dir / "claude_desktop_config.json",
            detect=lambda h: (h.claude_desktop_dir,),
            stdio=_standard,
            http=None,
            restart_hint="quit and restart Claude Desktop to load it",
        ),
        Client(
            "claude-code",
            "Claude Code",
            "json",
            ("mcpServers",),
            user_path=lambda h: h.claude_code_dir / ".claude.json",
            detect=lambda h: (h.claude_code_dir / ".claude.json", h.claude_config_dir or h.home / ".claude"),
            stdio=_typed_stdio,
            http=_url_key("url", type="http"),
            project_path=lambda p: p / ".mcp.json",
        ),
        Client(
            "cursor",
            "Cursor",
            "json",
            ("mcpServers",),
            user_path=lambda h: h.home / ".cursor" / "mcp.json",
            detect=lambda h: (h.home / ".cursor",),
            stdio=_standard,
            http=_url_key("url"),
            project_path=lambda p: p / ".cursor" / "mcp.json",
        ),
        Client(
            "windsurf",
            "Windsurf",
            "json",
            ("mcpServers",),
            user_path=lambda h: h.home / ".codeium" / "windsurf" / "mcp_config.json",
            detect=lambda h: (h.home / ".codeium" / "windsurf",),
            stdio=_standard,
            http=_url_key("serverUrl"),
        ),
        Client(
            "vscode",
            "VS Code",
            "jsonc",
            ("servers",),
            user_path=lambda h: h.code_user_dir / "mcp.json",
            detect=lambda h: (h.code_user_dir,),
            stdio=_typed_stdio,
            http=_url_key("url", type="http"),
            project_path=lambda p: p / ".vscode" / "mcp.json",
        ),
        Client(
            "codex",
            "Codex CLI",
            "toml",
            ("mcp_servers",),
            user_path=lambda h: h.codex_dir / "config.toml",
            detect=lambda h: (h.codex_dir,),
            stdio=_standard,
            http=_url_key("url", headers_key="http_headers"),
            project_path=lambda p: p / ".codex" / "config.toml",
        ),
        Client(
            "gemini",
            "Gemini CLI",
            "jsonc",
            ("mcpServers",),
            user_path=lambda h: h.home / ".gemini" / "settings.json",
            detect=lambda h: (h.home / ".gemini",),
            stdio=_standard,
            http=_gemini_http,
            project_path=lambda p: p / ".gemini" / "settings.json",
        ),
        Client(
            "qwen",
            "Qwen Code",
            "jsonc",
            ("mcpServers",),
            user_path=lambda h: h.home / ".qwen" / "settings.json",
            detect=lambda h: (h.home / ".qwen",),
            stdio=_standard,
            http=_url_key("httpUrl"),
            project_path=lambda p: p / ".qwen" / "settings.json",
        ),
        Client(
            "opencode",
            "opencode",
            "jsonc",
            ("mcp",),
            user_path=lambda h: h.config_home / "opencode" / "opencode.json",
            detect=lambda h: (h.config_home / "opencode",),
            stdio=_opencode,
            http=_opencode_http,
            project_path=lambda p: p / "opencode.json",
        ),
        Client(
            "zed",
            "Zed",
            "jsonc",
            ("context_servers",),
            user_path=lambda h: h.zed_dir / "settings.json",
            detect=lambda h: (h.zed_dir,),
            stdio=_standard,
            http=_url_key("url"),
            project_path=lambda p: p / ".zed" / "settings.json",
        ),
        Client(
            "cline",
            "Cline",
            "json",
            ("mcpServers",),
            user_path=_cline_path,
            detect=lambda h: (h.cline_extension_dir, h.cline_cli_dir),
            stdio=_cline,
            http=_cline_http,
        ),
        Client(
            "continue",
            "Continue",
            "yaml",
            ("mcpServers",),
            user_path=lambda h: h.home / ".continue" / "config.yaml",
            detect=lambda h: (h.home / ".continue",),
            stdio=_continue,
            http=_continue_http,
            project_path=lambda p: p / ".continue" / "mcpServers" / f"{SERVER_NAME}.yaml",
            list_container=True,
            skeleton=_continue_skeleton,
            owns_project_file=True,
        ),
        Client(
            "goose",
            "Goose",
            "yaml",
            ("extensions",),
            user_path=lambda h: h.goose_dir / "config.yaml",
            detect=lambda h: (h.goose_dir,),
            stdio=_goose,
            http=_goose_http,
        ),
        Client(
            "lmstudio",
            "LM Studio",
            "json",
            ("mcpServers",),
            user_path=lambda h: h.home / ".lmstudio" / "mcp.json",
            detect=lambda h: (h.home / ".lmstudio",),
            stdio=_standard,
            http=_url_key("url"),
        ),
    )
}


def get_client(name: str) -> Client:
    """The client called `name`.

    Raises:
        KeyError: no such client; the message lists the known ones.
    """
    try:
        return CLIENTS[name]
    except KeyError:
        raise KeyError(f"unknown client {name!r}; known clients: {', '.join(CLIENTS)}") from None
