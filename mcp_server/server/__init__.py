"""The headroom MCP server: tools, resources, prompts, transports and `headroom mcp serve`.

Names are re-exported lazily: `headroom --help` imports this package to find
`mcp_server.server.cli`, and must not pay for the MCP SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_server.server._app import build_server
    from mcp_server.server._identity import icon_data_uri, instructions_for
    from mcp_server.server._models import CompressorInfo, CompressorStats, StatsOutput
    from mcp_server.server._options import ServerOptions
    from mcp_server.server._pricing import Pricing
    from mcp_server.server._state import AppState
    from mcp_server.server._stdio import serve_stdio
    from mcp_server.server._transports import HttpSettings, build_http_app, security_settings, serve

__all__ = [
    "AppState",
    "CompressorInfo",
    "CompressorStats",
    "HttpSettings",
    "Pricing",
    "ServerOptions",
    "StatsOutput",
    "build_http_app",
    "build_server",
    "icon_data_uri",
    "instructions_for",
    "security_settings",
    "serve",
    "serve_stdio",
]

_HOMES = {
    "AppState": "_state",
    "CompressorInfo": "_models",
    "CompressorStats": "_models",
    "HttpSettings": "_transports",
    "Pricing": "_pricing",
    "ServerOptions": "_options",
    "StatsOutput": "_models",
    "build_http_app": "_transports",
    "build_server": "_app",
    "icon_data_uri": "_identity",
    "instructions_for": "_identity",
    "security_settings": "_transports",
    "serve": "_transports",
    "serve_stdio": "_stdio",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
