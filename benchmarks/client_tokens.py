"""What each real client sends the model for one of our tool results, against the text our server wrote (16.1).

    .venv/bin/python benchmarks/client_tokens.py

A real output (this repository's history with patches) is stored, then `headroom_retrieve` (lines 1-400) and
`headroom_compress` are called three ways: in process through the MCP SDK's client (the text content our server
returns: the reference), and by Claude Code, Gemini CLI and Codex (npm devDependencies) running against
tests/fake_provider, which records the tool result each client puts in its next request. Printed: o200k tokens of
each, the ratio to the reference (target: within 2%), and whether the client forwarded the text or a JSON form.
Codex offers our server as one `mcp__headroom` namespace tool; the scripted model calls the tool inside it, and
Codex runs with the `tool_output_token_limit` headroom sets (`mcp_server.install._codex`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_provider import AGENTS, Agent, Answer, FakeProvider, ToolCall, agent_binary, run_agent  # noqa: E402

import rustcore  # noqa: E402
from mcp_server.install._codex import LIMIT, LIMIT_KEY  # noqa: E402


def reference(tool: str, arguments: dict[str, Any]) -> str:
    """The text content our server returns for one call (in process, MCP SDK client)."""
    import anyio
    from mcp import Client

    from mcp_server.server import build_server

    async def call() -> str:
        async with Client(build_server()) as client:
            result = await client.call_tool(tool, arguments)
            return "".join(getattr(c, "text", "") for c in result.content)

    return anyio.run(call)


def configure(agent: Agent, home: Path, env: dict[str, str]) -> list[str]:
    entry = {"command": sys.executable, "args": ["-P", "-m", "mcp_server.cli", "mcp", "serve"], "env": env}
    if agent == "claude":
        path = home / "mcp.json"
        path.write_text(json.dumps({"mcpServers": {"headroom": {"type": "stdio", **entry}}}), encoding="utf-8")
        return ["--mcp-config", str(path), "--allowedTools", "mcp__headroom"]
    if agent == "gemini":
        settings = home / ".gemini" / "settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(
            json.dumps(
                {
                    "security": {"auth": {"selectedType": "gemini-api-key"}},
                    "mcpServers": {"headroom": {**entry, "trust": True}},
                }
            ),
            encoding="utf-8",
        )
        return []
    env_toml = ", ".join(f"{k} = {json.dumps(v)}" for k, v in env.items())
    return [
        "-c",
        f"mcp_servers.headroom.command={json.dumps(sys.executable)}",
        "-c",
        'mcp_servers.headroom.args=["-P", "-m", "mcp_server.cli", "mcp", "serve"]',
        "-c",
        f"mcp_servers.headroom.env={{{env_toml}}}",
        # `codex exec` sends its first request without a server still starting unless the server is required.
        "-c",
        "mcp_servers.headroom.required=true",
        # Codex's cut of tool outputs as `headroom wrap codex` and `headroom hooks install` set it (the fake's model
        # has no metadata in Codex, which would otherwise cut at 10,000 bytes).
        "-c",
        f"{LIMIT_KEY}={LIMIT}",
    ]


def received(agent: Agent, tool: str, arguments: dict[str, Any], store: Path) -> tuple[str | None, str]:
    if agent_binary(agent) is None:
        return None, "not installed"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        project = home / "project"
        project.mkdir()
        env = {"HEADROOM_HOME": str(store), "PYTHONPATH": str(ROOT), "HEADROOM_EMBEDDINGS": "0"}
        args = configure(agent, home, env)

        def step(req: Any) -> ToolCall | Answer:
            names = [n for n in req.tool_names if n.endswith(tool)]
            return ToolCall(names[0], arguments) if names else Answer(f"no {tool} among {req.tool_names}")

        with FakeProvider([step, Answer("done")]) as fake:
            if agent == "codex":
                run_agent(agent, fake, home, project, args=["--version"])  # writes the provider config first
                command = [str(agent_binary(agent)), *args]
                done = run_agent(agent, fake, home, project, command=command, env=env)
            else:
                done = run_agent(agent, fake, home, project, args=args, env=env)
            turns = fake.turns()
        if len(turns) < 2 or not turns[1].tool_results:
            offered = ", ".join(turns[0].tool_names) if turns else "nothing"
            return None, f"the tool was not offered to the model (exit {done.returncode}; offered: {offered})"
        return turns[1].tool_results[0], ""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        os.environ.update(HEADROOM_HOME=str(store), HEADROOM_EMBEDDINGS="0")
        history = subprocess.run(
            ["git", "log", "-p", "--no-color", "-n", "40"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode("utf-8", errors="replace")
        from ccr import Store

        with Store() as s:
            digest = s.put(history)
        calls = [
            ("headroom_retrieve", {"hash": digest, "lines": "1-400"}),
            ("headroom_compress", {"content": history[:60_000]}),
        ]
        print(f"{'tool':<19}{'client':<8}{'ours':>8}{'sent':>8}{'ratio':>8}  form")
        for tool, arguments in calls:
            ours = reference(tool, arguments)
            ours_tokens = rustcore.count_tokens(ours)
            for agent in AGENTS:
                sent, why = received(agent, tool, arguments, store)
                if sent is None:
                    print(f"{tool:<19}{agent:<8}{ours_tokens:>8,}{'-':>8}{'-':>8}  {why}")
                    continue
                tokens = rustcore.count_tokens(sent)
                form = "JSON (structuredContent)" if sent.lstrip().startswith("{") else "text"
                print(f"{tool:<19}{agent:<8}{ours_tokens:>8,}{tokens:>8,}{tokens / ours_tokens:>8.3f}  {form}")


if __name__ == "__main__":
    main()
