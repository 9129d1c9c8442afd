"""The fake provider speaks each API as its clients parse it, follows its script and records exact bytes."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from fake_provider import Answer, FakeProvider, Recorded, ToolCall

TOOLS = {
    "anthropic": [{"name": "Bash", "input_schema": {"type": "object"}}],
    "openai-responses": [{"type": "function", "name": "exec_command", "parameters": {}}],
    "openai-chat": [{"type": "function", "function": {"name": "shell", "parameters": {}}}],
    "gemini": [{"functionDeclarations": [{"name": "run_shell_command"}]}],
}
PATHS = {
    "anthropic": "/v1/messages",
    "openai-responses": "/v1/responses",
    "openai-chat": "/v1/chat/completions",
    "gemini": "/v1beta/models/m:generateContent",
}


def post(fake: FakeProvider, path: str, body: Any) -> tuple[str, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(fake.url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers["Content-Type"], resp.read()


def sse_data(raw: bytes) -> list[Any]:
    out = []
    for line in raw.decode().splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            out.append(json.loads(line[6:]))
    return out


def body_for(api: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "m", "tools": TOOLS[api]}
    if api == "gemini":
        body["contents"] = [{"role": "user", "parts": [{"text": "hi"}]}]
    elif api == "openai-responses":
        body["input"] = [{"type": "message", "role": "user", "content": "hi"}]
    else:
        body["messages"] = [{"role": "user", "content": "hi"}]
    if stream and api != "gemini":
        body["stream"] = True
    return body


def tool_call_of(api: str, ctype: str, raw: bytes) -> tuple[str, dict[str, Any]]:
    """(name, input) of the one tool call in an answer, read the way each API's clients read it."""
    events = sse_data(raw) if ctype == "text/event-stream" else [json.loads(raw)]
    if api == "anthropic":
        if ctype != "text/event-stream":
            block = events[0]["content"][0]
            return block["name"], block["input"]
        start = next(e for e in events if e["type"] == "content_block_start")["content_block"]
        partial = "".join(e["delta"]["partial_json"] for e in events if e["type"] == "content_block_delta")
        assert next(e for e in events if e["type"] == "message_delta")["delta"]["stop_reason"] == "tool_use"
        return start["name"], json.loads(partial)
    if api == "openai-responses":
        item = (
            next(e for e in events if e["type"] == "response.output_item.done")["item"]
            if ctype == "text/event-stream"
            else events[0]["output"][0]
        )
        return item["name"], json.loads(item["arguments"])
    if api == "openai-chat":
        call = (
            events[0]["choices"][0]["delta"]["tool_calls"][0]
            if ctype == "text/event-stream"
            else events[0]["choices"][0]["message"]["tool_calls"][0]
        )
        return call["function"]["name"], json.loads(call["function"]["arguments"])
    part = events[0]["candidates"][0]["content"]["parts"][0]["functionCall"]
    return part["name"], part["args"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("api", sorted(PATHS))
def test_each_api_answers_the_scripted_tool_call_then_the_answer(api: str, stream: bool) -> None:
    names = {"anthropic": "Bash", "openai-responses": "exec_command", "openai-chat": "shell"}
    name = names.get(api, "run_shell_command")
    path = PATHS[api].replace(":generateContent", ":streamGenerateContent?alt=sse") if stream else PATHS[api]
    with FakeProvider([ToolCall(name, {"command": "ls -la"}), Answer("all done")]) as fake:
        ctype, raw = post(fake, path, body_for(api, stream))
        assert ctype == ("text/event-stream" if stream else "application/json")
        assert tool_call_of(api, ctype, raw) == (name, {"command": "ls -la"})
        _, raw = post(fake, path, body_for(api, stream))
        assert b"all done" in raw
        assert fake.remaining == 0 and fake.errors == []
        assert [r.api for r in fake.turns()] == [api, api]


def test_requests_are_recorded_byte_for_byte_with_their_headers() -> None:
    body = b'{"model":"m",  "messages":[{"role":"user","content":"caf\xc3\xa9"}],"tools":[{"name":"Bash"}]}'
    with FakeProvider() as fake:
        post(fake, "/v1/messages?beta=true", body)
        (req,) = fake.requests
        assert req.body == body
        assert (req.method, req.path, req.query, req.api) == ("POST", "/v1/messages", "beta=true", "anthropic")
        assert req.headers["Content-Type"] == "application/json"


def test_tool_results_of_the_newest_turn_are_read_in_every_api() -> None:
    cases: dict[str, dict[str, Any]] = {
        "anthropic": {
            "messages": [
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": "old"}]},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "b", "name": "Bash", "input": {}}]},
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "b", "content": [{"type": "text", "text": "new"}]}
                    ],
                },
            ]
        },
        "openai-responses": {
            "input": [
                {"type": "function_call_output", "call_id": "a", "output": "old"},
                {"type": "function_call", "call_id": "b", "name": "x", "arguments": "{}"},
                {"type": "function_call_output", "call_id": "b", "output": "new"},
            ]
        },
        "openai-chat": {
            "messages": [
                {"role": "tool", "tool_call_id": "a", "content": "old"},
                {"role": "assistant", "content": None},
                {"role": "tool", "tool_call_id": "b", "content": "new"},
            ]
        },
        "gemini": {
            "contents": [
                {"role": "user", "parts": [{"functionResponse": {"name": "x", "response": {"output": "old"}}}]},
                {"role": "model", "parts": [{"functionCall": {"name": "x", "args": {}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "x", "response": {"output": "new"}}}]},
            ]
        },
    }
    for api, body in cases.items():
        req = Recorded("POST", PATHS[api], "", {}, json.dumps(body).encode(), api)  # type: ignore[arg-type]
        assert req.tool_results == ["new"], api
        assert req.all_tool_results == ["old", "new"], api


