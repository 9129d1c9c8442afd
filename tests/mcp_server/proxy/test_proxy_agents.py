"""The real Claude Code and Codex CLIs through `headroom proxy` (and `headroom wrap claude|codex --proxy`), the model
scripted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_provider import Answer, FakeProvider, Recorded, ToolCall, agent_binary, agent_shell_tool, run_agent

from mcp_server.proxy import ProxyOptions, running
from tests.mcp_server.proxy.test_proxy_http import Recorder, continues, only_results_differ

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
MARKER = re.compile(r"hash=([0-9a-f]{16}) lines=(\d+)-(\d+)\]")
# Real outputs over the 2,000-token threshold and under the 30,000 characters past which Claude Code keeps only a
# preview of a Bash result.
COMMANDS = [
    f"git -C {ROOT} log --stat -n 30 --no-color | head -c 24000",
    f"ls -la {Path(sys.executable).resolve().parent.parent / 'lib'} /usr/bin | head -c 24000",
    f"git -C {ROOT} log -p -n 8 --no-color -- README.md | head -c 24000",
]


def need_claude() -> None:
    if agent_binary("claude") is None:
        pytest.skip("claude CLI not installed (npm ci installs package.json's devDependencies)")


def claude_home(tmp_path: Path, allow: list[str]) -> Path:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    settings = {"permissions": {"allow": allow}, "env": {"ENABLE_TOOL_SEARCH": "false"}}
    (home / ".claude" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return home


def results_by_call(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for message in json.loads(body).get("messages") or []:
        for block in message.get("content") if isinstance(message.get("content"), list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                content = block["content"]
                out[block["tool_use_id"]] = content if isinstance(content, str) else json.dumps(content)
    return out


def test_claude_code_through_the_proxy_gets_compressed_results_and_a_stable_prefix(tmp_path: Path) -> None:
    need_claude()
    home = claude_home(tmp_path, ["Bash"])
    project = tmp_path / "project"
    project.mkdir()
    steps: list[Any] = [ToolCall("Bash", {"command": c, "description": "look"}) for c in COMMANDS]
    recorder = Recorder()
    with FakeProvider([*steps, Answer("all looked at")]) as fake:
        with running(ProxyOptions(port=0, anthropic_upstream=fake.url), middleware=recorder) as proxy:
            done = run_agent("claude", fake, home, project, env={"ANTHROPIC_BASE_URL": proxy.url})
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == [] and "all looked at" in done.stdout
        requests: list[Recorded] = list(fake.requests)
    assert len(requests) == len(recorder.bodies)
    turns = [
        (sent, up) for sent, up in zip(recorder.bodies, requests, strict=True) if up.turn is not None and up.tool_names
    ]
    assert len(turns) == len(COMMANDS) + 1
    forwarded: dict[str, str] = {}
    for k, (sent, up) in enumerate(turns):
        client, upstream = results_by_call(sent), results_by_call(up.body)
        assert list(client) == list(upstream)
        only_results_differ(sent, up.body, list(client.values()), list(upstream.values()))
        for call, text in upstream.items():
            assert forwarded.setdefault(call, text) == text  # the same bytes in every request after the first
        if k:
            assert list(upstream.values())[-1].startswith("[headroom hash=")
            previous_sent, previous_up = turns[k - 1]
            assert continues(previous_sent, sent) <= continues(previous_up.body, up.body)


def test_wrap_claude_proxy_compresses_on_the_wire_and_the_marker_redeems_through_the_server(tmp_path: Path) -> None:
    need_claude()
    home = claude_home(tmp_path, ["Read", "mcp__headroom"])
    project = tmp_path / "project"
    project.mkdir()
    lines = [
        f"2026-03-0{i % 9 + 1}T10:{i % 60:02d}:00 worker-{i % 5} INFO handled job {i * 7919 % 100003} in {i % 97} ms"
        for i in range(700)
    ]
    lines[350] = "2026-03-05T10:50:00 worker-2 ERROR job 4242 failed: checksum mismatch on shard 17"
    log = project / "service.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def retrieve(req: Recorded) -> ToolCall:
        (result,) = req.tool_results
        found = MARKER.search(result)
        assert found, result[:500]
        return ToolCall(
            "mcp__headroom__headroom_retrieve", {"hash": found.group(1), "lines": f"{found.group(2)}-{found.group(3)}"}
        )

    store = home / ".hr"
    wrap = [sys.executable, "-P", "-m", "mcp_server.cli", "wrap", "claude", "--proxy", "--"]
    env = {"PYTHONPATH": str(ROOT), "HEADROOM_WRAP_CLAUDE": str(agent_binary("claude")), "HEADROOM_HOME": str(store)}
    with FakeProvider([ToolCall("Read", {"file_path": str(log)}), retrieve, Answer("checked")]) as fake:
        done = run_agent("claude", fake, home, project, command=wrap, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        turns = fake.turns()
    assert len(turns) == 3
    (compressed,) = turns[1].tool_results
    assert compressed.startswith("[headroom hash=")
    call = turns[1].turn
    assert isinstance(call, ToolCall)
    first, last = (int(n) for n in call.input["lines"].split("-"))
    (retrieved,) = turns[2].tool_results
    for n in (first, last):  # the Read result numbers the file's lines: its line n shows the file's line n
        assert lines[n - 1] in retrieved, (n, retrieved[:400])
    assert "headroom: this run saved" in done.stderr
    assert subprocess.run(["git", "-C", str(ROOT), "status"], capture_output=True).returncode == 0


def test_wrap_codex_proxy_sends_its_provider_requests_through_the_proxy_compressed(tmp_path: Path) -> None:
    if agent_binary("codex") is None:
        pytest.skip("codex CLI not installed (npm ci installs package.json's devDependencies)")
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    tool, arg = agent_shell_tool("codex")
    wrap = [sys.executable, "-P", "-m", "mcp_server.cli", "wrap", "codex", "--proxy", "--"]
    env = {
        "PYTHONPATH": str(ROOT),
        "HEADROOM_WRAP_CODEX": str(agent_binary("codex")),
        "HEADROOM_HOME": str(home / ".hr"),
    }
    with FakeProvider([ToolCall(tool, {arg: COMMANDS[0]}), Answer("looked")]) as fake:
        done = run_agent("codex", fake, home, project, command=wrap, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        turns = fake.turns()
    assert len(turns) == 2
    (result,) = turns[1].tool_results
    # Codex's config still names the fake as its provider's base URL: a compressed result came through the proxy.
    assert "[headroom hash=" in result, result[:300]
    config = (home / ".codex" / "config.toml").read_text(encoding="utf-8")
    assert f'base_url = "{fake.url}/v1"' in config
