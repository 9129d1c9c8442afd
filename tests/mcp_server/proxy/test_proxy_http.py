"""`headroom proxy` over real HTTP, with the official SDKs as clients and the scripted provider as the upstream.

A recorder in front of the proxy keeps what each client sent; the fake provider keeps what reached it and what it
answered. So each test compares bytes the client sent, bytes the upstream got and bytes the client got back.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from fake_provider import Answer, FakeProvider, Recorded, Reply, ToolCall

from mcp_server.proxy import ProxyOptions, running
from mcp_server.proxy import _rewrite as rewrite_module
from tests.mcp_server.proxy.conftest import anthropic_body, anthropic_turn

HEADER = "[headroom hash="
TOOLS = [{"name": "Bash", "description": "run a command", "input_schema": {"type": "object", "properties": {}}}]
FUNCTIONS = [{"type": "function", "function": {"name": "sh", "parameters": {"type": "object", "properties": {}}}}]


@dataclass
class Recorder:
    """ASGI middleware keeping each request body as the client sent it."""

    bodies: list[bytes] = field(default_factory=list)

    def __call__(self, app: Any) -> Any:
        async def recorded(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []

            async def tee() -> Any:
                message = await receive()
                if message["type"] == "http.request":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        self.bodies.append(b"".join(chunks))
                return message

            await app(scope, tee, send)

        return recorded


@dataclass
class Setup:
    fake: FakeProvider
    url: str
    sent: Recorder
    clients: ExitStack

    def upstream(self) -> list[Recorded]:
        return [r for r in self.fake.requests if r.method == "POST"]

    def anthropic_client(self, **given: Any) -> anthropic.Anthropic:
        """The Anthropic SDK pointed at the proxy (closed with the proxy: its pooled sockets must not leak)."""
        options = {"api_key": "sk-ant-test", **given}
        return self.clients.enter_context(anthropic.Anthropic(base_url=self.url, max_retries=0, **options))

    def openai_client(self, **given: Any) -> openai.OpenAI:
        options = {"api_key": "sk-test", **given}
        return self.clients.enter_context(openai.OpenAI(base_url=f"{self.url}/v1", max_retries=0, **options))


@pytest.fixture
def setup() -> Iterator[Setup]:
    with FakeProvider() as fake, ExitStack() as clients:
        recorder = Recorder()
        options = ProxyOptions(port=0, anthropic_upstream=fake.url, openai_upstream=fake.url)
        with running(options, middleware=recorder) as proxy:
            yield Setup(fake, proxy.url, recorder, clients)
            clients.close()


def only_results_differ(client: bytes, upstream: bytes, originals: list[str], sent: list[str]) -> None:
    """``upstream`` is ``client`` with each compressed result's JSON string replaced, and no other byte changed."""
    expected = client
    for original, now in zip(originals, sent, strict=True):
        if now != original:
            old = json.dumps(original, ensure_ascii=False).encode()
            assert old in expected, "the client's escaping differs from json.dumps'"
            expected = expected.replace(old, json.dumps(now, ensure_ascii=False).encode())
    assert upstream == expected


