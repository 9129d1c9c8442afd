"""The rule for what a request's tool results become: compressed once in the newest turn, then the same bytes."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustcore
from ccr import Settings, Store
from mcp_server.proxy import ForwardMemory, Rewriter
from mcp_server.proxy import _rewrite as rewrite_module
from tests.mcp_server.proxy.conftest import anthropic_body, anthropic_turn

FIRST = [{"role": "user", "content": "look around"}]


@pytest.fixture
def rewriter() -> Iterator[Rewriter]:
    settings = Settings.from_env()
    with Store(settings) as store:
        memory = ForwardMemory(settings.home / "proxy.sqlite3")
        yield Rewriter(store, memory)
        memory.close()


def results(body: bytes) -> list[str]:
    return [
        b["content"]
        for m in json.loads(body)["messages"]
        if isinstance(m["content"], list)
        for b in m["content"]
        if b["type"] == "tool_result"
    ]


def messages_end(body: bytes) -> int:
    """Where the conversation's last element ends: everything before is what the next request must repeat."""
    return len(body[: body.rindex(b"]")].rstrip())


def test_the_newest_bulky_result_is_compressed_and_nothing_else_changes(rewriter: Rewriter, outputs: list[str]) -> None:
    body = anthropic_body(FIRST + anthropic_turn(1, outputs[0]), tools=[{"name": "Bash", "input_schema": {}}])
    done = rewriter.rewrite(body, "messages")
    (sent,) = results(done.body)
    assert sent.startswith("[headroom hash=") and done.compressed == 1 and done.tokens_after < done.tokens_before
    assert done.body == body.replace(json.dumps(outputs[0]).encode(), json.dumps(sent, ensure_ascii=False).encode())


def test_a_conversation_resent_turn_after_turn_keeps_every_earlier_byte(rewriter: Rewriter, outputs: list[str]) -> None:
    messages = list(FIRST)
    previous: bytes | None = None
    small = "\n".join(outputs[1].splitlines()[:20])
    for n, result in enumerate([outputs[0], small, outputs[1], outputs[2], small, outputs[3]]):
        messages += anthropic_turn(n, result)
        sent = rewriter.rewrite(anthropic_body(messages), "messages").body
        if previous is not None:
            cut = messages_end(previous)
            assert sent[:cut] == previous[:cut]
        previous = sent
    assert results(previous or b"")[1] == small
    assert sum(r.startswith("[headroom hash=") for r in results(previous or b"")) == 4


def test_results_that_went_upstream_before_the_proxy_stay_as_they_were(rewriter: Rewriter, outputs: list[str]) -> None:
    messages = FIRST + anthropic_turn(1, outputs[0]) + anthropic_turn(2, outputs[1])
    first = results(rewriter.rewrite(anthropic_body(messages), "messages").body)
    assert first[0] == outputs[0] and first[1].startswith("[headroom hash=")
    messages += anthropic_turn(3, outputs[2])
    second = results(rewriter.rewrite(anthropic_body(messages), "messages").body)
    assert second[:2] == first and second[2].startswith("[headroom hash=")


def test_a_moved_cache_control_breakpoint_does_not_change_what_is_sent(rewriter: Rewriter, outputs: list[str]) -> None:
    turn = anthropic_turn(1, outputs[0], cache=True)
    first = results(rewriter.rewrite(anthropic_body(FIRST + turn), "messages").body)
    moved = FIRST + anthropic_turn(1, outputs[0]) + anthropic_turn(2, outputs[1], cache=True)
    second = results(rewriter.rewrite(anthropic_body(moved), "messages").body)
    assert second[0] == first[0] != outputs[0]


