"""What each client's hook answers, given the JSON payload the client sent on stdin.

Every handler returns the JSON object to print, or None to print nothing (the client then goes on unchanged). The
caller (cli.run_hook) turns any exception into "print nothing": hooks fail open.

- Claude Code ``PreToolUse`` on Bash: ``updatedInput`` running the command through ``headroom exec``, with
  ``permissionDecision: allow`` (Claude Code asks its rules about the text it runs, so a rewrite is made only where
  the user's rules allow the original, or in ``bypassPermissions`` mode).
- Claude Code ``PostToolUse`` on another MCP server's tool (``updatedMCPToolOutput``), or on a built-in tool the
  user opted in (``updatedToolOutput``; the largest text field of the tool's response is compressed).
- Gemini CLI ``BeforeTool`` on ``run_shell_command``: ``hookSpecificOutput.tool_input`` with the rewritten command
  (Gemini's own approval still applies to the call).
- Codex ``PreToolUse`` on its shell tools: ``updatedInput.command`` with ``permissionDecision: allow`` (Codex
  accepts a rewrite only with allow; its sandbox and approval policy still govern what runs).
"""

from __future__ import annotations

import os
import shlex
import sys

from mcp_server.exec._policy import command_words, leave_alone_reason, split_pipeline

TYPE_CHECKING = False  # not `typing`'s: this path imports no more than it runs (mypy reads it as true)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["HANDLERS", "exec_prefix", "rewrite_command"]

OUR_SERVER = "headroom"


def exec_prefix() -> str:
    """The command that starts ``headroom exec`` fast: this interpreter, ``-S``, and the boot script."""
    boot = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_boot.py")
    return f"{shlex.quote(sys.executable)} -S {shlex.quote(boot)} exec"


def rewrite_command(command: str, client: str) -> str | None:
    """``command`` run through ``headroom exec``, or None when it is to be left alone."""
    if not command.strip() or leave_alone_reason(command) is not None:
        return None
    return f"{exec_prefix()} --client {shlex.quote(client)} --shell {shlex.quote(command)}"


def _session(payload: dict[str, Any]) -> str | None:
    return os.environ.get("HEADROOM_SESSION") or payload.get("session_id") or None


# ---- Claude Code ------------------------------------------------------------------------------------------------


def claude_pre(payload: dict[str, Any]) -> dict[str, Any] | None:
    if payload.get("tool_name") != "Bash":
        return None
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict) or tool_input.get("run_in_background"):
        return None
    command = tool_input.get("command")
    if not isinstance(command, str):
        return None
    mode = payload.get("permission_mode") or "default"
    if mode == "plan":
        return None
    rewritten = rewrite_command(command, "claude-code/Bash")
    if rewritten is None:
        return None
    if mode != "bypassPermissions" and not _claude_rules_allow(command, str(payload.get("cwd") or os.getcwd())):
        return None
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": "headroom: your permission rules allow this command; output compressed",
            "updatedInput": {**tool_input, "command": rewritten},
        }
    }


def _claude_rules_allow(command: str, cwd: str) -> bool:
    from mcp_server.hooks._permissions import bash_allowed, load_rules, settings_files

    rules = load_rules(settings_files(cwd))
    words = command_words(command)
    return rules is not None and words is not None and bash_allowed(command, rules, split_pipeline(words))


def claude_post(payload: dict[str, Any]) -> dict[str, Any] | None:
    from mcp_server.hooks._outputs import compress_text, input_subject, replace_text

    tool = str(payload.get("tool_name") or "")
    response = payload.get("tool_response")
    if tool.startswith("mcp__"):
        server = (payload.get("mcp_server") or {}).get("name") or tool.split("__")[1]
        if server == OUR_SERVER:
            return None
        key = "updatedMCPToolOutput"
    else:
        key = "updatedToolOutput"
    subject = input_subject(payload.get("tool_input"))
    updated = replace_text(response, lambda text: compress_text(text, "claude-code", tool, _session(payload), subject))
    if updated is None:
        return None
    return {"hookSpecificOutput": {"hookEventName": "PostToolUse", key: updated}}


# ---- Gemini CLI --------------------------------------------------------------------------------------------------


def gemini_before(payload: dict[str, Any]) -> dict[str, Any] | None:
    if payload.get("tool_name") != "run_shell_command":
        return None
    tool_input = payload.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, dict) else None
    if not isinstance(command, str) or (isinstance(tool_input, dict) and tool_input.get("is_background")):
        return None
    rewritten = rewrite_command(command, "gemini/run_shell_command")
    if rewritten is None:
        return None
    return {"hookSpecificOutput": {"hookEventName": "BeforeTool", "tool_input": {"command": rewritten}}}


# ---- Codex ---------------------------------------------------------------------------------------------------------


def codex_pre(payload: dict[str, Any]) -> dict[str, Any] | None:
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        return None
    command = tool_input.get("command")
    if isinstance(command, list) and all(isinstance(w, str) for w in command):
        command = shlex.join(command)
    if not isinstance(command, str):
        return None
    rewritten = rewrite_command(command, f"codex/{payload.get('tool_name') or 'shell'}")
    if rewritten is None:
        return None
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": "headroom: output compressed",
            "updatedInput": {**tool_input, "command": rewritten},
        }
    }


HANDLERS = {
    ("claude", "pre"): claude_pre,
    ("claude", "post"): claude_post,
    ("gemini", "before"): gemini_before,
    ("codex", "pre"): codex_pre,
}
