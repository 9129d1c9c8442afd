"""Hook handlers: rewrite only what the user's rules allow, replace bulky outputs, and fail open on anything odd."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ccr import Store
from mcp_server.exec._policy import command_words, split_pipeline
from mcp_server.hooks._events import claude_post, claude_pre, codex_pre, gemini_before
from mcp_server.hooks._permissions import Rules, bash_allowed

ROOT = Path(__file__).resolve().parents[3]
BOOT = [sys.executable, "-S", str(ROOT / "mcp_server" / "_boot.py"), "hook"]
BULKY = "\n".join(f"2026-01-01T00:00:{i % 60:02d} INFO worker {i} handled request id={i * 7919}" for i in range(3000))


def hook(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*BOOT, *args], input=stdin, capture_output=True, timeout=60, check=False)


def claude_payload(command: str, cwd: Path, mode: str = "default") -> dict[str, Any]:
    return {
        "session_id": "s1",
        "cwd": str(cwd),
        "permission_mode": mode,
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "d"},
    }


@pytest.fixture
def claude_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    return home / ".claude" / "settings.json"


def allow(path: Path, rules: list[str], deny: list[str] | None = None) -> None:
    path.write_text(json.dumps({"permissions": {"allow": rules, "deny": deny or []}}), encoding="utf-8")


def test_claude_bash_is_rewritten_with_allow_only_where_the_users_rules_allow_it(
    claude_settings: Path, tmp_path: Path
) -> None:
    allow(claude_settings, ["Bash(pytest:*)"])
    answer = claude_pre(claude_payload("pytest -q tests", tmp_path))
    assert answer is not None
    out = answer["hookSpecificOutput"]
    assert out["permissionDecision"] == "allow"
    assert out["updatedInput"]["description"] == "d"
    assert "exec --client claude-code/Bash --shell 'pytest -q tests'" in out["updatedInput"]["command"]
    assert claude_pre(claude_payload("rm -rf build", tmp_path)) is None


def test_a_deny_rule_or_an_unallowed_part_of_a_compound_command_keeps_it_unrewritten(
    claude_settings: Path, tmp_path: Path
) -> None:
    allow(claude_settings, ["Bash(git:*)", "Bash(ls:*)"], deny=["Bash(git push:*)"])
    assert claude_pre(claude_payload("git status && ls", tmp_path)) is not None
    assert claude_pre(claude_payload("git push origin main", tmp_path)) is None
    assert claude_pre(claude_payload("git status && curl x", tmp_path)) is None
    assert claude_pre(claude_payload("ls $(cat list)", tmp_path)) is None


def test_project_rules_count_and_plan_mode_is_left_alone(claude_settings: Path, tmp_path: Path) -> None:
    project = tmp_path / "repo"
    (project / ".claude").mkdir(parents=True)
    (project / "sub").mkdir()
    allow(project / ".claude" / "settings.local.json", ["Bash(make:*)"])
    assert claude_pre(claude_payload("make test", project / "sub")) is not None
    assert claude_pre(claude_payload("make test", project / "sub", mode="plan")) is None
    assert claude_pre(claude_payload("anything at all", tmp_path, mode="bypassPermissions")) is not None


def test_commands_that_must_stay_in_the_shell_are_not_rewritten(tmp_path: Path) -> None:
    for command in ("cd src", "vim x", "git log | head -5", "headroom exec -- ls"):
        assert claude_pre(claude_payload(command, tmp_path, mode="bypassPermissions")) is None, command


def test_permission_patterns_match_as_claude_code_documents_them() -> None:
    rules = Rules()
    rules.allow = ["Bash(npm run test:*)", "Bash(git * main)", "Bash(ls)"]

    def ok(command: str) -> bool:
        words = command_words(command)
        assert words is not None
        return bash_allowed(command, rules, split_pipeline(words))

    assert ok("npm run test") and ok("npm run test -- --watch") and not ok("npm run testing")
    assert ok("git merge main") and ok("ls") and not ok("ls -la")


def test_claude_post_replaces_a_bulky_mcp_output_in_its_own_shape() -> None:
    payload = {
        "session_id": "s2",
        "tool_name": "mcp__logs__tail",
        "tool_input": {},
        "tool_response": BULKY,
        "mcp_server": {"name": "logs"},
    }
    answer = claude_post(payload)
    assert answer is not None
    text = answer["hookSpecificOutput"]["updatedMCPToolOutput"]
    assert isinstance(text, str) and text.startswith("[headroom hash=") and len(text) < len(BULKY) / 2
    blocks = claude_post({**payload, "tool_response": [{"type": "text", "text": BULKY}]})
    assert blocks is not None
    assert blocks["hookSpecificOutput"]["updatedMCPToolOutput"][0]["text"].startswith("[headroom hash=")
    with Store() as store:
        summary = store.stats(session="s2")
    assert summary.compressions == 2


@pytest.mark.parametrize(
    ("tool_input", "source"),
    [
        ({"file_path": "/var/log/app.log", "lines": 3000}, "hook:mcp__logs__tail: /var/log/app.log"),
        ({"query": "worker\nhandled", "path": "/srv"}, "hook:mcp__logs__tail: /srv"),
        ({"limit": 3000}, "hook:mcp__logs__tail"),
    ],
)
def test_claude_post_keeps_the_original_under_what_the_tools_input_names(tool_input: Any, source: str) -> None:
    payload = {"tool_name": "mcp__logs__tail", "tool_input": tool_input, "tool_response": BULKY}
    answer = claude_post({**payload, "mcp_server": {"name": "logs"}})
    assert answer is not None
    digest = answer["hookSpecificOutput"]["updatedMCPToolOutput"][len("[headroom hash=") :][:16]
    with Store() as store:
        assert store.info(digest).source == source


def test_claude_post_leaves_our_own_tools_and_small_outputs_alone() -> None:
    ours = {"tool_name": "mcp__headroom__headroom_retrieve", "tool_response": BULKY, "mcp_server": {"name": "headroom"}}
    assert claude_post(ours) is None
    assert claude_post({"tool_name": "mcp__x__y", "tool_response": "short", "mcp_server": {"name": "x"}}) is None


def test_claude_post_compresses_the_largest_field_of_a_builtin_tools_response() -> None:
    answer = claude_post({"tool_name": "WebFetch", "tool_response": {"url": "u", "result": BULKY, "code": 200}})
    assert answer is not None
    out = answer["hookSpecificOutput"]["updatedToolOutput"]
    assert out["url"] == "u" and out["code"] == 200 and out["result"].startswith("[headroom hash=")


def test_gemini_and_codex_rewrite_their_shell_tools(tmp_path: Path) -> None:
    gem = gemini_before({"tool_name": "run_shell_command", "tool_input": {"command": "pytest -q"}})
    assert gem is not None and "--shell 'pytest -q'" in gem["hookSpecificOutput"]["tool_input"]["command"]
    assert gemini_before({"tool_name": "read_file", "tool_input": {"path": "x"}}) is None
    cod = codex_pre({"tool_name": "exec_command", "tool_input": {"command": ["git", "diff"]}})
    assert cod is not None and cod["hookSpecificOutput"]["permissionDecision"] == "allow"
    assert "--shell 'git diff'" in cod["hookSpecificOutput"]["updatedInput"]["command"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("claude", "pre"), b"not json", b""),
        (("claude", "pre"), b'{"tool_name": "Bash", "tool_input": "odd"}', b""),
        (("claude", "nope"), b"{}", b""),
        (("cursor", "pre"), b"{}", b"{}\n"),
        (("claude", "post"), b'["a list"]', b""),
    ],
)
def test_hooks_fail_open_on_anything_unexpected(args: tuple[str, ...], stdin: bytes, expected: bytes) -> None:
    done = hook(*args, stdin=stdin)
    assert (done.returncode, done.stdout) == (0, expected)


def test_a_hook_with_a_broken_store_leaves_the_output_alone(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    payload = json.dumps({"tool_name": "mcp__x__y", "tool_response": BULKY, "mcp_server": {"name": "x"}}).encode()
    env = {**os.environ, "HEADROOM_HOME": str(blocker / "store")}
    done = subprocess.run(
        [*BOOT, "claude", "post"], input=payload, capture_output=True, timeout=60, env=env, check=False
    )
    assert (done.returncode, done.stdout) == (0, b"")
