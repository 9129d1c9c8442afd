"""`headroom proxy`: the cache-safe provider proxy (see `mcp_server.proxy._app` and `_memory` for its rules).

Names are re-exported lazily: building `headroom`'s parser imports `mcp_server.proxy.cli`, so this package, for
every command (`headroom mcp serve` too), and must not pay for the HTTP client and server stacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccr._lazy import lazy_exports

if TYPE_CHECKING:
    from mcp_server.proxy._app import ANTHROPIC_UPSTREAM as ANTHROPIC_UPSTREAM
    from mcp_server.proxy._app import OPENAI_UPSTREAM as OPENAI_UPSTREAM
    from mcp_server.proxy._app import ProxyApp as ProxyApp
    from mcp_server.proxy._app import ProxyConfig as ProxyConfig
    from mcp_server.proxy._memory import ForwardMemory as ForwardMemory
    from mcp_server.proxy._rewrite import Rewrite as Rewrite
    from mcp_server.proxy._rewrite import Rewriter as Rewriter
    from mcp_server.proxy._serve import ProxyOptions as ProxyOptions
    from mcp_server.proxy._serve import build_app as build_app
    from mcp_server.proxy._serve import running as running
    from mcp_server.proxy._serve import serve as serve

__getattr__, __dir__ = lazy_exports(__name__)
