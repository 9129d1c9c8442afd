"""Compressing the tool results inside a conversation: the library call, for applications that never speak MCP.

    from ccr import Store
    from compressors import compress_messages

    with Store() as store:
        out = compress_messages(request["messages"], store=store)
    request = {**request, "messages": out.messages}

Where tool results live, in the three wire shapes (`tool_texts` knows them, for this call and for the proxy):

- Anthropic Messages: ``tool_result`` blocks in a message's ``content`` list; their ``content`` is a string or a
  list of blocks, of which the ``text`` blocks count (images, documents and search results are left alone).
- OpenAI Chat Completions: ``role: "tool"`` messages; ``content`` a string or a list of ``text`` parts.
- OpenAI Responses: ``function_call_output``, ``custom_tool_call_output`` and ``local_shell_call_output`` items;
  ``output`` a string or a list of ``input_text`` / ``output_text`` parts.

Each such text of at least ``min_tokens`` tokens is compressed on its own (`compress_tool_text`): the original goes
to the store, the text becomes the header line (`header_line`) and the compressed text with its markers. Nothing
else is touched: system prompts, user and assistant text, tool definitions, images, ids, ``cache_control``. A text
headroom produced itself (a hook's output, `Store.produced`) stays as it is, and so do the results of headroom's
own MCP tools (`is_own_tool`: a retrieve is what the model asked to see whole), a text that would not get
smaller, one that is not valid Unicode (a lone surrogate) or not text. The same text always becomes the same bytes
(`compress` is deterministic and no question is asked), so a conversation resent turn after turn keeps the prompt
cache's prefix; the optional token model of the prose compressor (``HEADROOM_PROSE_MODEL``) is the exception while
it is still being downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rustcore
from ccr import InputError
from compressors._header import header_line
from compressors._pipeline import PRODUCED_BY_US, compress

if TYPE_CHECKING:
    from ccr import Store

__all__ = [
    "OUTPUT_ITEM_TYPES",
    "TOOL_RESULT_MIN_TOKENS",
    "CompressedMessages",
    "CompressedText",
    "MessageStats",
    "ToolText",
    "called_tools",
    "compress_messages",
    "compress_tool_text",
    "is_model_turn",
    "is_own_tool",
    "replace_at",
    "tool_texts",
]

# Tool results under this many tokens are left as they are (the same default as `headroom exec` and the hooks).
TOOL_RESULT_MIN_TOKENS = 2000
# Responses API items that carry a tool's output to the model.
OUTPUT_ITEM_TYPES = frozenset({"function_call_output", "custom_tool_call_output", "local_shell_call_output"})
_TEXT_PARTS = frozenset({"text", "input_text", "output_text"})

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ToolText:
    """One text of a tool result inside a message: where it is (keys and indexes from the message to the
    string), what it says, the id of the call it answers ("" when the message names none) and which part of the
    result it is (its index in the result's list of blocks, -1 when the result is one string)."""

    path: Path
    text: str
    call_id: str
    part: int = -1


@dataclass(frozen=True, slots=True)
class CompressedText:
    """What a tool result's text became: ``text`` (header line + compressed text), the original's handle."""

    text: str
    hash: str
    tokens_before: int
    tokens_after: int
    compressor: str
    markers: int


@dataclass(frozen=True, slots=True)
class MessageStats:
    """Per message: tool-result texts found and compressed, and the tokens of the compressed ones before and
    after (header line included); ``hashes`` are their originals' handles."""

    index: int
    tool_texts: int = 0
    compressed: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    hashes: tuple[str, ...] = ()

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after


@dataclass(frozen=True, slots=True)
class CompressedMessages:
    """The new message list (messages without a compressed tool result are the very objects given, the others
    are copies: the input is never modified) and one `MessageStats` per message."""

    messages: list[Any]
    stats: list[MessageStats]

    @property
    def compressed(self) -> int:
        return sum(s.compressed for s in self.stats)

    @property
    def tokens_saved(self) -> int:
        return sum(s.tokens_saved for s in self.stats)


def _call_id(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _texts_of(content: Any, path: Path, call_id: str) -> list[ToolText]:
    """A result's content: a string, or the text parts of a list of blocks."""
    if isinstance(content, str):
        return [ToolText(path, content, call_id)]
    out: list[ToolText] = []
    if isinstance(content, list):
        for j, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") in _TEXT_PARTS and isinstance(part.get("text"), str):
                out.append(ToolText((*path, j, "text"), part["text"], call_id, j))
    return out


def tool_texts(message: Any) -> list[ToolText]:
    """The tool-result texts in one message (or Responses input item), in any of the three wire shapes."""
    if not isinstance(message, dict):
        return []
    kind = message.get("type")
    if kind in OUTPUT_ITEM_TYPES:
        return _texts_of(message.get("output"), ("output",), _call_id(message, "call_id"))
    content = message.get("content")
    if message.get("role") == "tool":
        return _texts_of(content, ("content",), _call_id(message, "tool_call_id"))
    out: list[ToolText] = []
    if isinstance(content, list):
        for i, block in enumerate(content):
            if isinstance(block, dict) and block.get("type") == "tool_result":
                out += _texts_of(block.get("content"), ("content", i, "content"), _call_id(block, "tool_use_id"))
    return out


def called_tools(message: Any) -> dict[str, str]:
    """The tool calls a model message (or Responses item) makes: call id -> tool name, in all three shapes."""
    if not isinstance(message, dict):
        return {}
    out: dict[str, str] = {}
    if isinstance(message.get("type"), str) and message["type"].endswith("_call"):
        if isinstance(message.get("call_id"), str) and isinstance(message.get("name"), str):
            out[message["call_id"]] = message["name"]
        return out
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(call.get("id"), str) and isinstance(function.get("name"), str):
            out[call["id"]] = function["name"]
    content = message.get("content")
    for block in content if isinstance(content, list) else []:
        named = isinstance(block, dict) and isinstance(block.get("id"), str) and isinstance(block.get("name"), str)
        if named and block.get("type") in ("tool_use", "server_tool_use", "mcp_tool_use"):
            out[block["id"]] = block["name"]
    return out


def is_own_tool(name: str) -> bool:
    """Whether a tool is one of headroom's MCP tools, as a client names it (``headroom_retrieve``,
    ``mcp__headroom__headroom_retrieve``): their results are headroom's output already (a retrieve is what the
    model asked to see whole), so they are never compressed again."""
    return name.rsplit("__", 1)[-1].startswith("headroom_")


def is_model_turn(message: Any) -> bool:
    """Whether a message (or Responses item) is the model's: an assistant message, or an item the model
    emitted (a function or tool call, reasoning). Tool results after the last of these answer the newest turn."""
    if not isinstance(message, dict):
        return False
    if message.get("role") == "assistant":
        return True
    kind = message.get("type")
    return isinstance(kind, str) and (kind == "reasoning" or (kind.endswith("_call") and kind not in OUTPUT_ITEM_TYPES))


def compress_tool_text(
    text: str,
    *,
    store: Store,
    min_tokens: int = TOOL_RESULT_MIN_TOKENS,
    client: str | None = None,
    session: str | None = None,
    source: str = "messages",
) -> CompressedText | None:
    """One tool result's text as headroom hands it to the model, or None to leave it as it is.

    None when the text is under ``min_tokens`` tokens, is not valid Unicode or looks binary, is a text this
    store produced (`Store.produced`), or would not get smaller with its header line. Otherwise the original is
    in ``store`` and the returned text (the header line, then the compressed text) is remembered as ours.

    Raises:
        StoreError: the store cannot be read or written.
    """
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the provider would read it differently from what we store
        return None
    if len(raw) < min_tokens or b"\0" in raw:  # n bytes are at most n tokens
        return None
    encoding = store.settings.encoding
    if rustcore.count_tokens(text, encoding) < min_tokens or store.produced(raw) is not None:
        return None
    try:
        result = compress(raw, store=store, source=source, client=client, session=session)
    except InputError:  # binary or over the input limit: not ours to shorten
        return None
    if result.compressor in ("none", PRODUCED_BY_US):
        return None
    out = header_line(result) + result.compressed
    tokens_after = result.tokens_after + rustcore.count_tokens(out[: len(out) - len(result.compressed)], encoding)
    if tokens_after >= result.tokens_before:
        return None
    store.remember_output(out, result.hash)
    return CompressedText(out, result.hash, result.tokens_before, tokens_after, result.compressor, result.markers)


def replace_at(node: Any, path: Path, value: str) -> Any:
    """A copy of ``node`` with the string at ``path`` replaced (only the containers on the path are copied)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replace_at(node[head], rest, value)}
    copy = list(node)
    assert isinstance(head, int)
    copy[head] = replace_at(copy[head], rest, value)
    return copy


def compress_messages(
    messages: Sequence[Any],
    *,
    store: Store | None = None,
    min_tokens: int = TOOL_RESULT_MIN_TOKENS,
    client: str | None = None,
    session: str | None = None,
) -> CompressedMessages:
    """Compress the bulky tool results in ``messages`` (Anthropic ``messages``, OpenAI Chat ``messages`` or
    Responses ``input``; the shapes may even be mixed), leaving everything else as it is.

    Args:
        messages: the conversation as the API takes it (dicts, as the SDKs' typed dicts are).
        store: where the originals go; the default store (``HEADROOM_HOME``) is opened for the call when None.
        min_tokens: tool-result texts under this many tokens are left as they are.
        client, session: recorded with each compression in the store's statistics.

    Raises:
        StoreError: the store cannot be read or written.
    """
    if store is None:
        from ccr import Store

        with Store() as opened:
            return compress_messages(messages, store=opened, min_tokens=min_tokens, client=client, session=session)
    own = {call for m in messages for call, name in called_tools(m).items() if is_own_tool(name)}
    out: list[Any] = []
    stats: list[MessageStats] = []
    for index, message in enumerate(messages):
        found = [t for t in tool_texts(message) if t.call_id not in own]
        done = [
            (t, compress_tool_text(t.text, store=store, min_tokens=min_tokens, client=client, session=session))
            for t in found
        ]
        new = message
        for t, c in done:
            if c is not None:
                new = replace_at(new, t.path, c.text)
        changed = [c for _, c in done if c is not None]
        out.append(new)
        stats.append(
            MessageStats(
                index,
                len(found),
                len(changed),
                sum(c.tokens_before for c in changed),
                sum(c.tokens_after for c in changed),
                tuple(c.hash for c in changed),
            )
        )
    return CompressedMessages(out, stats)
