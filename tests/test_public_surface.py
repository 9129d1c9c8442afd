"""Each package's public surface is deliberate: a sorted `__all__` whose every name resolves."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "rustcore",
    "ccr",
    "compressors",
    "mcp_server.server",
    "mcp_server.install",
    "mcp_server.bench",
    "mcp_server.proxy",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_unique_and_every_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_the_store_and_pipeline_are_reachable_from_their_packages() -> None:
    import ccr
    import compressors

    assert {"Store", "Excerpt", "Event", "MARKER_PATTERN", "HeadroomError"} <= set(ccr.__all__)
    assert {"compress", "CompressResult", "register", "get_compressor", "detect"} <= set(compressors.__all__)


def test_the_library_call_on_message_lists_is_reachable_from_compressors() -> None:
    import compressors

    assert {"compress_messages", "CompressedMessages", "MessageStats", "tool_texts"} <= set(compressors.__all__)
