"""Stats events live in the store file; their totals say what compression saved and what retrieval gave back."""

from __future__ import annotations

import json

import pytest
from store_helpers import START, FakeClock, StoreFactory

from ccr import Event, InputError, Store


def _compress(tokens_before: int, tokens_after: int, compressor: str, **kw: object) -> Event:
    return Event(
        kind="compress",
        hash="0123456789abcdef",
        tokens_before=tokens_before,
        tokens_after=tokens_after,
        compressor=compressor,
        client="test",
        elapsed_ms=2.0,
        **kw,  # type: ignore[arg-type]
    )


def _retrieve(tokens: int, **kw: object) -> Event:
    return Event(kind="retrieve", hash="0123456789abcdef", tokens_before=tokens, tokens_after=tokens, **kw)  # type: ignore[arg-type]


def test_totals_after_a_sequence_of_events(store: Store) -> None:
    store.record(_compress(1000, 100, "log"))
    store.record(_compress(3000, 600, "json"))
    store.record(_compress(500, 500, "none"))
    store.record(_retrieve(250))
    store.record(Event(kind="search", tokens_before=800, tokens_after=200, compressor="search"))
    s = store.stats()
    assert s.calls == {"compress": 3, "retrieve": 1, "search": 1}
    assert (s.compressions, s.retrievals) == (3, 1)
    assert s.tokens_before == 1000 + 3000 + 500 + 800
    assert s.tokens_after == 100 + 600 + 500 + 200
    assert s.tokens_saved == 900 + 2400 + 0 + 600
    assert s.savings_pct == pytest.approx(100 * 3900 / 5300)
    assert s.tokens_retrieved == 250
    assert s.net_saved == 3900 - 250
    assert s.retrieval_rate == pytest.approx(1 / 3)
    assert set(s.by_compressor) == {"log", "json", "none", "search"}
    assert s.by_compressor["json"].tokens_saved == 2400
    assert s.by_compressor["json"].calls == 1


def test_nothing_recorded_gives_zeros_not_errors(store: Store) -> None:
    s = store.stats()
    assert (s.tokens_before, s.tokens_saved, s.savings_pct, s.retrieval_rate) == (0, 0, 0.0, 0.0)
    assert s.first_at is None
    assert "none" in s.render()


def test_since_counts_only_later_events(store: Store, clock: FakeClock) -> None:
    store.record(_compress(1000, 100, "log"))
    clock.advance(hours=2)
    store.record(_compress(400, 100, "log"))
    s = store.stats(since=START + 3600)
    assert s.compressions == 1
    assert s.tokens_saved == 300
    assert store.stats().compressions == 2


def test_session_counts_only_that_sessions_events(store: Store) -> None:
    store.record(_compress(1000, 100, "log", session="a"))
    store.record(_compress(400, 100, "log", session="b"))
    store.record(_retrieve(50, session="a"))
    s = store.stats(session="a")
    assert (s.compressions, s.retrievals, s.tokens_saved) == (1, 1, 900)


def test_an_event_time_can_be_given(store: Store) -> None:
    store.record(_compress(10, 5, "log", at=START - 86400))
    assert store.stats(since=START - 3600).compressions == 0
    assert store.stats().first_at == START - 86400


def test_entries_and_bytes_describe_the_live_store(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=3600)
    store.put(b"x" * 10)
    store.put(b"y" * 20)
    s = store.stats()
    assert (s.entries, s.store_bytes) == (2, 30)
    clock.advance(hours=2)
    s = store.stats()  # expired originals stop counting even before a sweep removes them
    assert (s.entries, s.store_bytes) == (0, 0)


def test_stats_outlive_the_process(make_store: StoreFactory) -> None:
    first = make_store()
    first.record(_compress(1000, 10, "log"))
    first.close()
    assert make_store().stats().tokens_saved == 990


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": ""},
        {"kind": "Compress"},
        {"kind": "compress; drop table"},
        {"kind": "compress", "tokens_before": -1},
        {"kind": "compress", "elapsed_ms": float("nan")},
    ],
)
def test_malformed_events_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        Event(**bad)  # type: ignore[arg-type]


def test_the_summary_renders_as_text_and_as_json(store: Store) -> None:
    store.put(b"abc")
    store.record(_compress(1000, 100, "log"))
    store.record(_retrieve(40))
    s = store.stats()
    text = s.render()
    assert "1,000 -> 100" in text
    assert "90.0%" in text
    assert "log" in text
    data = json.loads(json.dumps(s.to_dict()))
    assert data["tokens_saved"] == 900
    assert data["retrieval_rate"] == 1.0
    assert data["entries"] == 1
    assert data["by_compressor"]["log"]["calls"] == 1
    assert {"calls", "savings_pct", "net_saved", "store_bytes", "expired", "evicted"} <= data.keys()
