"""The four wire formats: which API a request speaks, its tool results, and a turn rendered as each API answers.

Shapes follow the public API references (Anthropic Messages, OpenAI Responses and Chat Completions, Gemini
generateContent) as far as the three agent CLIs read them: a text answer or one tool call per turn, JSON or
server-sent events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from ._script import Api, Recorded, ToolCall, Turn

__all__ = ["classify", "count_tokens_body", "is_generation", "render", "side_text", "tool_results"]


def classify(path: str) -> Api:
    if path.endswith("/messages") or path.endswith("/messages/count_tokens"):
        return "anthropic"
    if path.endswith("/responses"):
        return "openai-responses"
    if path.endswith("/chat/completions"):
        return "openai-chat"
    if ":generateContent" in path or ":streamGenerateContent" in path or ":countTokens" in path:
        return "gemini"
    return "other"


def is_generation(req: Recorded) -> bool:
    return req.method == "POST" and req.api != "other" and not req.path.endswith(("count_tokens", ":countTokens"))


def count_tokens_body(req: Recorded) -> dict[str, Any]:
    estimate = max(1, len(req.body) // 4)
    return {"totalTokens": estimate} if req.api == "gemini" else {"input_tokens": estimate}


def _schema_instance(schema: Any) -> Any:
    """The smallest value a JSON schema accepts (first enum value, minimum, required properties only)."""
    if not isinstance(schema, dict):
        return "ok"
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return _schema_instance(schema[key][0])
    kind = str(schema.get("type", "object")).lower()
    if kind == "object":
        props = schema.get("properties") or {}
        wanted = schema.get("required") or list(props)
        return {name: _schema_instance(props.get(name)) for name in wanted}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "ok"


def side_text(req: Recorded, default: str) -> str:
    """The answer to a request made beside the conversation: JSON fitting its schema when it asks for JSON."""
    body = req.json()
    if not isinstance(body, dict):
        return default
    config = body.get("generationConfig") or {}
    text_format = (body.get("text") or {}).get("format") or {}
    response_format = body.get("response_format") or {}
    output_format = body.get("output_format") or (body.get("output_config") or {}).get("format") or {}
    for schema in (
        config.get("responseJsonSchema") or config.get("responseSchema"),
        text_format.get("schema"),
        (response_format.get("json_schema") or {}).get("schema"),
        output_format.get("schema"),
    ):
        if schema:
            return json.dumps(_schema_instance(schema))
    if config.get("responseMimeType") == "application/json" or response_format.get("type") == "json_object":
        return "{}"
    return default


def _text_of(content: Any) -> str:
    """Text of a tool result's content in any of the shapes the APIs allow (string, or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        for key in ("text", "output", "content"):
            if key in content:
                return _text_of(content[key])
        return json.dumps(content)
    return "" if content is None else json.dumps(content)


def tool_results(req: Recorded, *, newest_only: bool = True) -> list[str]:
    body = req.json() if req.method == "POST" and req.body else None
    if not isinstance(body, dict):
        return []
    if req.api == "anthropic":
        turns = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
        turns = turns[-1:] if newest_only else turns
        return [
            _text_of(block.get("content"))
            for m in turns
            if isinstance(m.get("content"), list)
            for block in m["content"]
            if isinstance(block, dict) and block.get("type") == "tool_result"
        ]
    if req.api == "openai-responses":
        items = [i for i in body.get("input") or [] if isinstance(i, dict)]
        outputs = {"function_call_output", "custom_tool_call_output", "local_shell_call_output"}
        if newest_only:
            while items and items[-1].get("type") not in outputs:
                items.pop()
            tail: list[dict[str, Any]] = []
            while items and items[-1].get("type") in outputs:
                tail.insert(0, items.pop())
            items = tail
        return [_text_of(i.get("output")) for i in items if i.get("type") in outputs]
    if req.api == "openai-chat":
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        if newest_only:
            tail = []
            while messages and messages[-1].get("role") == "tool":
                tail.insert(0, messages.pop())
            messages = tail
        return [_text_of(m.get("content")) for m in messages if m.get("role") == "tool"]
    if req.api == "gemini":
        contents = [c for c in body.get("contents") or [] if isinstance(c, dict)]
        contents = contents[-1:] if newest_only else contents
        return [
            _text_of(part["functionResponse"].get("response"))
            for c in contents
            for part in c.get("parts") or []
            if isinstance(part, dict) and isinstance(part.get("functionResponse"), dict)
        ]
    return []


def _sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()


def _id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def _declared_type(req: Recorded, name: str) -> str:
    body = req.json()
    for tool in body.get("tools") or [] if isinstance(body, dict) else []:
        if isinstance(tool, dict) and tool.get("name") == name:
            return str(tool.get("type") or "function")
    return "function"


def _namespaced(req: Recorded, name: str) -> tuple[str | None, str]:
    """(namespace, tool) of a name the request declares inside a namespace (``NAMESPACE__TOOL``), else (None, name)."""
    body = req.json()
    for tool in body.get("tools") or [] if isinstance(body, dict) else []:
        if not (isinstance(tool, dict) and tool.get("type") == "namespace" and isinstance(tool.get("tools"), list)):
            continue
        space = str(tool.get("name"))
        inner = name[len(space) + 2 :] if name.startswith(space + "__") else None
        if inner is not None and any(isinstance(t, dict) and t.get("name") == inner for t in tool["tools"]):
            return space, inner
    return None, name


# ---- Anthropic Messages ------------------------------------------------------------------------------------------


