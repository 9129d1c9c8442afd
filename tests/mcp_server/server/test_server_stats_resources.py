"""headroom_stats, the resources and the prompts, in memory; the server's instructions and icon."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from server_helpers import noisy_log, structured, text_of, tool_text

from mcp_server.server import ServerOptions, icon_data_uri, instructions_for
from mcp_server.server._pricing import Pricing

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., Client]


async def test_session_stats_count_this_server_only_and_lifetime_stats_count_every_session(
    make_client: MakeClient,
) -> None:
    async with make_client() as first:
        tool_text(await first.call_tool("headroom_compress", {"content": noisy_log(2000)}))
    async with make_client() as second:
        out = tool_text(await second.call_tool("headroom_compress", {"content": noisy_log(3000)}))
        tool_text(await second.call_tool("headroom_retrieve", {"hash": out["hash"], "lines": "1-5"}))
        session = structured(await second.call_tool("headroom_stats", {"scope": "session"}))
        lifetime = structured(await second.call_tool("headroom_stats", {"scope": "lifetime"}))
    assert (session["calls"], lifetime["calls"]) == (1, 2)
    assert session["tokens_before"] == out["tokens_before"]
    assert session["tokens_saved"] == out["tokens_before"] - out["tokens_after"]
    assert session["retrievals"] == lifetime["retrievals"] == 1
    assert session["retrieval_rate"] == 1.0 and lifetime["retrieval_rate"] == 0.5
    assert lifetime["store_entries"] == 2 and lifetime["store_bytes"] > 0
    assert sum(c["tokens_saved"] for c in lifetime["by_compressor"]) == lifetime["tokens_saved"]


async def test_stats_count_originals_not_indexed_for_search_yet_and_say_how_search_ranks(
    make_client: MakeClient,
) -> None:
    from ccr import Store

    with Store() as store:  # another process stored these without indexing them
        for k in range(2):
            store.put(noisy_log(300 + k))
    async with make_client() as client:
        before = structured(await client.call_tool("headroom_stats", {}))
        found = structured(await client.call_tool("headroom_search", {"query": "worker"}))
        after = structured(await client.call_tool("headroom_stats", {}))
    assert (before["search_pending"], before["search_ranking"]) == (2, "lexical")
    assert found["pending"] == 0 and found["hits"]
    assert after["search_pending"] == 0
    assert "2 originals not indexed yet" in text_of_stats(before)


def text_of_stats(out: dict[str, object]) -> str:
    from mcp_server.server._models import StatsOutput
    from mcp_server.server._tools import _render_stats

    return _render_stats(StatsOutput.model_validate(out))


async def test_cost_saved_is_the_net_saving_at_the_configured_price(make_client: MakeClient) -> None:
    pricing = Pricing("house-model", 10.0)
    async with make_client(pricing=pricing) as client:
        tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))
        result = await client.call_tool("headroom_stats", {})
    out = structured(result)
    assert (out["model"], out["usd_per_mtok"]) == ("house-model", 10.0)
    assert out["net_saved"] == out["tokens_saved"] - out["tokens_retrieved"]
    assert out["cost_saved_usd"] == pytest.approx(out["net_saved"] * 10.0 / 1_000_000, abs=1e-6)
    assert "house-model" in text_of(result)


async def test_a_bad_scope_is_rejected(make_client: MakeClient) -> None:
    async with make_client() as client:
        result = await client.call_tool("headroom_stats", {"scope": "forever"})
    assert result.is_error and "scope" in text_of(result)


async def test_the_stats_resource_holds_the_lifetime_totals(make_client: MakeClient) -> None:
    async with make_client() as client:
        tool_text(await client.call_tool("headroom_compress", {"content": noisy_log()}))
        resource = await client.read_resource("headroom://stats")
    (content,) = resource.contents
    data = json.loads(getattr(content, "text", ""))
    assert data["scope"] == "lifetime" and data["calls"] == 1 and content.mime_type == "application/json"


async def test_the_original_resource_gives_text_or_a_binary_blob(make_client: MakeClient) -> None:
    from ccr import Settings, Store

    raw = b"caf\xe9 latin-1 bytes\n" * 50
    with Store(Settings.from_env()) as store:
        digest = store.put(raw, content_type="text", source="test")
    async with make_client() as client:
        resource = await client.read_resource(f"headroom://original/{digest}")
        templates = (await client.list_resource_templates()).resource_templates
    (content,) = resource.contents
    assert base64.b64decode(getattr(content, "blob", "")) == raw
    assert [t.uri_template for t in templates] == ["headroom://original/{hash}"]


async def test_an_unknown_original_is_a_not_found_error_naming_the_hash(make_client: MakeClient) -> None:
    async with make_client() as client:
        with pytest.raises(MCPError, match="0123456789abcdef"):
            await client.read_resource("headroom://original/0123456789abcdef")


async def test_the_compressors_resource_lists_every_compressor_with_its_content_types(make_client: MakeClient) -> None:
    from compressors import available

    async with make_client() as client:
        resource = await client.read_resource("headroom://compressors")
        listed = {r.uri for r in (await client.list_resources()).resources}
    catalogue = json.loads(getattr(resource.contents[0], "text", ""))
    assert {c["name"] for c in catalogue} == set(available())
    assert all(c["description"] for c in catalogue)
    assert listed == {"headroom://stats", "headroom://compressors"}


async def test_the_compress_file_prompt_asks_for_headroom_read_with_the_question(make_client: MakeClient) -> None:
    async with make_client() as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        result = await client.get_prompt("compress_file", {"path": "src/app.py", "question": "where is login?"})
    assert prompts == {"compress_file", "savings_report"}
    text = getattr(result.messages[0].content, "text", "")
    assert "headroom_read" in text and "src/app.py" in text and "where is login?" in text
    assert "headroom_retrieve" in text


async def test_the_server_introduces_itself_with_instructions_and_an_icon(make_client: MakeClient) -> None:
    async with make_client() as client:
        server_info, instructions = client.server_info, client.instructions
    assert server_info is not None and server_info.name == "headroom"
    assert instructions is not None and "headroom_retrieve" in instructions
    assert server_info.icons and server_info.icons[0].src == icon_data_uri()
    assert base64.b64decode(icon_data_uri().partition(",")[2]).startswith(b"<svg")


def test_the_instructions_mention_run_only_as_disabled_unless_it_is_enabled() -> None:
    assert "disabled" in instructions_for(ServerOptions())
    enabled = instructions_for(ServerOptions(allow_run=True))
    assert "disabled" not in enabled and "headroom_run runs a shell command" in enabled
