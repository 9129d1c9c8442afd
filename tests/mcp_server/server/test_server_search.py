"""headroom_search through in-memory MCP clients: one store shared by several agents is their common memory."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import jsonschema  # type: ignore[import-untyped]
import pytest
from mcp import Client
from server_helpers import noisy_log, structured, text_of, tool_text

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., Client]
ROOT = Path(__file__).resolve().parents[3]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"
NEEDLE = "ERROR payment declined for order 4711"


def indexer_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.is_alive() and t.name.startswith("headroom-")}


async def test_one_agent_finds_what_another_agent_compressed(make_client: MakeClient) -> None:
    async with make_client(client_name="claude-code") as claude:
        stored = tool_text(await claude.call_tool("headroom_compress", {"content": noisy_log()}))
    async with make_client(client_name="codex") as codex:
        result = await codex.call_tool("headroom_search", {"query": "why was the payment declined"})
    out = structured(result)
    top = out["hits"][0]
    assert top["hash"] == stored["hash"]
    assert (top["client"], top["source"], top["content_type"]) == ("claude-code", "mcp:compress", "log")
    assert NEEDLE in top["text"]
    assert top["lines"][0] <= 1501 <= top["lines"][1]
    assert out["mode"] == "lexical" and out["pending"] == 0
    text = text_of(result)
    assert f"hash={stored['hash']} lines={top['lines'][0]}-{top['lines'][1]}" in text
    assert "claude-code" in text and NEEDLE in text


async def test_a_hit_leads_to_its_lines_through_headroom_retrieve(make_client: MakeClient) -> None:
    async with make_client() as client:
        await client.call_tool("headroom_compress", {"content": noisy_log()})
        hit = structured(await client.call_tool("headroom_search", {"query": "payment declined"}))["hits"][0]
        start, end = hit["lines"]
        lines = tool_text(await client.call_tool("headroom_retrieve", {"hash": hit["hash"], "lines": f"{start}-{end}"}))
    assert NEEDLE in lines["body"]
    assert f"lines {start}-{end} of" in lines["what"]


async def test_the_tool_is_read_only_and_its_result_matches_its_output_schema(make_client: MakeClient) -> None:
    async with make_client() as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "headroom_search")
        await client.call_tool("headroom_compress", {"content": noisy_log()})
        out = structured(await client.call_tool("headroom_search", {"query": "heartbeat", "limit": 2}))
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert tool.output_schema is not None
    jsonschema.validate(out, tool.output_schema)
    assert len(out["hits"]) == 2
    assert set(tool.input_schema["properties"]) == {"query", "limit", "since", "content_type"}
    assert tool.input_schema["required"] == ["query"]


async def test_content_type_and_since_narrow_the_search(make_client: MakeClient) -> None:
    async with make_client() as client:
        log = tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))["hash"]
        doc = "# Payments\n\nA declined payment is retried once after ten minutes.\n" * 30
        md = tool_text(await client.call_tool("headroom_compress", {"content": doc, "content_type": "markdown"}))
        both = structured(await client.call_tool("headroom_search", {"query": "payment declined", "limit": 10}))
        only_md = structured(
            await client.call_tool("headroom_search", {"query": "payment declined", "content_type": "markdown"})
        )
        recent = structured(await client.call_tool("headroom_search", {"query": "payment declined", "since": "1h"}))
        future = structured(
            await client.call_tool("headroom_search", {"query": "payment declined", "since": "2999-01-01T00:00:00Z"})
        )
    assert {h["hash"] for h in both["hits"]} == {log, md["hash"]}
    assert {h["hash"] for h in only_md["hits"]} == {md["hash"]}
    assert {h["hash"] for h in recent["hits"]} == {log, md["hash"]}
    assert future["hits"] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"query": "   "}, "the search query is empty"),
        ({"query": "x", "since": "last tuesday"}, "neither an age"),
    ],
)
async def test_bad_searches_are_error_results_saying_what_is_wrong(
    make_client: MakeClient, arguments: dict[str, Any], message: str
) -> None:
    async with make_client() as client:
        result = await client.call_tool("headroom_search", arguments)
    assert result.is_error
    assert message in text_of(result)


async def test_the_lifespan_starts_indexing_on_the_first_compress_and_stops_it_at_shutdown(
    make_client: MakeClient,
) -> None:
    before = indexer_threads()
    async with make_client() as client:
        await client.call_tool("headroom_compress", {"content": noisy_log()})
        assert "headroom-indexer" in indexer_threads() - before
    with anyio.fail_after(30):
        while "headroom-indexer" in indexer_threads() - before:
            await anyio.sleep(0.05)


async def test_with_meaning_turned_on_search_is_hybrid_once_the_model_has_loaded_and_nothing_waits_for_vectors(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    monkeypatch.setenv("HF_HOME", str(HF_CACHE))
    monkeypatch.setenv("HEADROOM_EMBEDDINGS", "1")
    notes = [
        "The database team has lunch in the canteen on Fridays.",
        "A poster of the database schema hangs by the lifts.",
        "Database logins fail once the vault credentials pass their ninety-day expiry; rotate them first.",
    ]
    question = {"query": "why can't I sign in to the database"}
    async with make_client() as client:
        handles = [tool_text(await client.call_tool("headroom_compress", {"content": note}))["hash"] for note in notes]
        deadline = time.monotonic() + 120
        while True:  # the model loads in the background after start; searches meanwhile rank lexically
            out = structured(await client.call_tool("headroom_search", question))
            if out["mode"] == "hybrid" or time.monotonic() > deadline:
                break
            await anyio.sleep(0.1)
        stats = structured(await client.call_tool("headroom_stats", {}))
    assert out["mode"] == "hybrid", out["notes"]
    assert out["pending"] == 0
    assert {hit["hash"] for hit in out["hits"]} == set(handles)
    best = max(out["hits"], key=lambda hit: hit["semantic"])
    assert best["hash"] == handles[2]
    assert (stats["search_ranking"], stats["search_pending"]) == ("hybrid", 0)