def _anthropic(req: Recorded, turn: Turn, stream: bool) -> Iterator[bytes]:
    body = req.json()
    model = body.get("model", "fake")
    usage = {"input_tokens": max(1, len(req.body) // 4), "output_tokens": 8}
    if isinstance(turn, ToolCall):
        block: dict[str, Any] = {"type": "tool_use", "id": _id("toolu_"), "name": turn.name, "input": dict(turn.input)}
        stop = "tool_use"
    else:
        block = {"type": "text", "text": turn.text}
        stop = "end_turn"
    message = {"id": _id("msg_"), "type": "message", "role": "assistant", "model": model, "stop_sequence": None}
    if not stream:
        yield json.dumps({**message, "content": [block], "stop_reason": stop, "usage": usage}).encode()
        return
    yield _sse(
        "message_start",
        {
            "type": "message_start",
            "message": {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}},
        },
    )
    if block["type"] == "tool_use":
        start = {**block, "input": {}}
        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
    else:
        start = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": block["text"]}
    yield _sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": start})
    yield _sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
    yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
    yield _sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": usage["output_tokens"]},
        },
    )
    yield _sse("message_stop", {"type": "message_stop"})


# ---- OpenAI Responses ---------------------------------------------------------------------------------------------


def _responses(req: Recorded, turn: Turn, stream: bool) -> Iterator[bytes]:
    body = req.json()
    if isinstance(turn, ToolCall):
        call_id = _id("call_")
        if _declared_type(req, turn.name) == "custom":
            raw = turn.input.get("input", "")
            item: dict[str, Any] = {
                "type": "custom_tool_call",
                "id": _id("ctc_"),
                "call_id": call_id,
                "name": turn.name,
                "input": raw,
                "status": "completed",
            }
        else:
            space, name = _namespaced(req, turn.name)
            item = {
                "type": "function_call",
                "id": _id("fc_"),
                "call_id": call_id,
                "name": name,
                **({"namespace": space} if space is not None else {}),
                "arguments": json.dumps(dict(turn.input)),
                "status": "completed",
            }
    else:
        item = {
            "type": "message",
            "id": _id("msg_"),
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": turn.text, "annotations": []}],
        }
    tokens = max(1, len(req.body) // 4)
    usage = {
        "input_tokens": tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 8,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": tokens + 8,
    }
    response = {
        "id": _id("resp_"),
        "object": "response",
        "model": body.get("model", "fake"),
        "status": "completed",
        "output": [item],
        "usage": usage,
    }
    if not stream:
        yield json.dumps(response).encode()
        return
    yield _sse(
        "response.created",
        {"type": "response.created", "response": {**response, "status": "in_progress", "output": []}},
    )
    yield _sse("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item})
    if item["type"] == "message":
        yield _sse(
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "output_index": 0,
                "content_index": 0,
                "item_id": item["id"],
                "delta": turn.text,
            },
        )
    yield _sse("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item})
    yield _sse("response.completed", {"type": "response.completed", "response": response})


# ---- OpenAI Chat Completions --------------------------------------------------------------------------------------


def _chat(req: Recorded, turn: Turn, stream: bool) -> Iterator[bytes]:
    body = req.json()
    base = {"id": _id("chatcmpl-"), "created": 0, "model": body.get("model", "fake")}
    tokens = max(1, len(req.body) // 4)
    usage = {"prompt_tokens": tokens, "completion_tokens": 8, "total_tokens": tokens + 8}
    if isinstance(turn, ToolCall):
        call = {
            "id": _id("call_"),
            "type": "function",
            "function": {"name": turn.name, "arguments": json.dumps(dict(turn.input))},
        }
        message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": turn.text}
        finish = "stop"
    if not stream:
        choice = {"index": 0, "message": message, "finish_reason": finish}
        yield json.dumps({**base, "object": "chat.completion", "choices": [choice], "usage": usage}).encode()
        return
    chunk = {**base, "object": "chat.completion.chunk"}
    if "tool_calls" in message:
        delta: dict[str, Any] = {"role": "assistant", "tool_calls": [{"index": 0, **message["tool_calls"][0]}]}
    else:
        delta = {"role": "assistant", "content": message["content"]}
    yield _sse(None, {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    yield _sse(None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage})
    yield b"data: [DONE]\n\n"


# ---- Gemini --------------------------------------------------------------------------------------------------------


def _gemini(req: Recorded, turn: Turn, stream: bool) -> Iterator[bytes]:
    part = (
        {"functionCall": {"name": turn.name, "args": dict(turn.input)}}
        if isinstance(turn, ToolCall)
        else {"text": turn.text}
    )
    tokens = max(1, len(req.body) // 4)
    answer = {
        "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": tokens, "candidatesTokenCount": 8, "totalTokenCount": tokens + 8},
        "modelVersion": req.path.rsplit("/", 1)[-1].split(":", 1)[0],
    }
    if not stream:
        yield json.dumps(answer).encode()
    elif "alt=sse" in req.query:
        yield _sse(None, answer)
    else:
        yield json.dumps([answer]).encode()


def render(req: Recorded, turn: Turn) -> tuple[str, Iterator[bytes]]:
    """The content type and body chunks that answer ``req`` with ``turn``."""
    body = req.json()
    if req.api == "gemini":
        stream = ":streamGenerateContent" in req.path
        sse = stream and "alt=sse" in req.query
        return ("text/event-stream" if sse else "application/json"), _gemini(req, turn, stream)
    stream = bool(isinstance(body, dict) and body.get("stream"))
    kind = "text/event-stream" if stream else "application/json"
    if req.api == "anthropic":
        return kind, _anthropic(req, turn, stream)
    if req.api == "openai-responses":
        return kind, _responses(req, turn, stream)
    return kind, _chat(req, turn, stream)
