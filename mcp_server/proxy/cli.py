"""`headroom proxy`: a cache-safe proxy in front of the Anthropic and OpenAI-compatible APIs.

Point a client's base URL at it (ANTHROPIC_BASE_URL=http://127.0.0.1:8787, OPENAI_BASE_URL=http://127.0.0.1:8787/v1):
bulky tool results in each request are compressed (the originals go to the store, where the MCP server's
headroom_retrieve redeems the markers), everything else is forwarded byte for byte, and the answer, streamed or
not, comes back as the provider sent it. A result is compressed the first time it is sent and in the same bytes
every time after, so the provider's prompt cache keeps hitting; one that went upstream uncompressed once (under the
threshold, or before the proxy started) keeps going uncompressed. `x-headroom: off` on a request forwards it as it is.
"""

from __future__ import annotations

import argparse

__all__ = ["add_parser"]


def _run(args: argparse.Namespace) -> int:
    import logging
    import sys

    from mcp_server.proxy._serve import ProxyOptions, serve

    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        stream=sys.stderr,
        format="headroom proxy: %(message)s",
    )
    options = ProxyOptions.from_env(
        host=args.host,
        port=args.port,
        anthropic_upstream=args.anthropic_upstream,
        openai_upstream=args.openai_upstream,
        token=args.token,
        min_tokens=args.min_tokens,
        compress=not args.no_compress,
    )
    try:
        return serve(options)
    except OSError as exc:
        print(f"headroom proxy: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from mcp_server.cli import positive_int

    p = subparsers.add_parser(
        "proxy",
        help="cache-safe proxy in front of the Anthropic and OpenAI APIs that compresses bulky tool results",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; beyond loopback a token is required)"
    )
    p.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 picks a free one)")
    p.add_argument(
        "--anthropic-upstream",
        metavar="URL",
        help="where Anthropic requests go (default $HEADROOM_ANTHROPIC_UPSTREAM, else https://api.anthropic.com)",
    )
    p.add_argument(
        "--openai-upstream",
        metavar="URL",
        help="where OpenAI-compatible requests go (default $HEADROOM_OPENAI_UPSTREAM, else https://api.openai.com)",
    )
    p.add_argument(
        "--token",
        help="require x-headroom-token: TOKEN on every request; bound beyond loopback a token is always "
        "required: $HEADROOM_TOKEN, else the store's access token (`headroom mcp status` shows it)",
    )
    p.add_argument(
        "--min-tokens",
        type=positive_int,
        metavar="N",
        help="compress tool results of at least N tokens (default $HEADROOM_PROXY_MIN_TOKENS, else 2000)",
    )
    p.add_argument("--no-compress", action="store_true", help="forward everything as it is (a plain proxy)")
    p.add_argument("--quiet", action="store_true", help="log only problems, not each compressed request")
    p.set_defaults(func=_run)
