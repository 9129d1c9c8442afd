"""`make demo-team`: two agents on two machines share one memory of their tool output, through PostgreSQL.

Starts a temporary PostgreSQL, then two real MCP servers on it (``headroom mcp
serve --store postgresql://... --namespace demo``), each with a home of its own
as on two machines, each driven by a real MCP client over stdio. Agent A
compresses real output made on the spot (this checkout's ``git log --stat``
and a listing of its sources); agent B, which never saw it, redeems A's marker,
asks A's original a question, and searches the team's store; then the team's
rolled-up stats are printed (per client and per namespace).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _output(cmd: list[str]) -> str:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout if done.stdout.strip() else done.stderr


def _inputs() -> list[tuple[str, str, str]]:
    """(name, text, question) of real output made now on this machine."""
    log = _output(["git", "log", "--stat", "-n", "120"])
    if not log.strip():
        log = _output(["ls", "-laR", "ccr", "compressors"])
    listing = _output(["ls", "-laR", "ccr", "compressors", "mcp_server"])
    return [
        ("git log --stat -n 120", log, "which commits changed the store?"),
        ("ls -laR", listing, "where is the postgres backend?"),
    ]


def _text(result: Any) -> str:
    if result.is_error:
        raise RuntimeError(f"tool call failed: {result.content}")
    structured = result.structured_content or {}
    if isinstance(structured.get("text"), str):
        return str(structured["text"])
    return "".join(getattr(block, "text", "") for block in result.content)


def _server(url: str, namespace: str, home: Path, client: str) -> Any:
    from mcp import StdioServerParameters

    env = dict(os.environ)
    env.update({"HEADROOM_HOME": str(home), "HEADROOM_CLIENT": client, "HEADROOM_EMBEDDINGS": "0"})
    args = ["-P", "-m", "mcp_server", "mcp", "serve", "--store", url, "--namespace", namespace]
    return StdioServerParameters(command=sys.executable, args=args, env=env)


def _show(text: str, limit: int) -> None:
    """Print the first `limit` lines of a tool's answer, saying how many more there were."""
    rows = text.splitlines()
    print("    " + "\n    ".join(rows[:limit]))
    if len(rows) > limit:
        print(f"    (... {len(rows) - limit} more lines of the answer not shown here)")


async def _run(url: str, namespace: str, homes: list[Path]) -> None:
    from mcp import Client

    from mcp_server._header import read_header

    inputs = _inputs()
    async with Client(_server(url, namespace, homes[0], "agent-a")) as a:
        print("agent A (machine 1): headroom_compress on output made just now")
        results = []
        for name, text, question in inputs:
            res = await a.call_tool("headroom_compress", {"content": text, "query": question})
            out = read_header(_text(res))
            if out is None:
                raise RuntimeError(f"headroom_compress failed: {res.content}")
            results.append(out)
            print(f"  {name:<24} {out['tokens_before']:>7,} -> {out['tokens_after']:>6,} tokens  hash={out['hash']}")
    marker = re.search(r"\[[^\]\n]*omitted: retrieve hash=([0-9a-f]{16}) lines=(\d+-\d+)\]", results[0]["compressed"])
    async with Client(_server(url, namespace, homes[1], "agent-b")) as b:
        print("\nagent B (machine 2, its own HEADROOM_HOME): works with what agent A stored")
        if marker is not None:
            args = {"hash": marker.group(1), "lines": marker.group(2)}
            redeemed = _text(await b.call_tool("headroom_retrieve", args))
            print(f"  redeems A's marker {marker.group(0)}:")
            _show(redeemed, 6)
        answer = _text(
            await b.call_tool(
                "headroom_retrieve", {"hash": results[1]["hash"], "query": inputs[1][2], "max_tokens": 200}
            )
        )
        print(f"  asks A's listing {inputs[1][2]!r}:")
        _show(answer, 8)
        found = await b.call_tool("headroom_search", {"query": "postgres backend store", "limit": 3})
        print("  searches the team's store for 'postgres backend store':")
        _show(_text(found), 8)
        stats = await b.call_tool("headroom_stats", {"scope": "lifetime"})
        team = dict(stats.structured_content or {})
    print(
        f"\nteam stats (namespace {team.get('namespace')}, store {team.get('store')},"
        f" search ranking {team.get('search_ranking')}):"
    )
    print(
        f"  {team.get('calls')} compressions, {team.get('tokens_before'):,} -> {team.get('tokens_after'):,} tokens "
        f"({team.get('savings_percent')}% saved), {team.get('retrievals')} retrievals"
    )
    for row in team.get("by_client", []):
        print(
            f"  client {row['client']:<8} {row['calls']:>3} calls  {row['tokens_before']:>7,} -> "
            f"{row['tokens_after']:>6,} tokens  {row['retrievals']} retrievals ({row['tokens_retrieved']:,} tokens)"
        )
    for row in team.get("by_namespace", []):
        print(f"  namespace {row['namespace']}: {json.dumps({k: v for k, v in row.items() if k != 'namespace'})}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="two MCP servers sharing one PostgreSQL team store")
    parser.add_argument("--url", help="use this PostgreSQL instead of starting a temporary one")
    parser.add_argument("--namespace", default="demo")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.temp_postgres import PostgresUnavailable, temp_postgres

    try:
        with tempfile.TemporaryDirectory(prefix="headroom-team-") as tmp:
            homes = [Path(tmp) / "machine-1", Path(tmp) / "machine-2"]
            if args.url:
                asyncio.run(_run(args.url, args.namespace, homes))
                return 0
            with temp_postgres() as server:
                print(f"temporary PostgreSQL at {server.url}\n")
                asyncio.run(_run(server.url, args.namespace, homes))
    except PostgresUnavailable as exc:
        print(f"make demo-team needs a PostgreSQL server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
