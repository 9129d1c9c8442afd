"""Another MCP server, for the hook tests: one tool that returns a bulky log as plain text (no output schema)."""

from __future__ import annotations

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("logs")


@server.tool(structured_output=False)
def tail_log(lines: int = 4000) -> str:
    """The last `lines` lines of the service log."""
    rows = [
        f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d} INFO worker-{i % 7} handled request id={i * 7919}"
        for i in range(lines)
    ]
    rows[lines // 2] = "2026-01-01T00:33:20 ERROR worker-3 disk full on /dev/sda1 while writing segment 42"
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    server.run("stdio")
    sys.exit(0)
