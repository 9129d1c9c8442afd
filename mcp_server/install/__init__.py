"""Registering the server with MCP clients, checking it runs, and the distribution manifests.

`headroom mcp install|uninstall|status|pack` (see `mcp_server.install.cli`) are
thin over this API: resolve a `Target` per client, `plan_install` /
`plan_uninstall` it (nothing written), then `apply_change` (backup + atomic
replace) or print `Change.diff()`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_server.install._bundle import (
        PYPI_NAME,
        REGISTRY_NAME,
        REGISTRY_SCHEMA,
        TOOLS,
        PackResult,
        build_manifest,
        build_server_json,
        find_mcpb,
        pack_bundle,
        package_version,
        write_manifests,
    )
    from mcp_server.install._clients import (
        CLIENTS,
        DEFAULT_HTTP_URL,
        SERVER_NAME,
        Client,
        Entry,
        ServerCommand,
        get_client,
        merge_entry,
        server_command,
    )
    from mcp_server.install._files import backup_name, read_config
    from mcp_server.install._formats import read_entry, remove_entry, write_entry
    from mcp_server.install._paths import PLATFORMS, HostEnv
    from mcp_server.install._plan import (
        Change,
        Target,
        apply_change,
        entry_env,
        plan_install,
        plan_uninstall,
        resolve_target,
    )
    from mcp_server.install._probe import ProbeResult, probe_http, probe_stdio
    from mcp_server.install._status import ClientStatus, collect_status

# Loaded on first use: every `headroom` start imports this package's cli module.
_LAZY = {
    "CLIENTS": "mcp_server.install._clients",
    "Change": "mcp_server.install._plan",
    "Client": "mcp_server.install._clients",
    "ClientStatus": "mcp_server.install._status",
    "DEFAULT_HTTP_URL": "mcp_server.install._clients",
    "Entry": "mcp_server.install._clients",
    "HostEnv": "mcp_server.install._paths",
    "PLATFORMS": "mcp_server.install._paths",
    "PYPI_NAME": "mcp_server.install._bundle",
    "PackResult": "mcp_server.install._bundle",
    "ProbeResult": "mcp_server.install._probe",
    "REGISTRY_NAME": "mcp_server.install._bundle",
    "REGISTRY_SCHEMA": "mcp_server.install._bundle",
    "SERVER_NAME": "mcp_server.install._clients",
    "ServerCommand": "mcp_server.install._clients",
    "TOOLS": "mcp_server.install._bundle",
    "Target": "mcp_server.install._plan",
    "apply_change": "mcp_server.install._plan",
    "backup_name": "mcp_server.install._files",
    "build_manifest": "mcp_server.install._bundle",
    "build_server_json": "mcp_server.install._bundle",
    "collect_status": "mcp_server.install._status",
    "entry_env": "mcp_server.install._plan",
    "find_mcpb": "mcp_server.install._bundle",
    "get_client": "mcp_server.install._clients",
    "merge_entry": "mcp_server.install._clients",
    "pack_bundle": "mcp_server.install._bundle",
    "package_version": "mcp_server.install._bundle",
    "plan_install": "mcp_server.install._plan",
    "plan_uninstall": "mcp_server.install._plan",
    "probe_http": "mcp_server.install._probe",
    "probe_stdio": "mcp_server.install._probe",
    "read_config": "mcp_server.install._files",
    "read_entry": "mcp_server.install._formats",
    "remove_entry": "mcp_server.install._formats",
    "resolve_target": "mcp_server.install._plan",
    "server_command": "mcp_server.install._clients",
    "write_entry": "mcp_server.install._formats",
    "write_manifests": "mcp_server.install._bundle",
}

__all__ = [
    "CLIENTS",
    "DEFAULT_HTTP_URL",
    "PLATFORMS",
    "PYPI_NAME",
    "REGISTRY_NAME",
    "REGISTRY_SCHEMA",
    "SERVER_NAME",
    "TOOLS",
    "Change",
    "Client",
    "ClientStatus",
    "Entry",
    "HostEnv",
    "PackResult",
    "ProbeResult",
    "ServerCommand",
    "Target",
    "apply_change",
    "backup_name",
    "build_manifest",
    "build_server_json",
    "collect_status",
    "entry_env",
    "find_mcpb",
    "get_client",
    "merge_entry",
    "pack_bundle",
    "package_version",
    "plan_install",
    "plan_uninstall",
    "probe_http",
    "probe_stdio",
    "read_config",
    "read_entry",
    "remove_entry",
    "resolve_target",
    "server_command",
    "write_entry",
    "write_manifests",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
