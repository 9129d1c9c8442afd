"""`headroom hook CLIENT EVENT` (what the agents run) and `headroom hooks install|uninstall|status`.

The runtime reads one JSON payload on stdin and prints the answer, or nothing. It fails open: an unknown client or
event, a payload that is not JSON, any error, leave the agent's call exactly as it was (exit 0, no output; Cursor's
protocol wants ``{}``). An alarm ends a hook that overruns ``HEADROOM_HOOK_TIMEOUT`` seconds (default 20, below
the clients' own timeouts) the same way.
"""

from __future__ import annotations

import json
import os
import sys

# Not `typing`'s TYPE_CHECKING, and `pathlib` imported where installing needs it: a hook call imports no more
# than it runs (mypy reads any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

__all__ = ["add_parser", "run_hook"]

_HOOK_CLIENTS = ("claude-code", "gemini", "codex")


class _Overrun(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Overrun


def run_hook(args: Sequence[str]) -> int:
    """Answer one hook call; always exit 0 (a non-zero status could block the agent's call)."""
    empty = "{}" if args[:1] == ["cursor"] else ""
    try:
        import signal

        seconds = float(os.environ.get("HEADROOM_HOOK_TIMEOUT") or 20)
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        answer = _answer(args, sys.stdin.buffer.read())
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as exc:  # fail open, whatever happened
        if os.environ.get("HEADROOM_HOOK_DEBUG"):
            print(f"headroom hook: {type(exc).__name__}: {exc}", file=sys.stderr)
        answer = None
    out = json.dumps(answer) if answer is not None else empty
    if out:
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    return 0


def _answer(args: Sequence[str], raw: bytes) -> dict[str, Any] | None:
    from mcp_server.hooks._events import HANDLERS

    handler = HANDLERS.get((args[0], args[1])) if len(args) >= 2 else None
    if handler is None:
        return None
    payload = json.loads(raw)
    return handler(payload) if isinstance(payload, dict) else None


# ---- headroom hooks install | uninstall | status -----------------------------------------------------------------


def _install(args: argparse.Namespace, *, install: bool = True) -> int:
    post_tools = [t for t in (args.post_tools or "").split(",") if t] if install else []
    return install_hooks(
        args.client, args.scope, args.project, dry_run=args.dry_run, install=install, post_tools=post_tools
    )


def install_hooks(
    clients: Sequence[str] | None,
    scope: str,
    project: Path | None,
    *,
    dry_run: bool = False,
    install: bool = True,
    post_tools: Sequence[str] = (),
) -> int:
    """Install (or remove) our hooks for ``clients`` (None: those whose settings folder exists); 1 on an error."""
    from pathlib import Path

    from mcp_server._errors import ClientConfigError
    from mcp_server.install._hooks import HOOK_CLIENTS, apply_hook_change, plan_hooks
    from mcp_server.install._plan import project_backup_dir

    folder = (project or Path.cwd()).absolute()
    status = 0
    for name in clients or list(HOOK_CLIENTS):
        client = HOOK_CLIENTS[name]
        path = client.path(scope, folder, dict(os.environ))  # type: ignore[arg-type]
        if name == "codex" and (install or path.parent.exists()) and (clients or path.parent.exists()):
            status = max(status, _codex_limit(path.parent, install, dry_run, scope))
        if not install and not path.exists():
            continue
        if install and not clients and not path.parent.exists():
            continue  # that agent is not set up here; `--client` installs anyway
        try:
            change = plan_hooks(client, path, install=install, post_tools=post_tools)
            if dry_run:
                print(change.diff() or f"{client.title}: {path} unchanged")
                continue
            backup = apply_hook_change(change, project_backup_dir() if scope == "project" else None)
        except ClientConfigError as exc:
            print(f"headroom: {exc}", file=sys.stderr)
            status = 1
            continue
        verb = "hooks installed in" if install else "hooks removed from"
        if not change.changed:
            verb = "hooks already in" if install else "no headroom hooks in"
        note = f" (backup {backup})" if backup else ""
        print(f"{client.title}: {verb} {path}{note}")
    return status


def _codex_limit(folder: Path, install: bool, dry_run: bool, scope: str) -> int:
    """Codex's ``tool_output_token_limit`` in the config.toml beside its hooks.json (`mcp_server.install._codex`):
    set where unset on install, removed on uninstall where still ours; 1 on an error."""
    import tomllib

    from mcp_server._errors import ClientConfigError
    from mcp_server.install._codex import LIMIT_KEY, codex_config_path, plan_limit
    from mcp_server.install._files import read_config, remove_config, unified_diff, write_config
    from mcp_server.install._plan import project_backup_dir

    path = codex_config_path(os.environ, folder)
    try:
        config = read_config(path)
        if config.text is None and not install:
            return 0
        try:
            new = plan_limit(config.text, install=install)
        except tomllib.TOMLDecodeError as exc:
            raise ClientConfigError(f"{path}: {exc}; fix the file or edit it by hand", path=path) from exc
        if new == (config.text or ""):
            if install:
                print(f"Codex: {LIMIT_KEY} already set in {path} (left as it is)")
            return 0
        if dry_run:
            print(unified_diff(config, new))
            return 0
        backup_dir = project_backup_dir() if scope == "project" else None
        if not install and not new.strip():  # nothing but our line was left: the file goes, as before install
            backup = remove_config(config, backup_dir)
        else:
            backup = write_config(config, new, backup_dir=backup_dir)
    except ClientConfigError as exc:
        print(f"headroom: {exc}", file=sys.stderr)
        return 1
    note = f" (backup {backup})" if backup else ""
    print(f"Codex: {LIMIT_KEY} {'set in' if install else 'removed from'} {path}{note}")
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    return _install(args, install=False)


def _status(args: argparse.Namespace) -> int:
    from pathlib import Path

    for line in hook_status_lines(args.scope, (args.project or Path.cwd()).absolute()):
        print(line)
    return 0


def hook_status_lines(scope: str = "user", project: Path | None = None) -> list[str]:
    """One line per client: where its hooks are, or that there are none (for `headroom mcp status` too)."""
    from pathlib import Path

    from mcp_server.install._hooks import HOOK_CLIENTS, hooks_installed

    lines = []
    for client in HOOK_CLIENTS.values():
        path = client.path(scope, project or Path.cwd(), dict(os.environ))  # type: ignore[arg-type]
        events = hooks_installed(client, path)
        what = f"hooks {', '.join(events)} in {path}" if events else f"no hooks ({path})"
        if client.name == "codex":
            what += _codex_limit_status(path.parent)
        lines.append(f"{client.title}: {what}")
    return lines


def _codex_limit_status(folder: Path) -> str:
    from mcp_server.install._codex import LIMIT_KEY, OURS, codex_config_path, configured_limit

    path = codex_config_path(os.environ, folder)
    limit = configured_limit(path)
    if limit is None:
        return f"; no {LIMIT_KEY} in {path}"
    try:
        whose = "headroom's" if OURS in path.read_text(encoding="utf-8") else "yours"
    except (OSError, UnicodeDecodeError):
        whose = "yours"
    return f"; {LIMIT_KEY} = {limit} ({whose})"


CLIENT_NOTES = """\
what each client's hooks allow (headroom installs what helps):
  claude-code  PreToolUse on Bash rewrites the command to run through `headroom exec` (only where your own
               permission rules allow it); PostToolUse replaces other MCP servers' bulky outputs (and, with
               --post-tools, Grep/WebFetch). Read is never touched.
  gemini       BeforeTool on run_shell_command rewrites the command; AfterTool cannot replace an output.
  codex        PreToolUse in hooks.json rewrites the command, but Codex (checked with 0.171.0) runs a hook that
               is not admin-managed only once you trust its current content: open `codex`, type /hooks and trust
               it (Codex keeps a sha256 of the hook under [hooks.state] in its config.toml; a hook whose command
               changes, e.g. after the Python environment moves, needs trusting again). Until then every session
               skips it without a word, and `codex exec` runs no untrusted hook unless given
               --dangerously-bypass-hook-trust, which headroom never passes. `headroom wrap codex` puts
               `headroom proxy` in front of its provider instead. Codex rejects replaced MCP outputs. Install
               also sets tool_output_token_limit = 10000 in config.toml where unset (Codex then cuts a tool
               output at 40,000 bytes on every model; a value of your own is kept; uninstall removes only ours).
  cursor       nothing installed: beforeShellExecution can only allow, deny or ask, and no after-hook can replace
               an output; `headroom mcp install --client cursor` gives it headroom_run and headroom_read.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse
    from pathlib import Path

    hooks = subparsers.add_parser(
        "hooks",
        help="install the agents' hooks that route shell commands and bulky tool outputs through headroom",
        description=__doc__,
    )
    sub = hooks.add_subparsers(dest="hooks_command", metavar="COMMAND", required=True)
    for name, func, text in (
        ("install", _install, "add headroom's hooks to the agents' settings (merges, backs up, idempotent)"),
        ("uninstall", _uninstall, "remove headroom's hooks (only ours)"),
        ("status", _status, "where headroom's hooks are installed"),
    ):
        p = sub.add_parser(
            name,
            help=text,
            description=text,
            epilog=CLIENT_NOTES if name == "install" else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("--scope", choices=("user", "project"), default="user")
        p.add_argument("--project", type=Path, default=None, help="project directory for --scope project")
        if name != "status":
            p.add_argument(
                "--client",
                action="append",
                choices=_HOOK_CLIENTS,
                metavar="NAME",
                help="client (repeatable): " + ", ".join(_HOOK_CLIENTS) + "; default: those present",
            )
            p.add_argument("--dry-run", action="store_true", help="print the diff; write nothing")
        if name == "install":
            p.add_argument(
                "--post-tools",
                metavar="TOOLS",
                default="",
                help="Claude Code built-in tools whose bulky outputs are compressed too (e.g. Grep,WebFetch)",
            )
        p.set_defaults(func=func)
