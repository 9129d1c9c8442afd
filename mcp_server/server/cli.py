"""`headroom mcp serve`: run the MCP server on stdio (default), SSE or streamable HTTP.

Only argparse is imported here: `headroom --help` must stay fast. The server
and its dependencies load inside the handler.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

__all__ = ["add_parser"]

_EPILOG = """environment:
  HEADROOM_ROOTS        extra directories headroom_read/headroom_run may use (os.pathsep-separated)
  HEADROOM_ALLOW_RUN    1 enables headroom_run
  HEADROOM_TOKEN        bearer token for sse/http (default: the one generated into HEADROOM_HOME/http-token)
  HEADROOM_CLIENT       client name recorded with stats (default: the client's own name)
  HEADROOM_MODEL        model whose input price values the savings (default claude-sonnet-4-5)
  HEADROOM_PRICE_PER_MTOK  that price in USD per million tokens, overriding the table
  HEADROOM_HOME         where the store lives
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run the MCP server (stdio by default)",
        description="Run the headroom MCP server. Logs go to stderr only.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--transport", choices=("stdio", "sse", "http"), default="stdio", help="default: stdio")
    p.add_argument("--host", default="127.0.0.1", help="address to bind for sse/http (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port for sse/http (default 8765)")
    p.add_argument(
        "--token",
        help="bearer token clients must send (sse/http); default $HEADROOM_TOKEN, else the store's own "
        "(HEADROOM_HOME/http-token, made on first use; `headroom mcp status` shows it)",
    )
    p.add_argument("--allow-run", action="store_true", help="enable headroom_run (shell commands inside the roots)")
    p.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="DIR",
        help="directory headroom_read/headroom_run may use, besides the client's roots (repeatable)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="extra Host header value to accept on sse/http, e.g. a reverse proxy's name (repeatable)",
    )
    p.add_argument(
        "--store",
        metavar="URL",
        help="the store: postgresql://... for a team's store shared by several servers, sqlite:PATH for another "
        "file (default $HEADROOM_STORE_URL, else $HEADROOM_HOME/ccr.sqlite3)",
    )
    p.add_argument("--namespace", help="the team namespace in a PostgreSQL store (default $HEADROOM_NAMESPACE)")
    p.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="warning", help="stderr log level"
    )
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from ccr import HeadroomError, Settings, access_token
    from mcp_server.cli import use_store
    from mcp_server.server._options import ServerOptions
    from mcp_server.server._transports import HttpSettings, serve

    use_store(args.store, args.namespace)
    try:
        settings = Settings.from_env()
        options = ServerOptions.from_env(roots=args.root, allow_run=args.allow_run)
    except ValueError as exc:
        print(f"headroom mcp serve: {exc}", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"headroom mcp serve: --port {args.port} is not a TCP port", file=sys.stderr)
        return 2
    http = None
    if args.transport != "stdio":
        given = args.token if args.token is not None else (os.environ.get("HEADROOM_TOKEN") or None)
        try:
            http = HttpSettings(
                token=access_token(settings.home, given),
                transport=args.transport,
                host=args.host,
                port=args.port,
                allowed_hosts=tuple(args.allow_host),
                token_source="given" if given is not None else "file",
            )
            http.check()
        except HeadroomError as exc:
            print(f"headroom mcp serve: {exc}", file=sys.stderr)
            return 2
    return serve(options, args.transport, http)
