"""`headroom proxy`: the cache-safe provider proxy (see `mcp_server.proxy._app` and `_memory` for its rules)."""

from mcp_server.proxy._app import ANTHROPIC_UPSTREAM, OPENAI_UPSTREAM, ProxyApp, ProxyConfig
from mcp_server.proxy._memory import ForwardMemory
from mcp_server.proxy._rewrite import Rewrite, Rewriter
from mcp_server.proxy._serve import ProxyOptions, build_app, running, serve

__all__ = [
    "ANTHROPIC_UPSTREAM",
    "OPENAI_UPSTREAM",
    "ForwardMemory",
    "ProxyApp",
    "ProxyConfig",
    "ProxyOptions",
    "Rewrite",
    "Rewriter",
    "build_app",
    "running",
    "serve",
]
