"""`headroom` command line: one parser, one module per command group.

Each command module exposes ``add_parser(subparsers)`` and sets ``func`` on its
parser; heavy imports happen inside the handlers so start-up stays fast.
Errors from the lower layers are translated here, once, into a one-line
message on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

__all__ = ["main", "positive_float", "positive_int"]

# Top-level commands, and the sub-commands of `headroom mcp`, by module.
_COMMAND_MODULES = (
    "mcp_server._cmd_store",
    "mcp_server._cmd_search",
    "mcp_server.bench.cli",
    "mcp_server._cmd_demo",
    "mcp_server.exec.cli",
    "mcp_server.hooks.cli",
    "mcp_server._cmd_wrap",
    "mcp_server.proxy.cli",
)
_MCP_COMMAND_MODULES = ("mcp_server.server.cli", "mcp_server.install.cli")


class _VersionAction(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from mcp_server.server._identity import server_version

        print(f"headroom {server_version()}")
        parser.exit()


def positive_int(text: str) -> int:
    """An argparse type for counts and token budgets: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def positive_float(text: str) -> float:
    """An argparse type for durations: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above 0")
    return value


def _add_modules(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], names: Sequence[str]) -> None:
    import importlib

    for name in names:
        module = importlib.import_module(name)
        module.add_parser(subparsers)


def use_store(url: str | None, namespace: str | None) -> None:
    """Make `url` and `namespace` (when given) what every part of this process reads from its environment."""
    if url:
        os.environ["HEADROOM_STORE_URL"] = url
    if namespace:
        os.environ["HEADROOM_NAMESPACE"] = namespace


def build_parser(serve_only: bool = False) -> argparse.ArgumentParser:
    """The whole parser; ``serve_only``: the same parser with `headroom mcp serve` as its only command (what an MCP
    client starts: the other commands' modules are not imported on the way to the initialize answer)."""
    parser = argparse.ArgumentParser(
        prog="headroom",
        description="Compress bulky tool output for AI agents; every original stays retrievable.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--store",
        metavar="URL",
        help="the store to use: postgresql://... for a team's store, sqlite:PATH for another file "
        "(sets HEADROOM_STORE_URL; default: $HEADROOM_HOME/ccr.sqlite3)",
    )
    parser.add_argument("--namespace", help="the team namespace in a PostgreSQL store (sets HEADROOM_NAMESPACE)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_modules(sub, () if serve_only else _COMMAND_MODULES)
    mcp = sub.add_parser("mcp", help="run the MCP server or register it with MCP clients")
    mcp_sub = mcp.add_subparsers(dest="mcp_command", metavar="COMMAND", required=True)
    _add_modules(mcp_sub, _MCP_COMMAND_MODULES[:1] if serve_only else _MCP_COMMAND_MODULES)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    from mcp_server._fast import FAST_COMMANDS, run

    if args_list and args_list[0] in FAST_COMMANDS:
        return run(args_list)
    from ccr import HeadroomError

    parser = build_parser(serve_only=args_list[:2] == ["mcp", "serve"])
    args = parser.parse_args(argv)
    use_store(args.store, args.namespace)
    try:
        status = args.func(args)
    except HeadroomError as exc:
        print(f"headroom: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
