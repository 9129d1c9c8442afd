"""The headroom MCP server: tools, resources, prompts, transports and `headroom mcp serve`.

Names are re-exported lazily: `headroom --help` imports this package to find
`mcp_server.server.cli`, and must not pay for the MCP SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccr._lazy import lazy_exports

if TYPE_CHECKING:
    from mcp_server.server._app import build_server as build_server
    from mcp_server.server._identity import icon_data_uri as icon_data_uri
    from mcp_server.server._identity import instructions_for as instructions_for
    from mcp_server.server._models import CompressorInfo as CompressorInfo
    from mcp_server.server._models import CompressorStats as CompressorStats
    from mcp_server.server._models import StatsOutput as StatsOutput
    from mcp_server.server._options import ServerOptions as ServerOptions
    from mcp_server.server._pricing import Pricing as Pricing
    from mcp_server.server._state import AppState as AppState
    from mcp_server.server._stdio import serve_stdio as serve_stdio
    from mcp_server.server._transports import HttpSettings as HttpSettings
    from mcp_server.server._transports import build_http_app as build_http_app
    from mcp_server.server._transports import security_settings as security_settings
    from mcp_server.server._transports import serve as serve

__getattr__, __dir__ = lazy_exports(__name__)
