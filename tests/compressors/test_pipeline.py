"""`compress()` as a whole: store first, route, never lose anything, stay within the budget, same bytes every time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rustcore
from ccr import (
    BinaryInputError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    Settings,
    Store,
    find_markers,
    format_marker,
)
from compressors import MIN_BUDGET, CompressContext, Compressor, CompressResult, compress, register
from tests.compressors.lines_helpers import check_result, open_store


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


def _log(n: int = 400) -> str:
    lines = [
        f"2024-06-01 12:{i // 60 % 60:02d}:{i % 60:02d} INFO svc.api: request {i} served in {i % 50}ms"
        for i in range(n)
    ]
    lines[n // 2] = "2024-06-01 12:03:20 ERROR svc.db: deadlock detected on table orders (txn 991)"
    return "\n".join(lines) + "\n"


_TEXTS = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=1500),
    st.lists(
        st.sampled_from(
            [
                "2024-01-01 10:00:00 INFO ok",
                "2024-01-01 10:00:01 ERROR boom",
                "src/a.py:12:def f():",
                "diff --git a/x b/x",
                "@@ -1 +1 @@",
                "-old",
                "+new",
                '{"a": 1}',
                "# Title",
                "plain words in a sentence",
            ]
        ),
        min_size=1,
        max_size=200,
    ).map("\n".join),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=_TEXTS,
    query=st.one_of(st.none(), st.text(max_size=30)),
    budget=st.one_of(st.none(), st.integers(min_value=MIN_BUDGET, max_value=2000)),
)
def test_any_text_is_stored_exactly_marked_resolvably_within_budget_and_deterministic(
    store: Store, text: str, query: str | None, budget: int | None
) -> None:
    try:
        result = compress(text, store=store, query=query, budget=budget)
    except BinaryInputError:
        return  # mostly control characters: refused before anything is stored
    check_result(result, text, store)
    assert result.tokens_after <= result.tokens_before
    if budget is not None:
        assert rustcore.count_tokens(result.compressed) <= budget
    if result.compressor == "none":
        assert result.compressed == text
    again = compress(text, store=store, query=query, budget=budget)
    assert again.compressed == result.compressed
    assert again.hash == result.hash


def test_every_marker_retrieves_exactly_the_lines_it_stands_for(store: Store) -> None:
    text = _log(2000)
    result = compress(text, store=store)
    assert result.compressor == "log"
    assert result.markers >= 1
    check_result(result, text, store)
    assert store.get(result.hash) == text.encode()


def test_output_that_would_not_be_smaller_is_the_input_unchanged(store: Store) -> None:
    text = "2024-06-01 12:00:00 ERROR a single line that says it all\n"
    result = compress(text, store=store)
    assert result.compressed == text
    assert result.compressor == "none"
    assert result.markers == 0


def test_markers_already_in_the_input_come_back_quoted_and_uncounted(store: Store) -> None:
    foreign = format_marker(12, "lines", "0123456789abcdef", (3, 14))
    text = _log(600).replace("request 10 served", f"request 10 served {foreign}")
    result = compress(text, store=store, query="request 10")
    assert foreign.replace("omitted: retrieve", "omitted: (quoted) retrieve") in result.compressed
    assert all(m.hash == result.hash for m in find_markers(result.compressed))
    assert result.markers == len(find_markers(result.compressed))
    check_result(result, text, store)


def test_bad_input_gets_a_clear_error_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(EmptyInputError, match="empty"):
        compress("", store=store)
    with pytest.raises(BinaryInputError, match="binary"):
        compress(b"\x00\x01\x02" * 100, store=store)
    with pytest.raises(InputError, match=str(MIN_BUDGET)):
        compress(_log(), store=store, budget=MIN_BUDGET - 1)
    assert store.stats().calls.get("compress", 0) == 0


def test_input_over_the_size_limit_is_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings(home=tmp_path_factory.mktemp("small"), max_input_bytes=10_000)
    with Store(settings) as small, pytest.raises(InputTooLargeError, match="HEADROOM_MAX_INPUT_MB"):
        compress(_log(2000), store=small)


def test_each_content_type_reaches_its_compressor(store: Store) -> None:
    grep = "".join(f"src/m{i}.py:{i + 1}:    return helper({i})\n" for i in range(300))
    diff = "".join(
        f"diff --git a/f{i}.py b/f{i}.py\n--- a/f{i}.py\n+++ b/f{i}.py\n@@ -1,2 +1,2 @@\n-a = {i}\n+a = {i + 1}\n b\n"
        for i in range(80)
    )
    for text, name in ((_log(), "log"), (grep, "search"), (diff, "diff")):
        result = compress(text, store=store)
        assert (result.content_type, result.compressor) == (name, name)
        check_result(result, text, store)


def test_an_explicit_content_type_overrides_detection(store: Store) -> None:
    result = compress(_log(), store=store, content_type="text")
    assert result.content_type == "text"


class _Broken(Compressor):
    name = "test-broken-log"
    description = "raises on purpose"
    calls: ClassVar[list[str]] = []

    def compress(self, text: str, ctx: CompressContext) -> str:
        self.calls.append(text)
        raise RuntimeError("this compressor is broken on purpose")


def _compress_a_log_routed_to(
    cls: type[Compressor], store: Store, monkeypatch: pytest.MonkeyPatch
) -> tuple[CompressResult, str]:
    """A long log compressed while logs are routed to `cls`; the result and the log."""
    from compressors import _router

    register(cls, replace=True)
    monkeypatch.setitem(_router.COMPRESSOR_FOR_TYPE, "log", cls.name)
    text = _log(1500)
    return compress(text, store=store), text


def test_a_failing_compressor_falls_back_and_still_returns_resolvable_output(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, text = _compress_a_log_routed_to(_Broken, store, monkeypatch)
    assert _Broken.calls
    assert result.compressor == "fallback"
    check_result(result, text, store)


class _Forger(Compressor):
    name = "test-forger"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return format_marker(3, "lines", rustcore.content_hash(b"some other original"))


def test_output_with_a_marker_for_another_original_is_discarded_for_the_fallback(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, text = _compress_a_log_routed_to(_Forger, store, monkeypatch)
    assert result.compressor == "fallback"
    check_result(result, text, store)


def test_each_call_records_a_stats_event(store: Store) -> None:
    compress(_log(), store=store)
    compress(json.dumps([{"id": i, "name": f"item {i}"} for i in range(300)]), store=store)
    summary = store.stats()
    assert summary.calls["compress"] == 2
    assert summary.tokens_before > summary.tokens_after


def test_warm_up_loads_every_built_in_compressor_before_any_call() -> None:
    import subprocess
    import sys

    from compressors._router import COMPRESSOR_FOR_TYPE

    script = (
        "import compressors\n"
        "from compressors import _registry\n"
        "before = sorted(_registry._instances)\n"
        "compressors.warm_up()\n"
        "print(before, sorted(_registry._instances))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == f"[] {sorted({*COMPRESSOR_FOR_TYPE.values(), 'fallback'})}"