def test_a_step_may_read_the_request_it_answers() -> None:
    def echo(req: Recorded) -> Answer:
        return Answer("saw " + json.loads(req.body)["messages"][-1]["content"])

    with FakeProvider([echo]) as fake:
        _, raw = post(
            fake,
            "/v1/chat/completions",
            body_for("openai-chat", False) | {"messages": [{"role": "user", "content": "needle-42"}]},
        )
        assert json.loads(raw)["choices"][0]["message"]["content"] == "saw needle-42"


def test_side_requests_leave_the_script_and_get_json_their_schema_accepts() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {"next_speaker": {"type": "STRING", "enum": ["user", "model"]}, "score": {"type": "INTEGER"}},
        "required": ["next_speaker", "score"],
    }
    with FakeProvider([Answer("scripted")]) as fake:
        _, raw = post(
            fake,
            PATHS["gemini"],
            {
                "contents": [],
                "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema},
            },
        )
        text = json.loads(raw)["candidates"][0]["content"]["parts"][0]["text"]
        assert json.loads(text) == {"next_speaker": "user", "score": 1}
        _, raw = post(fake, PATHS["anthropic"], {"messages": [{"role": "user", "content": "title?"}]})
        assert json.loads(raw)["content"][0]["text"] == "ok"
        assert fake.remaining == 1


def test_count_tokens_and_model_lists_are_answered() -> None:
    with FakeProvider() as fake:
        _, raw = post(fake, "/v1/messages/count_tokens", {"messages": []})
        assert json.loads(raw)["input_tokens"] >= 1
        _, raw = post(fake, "/v1beta/models/m:countTokens", {"contents": []})
        assert json.loads(raw)["totalTokens"] >= 1
        with urllib.request.urlopen(fake.url + "/v1/models", timeout=10) as resp:
            assert json.loads(resp.read())["data"] == []


def test_a_call_to_an_undeclared_tool_is_answered_as_text_and_listed_as_an_error() -> None:
    with FakeProvider([ToolCall("Nope", {})]) as fake:
        _, raw = post(fake, PATHS["anthropic"], body_for("anthropic", False))
        assert json.loads(raw)["content"][0]["type"] == "text"
        assert fake.errors and "Nope" in fake.errors[0]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_tool_declared_in_a_namespace_is_called_by_namespace_and_name(stream: bool) -> None:
    """Codex offers an MCP server's tools as one `namespace` tool; the model calls one with both names apart."""
    space = {"type": "namespace", "name": "mcp__headroom", "tools": [{"type": "function", "name": "headroom_stats"}]}
    body = {**body_for("openai-responses", stream), "tools": [*TOOLS["openai-responses"], space]}
    with FakeProvider([ToolCall("mcp__headroom__headroom_stats", {})]) as fake:
        ctype, raw = post(fake, PATHS["openai-responses"], body)
        assert fake.errors == []
        assert "mcp__headroom__headroom_stats" in fake.requests[-1].tool_names
    events = sse_data(raw) if ctype == "text/event-stream" else [json.loads(raw)]
    item = (
        next(e for e in events if e["type"] == "response.output_item.done")["item"]
        if ctype == "text/event-stream"
        else events[0]["output"][0]
    )
    assert (item["namespace"], item["name"]) == ("mcp__headroom", "headroom_stats")
