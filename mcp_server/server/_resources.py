"""Resources: lifetime stats, any stored original by handle, and the compressors on offer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from ccr import HashError, HeadroomError
from mcp_server.server._models import CompressorInfo
from mcp_server.server._state import AppState, SharedState
from mcp_server.server._stats import collect_stats

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon

__all__ = ["compressor_catalogue", "register_resources"]


def compressor_catalogue() -> list[CompressorInfo]:
    """Every registered compressor, its description and the content types routed to it."""
    from compressors import available, get_compressor
    from compressors._router import COMPRESSOR_FOR_TYPE

    out = []
    for name in available():
        try:
            description = type(get_compressor(name)).description
        except Exception as exc:  # a broken plugin must not hide the others
            description = f"unavailable: {exc}"
        types = sorted(t for t, c in COMPRESSOR_FOR_TYPE.items() if c == name)
        out.append(CompressorInfo(name=name, description=description, content_types=types))
    return out


def register_resources(server: MCPServer[AppState], shared: SharedState, *, icons: list[Icon]) -> None:
    """Add ``headroom://stats``, ``headroom://original/{hash}`` and ``headroom://compressors``."""

    @server.resource(
        "headroom://stats",
        name="stats",
        title="Lifetime savings",
        description="What compression saved over the store's lifetime, as JSON (same fields as headroom_stats).",
        mime_type="application/json",
        icons=icons,
    )
    async def stats() -> str:
        state = shared.current()
        if state is None:
            raise ResourceError("the server is not running; no store is open")
        try:
            output = await state.call(collect_stats, state, "lifetime")
        except HeadroomError as exc:
            raise ResourceError(str(exc)) from exc
        return output.model_dump_json(indent=2)

    @server.resource(
        "headroom://original/{hash}",
        name="original",
        title="Stored original",
        description="The exact original stored under a handle (text, or a binary blob when it is not UTF-8).",
        icons=icons,
    )
    async def original(hash: str, ctx: Context[AppState, Any]) -> str | bytes:
        state: AppState = ctx.request_context.lifespan_context
        try:
            data = await state.call(state.store.get, hash.strip().lower())
        except HashError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        except HeadroomError as exc:
            raise ResourceError(str(exc)) from exc
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data

    @server.resource(
        "headroom://compressors",
        name="compressors",
        title="Compressors",
        description="The registered compressors, what each does and which content types it serves, as JSON.",
        mime_type="application/json",
        icons=icons,
    )
    def compressors() -> str:
        return json.dumps([c.model_dump() for c in compressor_catalogue()], indent=2)