def test_a_restarted_proxy_sends_what_the_last_one_sent(outputs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env()
    messages = FIRST + anthropic_turn(1, outputs[0])
    with Store(settings) as store:
        memory = ForwardMemory(settings.home / "proxy.sqlite3")
        before = results(Rewriter(store, memory).rewrite(anthropic_body(messages), "messages").body)
        memory.close()
    # A later headroom that compresses differently must not change what this conversation was sent.
    monkeypatch.setattr(rewrite_module, "compress_tool_text", lambda *a, **k: pytest.fail("compressed again"))
    messages += anthropic_turn(2, "exit 0")
    with Store(settings) as store:
        memory = ForwardMemory(settings.home / "proxy.sqlite3")
        after = results(Rewriter(store, memory).rewrite(anthropic_body(messages), "messages").body)
        memory.close()
    assert after == [before[0], "exit 0"]


def test_a_resent_result_whose_original_expired_is_stored_again(outputs: list[str]) -> None:
    settings = Settings.from_env()
    now = [1_000_000.0]
    messages = FIRST + anthropic_turn(1, outputs[0])
    with Store(settings, clock=lambda: now[0]) as store:
        memory = ForwardMemory(settings.home / "proxy.sqlite3")
        rewriter = Rewriter(store, memory)
        rewriter.rewrite(anthropic_body(messages), "messages")
        digest = rustcore.content_hash(outputs[0].encode())
        now[0] += settings.ttl_seconds + 10
        assert digest not in store
        Rewriter(store, memory).rewrite(anthropic_body(messages + anthropic_turn(2, "ok")), "messages")
        assert store.get(digest) == outputs[0].encode()
        memory.close()


def test_bodies_without_results_or_not_json_come_back_as_they_are(rewriter: Rewriter) -> None:
    for body in (b'{"messages": [{"role": "user", "content": "hi"}]}', b'{"tool_result": ', b"\xff\xfe", b"[]"):
        with contextlib.suppress(ValueError):  # not JSON: raised, and the proxy forwards the client's bytes
            assert rewriter.rewrite(body, "messages").body == body


def chat_body(messages: list[dict[str, Any]]) -> bytes:
    return json.dumps({"model": "gpt-test", "stream": True, "messages": messages}, separators=(",", ":")).encode()


def responses_body(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"model": "gpt-test", "instructions": "be brief", "input": items}, indent=1).encode()


@settings(max_examples=20)
@given(plan=st.lists(st.tuples(st.booleans(), st.integers(1, 3)), min_size=1, max_size=5))
def test_every_shape_keeps_its_prefix_and_compresses_each_bulky_result_once(
    plan: list[tuple[bool, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each turn calls 1-3 tools at once; each result is bulky or small; Chat Completions and Responses alike."""
    bulky = real_outputs()
    home = tmp_path_factory.mktemp("rewrite-home")
    settings = Settings.from_env({"HEADROOM_HOME": str(home)})
    with Store(settings) as store:
        memory = ForwardMemory(Path(home) / "proxy.sqlite3")
        rewriter = Rewriter(store, memory)
        chat: list[dict[str, Any]] = [{"role": "user", "content": "go"}]
        items: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "input_text", "text": "go"}]}]
        sent: dict[str, bytes] = {}
        for turn, (big, calls) in enumerate(plan):
            texts = [bulky[(turn + c) % len(bulky)] if big else f"ok {turn} {c}" for c in range(calls)]
            ids = [f"chat_{turn}_{c}" for c in range(calls)]
            chat.append({"role": "assistant", "tool_calls": [{"id": i, "type": "function"} for i in ids]})
            chat += [{"role": "tool", "tool_call_id": i, "content": t} for i, t in zip(ids, texts, strict=True)]
            ids = [f"resp_{turn}_{c}" for c in range(calls)]
            items += [{"type": "function_call", "call_id": i, "name": "sh", "arguments": "{}"} for i in ids]
            items += [
                {"type": "function_call_output", "call_id": i, "output": t} for i, t in zip(ids, texts, strict=True)
            ]
            for name, body, key in (("chat", chat_body(chat), "messages"), ("resp", responses_body(items), "input")):
                done = rewriter.rewrite(body, key)
                assert done.compressed == (calls if big else 0)
                assert done.resent == sum(1 for b, n in plan[:turn] if b for _ in range(n))
                if name in sent:
                    cut = messages_end(sent[name])
                    assert done.body[:cut] == sent[name][:cut]
                sent[name] = done.body
        memory.close()


_OUTPUTS: list[str] = []


def real_outputs() -> list[str]:
    """The session's real outputs, outside hypothesis's arguments (it would print them whole on a failure)."""
    if not _OUTPUTS:
        from tests.mcp_server.proxy.conftest import run

        _OUTPUTS.extend([run("git log --stat -n 30 --no-color"), run("git log --format='%H %an %ad %s' -n 400")])
    return _OUTPUTS
