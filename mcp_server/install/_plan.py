"""Install and uninstall as plans: read the file, compute the new text, then apply or show the diff.

Planning never writes, so ``--dry-run`` and the real run share every step
except the last, and an unchanged plan (installing twice) writes nothing and
makes no backup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mcp_server._errors import ClientConfigError
from mcp_server.install._clients import (
    DEFAULT_HTTP_URL,
    Client,
    Scope,
    ServerCommand,
    Transport,
    bearer_headers,
    merge_entry,
    server_command,
)
from mcp_server.install._files import ConfigFile, read_config, remove_config, unified_diff, write_config
from mcp_server.install._formats import read_entry, remove_entry, write_entry
from mcp_server.install._paths import HostEnv

__all__ = [
    "Change",
    "Target",
    "apply_change",
    "entry_env",
    "http_token",
    "plan_install",
    "plan_uninstall",
    "project_backup_dir",
    "resolve_target",
]

Action = Literal["install", "uninstall"]


@dataclass(frozen=True, slots=True)
class Target:
    """One client's config file at one scope."""

    client: Client
    scope: Scope
    path: Path


def resolve_target(client: Client, scope: Scope, host: HostEnv, project_dir: Path) -> Target | None:
    """The file `client` reads at `scope`, or None when it has no such scope."""
    path = client.config_path(host, scope, project_dir.absolute())
    return None if path is None else Target(client, scope, path)


def entry_env(client: Client, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The env block of our stdio entry: who launched it, and the store location when one is set.

    Apps start servers with their own environment, so a ``HEADROOM_HOME`` set in
    the installing shell is written into the entry; otherwise the app's server
    would use a different store than the CLI.
    """
    environ = dict(os.environ) if environ is None else environ
    env = {"HEADROOM_CLIENT": client.name}
    home = environ.get("HEADROOM_HOME", "").strip()
    if home:
        env["HEADROOM_HOME"] = str(Path(home).expanduser().absolute())
    return env


@dataclass(frozen=True, slots=True)
class Change:
    """What an install or uninstall would do to one file; ``new_text`` None means delete the file.

    `private`: the new text holds a secret (an HTTP entry's access token), so the file (and its
    backup) are made owner-only when written.
    """

    target: Target
    action: Action
    config: ConfigFile
    new_text: str | None
    entry: dict[str, Any] | None
    private: bool = False

    @property
    def changed(self) -> bool:
        if self.new_text is None:
            return self.config.exists
        return self.new_text != self.config.text

    def diff(self) -> str:
        """A unified diff of the change ('' when nothing would change)."""
        return unified_diff(self.config, self.new_text) if self.changed else ""


def http_token(environ: dict[str, str] | None = None) -> str:
    """The access token HTTP entries carry: ``HEADROOM_TOKEN``, else the store's own (made if missing).

    Raises:
        AccessError: the token is too short or its file is not private.
        StoreError: the store directory or the token file cannot be made.
    """
    from ccr import Settings, access_token

    environ = dict(os.environ) if environ is None else environ
    return access_token(Settings.from_env(environ).home, environ.get("HEADROOM_TOKEN") or None)


def plan_install(
    target: Target,
    *,
    transport: Transport = "stdio",
    url: str = DEFAULT_HTTP_URL,
    command: ServerCommand | None = None,
    environ: dict[str, str] | None = None,
    token: str | None = None,
) -> Change:
    """Plan adding or updating our entry in the target file.

    An HTTP entry sends `token` (default `http_token(environ)`) as ``Authorization: Bearer``.

    Raises:
        ClientConfigError: the file cannot be read or parsed (it is left untouched).
            Also raised when the client cannot use `transport` from a config file.
    """
    client = target.client
    headers = bearer_headers(token or http_token(environ)) if transport == "http" else None
    entry = client.entry(transport, command or server_command(), entry_env(client, environ), url, headers)
    if entry is None:
        message = f"{client.title} does not read {transport} servers from its config file; use --transport stdio"
        raise ClientConfigError(message, path=target.path)
    config = read_config(target.path)
    text = config.text or ""
    existing = read_entry(client, target.path, text)
    merged = merge_entry(existing, entry)
    private = headers is not None
    if existing == merged:
        return Change(target, "install", config, config.text, merged, private)
    new_text = write_entry(client, target.path, text, merged, scope=target.scope)
    return Change(target, "install", config, new_text, merged, private)


def plan_uninstall(target: Target) -> Change:
    """Plan removing our entry (and nothing else) from the target file.

    Raises:
        ClientConfigError: the file cannot be read or parsed (it is left untouched).
    """
    client = target.client
    config = read_config(target.path)
    if not config.exists:
        return Change(target, "uninstall", config, None, None)
    text = config.text or ""
    existing = read_entry(client, target.path, text)
    if existing is None:
        return Change(target, "uninstall", config, config.text, None)
    new_text = remove_entry(client, target.path, text)
    if target.scope == "project" and client.owns_project_file and _holds_nothing_else(client, target.path, new_text):
        return Change(target, "uninstall", config, None, existing)
    return Change(target, "uninstall", config, new_text, existing)


def _holds_nothing_else(client: Client, path: Path, text: str) -> bool:
    # A block file we created: once our entry is gone, only its skeleton (and maybe an empty list) is left.
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text) or {}
    skeleton = client.skeleton("project") if client.skeleton is not None else {}
    rest = {k: v for k, v in data.items() if k not in skeleton and v not in (None, [], {})}
    return not rest


def apply_change(change: Change) -> Path | None:
    """Write the planned change; return the backup of the previous file (None when there was none).

    Raises:
        ClientConfigError: the file or its directory is read-only, or it changed since it was planned.
    """
    if not change.changed:
        return None
    folder = project_backup_dir() if change.target.scope == "project" else None
    if change.new_text is None:
        return remove_config(change.config, folder)
    return write_config(change.config, change.new_text, private=change.private, backup_dir=folder)


def project_backup_dir() -> Path:
    """Where backups of project files go: the store's home, out of every project tree."""
    from ccr import Settings

    return Settings.from_env().home / "backups"
