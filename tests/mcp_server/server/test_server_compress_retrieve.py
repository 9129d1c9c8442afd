"""headroom_compress and headroom_retrieve through an in-memory MCP client."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client
from server_helpers import noisy_log, structured, text_of, tool_text

from ccr import find_markers
from mcp_server.server._tools import PROGRESS_BYTES

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., Client]


TEXT_TOOLS = {"headroom_compress", "headroom_retrieve", "headroom_read", "headroom_run"}


async def test_every_tool_is_listed_with_a_title_annotations_an_icon_and_only_data_tools_with_a_schema(
    make_client: MakeClient,
) -> None:
    async with make_client() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {*TEXT_TOOLS, "headroom_stats", "headroom_search"}
    for name, tool in tools.items():
        assert tool.title and tool.description and tool.icons
        assert tool.annotations is not None
        # A client forwards structured content instead of the text: the text tools declare no schema.
        if name in TEXT_TOOLS:
            assert tool.output_schema is None, name
        else:
            assert tool.output_schema is not None and tool.output_schema["type"] == "object"
    for selector in ("lines=", "bytes=", "template="):
        assert selector in (tools["headroom_compress"].description or "")
    assert {"bytes", "template", "lines", "query"} <= set(tools["headroom_retrieve"].input_schema["properties"])
    assert tools["headroom_retrieve"].annotations.read_only_hint is True  # type: ignore[union-attr]
    run = tools["headroom_run"].annotations
    assert run is not None and run.read_only_hint is False and run.open_world_hint is True


async def test_compressed_output_is_smaller_and_every_marker_leads_back_to_the_original(
    make_client: MakeClient,
) -> None:
    log = noisy_log()
    original_lines = log.splitlines()
    async with make_client() as client:
        result = await client.call_tool("headroom_compress", {"content": log, "query": "payment declined"})
        out = tool_text(result)
        assert out["tokens_after"] < out["tokens_before"]
        markers = find_markers(out["body"])
        assert len(markers) == out["markers"] > 0
        for marker in markers:
            assert marker.hash == out["hash"]
            if marker.lines is None:
                continue
            start, end = marker.lines
            arguments = {"hash": marker.hash, "lines": f"{start}-{end}", "max_tokens": 1_000_000}
            part = tool_text(await client.call_tool("headroom_retrieve", arguments))
            assert f"lines {start}-{end} of" in part["what"]
            shown = [row.partition("| ")[2] for row in part["body"].splitlines() if "| " in row]
            assert shown == original_lines[start - 1 : end]
    # The model reads plain text: one header line, then the compressed text itself, not escaped JSON.
    assert text_of(result) == out["header"] + out["body"]
    assert out["header"].startswith(f"[headroom hash={out['hash']}: ")


async def test_a_marker_given_as_the_hash_redeems_what_it_says(make_client: MakeClient) -> None:
    # Source text: what is left out is ranges of lines (a log's repeats would be one template marker).
    log = "".join(f"def handler_{i}(request):\n    value = request.get({i})\n    return value\n\n\n" for i in range(99))
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_compress", {"content": log, "query": "handler_42"}))
        marker = next(m for m in find_markers(out["body"]) if m.lines is not None and m.template is None)
        written = out["body"][marker.span[0] : marker.span[1]]
        assert marker.lines is not None
        start, end = marker.lines
        for given in (written, f"hash={marker.hash} lines={start}-{end}"):
            part = tool_text(await client.call_tool("headroom_retrieve", {"hash": given, "max_tokens": 1_000_000}))
            rows = [row.partition("| ")[2] for row in part["body"].splitlines() if "| " in row]
            assert rows == log.splitlines()[start - 1 : end]
        quoted = written.replace("omitted: retrieve", "omitted: (quoted) retrieve")
        refused = await client.call_tool("headroom_retrieve", {"hash": quoted})
    assert refused.is_error and "quoted" in text_of(refused)


async def test_bytes_and_template_selectors_redeem_exactly_their_text(make_client: MakeClient) -> None:
    import rustcore

    log = noisy_log()
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": log}))["hash"]
        part = tool_text(await client.call_tool("headroom_retrieve", {"hash": digest, "bytes": "10-29"}))
        key = rustcore.template_keys(log)[0]
        assert key is not None
        rows = tool_text(
            await client.call_tool("headroom_retrieve", {"hash": digest, "template": key, "lines": "1-20"})
        )
    assert part["body"] == log.encode()[10:30].decode()
    assert [row.partition("| ")[2] for row in rows["body"].splitlines()] == log.splitlines()[:20]


async def test_a_text_tools_answer_handed_back_to_compress_passes_through_unchanged(make_client: MakeClient) -> None:
    async with make_client() as client:
        first = await client.call_tool("headroom_compress", {"content": noisy_log()})
        again = tool_text(await client.call_tool("headroom_compress", {"content": text_of(first)}))
    assert again["body"] == text_of(first)
    assert "via headroom-output" in again["what"]


def test_the_content_types_offered_are_the_routers_plus_auto() -> None:
    from typing import get_args

    from compressors import CONTENT_TYPES
    from mcp_server.server._tools import ContentType

    assert get_args(ContentType) == ("auto", *CONTENT_TYPES)


async def test_input_that_cannot_shrink_comes_back_unchanged(make_client: MakeClient) -> None:
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_compress", {"content": "short note\n"}))
    assert out["body"] == "short note\n"
    assert (out["tokens_before"], out["markers"]) == (out["tokens_after"], 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"content": ""}, "empty"),
        ({"content": "a\x00b" * 100}, "binary"),
        ({"content": noisy_log(), "max_tokens": 5}, "max_tokens"),
        ({"content": noisy_log(), "content_type": "spreadsheet"}, "content_type"),
    ],
)
async def test_bad_compress_input_is_an_error_result_saying_what_is_wrong(
    make_client: MakeClient, arguments: dict[str, Any], message: str
) -> None:
    async with make_client() as client:
        result = await client.call_tool("headroom_compress", arguments)
    assert result.is_error
    assert message in text_of(result)


async def test_max_tokens_is_a_hard_ceiling(make_client: MakeClient) -> None:
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_compress", {"content": noisy_log(), "max_tokens": 200}))
    assert out["tokens_after"] <= 200


async def test_large_inputs_report_progress_from_start_to_done(make_client: MakeClient) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    content = noisy_log(PROGRESS_BYTES // 40)
    assert len(content) >= PROGRESS_BYTES
    async with make_client() as client:
        result = await client.call_tool("headroom_compress", {"content": content}, progress_callback=on_progress)
    tool_text(result)
    assert seen[0][0] == 0 and "started" in (seen[0][1] or "")
    assert "done" in (seen[-1][1] or "")
    assert [p for p, _ in seen] == sorted({p for p, _ in seen})


async def test_compress_and_retrieve_record_events_with_the_client_name_and_session(
    make_client: MakeClient, headroom_home: Path
) -> None:
    async with make_client(client_name="claude-code") as client:
        out = tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))
        tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "lines": "1-3"}))
        session = structured(await client.call_tool("headroom_stats", {}))["session_id"]
    with sqlite3.connect(headroom_home / "ccr.sqlite3") as db:
        rows = db.execute("SELECT kind, client, session FROM events ORDER BY id").fetchall()
    assert rows == [("compress", "claude-code", session), ("retrieve", "claude-code", session)]


async def test_headroom_client_overrides_the_name_the_client_gives(
    make_client: MakeClient, headroom_home: Path
) -> None:
    async with make_client(client_name="generic", client="cursor") as client:
        tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))
    with sqlite3.connect(headroom_home / "ccr.sqlite3") as db:
        assert db.execute("SELECT client FROM events").fetchall() == [("cursor",)]


async def test_whole_retrieval_is_the_exact_original_and_is_never_compressed_again(
    make_client: MakeClient,
) -> None:
    log = noisy_log(200)
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": log}))["hash"]
        out = tool_text(await client.call_tool("headroom_retrieve", {"hash": digest}))
        stats = structured(await client.call_tool("headroom_stats", {}))
    assert out["body"] == log
    assert "the whole original" in out["what"] and "cut short" not in out["what"]
    assert find_markers(out["body"]) == []
    assert stats["calls_by_kind"] == {"compress": 1, "retrieve": 1}


async def test_a_whole_retrieval_is_capped_by_default_under_what_clients_cut(make_client: MakeClient) -> None:
    import rustcore

    log = noisy_log(20_000)
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": log}))["hash"]
        result = await client.call_tool("headroom_retrieve", {"hash": digest})
    out = tool_text(result)
    assert rustcore.count_tokens(text_of(result)) <= 8_000 + 64
    assert len(text_of(result)) < 40_000  # Gemini keeps the first 8,000 and the last 32,000 characters
    (marker,) = find_markers(out["body"])
    assert marker.lines is not None and marker.lines[1] == 20_000
    assert "query" in out["body"].splitlines()[-1] and "lines=" in out["body"].splitlines()[-1]


async def test_a_capped_whole_retrieval_pages_on_with_a_marker_and_the_pages_rebuild_the_original(
    make_client: MakeClient,
) -> None:
    log = noisy_log()
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": log}))["hash"]
        first = tool_text(await client.call_tool("headroom_retrieve", {"hash": digest, "max_tokens": 300}))
        assert "cut short" in first["what"] and first["tokens"] <= 300
        (marker,) = find_markers(first["body"])
        assert marker.lines is not None
        start, end = marker.lines
        pages = ""
        while True:
            rest = tool_text(await client.call_tool("headroom_retrieve", {"hash": digest, "lines": f"{start}-{end}"}))
            pages += "".join(row.partition("| ")[2] + "\n" for row in rest["body"].splitlines() if "| " in row)
            more = find_markers(rest["body"])
            if not more:
                break
            assert more[0].lines is not None
            start, end = more[0].lines
    head = first["body"][: first["body"].index("[")]
    assert head + pages == log


async def test_a_query_returns_the_relevant_lines_with_their_numbers(make_client: MakeClient) -> None:
    log = noisy_log(needle="ERROR payment declined for order 4711")
    needle_line = log.splitlines().index("2025-01-01T00:30:00Z ERROR payment declined for order 4711") + 1
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": log}))["hash"]
        arguments = {"hash": digest, "query": "payment declined", "max_tokens": 200}
        out = tool_text(await client.call_tool("headroom_retrieve", arguments))
    assert "relevant to the query" in out["what"]
    assert f"{needle_line:>5}| 2025-01-01T00:30:00Z ERROR payment declined" in out["body"]
    assert out["tokens"] <= 200


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"hash": "0123456789abcdef"}, "no original with hash=0123456789abcdef"),
        ({"hash": "not-a-hash"}, "not-a-hash"),
        ({"lines": "9-3"}, "9-3"),
        ({"lines": "abc"}, "A-B"),
        ({"lines": "100000-100001"}, "outside the original"),
        ({"lines": "1-2", "query": "x"}, "not both"),
        ({"bytes": "9-3"}, "A-B"),
        ({"bytes": "0-3", "lines": "1-2"}, "one selector"),
        ({"template": "zz"}, "template key"),
        ({"template": "00000000"}, "no lines"),
    ],
)
async def test_bad_retrievals_are_error_results_saying_what_is_wrong(
    make_client: MakeClient, arguments: dict[str, Any], message: str
) -> None:
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))["hash"]
        result = await client.call_tool("headroom_retrieve", {"hash": digest, **arguments})
    assert result.is_error
    assert message in text_of(result)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from("\n\t"),
    min_size=1,
    max_size=400,
)


@given(st.lists(_TEXT, min_size=1, max_size=60).map("\n".join))
def test_any_text_compressed_over_mcp_is_retrieved_byte_for_byte(text: str) -> None:
    from mcp_server.server import ServerOptions, build_server

    async def round_trip() -> tuple[str, str]:
        async with Client(build_server(ServerOptions()), raise_exceptions=True) as client:
            digest = tool_text(await client.call_tool("headroom_compress", {"content": text}))["hash"]
            whole = tool_text(await client.call_tool("headroom_retrieve", {"hash": digest, "max_tokens": 1_000_000}))
            resource = await client.read_resource(f"headroom://original/{digest}")
        return whole["body"], getattr(resource.contents[0], "text", "")

    via_tool, via_resource = anyio.run(round_trip)
    assert via_tool == text
    assert via_resource == text


async def test_a_default_retrieval_stays_under_what_clients_cut_in_characters_too(make_client: MakeClient) -> None:
    # Rulers and deep indentation: many characters to a token, so a token cap alone lets Gemini cut the middle.
    text = "".join(f"{'=' * 78}\n{' ' * 60}step {i}\n" for i in range(4_000))
    async with make_client() as client:
        digest = tool_text(await client.call_tool("headroom_compress", {"content": text}))["hash"]
        whole = await client.call_tool("headroom_retrieve", {"hash": digest})
        lines = await client.call_tool("headroom_retrieve", {"hash": digest, "lines": "1-8000"})
        asked = await client.call_tool("headroom_retrieve", {"hash": digest, "max_tokens": 8_000})
    for result in (whole, lines):
        assert len(text_of(result)) < 40_000  # Gemini keeps the first 8,000 and the last 32,000 characters
        (marker,) = find_markers(tool_text(result)["body"])
        assert marker.lines is not None and marker.lines[1] == 8_000
    assert len(text_of(asked)) > 40_000  # a cap the model asks for is kept as asked
