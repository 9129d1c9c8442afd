"""`build_server`: the MCPServer with its tools, resources, prompts, instructions, icon and lifespan."""

from __future__ import annotations

import os
import uuid

from mcp.server import MCPServer
from mcp_types import Icon

from mcp_server.server._identity import (
    ICON_MIME_TYPE,
    ICON_SIZES,
    SERVER_DESCRIPTION,
    SERVER_NAME,
    SERVER_TITLE,
    icon_data_uri,
    instructions_for,
    server_version,
)
from mcp_server.server._local_tools import register_local_tools
from mcp_server.server._options import ServerOptions
from mcp_server.server._prompts import register_prompts
from mcp_server.server._resources import register_resources
from mcp_server.server._search import register_search_tool
from mcp_server.server._state import AppState, SharedState
from mcp_server.server._tools import register_tools

__all__ = ["SERVER_NAME", "build_server", "icon_data_uri", "instructions_for"]


def build_server(options: ServerOptions | None = None) -> MCPServer[AppState]:
    """A configured headroom MCP server; the store opens when it starts serving.

    Args:
        options: roots, `headroom_run` policy, pricing; default: from the environment.
    """
    options = options if options is not None else ServerOptions.from_env()
    icons = [Icon(src=icon_data_uri(), mime_type=ICON_MIME_TYPE, sizes=list(ICON_SIZES))]
    # `headroom wrap` names the session, so the hooks, `headroom exec` and this server count under one id.
    shared = SharedState(options, os.environ.get("HEADROOM_SESSION") or uuid.uuid4().hex[:16])
    server: MCPServer[AppState] = MCPServer(
        SERVER_NAME,
        title=SERVER_TITLE,
        description=SERVER_DESCRIPTION,
        instructions=instructions_for(options),
        icons=icons,
        version=server_version(),
        lifespan=shared.lifespan,
        log_level="WARNING",
    )
    register_tools(server, icons=icons)
    register_local_tools(server, allow_run=options.allow_run, icons=icons, confine=options.run_confine)
    register_search_tool(server, icons=icons)
    register_resources(server, shared, icons=icons)
    register_prompts(server, icons=icons)
    return server
