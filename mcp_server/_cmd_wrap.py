"""`headroom wrap claude|codex|gemini [-- AGENT ARGS…]`: one agent run with our MCP server and hooks, for that run only.

Nothing in the user's files changes: what the run needs is written to a temporary directory and handed to the agent
by its own per-run switches. Every compression of the run (hooks, `headroom exec`, the MCP server) is counted under
one session id (``HEADROOM_SESSION``), and the run's savings are printed when the agent exits; the exit status is
the agent's.

- Claude Code: ``--mcp-config`` (our server) and ``--settings`` (our PreToolUse/PostToolUse hooks).
- Gemini CLI: a system settings file (``GEMINI_CLI_SYSTEM_SETTINGS_PATH``) with our server and BeforeTool hook; it
  takes the place of a system settings file the machine may have for that run. Gemini reads such a file only where
  no folder above it is writable by others, so it goes under the store's home (``$HEADROOM_HOME/wrap``), not /tmp.
- Codex: ``-c mcp_servers.headroom.*`` overrides (Codex reads hooks only from its hooks.json files, so a wrapped
  Codex run has the server but not the shell hook; `headroom hooks install --client codex` adds that), and
  ``-c tool_output_token_limit=10000`` unless the user's config.toml or arguments set it: Codex then cuts a tool
  output at 40,000 bytes whatever the model (`mcp_server.install._codex`).

``--proxy`` (Claude Code, Codex; the default for Codex, ``--no-proxy`` turns it off) also runs `headroom proxy` for
the length of the run, on a free loopback port, and points the agent at it: Claude Code by ``ANTHROPIC_BASE_URL``,
Codex by its model provider's base URL (a ``-c`` override, or ``OPENAI_BASE_URL`` for the built-in provider;
`mcp_server.proxy._agents` says which). The proxy forwards to the base URL the agent had, so results no hook reaches
are compressed on the wire too, their markers redeemed by the run's MCP server against the same store. Codex 0.171
runs a hook only once the user has trusted it in its interactive `/hooks` view, and `codex exec` runs none that is
not trusted, so for Codex the proxy is what saves tokens in every run; when Codex's provider is one the proxy cannot
front (signed in with ChatGPT, a local model), the run goes on without it and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "wrap_command"]

AGENTS = ("claude", "codex", "gemini")
# Agents `--proxy` can route through `headroom proxy` (by their base-URL variable).
PROXY_AGENTS = ("claude", "codex")
_CLIENT = {"claude": "claude-code", "codex": "codex", "gemini": "gemini"}


def _server_entry(agent: str, session: str) -> dict[str, Any]:
    from mcp_server.install._clients import server_command

    command = server_command()
    env = {"HEADROOM_CLIENT": _CLIENT[agent], "HEADROOM_SESSION": session}
    home = os.environ.get("HEADROOM_HOME", "").strip()
    if home:
        env["HEADROOM_HOME"] = str(Path(home).expanduser().absolute())
    return {"command": command.command, "args": list(command.args), "env": env}


def _hooks(agent: str) -> dict[str, Any]:
    from mcp_server.install._hooks import HOOK_CLIENTS, hook_command

    hooks: dict[str, list[Any]] = {}
    for spec in HOOK_CLIENTS[_CLIENT[agent]].specs():
        group = {
            "matcher": spec.matcher,
            "hooks": [{"type": "command", "command": hook_command(spec.handler), "timeout": spec.timeout}],
        }
        hooks.setdefault(spec.event, []).append(group)
    return hooks


def wrap_command(agent: str, agent_args: list[str], folder: Path, session: str) -> tuple[list[str], dict[str, str]]:
    """The agent's command line and environment for one wrapped run; files go to ``folder``."""
    binary = os.environ.get(f"HEADROOM_WRAP_{agent.upper()}") or shutil.which(agent) or agent
    env = {**os.environ, "HEADROOM_SESSION": session}
    entry = _server_entry(agent, session)
    if agent == "claude":
        mcp = folder / "mcp.json"
        mcp.write_text(json.dumps({"mcpServers": {"headroom": {"type": "stdio", **entry}}}, indent=2), "utf-8")
        settings = folder / "settings.json"
        settings.write_text(json.dumps({"hooks": _hooks(agent)}, indent=2), "utf-8")
        return [binary, "--mcp-config", str(mcp), "--settings", str(settings), *agent_args], env
    if agent == "gemini":
        settings = folder / "system-settings.json"
        settings.write_text(json.dumps({"mcpServers": {"headroom": entry}, "hooks": _hooks(agent)}, indent=2), "utf-8")
        env["GEMINI_CLI_SYSTEM_SETTINGS_PATH"] = str(settings)
        return [binary, *agent_args], env
    overrides = [
        f"mcp_servers.headroom.command={json.dumps(entry['command'])}",
        f"mcp_servers.headroom.args={json.dumps(entry['args'])}",
        "mcp_servers.headroom.env={" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in entry["env"].items()) + "}",
    ]
    from mcp_server.install._codex import LIMIT, LIMIT_KEY, codex_config_path, configured_limit, sets_limit

    if not sets_limit(agent_args) and configured_limit(codex_config_path(env)) is None:
        # Codex's cut of tool outputs at 40,000 bytes on every model (`mcp_server.install._codex`); exec fits to it.
        overrides.append(f"{LIMIT_KEY}={LIMIT}")
        env["HEADROOM_CODEX_OUTPUT_LIMIT"] = str(LIMIT)
    return [binary, *(x for o in overrides for x in ("-c", o)), *agent_args], env


