"""Compressing a tool's output inside a post-tool hook, in whatever shape the client hands the output over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compress_text", "input_subject", "replace_text"]

# The fields of a tool's input that say what its output is about, in order (a search matches an original by them).
_SUBJECT_FIELDS = ("command", "file_path", "path", "url", "query", "pattern")


def input_subject(tool_input: Any) -> str:
    """What a tool's input names (its command, file, URL or query), one line, or "" when it names none of these."""
    if not isinstance(tool_input, dict):
        return ""
    for name in _SUBJECT_FIELDS:
        value = tool_input.get(name)
        if isinstance(value, str) and value.strip():
            from mcp_server.exec.cli import command_source

            return command_source(value).removeprefix("exec:")
    return ""


def compress_text(text: str, client: str, tool: str, session: str | None, subject: str = "") -> str | None:
    """The header line and compressed text, or None when the text is small or does not get smaller. The original
    is kept under source ``hook:<tool>``, with ``: <subject>`` where the tool's input names one."""
    from mcp_server.exec._output import render_output, threshold_from_env

    rendered = render_output(
        text.encode("utf-8", errors="surrogateescape"),
        threshold=threshold_from_env(),
        client=f"{client}/{tool}",
        session=session,
        source=f"hook:{tool}: {subject}" if subject else f"hook:{tool}",
    )
    return rendered.data.decode("utf-8") if rendered.compressed else None


def replace_text(response: Any, compress: Callable[[str], str | None]) -> Any:
    """``response`` with its text compressed, in the same shape; None when nothing changed.

    A string is compressed whole; a list of MCP content blocks when all of its blocks are text (joined by
    newlines, as the client shows them to the model); an object, in its largest string field.
    """
    if isinstance(response, str):
        return compress(response)
    if isinstance(response, list) and response and all(_is_text_block(b) for b in response):
        joined = "\n".join(b["text"] for b in response)
        out = compress(joined)
        return None if out is None else [{"type": "text", "text": out}]
    if isinstance(response, dict):
        if isinstance(response.get("content"), list):
            inner = replace_text(response["content"], compress)
            return None if inner is None else {**response, "content": inner}
        strings = [(len(v), k) for k, v in response.items() if isinstance(v, str)]
        if not strings:
            return None
        _, key = max(strings)
        out = compress(response[key])
        return None if out is None else {**response, key: out}
    return None


def _is_text_block(block: Any) -> bool:
    return isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str)
