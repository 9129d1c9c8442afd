"""`headroom mcp install|uninstall|status|pack`: register the server with MCP clients, check it, bundle it."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_server.install._clients import Client
    from mcp_server.install._paths import HostEnv
    from mcp_server.install._plan import Target

__all__ = ["add_parser"]

# Kept here, not imported, so `headroom --help` does not load the installer.
_CLIENT_NAMES = (
    "claude-desktop",
    "claude-code",
    "cursor",
    "windsurf",
    "vscode",
    "codex",
    "gemini",
    "zed",
    "cline",
    "continue",
    "goose",
    "lmstudio",
    "qwen",
    "opencode",
)
_DEFAULT_URL = "http://127.0.0.1:8765/mcp"


def _url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    return text


def _add_targets(p: argparse.ArgumentParser, verb: str) -> None:
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--client",
        action="append",
        choices=_CLIENT_NAMES,
        metavar="NAME",
        help=f"client to {verb} (repeatable): " + ", ".join(_CLIENT_NAMES),
    )
    which.add_argument("--all", action="store_true", help="every known client, detected or not")
    p.add_argument("--scope", choices=("user", "project"), default="user", help="user-wide (default) or this project")
    p.add_argument("--project", type=Path, default=None, help="project directory for --scope project (default: .)")
    p.add_argument("--dry-run", action="store_true", help="print the diff of what would change; write nothing")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    i = sub.add_parser(
        "install",
        help="register the server with MCP clients (merges; backs up; idempotent)",
        description="Add headroom to MCP client configs. Without --client or --all, every detected client.",
    )
    _add_targets(i, "install into")
    i.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="how clients reach the server")
    i.add_argument("--url", type=_url, default=_DEFAULT_URL, help=f"server URL for --transport http ({_DEFAULT_URL})")
    i.add_argument(
        "--hooks",
        action="store_true",
        help="also install the agents' hooks (Claude Code, Gemini CLI, Codex; see `headroom hooks install`)",
    )
    i.set_defaults(func=_install)

    u = sub.add_parser(
        "uninstall",
        help="remove our entry from MCP client configs (only ours)",
        description="Remove headroom from MCP client configs. Without --client or --all, wherever it is installed.",
    )
    _add_targets(u, "remove from")
    u.set_defaults(func=_uninstall)

    s = sub.add_parser("status", help="where the server is registered, and whether each entry starts and answers")
    s.add_argument("--json", action="store_true", help="print one JSON array")
    s.add_argument("--project", type=Path, default=None, help="also check this project's files (default: .)")
    s.add_argument("--no-probe", dest="probe", action="store_false", help="do not launch the entries")
    s.add_argument("--timeout", type=float, default=20.0, help="seconds each entry has to answer (default 20)")
    s.set_defaults(func=_status)

    p = sub.add_parser("pack", help="build the .mcpb bundle for Claude Desktop")
    p.add_argument("--out", type=Path, default=None, help="bundle path (default: headroom-mcp-VERSION.mcpb)")
    p.add_argument("--builder", choices=("auto", "mcpb", "zip"), default="auto", help="mcpb CLI, zipfile, or auto")
    p.add_argument("--manifests", type=Path, metavar="DIR", help="instead, write manifest.json and server.json to DIR")
    p.set_defaults(func=_pack)


# --- install / uninstall ----------------------------------------------------------


def _host() -> HostEnv:
    from mcp_server.install._paths import HostEnv

    return HostEnv.from_environ()


def _chosen(args: argparse.Namespace, host: HostEnv, *, installed_only: bool) -> tuple[list[Client], bool]:
    """The clients to act on, and whether the user named them (so unsupported ones are errors)."""
    from mcp_server.install._clients import CLIENTS

    if args.client:
        return [CLIENTS[name] for name in dict.fromkeys(args.client)], True
    if args.all:
        return list(CLIENTS.values()), False
    if installed_only:
        return list(CLIENTS.values()), False
    return [c for c in CLIENTS.values() if c.is_detected(host)], False


def _targets(
    args: argparse.Namespace, clients: Sequence[Client], host: HostEnv, named: bool
) -> tuple[list[Target], bool]:
    """The files to edit, and whether a client the user named cannot take part (an error)."""
    from mcp_server.install._plan import resolve_target

    project = (args.project or Path.cwd()).absolute()
    http = getattr(args, "transport", "stdio") == "http"
    out, refused = [], False
    for client in clients:
        target = resolve_target(client, args.scope, host, project)
        why = None
        if target is None:
            why = f"{client.title} has no project scope; use --scope user"
        elif http and client.http is None:
            why = f"{client.title} does not read http servers from its config file; use --transport stdio"
        if why is None and target is not None:
            out.append(target)
        elif named:
            print(f"headroom: {why}", file=sys.stderr)
            refused = True
        elif http or args.all:
            print(f"{client.name}: skipped, {why}")
    return out, refused


def _report(verb: str, change: Any, backup: Path | None, dry_run: bool) -> None:
    name, path = change.target.client.name, change.target.path
    if not change.changed:
        print(f"{name}: {'already installed' if verb == 'install' else 'not installed'} in {path}")
        return
    if dry_run:
        sys.stdout.write(change.diff())
        return
    did = "added to" if verb == "install" else "removed from"
    if change.new_text is None:
        did = "removed the file"
    note = f" (backup: {backup.name})" if backup is not None else ""
    print(f"{name}: {did} {path}{note}")
    if change.target.client.restart_hint:
        print(f"  {change.target.client.restart_hint}")


def _run_changes(args: argparse.Namespace, verb: str) -> int:
    from mcp_server._errors import ClientConfigError
    from mcp_server.install._plan import apply_change, plan_install, plan_uninstall

    host = _host()
    clients, named = _chosen(args, host, installed_only=verb == "uninstall")
    if not clients:
        from mcp_server.install._clients import CLIENTS

        known = ", ".join(CLIENTS)
        print(f"headroom: no MCP clients detected; name one with --client NAME ({known}) or use --all", file=sys.stderr)
        return 1
    if verb == "install" and not args.client and not args.all:
        print("detected: " + ", ".join(c.name for c in clients))
    targets, failed = _targets(args, clients, host, named)
    token = None
    if verb == "install" and args.transport == "http" and targets:
        from ccr import HeadroomError
        from mcp_server.install._plan import http_token

        try:
            token = http_token()
        except HeadroomError as exc:
            print(f"headroom: {exc}", file=sys.stderr)
            return 1
    for target in targets:
        try:
            if verb == "install":
                change = plan_install(target, transport=args.transport, url=args.url, token=token)
            else:
                change = plan_uninstall(target)
                if not change.changed and not named and not args.all:
                    continue  # uninstall without --client: only where we are installed
            backup = None if args.dry_run else apply_change(change)
        except ClientConfigError as exc:
            print(f"headroom: {exc}", file=sys.stderr)
            failed = True
            continue
        _report(verb, change, backup, args.dry_run)
    return 1 if failed else 0


def _install(args: argparse.Namespace) -> int:
    status = _run_changes(args, "install")
    if not args.hooks:
        return status
    from mcp_server.hooks.cli import install_hooks
    from mcp_server.install._hooks import HOOK_CLIENTS

    named = [c for c in (args.client or []) if c in HOOK_CLIENTS] if args.client else None
    return max(status, install_hooks(named, args.scope, args.project, dry_run=args.dry_run))


def _uninstall(args: argparse.Namespace) -> int:
    return _run_changes(args, "uninstall")


# --- status -----------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    import json

    from mcp_server.install._status import collect_status

    rows = collect_status(_host(), (args.project or Path.cwd()).absolute(), probe=args.probe, timeout=args.timeout)
    token = _token_status()
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
    else:
        for row in rows:
            print(_status_line(row))
        print("(* = client detected on this machine)")
        print(token)
        from mcp_server.hooks.cli import hook_status_lines

        for line in hook_status_lines("user", (args.project or Path.cwd()).absolute()):
            print(line)
    broken = any(r.state == "unreadable" or (r.probe is not None and not r.probe.ok) for r in rows)
    return 1 if broken else 0


def _token_status() -> str:
    """Where the HTTP/SSE access token is and what it is (the owner may paste it into a client by hand)."""
    from ccr import HeadroomError, Settings, stored_token, token_path

    try:
        home = Settings.from_env().home
        path = token_path(home)
        token = stored_token(home)
    except (HeadroomError, ValueError) as exc:
        return f"HTTP/SSE access token: unusable ({exc})"
    if os.environ.get("HEADROOM_TOKEN"):
        return "HTTP/SSE access token: HEADROOM_TOKEN from the environment (clients send it as Authorization: Bearer)"
    if token is None:
        return (
            f"HTTP/SSE access token: none yet; made in {path} when an HTTP server starts or an HTTP entry is installed"
        )
    return f"HTTP/SSE access token ({path}; clients send Authorization: Bearer <token>): {token}"


def _status_line(row: Any) -> str:
    mark = "*" if row.detected else " "
    scope = "" if row.scope == "user" else " (project)"
    head = f"{mark} {row.client:<15}{scope} {row.path}"
    if row.state == "no-file":
        return f"{head}: no config file"
    if row.state == "no-entry":
        return f"{head}: not installed"
    if row.state == "unreadable":
        return f"{head}: {row.error}"
    state = "installed" if row.state == "matches" else "installed, but points elsewhere than this install"
    if row.probe is None:
        return f"{head}: {state}"
    runs = f"runs ({row.probe.detail}, {row.probe.elapsed_s:.1f}s)" if row.probe.ok else f"FAILS: {row.probe.detail}"
    return f"{head}: {state}; {runs}"


# --- pack -------------------------------------------------------------------------


def _pack(args: argparse.Namespace) -> int:
    from mcp_server.install._bundle import pack_bundle, package_version, write_manifests

    if args.manifests is not None:
        for path in write_manifests(args.manifests):
            print(f"wrote {path}")
        return 0
    out = args.out or Path(f"headroom-mcp-{package_version()}.mcpb")
    result = pack_bundle(out, builder=args.builder)
    print(f"built {result.path} with {result.builder} (headroom-mcp {result.version})")
    return 0
