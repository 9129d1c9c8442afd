"""`headroom mcp status`: for every client, is it there, is our entry there, is it ours, does it run."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mcp_server._errors import ClientConfigError
from mcp_server.install._clients import (
    CLIENTS,
    Client,
    Scope,
    ServerCommand,
    bearer_headers,
    entry_headers,
    merge_entry,
    server_command,
)
from mcp_server.install._files import read_config
from mcp_server.install._formats import read_entry
from mcp_server.install._paths import HostEnv
from mcp_server.install._plan import entry_env
from mcp_server.install._probe import ProbeResult, probe_http, probe_stdio

__all__ = ["ClientStatus", "EntryState", "collect_status"]

EntryState = Literal["no-file", "no-entry", "matches", "differs", "unreadable"]
_URL_KEYS = ("url", "serverUrl", "httpUrl", "uri")


@dataclass(frozen=True, slots=True)
class ClientStatus:
    """One client's config file at one scope, and what we found there."""

    client: str
    title: str
    scope: Scope
    path: Path
    detected: bool
    state: EntryState
    entry: dict[str, Any] | None = None
    error: str | None = None
    probe: ProbeResult | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain dict for ``--json``; keys are stable."""
        probe = None
        if self.probe is not None:
            probe = {
                "ok": self.probe.ok,
                "detail": self.probe.detail,
                "server_name": self.probe.server_name,
                "server_version": self.probe.server_version,
                "elapsed_s": round(self.probe.elapsed_s, 3),
            }
        return {
            "client": self.client,
            "title": self.title,
            "scope": self.scope,
            "path": str(self.path),
            "detected": self.detected,
            "state": self.state,
            "entry": self.entry,
            "error": self.error,
            "runs": probe,
        }


def _http_url(entry: Mapping[str, Any]) -> str | None:
    for key in _URL_KEYS:
        value = entry.get(key)
        if isinstance(value, str):
            return value
    return None


def _current_token(environ: dict[str, str] | None) -> str | None:
    """The token an HTTP entry should carry now (None when there is none yet or it cannot be read)."""
    from ccr import HeadroomError, Settings, stored_token

    environ = dict(os.environ) if environ is None else environ
    if environ.get("HEADROOM_TOKEN"):
        return environ["HEADROOM_TOKEN"].strip()
    try:
        return stored_token(Settings.from_env(environ).home)
    except (HeadroomError, ValueError):
        return None


def _matches(client: Client, entry: dict[str, Any], command: ServerCommand, environ: dict[str, str] | None) -> bool:
    url = _http_url(entry)
    if url is not None:
        token = _current_token(environ)
        if token is None:
            return False
        wanted = client.entry("http", command, {}, url, bearer_headers(token))
    else:
        wanted = client.entry("stdio", command, entry_env(client, environ), "")
    return wanted is not None and merge_entry(entry, wanted) == entry


def _inspect(
    client: Client,
    scope: Scope,
    path: Path,
    host: HostEnv,
    command: ServerCommand,
    environ: dict[str, str] | None,
) -> ClientStatus:
    detected = client.is_detected(host)
    try:
        config = read_config(path)
        if not config.exists:
            return ClientStatus(client.name, client.title, scope, path, detected, "no-file")
        entry = read_entry(client, path, config.text or "")
    except ClientConfigError as exc:
        return ClientStatus(client.name, client.title, scope, path, detected, "unreadable", error=str(exc))
    if entry is None:
        return ClientStatus(client.name, client.title, scope, path, detected, "no-entry")
    state: EntryState = "matches" if _matches(client, entry, command, environ) else "differs"
    return ClientStatus(client.name, client.title, scope, path, detected, state, entry=entry)


def _probe_key(entry: Mapping[str, Any]) -> tuple[Any, ...] | None:
    url = _http_url(entry)
    if url is not None:
        return ("http", url, tuple(sorted(entry_headers(entry).items())))
    command = entry.get("command", entry.get("cmd"))
    if not isinstance(command, str):
        return None
    args = entry.get("args") or []
    env = entry.get("env", entry.get("envs")) or {}
    if not isinstance(args, list) or not isinstance(env, Mapping):
        return None
    return ("stdio", command, tuple(str(a) for a in args), tuple(sorted((str(k), str(v)) for k, v in env.items())))


def _run_probe(key: tuple[Any, ...], timeout: float) -> ProbeResult:
    if key[0] == "http":
        return probe_http(key[1], headers=dict(key[2]), timeout=timeout)
    _, command, args, env = key
    return probe_stdio(command, list(args), dict(env), timeout=timeout)


def collect_status(
    host: HostEnv,
    project_dir: Path,
    *,
    probe: bool = True,
    timeout: float = 20.0,
    command: ServerCommand | None = None,
    environ: dict[str, str] | None = None,
) -> list[ClientStatus]:
    """Every client at user scope, plus project scope where the project file exists.

    With `probe`, each distinct entry is launched (stdio) or called (http) and
    asked to ``initialize`` within `timeout` seconds, several at a time.
    """
    command = command or server_command()
    rows: list[ClientStatus] = []
    for client in CLIENTS.values():
        rows.append(_inspect(client, "user", client.user_path(host), host, command, environ))
        project_path = client.config_path(host, "project", project_dir.absolute())
        if project_path is not None and project_path.exists():
            rows.append(_inspect(client, "project", project_path, host, command, environ))
    if not probe:
        return rows
    keys = {i: _probe_key(row.entry) for i, row in enumerate(rows) if row.entry is not None}
    distinct = sorted({k for k in keys.values() if k is not None}, key=repr)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(distinct, pool.map(lambda k: _run_probe(k, timeout), distinct), strict=True))
    out = []
    for i, row in enumerate(rows):
        key = keys.get(i)
        if row.entry is None:
            out.append(row)
        elif key is None:
            out.append(_with_probe(row, ProbeResult(False, "the entry has neither a command nor a URL")))
        else:
            out.append(_with_probe(row, results[key]))
    return out


def _with_probe(row: ClientStatus, result: ProbeResult) -> ClientStatus:
    return ClientStatus(
        row.client, row.title, row.scope, row.path, row.detected, row.state, row.entry, row.error, result
    )