def continues(previous: bytes, current: bytes, key: str = "messages") -> bool:
    """Whether ``current`` repeats ``previous`` byte for byte up to the end of its conversation's last element."""
    text = previous.decode()
    start = text.index(f'"{key}":') + len(key) + 3
    _, end = json.JSONDecoder().raw_decode(text, start)
    cut = len(text[: end - 1].rstrip().encode())
    return current[:cut] == previous[:cut]


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_sdk_conversation_keeps_its_prefix_and_only_bulky_results_change(
    setup: Setup, outputs: list[str], stream: bool
) -> None:
    client = setup.anthropic_client()
    small = "\n".join(outputs[1].splitlines()[:10])
    results = [outputs[0], small, outputs[1], outputs[2]]
    setup.fake.push(*[ToolCall("Bash", {"command": f"step {n}"}) for n in range(len(results))], Answer("all done"))
    messages: list[Any] = [{"role": "user", "content": "investigate"}]
    for n in range(len(results) + 1):
        if stream:
            with client.messages.stream(model="m", max_tokens=64, messages=messages, tools=TOOLS) as s:
                reply = s.get_final_message()
        else:
            reply = client.messages.create(model="m", max_tokens=64, messages=messages, tools=TOOLS)
        if n == len(results):
            assert reply.content[0].type == "text" and reply.content[0].text == "all done"
            break
        call = reply.content[0]
        assert call.type == "tool_use"
        messages += [
            {"role": "assistant", "content": [call.model_dump(exclude_none=True)]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": results[n]}]},
        ]
    upstream = setup.upstream()
    assert len(upstream) == len(setup.sent.bodies) == len(results) + 1
    for k in range(1, len(upstream)):
        assert continues(upstream[k - 1].body, upstream[k].body)
        sent = upstream[k].all_tool_results
        assert [s.startswith(HEADER) for s in sent] == [True, False, True, True][: len(sent)]
        only_results_differ(setup.sent.bodies[k], upstream[k].body, results[: len(sent)], sent)


def test_a_streamed_answer_reaches_the_client_byte_for_byte(setup: Setup) -> None:
    setup.fake.push(ToolCall("Bash", {"command": "ls"}))
    client = setup.anthropic_client()
    with client.messages.with_streaming_response.create(
        model="m", max_tokens=64, messages=[{"role": "user", "content": "go"}], tools=TOOLS, stream=True
    ) as response:
        received = b"".join(response.iter_bytes())
        assert response.headers["content-type"] == "text/event-stream"
        assert "content-length" not in response.headers
    assert received == setup.upstream()[-1].response
    assert received.count(b"event: ") == 6


@pytest.mark.parametrize("stream", [False, True])
def test_openai_sdk_chat_and_responses_are_compressed_and_answered(
    setup: Setup, outputs: list[str], stream: bool
) -> None:
    client = setup.openai_client()
    setup.fake.push(Answer("chat answer"), Answer("responses answer"))
    chat = [
        {"role": "user", "content": "look"},
        {
            "role": "assistant",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "sh", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": outputs[0]},
    ]
    if stream:
        chunks = list(client.chat.completions.create(model="m", messages=chat, tools=FUNCTIONS, stream=True))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    else:
        text = client.chat.completions.create(model="m", messages=chat, tools=FUNCTIONS).choices[0].message.content
    assert text == "chat answer"
    items = [
        {"role": "user", "content": "look"},
        {"type": "function_call", "call_id": "c2", "name": "sh", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c2", "output": outputs[1]},
    ]
    tools = [{"type": "function", "name": "sh", "parameters": {"type": "object", "properties": {}}}]
    if stream:
        with client.responses.stream(model="m", input=items, tools=tools) as s:
            answer = s.get_final_response().output_text
    else:
        answer = client.responses.create(model="m", input=items, tools=tools).output_text
    assert answer == "responses answer"
    chat_up, responses_up = setup.upstream()
    (sent,) = chat_up.all_tool_results
    assert sent.startswith(HEADER) and len(sent) < len(outputs[0]) // 4
    only_results_differ(setup.sent.bodies[0], chat_up.body, [outputs[0]], [sent])
    (sent,) = responses_up.all_tool_results
    assert sent.startswith(HEADER)
    only_results_differ(setup.sent.bodies[1], responses_up.body, [outputs[1]], [sent])


def both(setup: Setup, send: Callable[[str], httpx2.Response]) -> tuple[httpx2.Response, httpx2.Response]:
    """The same request straight to the upstream and through the proxy."""
    return send(setup.fake.url), send(setup.url)


def same_answer(direct: httpx2.Response, proxied: httpx2.Response) -> None:
    assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
    assert proxied.headers.get("content-type") == direct.headers.get("content-type")


def test_malformed_json_an_unknown_endpoint_and_provider_errors_get_the_upstreams_answer(setup: Setup) -> None:
    headers = {"x-api-key": "sk-ant-test", "content-type": "application/json"}
    with httpx2.Client(timeout=30) as http:
        for bad in (b'{"messages": [{"role": "user", "content": [{"type": "tool_result"', b"\xff\x00tool_result"):
            same_answer(*both(setup, lambda base, b=bad: http.post(f"{base}/v1/messages", content=b, headers=headers)))
        same_answer(*both(setup, lambda base: http.get(f"{base}/v1/no/such/thing?x=1", headers=headers)))
        same_answer(*both(setup, lambda base: http.post(f"{base}/v2/other", content=b"{}", headers=headers)))
        overloaded = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
        setup.fake.push(Reply(529, overloaded), Reply(529, overloaded))
        body = anthropic_body([{"role": "user", "content": "hi"}], tools=TOOLS)
        direct, proxied = both(setup, lambda base: http.post(f"{base}/v1/messages", content=body, headers=headers))
        same_answer(direct, proxied)
        assert proxied.status_code == 529


def test_a_huge_body_is_forwarded_unchanged_and_answered_as_without_the_proxy(
    setup: Setup, outputs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADROOM_MAX_INPUT_MB", "1")
    with FakeProvider() as fake, running(ProxyOptions(port=0, anthropic_upstream=fake.url)) as proxy:
        messages = [{"role": "user", "content": "x" * 3_000_000}, *anthropic_turn(1, outputs[0])]
        body = anthropic_body(messages)
        with httpx2.Client(timeout=60) as http:
            path = "/v1/messages/count_tokens"
            headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
            direct = http.post(fake.url + path, content=body, headers=headers)
            proxied = http.post(proxy.url + path, content=body, headers=headers)
        same_answer(direct, proxied)
        assert fake.requests[-1].body == body


def test_an_unreachable_upstream_is_a_502_in_the_providers_error_shape(outputs: list[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    with (
        running(ProxyOptions(port=0, anthropic_upstream=closed, openai_upstream=closed)) as proxy,
        anthropic.Anthropic(base_url=proxy.url, api_key="sk-ant-test", max_retries=0) as client,
        openai.OpenAI(base_url=f"{proxy.url}/v1", api_key="sk-test", max_retries=0) as oai,
    ):
        with pytest.raises(anthropic.InternalServerError) as caught:
            client.messages.create(model="m", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 502
        assert closed.split("//")[1] in str(caught.value.body)
        with pytest.raises(openai.InternalServerError, match="did not answer"):
            oai.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])


def test_keys_and_tokens_pass_untouched_and_are_never_logged(
    setup: Setup, outputs: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    setup.fake.push(Answer("a"), Answer("b"))
    setup.anthropic_client(api_key=None, auth_token="oauth-secret-123").messages.create(
        model="m",
        max_tokens=8,
        messages=[
            {"role": "user", "content": "hi"},
            *anthropic_turn(1, outputs[0])[:1],
            anthropic_turn(1, outputs[0])[1],
        ],
        tools=TOOLS,
    )
    setup.openai_client(api_key="sk-secret-456").chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], tools=FUNCTIONS
    )
    first, second = setup.upstream()
    assert {k.lower(): v for k, v in first.headers.items()}["authorization"] == "Bearer oauth-secret-123"
    assert {k.lower(): v for k, v in second.headers.items()}["authorization"] == "Bearer sk-secret-456"
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("anthropic", "openai"))]
    assert not any("secret" in m for m in ours) and any("compressed" in m for m in ours)


def test_x_headroom_off_forwards_the_clients_bytes(setup: Setup, outputs: list[str]) -> None:
    setup.fake.push(Answer("a"))
    body = anthropic_body([{"role": "user", "content": "go"}, *anthropic_turn(1, outputs[0])], tools=TOOLS)
    with httpx2.Client(timeout=30) as http:
        answer = http.post(f"{setup.url}/v1/messages", content=body, headers={"x-api-key": "k", "x-headroom": "off"})
    assert answer.status_code == 200
    (upstream,) = setup.upstream()
    assert upstream.body == body and "x-headroom" not in {k.lower() for k in upstream.headers}


def test_a_compression_failure_forwards_the_request_unchanged(
    setup: Setup, outputs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("compressor exploded")

    monkeypatch.setattr(rewrite_module, "compress_tool_text", broken)
    setup.fake.push(Answer("still answered"))
    body = anthropic_body([{"role": "user", "content": "go"}, *anthropic_turn(1, outputs[0])], tools=TOOLS)
    with httpx2.Client(timeout=30) as http:
        answer = http.post(f"{setup.url}/v1/messages", content=body, headers={"x-api-key": "k"})
    assert answer.status_code == 200 and b"still answered" in answer.content
    assert setup.upstream()[0].body == body


def test_beyond_loopback_rules_a_token_is_required_and_not_forwarded(outputs: list[str]) -> None:
    token = "t" * 40
    with (
        FakeProvider([Answer("ok")]) as fake,
        running(ProxyOptions(port=0, anthropic_upstream=fake.url, token=token)) as proxy,
    ):
        body = anthropic_body([{"role": "user", "content": "hi"}], tools=TOOLS)
        with httpx2.Client(timeout=30) as http:
            refused = http.post(f"{proxy.url}/v1/messages", content=body, headers={"x-api-key": "k"})
            assert refused.status_code == 401 and refused.json()["error"]["type"] == "authentication_error"
            assert fake.requests == []
            ok = http.post(
                f"{proxy.url}/v1/messages", content=body, headers={"x-api-key": "k", "x-headroom-token": token}
            )
        assert ok.status_code == 200
        assert "x-headroom-token" not in {k.lower() for k in fake.requests[0].headers}


def test_a_client_that_leaves_mid_stream_cancels_the_upstream_request() -> None:
    with (
        FakeProvider([Answer("slow " * 50)], pace=0.3) as fake,
        running(ProxyOptions(port=0, anthropic_upstream=fake.url)) as proxy,
    ):
        body = anthropic_body([{"role": "user", "content": "hi"}], tools=TOOLS, stream=True)
        with (
            httpx2.Client(timeout=30) as http,
            http.stream("POST", f"{proxy.url}/v1/messages", content=body, headers={"x-api-key": "k"}) as response,
        ):
            first = next(response.iter_raw())
            assert first.startswith(b"event: message_start")
        import time

        deadline = time.monotonic() + 10
        while not fake.aborted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.aborted, "the upstream kept streaming to a proxy whose client had left"


def test_the_upstream_connection_goes_through_http_proxy_unless_no_proxy_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def direct() -> httpx2.Client:  # the test's own client ignores the variables
        return httpx2.Client(trust_env=False, timeout=30)

    body = anthropic_body([{"role": "user", "content": "hi"}], tools=TOOLS)
    with FakeProvider([Answer("direct")]) as upstream, FakeProvider([Answer("via the proxy")]) as corporate:
        monkeypatch.setenv("HTTP_PROXY", corporate.url)
        monkeypatch.setenv("NO_PROXY", "")
        with running(ProxyOptions(port=0, anthropic_upstream=upstream.url)) as proxy, direct() as http:
            answer = http.post(f"{proxy.url}/v1/messages", content=body, headers={"x-api-key": "k"})
        assert b"via the proxy" in answer.content and upstream.requests == []
        assert corporate.requests[0].body == body
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with running(ProxyOptions(port=0, anthropic_upstream=upstream.url)) as proxy, direct() as http:
            answer = http.post(f"{proxy.url}/v1/messages", content=body, headers={"x-api-key": "k"})
        assert b"direct" in answer.content and len(corporate.requests) == 1
