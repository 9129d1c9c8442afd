"""`compress_messages`: the bulky tool results of a conversation compressed, in all three wire shapes, nothing else."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import Store, find_markers
from compressors import (
    TOOL_RESULT_MIN_TOKENS,
    MessageStats,
    compress,
    compress_messages,
    compress_tool_text,
    tool_texts,
)
from tests.compressors.lines_helpers import open_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


@pytest.fixture(scope="module")
def bulky() -> str:
    """Real output made on the spot: this repository's history with its patches."""
    out = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-p", "-n", "25", "--no-color"], capture_output=True, text=True, check=True
    ).stdout
    assert rustcore.count_tokens(out) > 4 * TOOL_RESULT_MIN_TOKENS
    return out


def anthropic(result: Any) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "look at the history"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {}}]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": result, "cache_control": {"type": "x"}},
                {"type": "text", "text": "and say what changed"},
            ],
        },
    ]


def test_an_anthropic_tool_result_string_is_compressed_and_its_original_stored(store: Store, bulky: str) -> None:
    messages = anthropic(bulky)
    out = compress_messages(messages, store=store)
    block = out.messages[2]["content"][0]
    assert block["content"].startswith(f"[headroom hash={rustcore.content_hash(bulky.encode())}: ")
    assert {k: v for k, v in block.items() if k != "content"} == {
        k: v for k, v in messages[2]["content"][0].items() if k != "content"
    }
    assert store.get(out.stats[2].hashes[0]) == bulky.encode()
    assert all(m.hash == out.stats[2].hashes[0] for m in find_markers(block["content"]))
    assert out.messages[2]["content"][1] is messages[2]["content"][1]
    assert out.messages[:2] == messages[:2] and out.messages[0] is messages[0]
    stats = out.stats[2]
    assert (stats.tool_texts, stats.compressed) == (1, 1)
    assert stats.tokens_after == rustcore.count_tokens(block["content"])
    assert stats.tokens_before == rustcore.count_tokens(bulky) > stats.tokens_after
    assert out.stats[0] == MessageStats(0) and out.compressed == 1 and out.tokens_saved == stats.tokens_saved


def test_nested_text_blocks_are_compressed_one_by_one_and_images_left_alone(store: Store, bulky: str) -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo" * 500}}
    content = [{"type": "text", "text": bulky}, image, {"type": "text", "text": "exit status 0"}]
    out = compress_messages(anthropic(content), store=store)
    blocks = out.messages[2]["content"][0]["content"]
    assert blocks[0]["text"].startswith("[headroom hash=")
    assert blocks[1] == image and blocks[2]["text"] == "exit status 0"
    assert out.stats[2].tool_texts == 2 and out.stats[2].compressed == 1


def test_openai_chat_tool_messages_and_responses_outputs_are_compressed(store: Store, bulky: str) -> None:
    chat = [
        {"role": "system", "content": bulky},
        {"role": "user", "content": bulky},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {}}]},
        {"role": "tool", "tool_call_id": "c1", "content": bulky},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": bulky}]},
    ]
    out = compress_messages(chat, store=store)
    assert out.messages[:3] == chat[:3]
    assert out.messages[3]["content"].startswith("[headroom hash=")
    assert out.messages[4]["content"][0]["text"] == out.messages[3]["content"]
    responses = [
        {"role": "user", "content": [{"type": "input_text", "text": bulky}]},
        {"type": "function_call", "call_id": "c1", "name": "sh", "arguments": json.dumps({"cmd": bulky})},
        {"type": "function_call_output", "call_id": "c1", "output": bulky},
        {"type": "custom_tool_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": bulky}]},
    ]
    out = compress_messages(responses, store=store)
    assert out.messages[:2] == responses[:2]
    assert out.messages[2]["output"].startswith("[headroom hash=")
    assert out.messages[3]["output"][0]["text"] == out.messages[2]["output"]
    assert [s.compressed for s in out.stats] == [0, 0, 1, 1]


def test_small_results_and_our_own_outputs_are_left_as_they_are(store: Store, bulky: str) -> None:
    small = "\n".join(bulky.splitlines()[:40])
    assert rustcore.count_tokens(small) < TOOL_RESULT_MIN_TOKENS
    assert compress_messages(anthropic(small), store=store).compressed == 0
    once = compress_messages(anthropic(bulky), store=store).messages[2]["content"][0]["content"]
    again = compress_messages(anthropic(once), store=store)
    assert again.compressed == 0 and again.messages[2]["content"][0]["content"] == once
    produced = compress(bulky, store=store)
    assert compress_tool_text(produced.compressed, store=store, min_tokens=100) is None
    assert compress_messages(anthropic(bulky), store=store, min_tokens=10**6).compressed == 0


def test_a_text_with_a_lone_surrogate_is_left_as_it_is(store: Store, bulky: str) -> None:
    odd = bulky + "\ud800"
    assert compress_messages(anthropic(odd), store=store).messages[2]["content"][0]["content"] == odd


def test_the_input_list_is_never_modified(store: Store, bulky: str) -> None:
    messages = anthropic([{"type": "text", "text": bulky}])
    before = copy.deepcopy(messages)
    compress_messages(messages, store=store)
    assert messages == before


def test_without_a_store_the_default_one_is_opened(bulky: str) -> None:
    out = compress_messages(anthropic(bulky))
    with open_store() as store:
        assert store.get(out.stats[2].hashes[0]) == bulky.encode()


@given(
    pool=st.lists(
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40), min_size=1, max_size=12
    ),
    count=st.integers(150, 500),
    shape=st.sampled_from(["anthropic", "chat", "responses"]),
    call=st.text(min_size=1, max_size=12),
)
def test_the_same_message_always_becomes_the_same_bytes_and_redeems_whole(
    pool: list[str], count: int, shape: str, call: str
) -> None:
    text = "".join(f"{pool[i * 7 % len(pool)]} {i % 13}\n" for i in range(count))
    messages: list[dict[str, Any]]
    if shape == "anthropic":
        messages = [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": text}]}]
    elif shape == "chat":
        messages = [{"role": "tool", "tool_call_id": call, "content": text}]
    else:
        messages = [{"type": "function_call_output", "call_id": call, "output": text}]
    with open_store() as store:
        first = compress_messages(messages, store=store, min_tokens=100)
        second = compress_messages(copy.deepcopy(messages), store=store, min_tokens=100)
        assert json.dumps(first.messages) == json.dumps(second.messages)
        (found,) = tool_texts(first.messages[0])
        if first.compressed:
            assert store.get(first.stats[0].hashes[0]) == text.encode()
            assert rustcore.count_tokens(found.text) < rustcore.count_tokens(text)
        else:
            assert found.text == text


def test_results_of_headrooms_own_tools_are_never_compressed_again(store: Store, bulky: str) -> None:
    messages = [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "mcp__headroom__headroom_retrieve"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": bulky}]},
        {"role": "assistant", "tool_calls": [{"id": "b", "type": "function", "function": {"name": "headroom_read"}}]},
        {"role": "tool", "tool_call_id": "b", "content": bulky},
        {"type": "function_call", "call_id": "c", "name": "mcp__headroom__headroom_search", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": bulky},
        {"type": "function_call", "call_id": "d", "name": "mcp__other__search", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "d", "output": bulky},
    ]
    out = compress_messages(messages, store=store)
    assert out.messages[:7] == messages[:7] and out.compressed == 1
    assert out.messages[7]["output"].startswith("[headroom hash=")
