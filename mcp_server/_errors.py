"""The errors of the command line's own work: editing client configs, building bundles, talking to a server.

They sit under the one root, `ccr.HeadroomError` (the store's and the compressors' errors are drawn in
`ccr._exceptions`), so each layer translates them where it translates the rest: `headroom` prints the
message and exits 1 (`mcp_server.cli.main`), a tool call fails with the message as its text
(`mcp_server.server._state.tool_errors`).

    HeadroomError (ccr)
    ├── ClientConfigError      an MCP client's config file cannot be edited safely (.path names it)
    ├── BundleError            the .mcpb bundle or the distribution manifests cannot be built
    └── ServerRunError         a server started over stdio could not be spoken to (the probe, the benchmarks)
"""

from __future__ import annotations

from pathlib import Path

from ccr import HeadroomError

__all__ = ["BundleError", "ClientConfigError", "ServerRunError"]


class ClientConfigError(HeadroomError):
    """A client config file that cannot be parsed or written; ``path`` names it."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


class BundleError(HeadroomError):
    """The ``.mcpb`` bundle or the distribution manifests cannot be built or written."""


class ServerRunError(HeadroomError):
    """A server started as a subprocess could not be started, exited, stayed silent, refused, or speaks a
    protocol version its client does not; the message says which (with the last line it wrote to stderr)."""
