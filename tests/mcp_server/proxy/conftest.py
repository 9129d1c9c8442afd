"""Shared by the proxy tests: real bulky outputs made on the spot, and conversations built turn by turn."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(command: str) -> str:
    return subprocess.run(["/bin/bash", "-c", command], capture_output=True, text=True, cwd=ROOT, check=True).stdout


@pytest.fixture(scope="session")
def outputs() -> list[str]:
    """Real, bulky command outputs of this machine (each well over the 2,000-token threshold)."""
    return [
        run("git log -p -n 12 --no-color -- mcp_server ccr"),
        run("git log --stat -n 80 --no-color"),
        run(f"ls -laR {Path(json.__file__).parent.parent} | head -n 1500"),
        run("git log -p -n 12 --no-color -- rustcore compressors"),
    ]


def anthropic_turn(n: int, result: str, *, cache: bool = False) -> list[dict[str, Any]]:
    """One agent turn in Anthropic's shape: the model's tool call, then the client's tool result."""
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": f"toolu_{n:04d}", "content": result}
    if cache:
        block["cache_control"] = {"type": "ephemeral"}
    return [
        {"role": "assistant", "content": [{"type": "tool_use", "id": f"toolu_{n:04d}", "name": "Bash", "input": {}}]},
        {"role": "user", "content": [block]},
    ]


def anthropic_body(messages: list[dict[str, Any]], **extra: Any) -> bytes:
    """A request body with the conversation last, as the SDKs write it (so a longer one continues a shorter one)."""
    head = {"model": "claude-test", "max_tokens": 64, "system": [{"type": "text", "text": "You are terse."}], **extra}
    return json.dumps({**head, "messages": messages}).encode()
