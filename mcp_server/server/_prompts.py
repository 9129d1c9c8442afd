"""Prompts: ready-made requests a user can pick from the client's prompt menu."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon

    from mcp_server.server._state import AppState

__all__ = ["compress_file", "register_prompts", "savings_report"]


def compress_file(
    path: Annotated[str, Field(description="The file to read, e.g. src/app.py or logs/build.log")],
    question: Annotated[str, Field(description="What you want to know about it (optional)")] = "",
) -> str:
    """Read a file through headroom: compressed, with the parts relevant to a question kept in full."""
    ask = f' with query "{question}"' if question.strip() else ""
    goal = f"Then answer: {question}" if question.strip() else "Then summarise what the file contains."
    return (
        f"Call headroom_read on {path}{ask}. Work from the compressed view it returns. "
        "Where a marker such as [40 lines omitted: retrieve hash=... lines=A-B] hides something you need, call "
        "headroom_retrieve with that hash and what the marker names (lines, bytes or template; or a query) instead of "
        "guessing. "
        f"{goal}"
    )


def savings_report() -> str:
    """Report what headroom has saved so far."""
    return (
        "Call headroom_stats with scope 'session' and again with scope 'lifetime'. Report tokens saved, the savings "
        "percentage, the estimated cost saved, which compressors did the most, and the retrieval rate (a high rate "
        "means compression cut too much)."
    )


def register_prompts(server: MCPServer[AppState], *, icons: list[Icon]) -> None:
    server.prompt(name="compress_file", title="Read a file, compressed", icons=icons)(compress_file)
    server.prompt(name="savings_report", title="headroom savings report", icons=icons)(savings_report)
