"""End to end with an independent client: the official TypeScript SDK (npm), over stdio and streamable HTTP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from server_helpers import free_port, noisy_log, running_server, serve_command

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("node_client.mjs")


def _drive(plan: dict[str, Any], workdir: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("node/npm is not installed")
    if not (ROOT / "node_modules" / "@modelcontextprotocol" / "sdk").is_dir():
        pytest.fail("node_modules lacks @modelcontextprotocol/sdk: run `npm ci` (make dev does)")
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    done = subprocess.run(
        [node, str(SCRIPT), str(plan_file)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _plan_for_every_tool(project: Path) -> list[dict[str, Any]]:
    return [
        {"name": "headroom_compress", "arguments": {"content": noisy_log(), "query": "payment declined"}},
        {"name": "headroom_retrieve", "arguments": {"hash": "$hash:0", "lines": "1-3"}},
        {"name": "headroom_retrieve", "arguments": {"hash": "$hash:0", "query": "payment declined"}},
        {"name": "headroom_read", "arguments": {"path": "build.log", "query": "declined"}},
        {"name": "headroom_run", "arguments": {"command": "cat build.log | head -n 500; exit 2"}},
        {"name": "headroom_stats", "arguments": {"scope": "session"}},
        {"name": "headroom_search", "arguments": {"query": "payment declined", "limit": 2}},
        {"name": "headroom_retrieve", "arguments": {"hash": "0123456789abcdef"}},
    ]


def test_the_typescript_sdk_lists_and_calls_every_tool_over_stdio(project: Path) -> None:
    log = noisy_log()
    (project / "build.log").write_text(log)
    command = serve_command("--allow-run")
    server = {"command": command[0], "args": command[1:], "env": dict(os.environ), "cwd": str(project)}
    out = _drive(
        {
            "server": server,
            "roots": [project.as_uri()],
            "calls": _plan_for_every_tool(project),
            "resources": ["headroom://stats", "headroom://original/$hash:0"],
            "prompts": [{"name": "compress_file", "arguments": {"path": "build.log"}}],
        },
        project.parent,
    )
    assert out["server"]["name"] == "headroom" and "headroom_retrieve" in out["instructions"]
    assert {t["name"] for t in out["tools"]} == {
        "headroom_compress",
        "headroom_retrieve",
        "headroom_stats",
        "headroom_read",
        "headroom_run",
        "headroom_search",
    }
    assert all(t.get("annotations") for t in out["tools"])
    # Only the data tools declare an output schema; the text tools answer in plain text.
    assert {t["name"] for t in out["tools"] if t.get("outputSchema")} == {"headroom_stats", "headroom_search"}
    compress, lines, query, read, run, stats, search, unknown = out["results"]
    for call in (compress, lines, query, read, run, stats, search):
        assert not call["isError"], call["text"]
    for call in (compress, lines, query, read, run):
        assert call["structured"] is None and call["text"].startswith("[headroom hash=")
    assert "payment declined" in search["structured"]["hits"][0]["text"]
    assert " (" in compress["text"].partition("\n")[0] and "% saved)" in compress["text"].partition("\n")[0]
    assert lines["text"].splitlines()[1:] == [f"{n:>5}| {row}" for n, row in enumerate(log.splitlines()[:3], 1)]
    assert "payment declined" in query["text"]
    assert f" path={project / 'build.log'}: " in read["text"].partition("\n")[0]
    assert ": exit code 2; " in run["text"].partition("\n")[0]
    assert stats["structured"]["calls"] == 3 and stats["structured"]["retrievals"] == 2
    assert unknown["isError"] and "0123456789abcdef" in unknown["text"]
    stats_resource, original = out["resources"]
    assert json.loads(stats_resource[0]["text"])["scope"] == "lifetime"
    assert original[0]["text"] == log
    assert "headroom_read" in out["prompts"][0]["messages"][0]["content"]["text"]


def test_the_typescript_sdk_works_over_streamable_http_with_a_token(tmp_path: Path) -> None:
    port, token = free_port(), "node-e2e-token-0123456789"
    with running_server("http", port, "--token", token, log=tmp_path / "err.log"):
        out = _drive(
            {
                "server": {"url": f"http://127.0.0.1:{port}/mcp", "headers": {"Authorization": f"Bearer {token}"}},
                "calls": [
                    {"name": "headroom_compress", "arguments": {"content": noisy_log()}},
                    {"name": "headroom_retrieve", "arguments": {"hash": "$hash:0", "max_tokens": 10**6}},
                ],
            },
            tmp_path,
        )
    compress, whole = out["results"]
    assert not compress["isError"] and whole["text"].partition("\n")[2] == noisy_log()
