"""Registering the server with MCP clients, checking it runs, and the distribution manifests.

`headroom mcp install|uninstall|status|pack` (see `mcp_server.install.cli`) are
thin over this API: resolve a `Target` per client, `plan_install` /
`plan_uninstall` it (nothing written), then `apply_change` (backup + atomic
replace) or print `Change.diff()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccr._lazy import lazy_exports

if TYPE_CHECKING:
    from mcp_server._errors import BundleError as BundleError
    from mcp_server._errors import ClientConfigError as ClientConfigError
    from mcp_server.install._bundle import PYPI_NAME as PYPI_NAME
    from mcp_server.install._bundle import REGISTRY_NAME as REGISTRY_NAME
    from mcp_server.install._bundle import REGISTRY_SCHEMA as REGISTRY_SCHEMA
    from mcp_server.install._bundle import TOOLS as TOOLS
    from mcp_server.install._bundle import PackResult as PackResult
    from mcp_server.install._bundle import build_manifest as build_manifest
    from mcp_server.install._bundle import build_server_json as build_server_json
    from mcp_server.install._bundle import find_mcpb as find_mcpb
    from mcp_server.install._bundle import pack_bundle as pack_bundle
    from mcp_server.install._bundle import package_version as package_version
    from mcp_server.install._bundle import write_manifests as write_manifests
    from mcp_server.install._clients import CLIENTS as CLIENTS
    from mcp_server.install._clients import DEFAULT_HTTP_URL as DEFAULT_HTTP_URL
    from mcp_server.install._clients import SERVER_NAME as SERVER_NAME
    from mcp_server.install._clients import Client as Client
    from mcp_server.install._clients import Entry as Entry
    from mcp_server.install._clients import ServerCommand as ServerCommand
    from mcp_server.install._clients import get_client as get_client
    from mcp_server.install._clients import merge_entry as merge_entry
    from mcp_server.install._clients import server_command as server_command
    from mcp_server.install._files import backup_name as backup_name
    from mcp_server.install._files import read_config as read_config
    from mcp_server.install._formats import read_entry as read_entry
    from mcp_server.install._formats import remove_entry as remove_entry
    from mcp_server.install._formats import write_entry as write_entry
    from mcp_server.install._paths import PLATFORMS as PLATFORMS
    from mcp_server.install._paths import HostEnv as HostEnv
    from mcp_server.install._plan import Change as Change
    from mcp_server.install._plan import Target as Target
    from mcp_server.install._plan import apply_change as apply_change
    from mcp_server.install._plan import entry_env as entry_env
    from mcp_server.install._plan import plan_install as plan_install
    from mcp_server.install._plan import plan_uninstall as plan_uninstall
    from mcp_server.install._plan import resolve_target as resolve_target
    from mcp_server.install._probe import ProbeResult as ProbeResult
    from mcp_server.install._probe import probe_http as probe_http
    from mcp_server.install._probe import probe_stdio as probe_stdio
    from mcp_server.install._status import ClientStatus as ClientStatus
    from mcp_server.install._status import collect_status as collect_status

__getattr__, __dir__ = lazy_exports(__name__)