def _private_dir() -> Path:
    """A folder no other user can write to, up to the root: Gemini CLI reads no settings file from anywhere else."""
    from ccr import Settings

    folder = Settings.from_env().home / "wrap"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _savings(session: str) -> str:
    from ccr import Store

    with Store() as store:
        s = store.stats(session=session)
    if not s.compressions:
        return f"headroom: no output was compressed in this run (session {session})"
    return (
        f"headroom: this run saved {s.tokens_saved:,} tokens ({s.savings_pct:.1f}%) over {s.compressions} "
        f"compression{'s' if s.compressions != 1 else ''}; {s.retrievals} retrieval"
        f"{'s' if s.retrievals != 1 else ''} took back {s.tokens_retrieved:,} (session {session})"
    )


@contextlib.contextmanager
def _proxied(agent: str, argv: list[str], env: dict[str, str], session: str) -> Iterator[object]:
    """A proxy for this run in front of the upstream the agent would have used, the agent pointed at it (``argv``
    and ``env`` are changed in place).

    Raises:
        ProxyRefused: the agent's provider is not one the proxy fronts.
    """
    from mcp_server.proxy import ProxyOptions, running
    from mcp_server.proxy._agents import claude_upstream, codex_route

    if agent == "claude":
        options = ProxyOptions.from_env(port=0, anthropic_upstream=claude_upstream(env), session=session)
        with running(options) as proxy:
            env["ANTHROPIC_BASE_URL"] = proxy.url
            yield proxy
        return
    where = codex_route(argv[1:], env)
    with running(ProxyOptions.from_env(port=0, openai_upstream=where.upstream, session=session)) as proxy:
        argv[1:1] = where.agent_args(proxy.url)
        env.update(where.env(proxy.url))
        yield proxy


def _run(args: argparse.Namespace) -> int:
    agent_args = list(args.agent_args)
    while agent_args[:1] in (["--proxy"], ["--no-proxy"]):  # `wrap claude --proxy -- ...`: ours, after the name
        args.proxy = agent_args[0] == "--proxy"
        agent_args = agent_args[1:]
    if agent_args[:1] == ["--"]:
        agent_args = agent_args[1:]
    # Codex runs no hook it has not been told to trust (`codex exec` never asks): the proxy by default, where it can.
    optional = args.proxy is None and args.agent == "codex"
    if optional:
        args.proxy = True
    if args.proxy and args.agent not in PROXY_AGENTS:
        print(
            f"headroom wrap: --proxy works with {', '.join(PROXY_AGENTS)}; run `headroom proxy` and point "
            f"{args.agent} at it by its own base-URL setting",
            file=sys.stderr,
        )
        return 2
    session = uuid.uuid4().hex[:16]
    with tempfile.TemporaryDirectory(prefix="wrap-", dir=_private_dir()) as tmp:
        argv, env = wrap_command(args.agent, agent_args, Path(tmp), session)
        proxied = contextlib.ExitStack()
        if args.proxy:
            from mcp_server.proxy._agents import ProxyRefused

            try:
                proxied.enter_context(_proxied(args.agent, argv, env, session))
            except ProxyRefused as exc:
                if not optional:
                    print(f"headroom wrap: --proxy: {exc}", file=sys.stderr)
                    return 2
                print(f"headroom wrap: running {args.agent} without the proxy ({exc})", file=sys.stderr)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # the agent answers Ctrl-C; we wait for it
        try:
            with proxied:
                status = subprocess.call(argv, env=env)
        except FileNotFoundError:
            print(f"headroom wrap: {args.agent} is not on PATH", file=sys.stderr)
            return 127
        finally:
            signal.signal(signal.SIGINT, previous)
    try:
        print(_savings(session), file=sys.stderr)
    except Exception as exc:  # the agent's status matters more than our summary
        print(f"headroom wrap: no savings summary ({exc})", file=sys.stderr)
    return 128 - status if status < 0 else status


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "wrap",
        help="run an agent with headroom's MCP server and hooks for this run only; print the run's savings",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("agent", choices=AGENTS)
    p.add_argument(
        "--proxy",
        action="store_true",
        default=None,
        help="also run `headroom proxy` for this run and send the agent's model requests through it (claude, codex; "
        "codex's default, as Codex runs no hook it has not been told to trust)",
    )
    p.add_argument("--no-proxy", dest="proxy", action="store_false", help="run codex without the proxy")
    p.add_argument("agent_args", nargs=argparse.REMAINDER, metavar="-- AGENT ARGS", help="passed to the agent")
    p.set_defaults(func=_run)
