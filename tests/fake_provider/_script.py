"""What the fake model says: scripted steps, and the recorded requests the steps may read."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Answer", "Api", "Recorded", "Reply", "Step", "ToolCall", "Turn"]

Api = Literal["anthropic", "openai-responses", "openai-chat", "gemini", "other"]


@dataclass(frozen=True)
class ToolCall:
    """The model calls the tool ``name`` (as the client declared it) with ``input``."""

    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class Answer:
    """The model answers ``text`` and ends its turn."""

    text: str


@dataclass(frozen=True)
class Reply:
    """Not a model turn: the provider answers this HTTP status and body as they are (an overload, an error)."""

    status: int
    body: bytes
    content_type: str = "application/json"


Turn = ToolCall | Answer | Reply
# A step is a turn, or a function of the request being answered that returns one (to read a tool result first).
Step = Turn | Callable[["Recorded"], Turn]


@dataclass
class Recorded:
    """One HTTP request as the client sent it: ``body`` holds its exact bytes."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    api: Api = "other"
    # What the fake answered: the turn (None for start-up calls answered without the script).
    turn: Turn | None = field(default=None)
    # The answer's status and body bytes as the fake sent them (without the chunked framing).
    status: int = 0
    response: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools the request declares (for every API)."""
        body = self.json() if self.method == "POST" else None
        if not isinstance(body, dict):
            return []
        names: list[str] = []
        for tool in body.get("tools") or []:
            if not isinstance(tool, dict):
                continue
            if "functionDeclarations" in tool:
                names += [str(f.get("name")) for f in tool["functionDeclarations"] if isinstance(f, dict)]
            elif isinstance(tool.get("function"), dict):
                names.append(str(tool["function"].get("name")))
            elif tool.get("type") == "namespace" and isinstance(tool.get("tools"), list):
                # Codex (Responses API) groups an MCP server's tools in one namespace: its tools are named
                # NAMESPACE__TOOL here, and a call to such a name is answered with `namespace` and `name` apart.
                names += [f"{tool.get('name')}__{t.get('name')}" for t in tool["tools"] if isinstance(t, dict)]
            elif "name" in tool:
                names.append(str(tool["name"]))
            elif "type" in tool:
                names.append(str(tool["type"]))
        return names

    @property
    def tool_results(self) -> list[str]:
        """Texts of the tool results in the newest turn of the conversation, as the model receives them."""
        from ._wire import tool_results

        return tool_results(self)

    @property
    def all_tool_results(self) -> list[str]:
        """Texts of every tool result anywhere in the conversation this request carries."""
        from ._wire import tool_results

        return tool_results(self, newest_only=False)
