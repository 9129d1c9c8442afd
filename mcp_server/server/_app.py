"""`build_server`: the MCPServer with its tools, resources, prompts, instructions, icon and lifespan."""

from __future__ import annotations

import base64
import uuid
from functools import cache
from importlib.resources import files

from mcp.server import MCPServer
from mcp_types import Icon

from mcp_server.server._local_tools import register_local_tools
from mcp_server.server._options import ServerOptions
from mcp_server.server._prompts import register_prompts
from mcp_server.server._resources import register_resources
from mcp_server.server._search import register_search_tool
from mcp_server.server._state import AppState, SharedState
from mcp_server.server._tools import register_tools

__all__ = ["SERVER_NAME", "build_server", "icon_data_uri", "instructions_for"]

SERVER_NAME = "headroom"


@cache
def icon_data_uri() -> str:
    """The shipped SVG icon as a ``data:`` URI."""
    svg = files("mcp_server.server").joinpath("icon.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("headroom-mcp")
    except PackageNotFoundError:
        return "0.0.0"


def instructions_for(options: ServerOptions) -> str:
    """What the model is told about this server when it connects."""
    run = (
        "- headroom_run runs a shell command (tests, builds, linters, grep, git log) and returns its output "
        "compressed with the exit code. Prefer it to your own shell tool whenever the output may be long."
        if options.allow_run
        else "- headroom_run is disabled on this server (start it with --allow-run to enable it)."
    )
    return f"""headroom keeps bulky text out of your context and keeps every original retrievable.

- headroom_read reads a file server-side and returns it compressed (source files as a skeleton with the parts
  relevant to `query` in full). Prefer it to your own file-reading tool for files over a couple of hundred lines
  or when you need only part of a file; pass `lines` for an exact range verbatim.
{run}
- headroom_compress shrinks text you already hold (a long tool result, a log, a JSON response, a diff) before
  you reason over it or pass it on. Not worth it under about 2,000 tokens. Always give `query` when you know what
  you are looking for: relevant parts are kept in full.
- A marker such as [120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159] stands for text that was left
  out, not lost. When you need it, call headroom_retrieve with that hash and lines (or with a `query` to get only
  the relevant lines). Never guess what a marker hides. Retrieved text is never compressed again.
- headroom_stats reports what was saved.
"""


def build_server(options: ServerOptions | None = None) -> MCPServer[AppState]:
    """A configured headroom MCP server; the store opens when it starts serving.

    Args:
        options: roots, `headroom_run` policy, pricing; default: from the environment.
    """
    options = options if options is not None else ServerOptions.from_env()
    icons = [Icon(src=icon_data_uri(), mime_type="image/svg+xml", sizes=["any"])]
    shared = SharedState(options, uuid.uuid4().hex[:16])
    server: MCPServer[AppState] = MCPServer(
        SERVER_NAME,
        title="headroom: context compression",
        description="Compresses bulky tool output for AI agents; every original stays retrievable.",
        instructions=instructions_for(options),
        icons=icons,
        version=_version(),
        lifespan=shared.lifespan,
        log_level="WARNING",
    )
    register_tools(server, icons=icons)
    register_local_tools(server, allow_run=options.allow_run, icons=icons)
    register_search_tool(server, icons=icons)
    register_resources(server, shared, icons=icons)
    register_prompts(server, icons=icons)
    return server
