"""The `headroom` command line, the MCP server, the client installer and the benchmark.

Entry points: `mcp_server.cli:main` (the `headroom` command), `mcp_server.server.build_server` (the MCP server),
`mcp_server.install` (client configuration). This package sits on top of `compressors` and `ccr`; nothing below
imports it.
"""
