"""The semantic layer wired to a real store: background indexing, hybrid query and search, drops, catch-up, close.

Runs the real all-MiniLM-L6-v2 from the shared hub cache, offline; skips where that folder is absent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import FakeClock, StoreFactory

from ccr import Embedder, EmbedderConfig, SemanticIndex, Store, index_path

ROOT = Path(__file__).resolve().parents[2]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"
HOUR = 3600.0

# Sections about different things; the credentials one never uses the words the question below uses.
HANDBOOK = """# Team handbook

## Lunch
The canteen serves soup on Mondays and pasta on Thursdays. Vegetarian dishes are marked green on the menu board.
Bring your own mug: paper cups were removed from the kitchen last spring to cut waste.
Fruit is delivered on Tuesday mornings; please leave some for the late shift.
The coffee machine on the third floor is descaled on Fridays, so expect a short queue downstairs.
Birthday cakes go on the round table by the window, with a note saying whose they are.

## Weather
Snow closes the north car park; use the south entrance from December to March.
Umbrellas can be borrowed at reception and returned to the stand by the lifts.
When storms are forecast the roof terrace is locked and its furniture is stored in the basement.
On hot days the blinds on the west side come down automatically at two in the afternoon.
Heating complaints go to facilities, who check the thermostats every morning before nine.

## Database access
The production database rejects any password older than ninety days.
Ask the platform team to rotate your credentials before they lapse, or your connections will be refused.
Read-only replicas are open to analysts through the reporting role, which needs a ticket.
Schema changes are reviewed on Wednesdays and applied by the migration pipeline, never by hand.
Connection strings live in the vault; never paste them into chat or commit them to a repository.

## Sports
The five-a-side football league plays on Wednesday evenings in the park behind the office.
Table tennis bats are in the cupboard next to the meeting rooms; return them when you are done.
The running club meets at the main door at half past twelve on Tuesdays and Thursdays.
Showers on the ground floor are open from seven in the morning until eight at night.
"""
QUESTION = "why can't I sign in to postgres anymore"


@pytest.fixture(scope="module")
def model() -> Iterator[Embedder]:
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(HF_CACHE))
        mp.delenv("HF_HUB_CACHE", raising=False)
        embedder = Embedder()
        assert embedder.available(), embedder.status().reason
    yield embedder


@pytest.fixture
def semantic(store: Store, model: Embedder) -> Iterator[SemanticIndex]:
    with SemanticIndex(store, model) as index:
        yield index


def test_new_originals_are_chunked_and_embedded_on_a_background_thread(store: Store, semantic: SemanticIndex) -> None:
    digest = store.put(HANDBOOK, content_type="markdown")
    assert semantic.flush(timeout=120)
    assert "headroom-indexer" in {t.name for t in threading.enumerate()}
    stats = semantic.stats()
    assert (stats.indexed, stats.failed, stats.pending) == (1, 0, 0)
    index = semantic._open_index()
    assert index.has(digest)
    assert index_path(store.settings).is_file()
    store.put(HANDBOOK, content_type="markdown")  # the same bytes again: nothing new to index
    assert semantic.flush(timeout=120)
    assert semantic.stats().indexed == 1


def test_a_query_that_shares_no_word_with_the_answer_finds_it_by_meaning(store: Store, semantic: SemanticIndex) -> None:
    digest = store.put(HANDBOOK, content_type="markdown")
    store.set_semantic(None)
    lexical = store.query(digest, QUESTION, max_tokens=120)
    assert "nothing matched the query" in lexical.render()
    assert semantic.flush(timeout=120)
    store.set_semantic(semantic)
    hybrid = store.query(digest, QUESTION, max_tokens=120)
    assert "The production database rejects any password older than ninety days." in hybrid.text
    assert "nothing matched" not in hybrid.render()
    assert "Vegetarian" not in hybrid.text


def test_search_blends_meaning_into_the_ranking_across_originals(store: Store, semantic: SemanticIndex) -> None:
    handbook = store.put(HANDBOOK, content_type="markdown")
    store.put("2025-01-01 INFO page rendered in 12 ms\n" * 3, content_type="log")
    assert semantic.flush(timeout=120)
    result = store.search(QUESTION, limit=3)
    assert result.mode == "hybrid"
    top = result.hits[0]
    assert top.hash == handbook and top.semantic is not None
    assert any("ninety days" in text for _, text in top.rows)
    assert result.to_dict()["hits"][0]["semantic"] == round(top.semantic, 4)


def test_originals_that_leave_the_store_lose_their_vectors(
    make_store: StoreFactory, clock: FakeClock, model: Embedder
) -> None:
    store = make_store(ttl_seconds=HOUR)
    with SemanticIndex(store, model) as semantic:
        digest = store.put(HANDBOOK)
        assert semantic.flush(timeout=120)
        index = semantic._open_index()
        assert index.has(digest)
        clock.advance(2 * HOUR)
        store.sweep()
        assert not index.has(digest)
        assert semantic.similar_chunks("password", limit=5) == []


def test_originals_stored_before_the_index_was_attached_are_caught_up(
    store: Store, model: Embedder, tmp_path: Path
) -> None:
    earlier = store.put("The nightly backup of the invoices table failed: disk full on db-2.\n")
    with SemanticIndex(store, model) as semantic:
        later = store.put(HANDBOOK)
        assert semantic.flush(timeout=120)
        index = semantic._open_index()
        assert index.has(earlier) and index.has(later)
        assert store.search("storage ran out during the backup").hits[0].hash == earlier


def test_vectors_of_originals_dropped_while_the_index_was_closed_are_deleted_when_it_opens(
    make_store: StoreFactory, clock: FakeClock, model: Embedder
) -> None:
    store = make_store(ttl_seconds=HOUR)
    with SemanticIndex(store, model) as semantic:
        gone = store.put("temporary report about the quarterly numbers\n")
        assert semantic.flush(timeout=120)
    clock.advance(2 * HOUR)
    store.sweep()  # no semantic index attached: its vectors stay in the file for now
    with SemanticIndex(store, model) as semantic:
        store.put(HANDBOOK)
        assert semantic.flush(timeout=120)
        assert not semantic._open_index().has(gone)


def test_closing_detaches_from_the_store_and_stops_taking_work(store: Store, model: Embedder) -> None:
    semantic = SemanticIndex(store, model)
    digest = store.put(HANDBOOK)
    assert semantic.flush(timeout=120)
    assert semantic.close(timeout=30)
    assert not semantic.submit(digest)
    assert semantic.similar_chunks("anything", limit=3) is None
    assert "nothing matched the query" in store.query(digest, QUESTION, max_tokens=120).render()
    assert "headroom-indexer" not in {t.name for t in threading.enumerate() if t.is_alive()}


def test_without_a_model_search_is_lexical_says_why_and_still_indexes_in_the_background(store: Store) -> None:
    with SemanticIndex(store, Embedder(EmbedderConfig(enabled=False))) as semantic:
        digest = store.put("ERROR the disk quota was exceeded on /var/lib\n")
        assert semantic.flush(timeout=60)
        assert semantic.stats().skipped == 1
        result = store.search("disk quota")
        assert (result.mode, result.pending) == ("lexical", 0)
        assert result.hits[0].hash == digest
        assert any("HEADROOM_EMBEDDINGS=0" in note for note in result.notes)
        assert not index_path(store.settings).exists()


def test_a_query_on_an_original_without_vectors_is_lexical_and_loads_nothing_new(store: Store, model: Embedder) -> None:
    with SemanticIndex(store, model, attach=False) as semantic:
        store.set_semantic(semantic)
        digest = store.put("ERROR the disk quota was exceeded on /var/lib\n")
        assert semantic.similar_chunks("quota", limit=3, hashes=[digest]) is None  # no index file yet
        excerpt = store.query(digest, "quota")
        assert excerpt.rows == ((1, "ERROR the disk quota was exceeded on /var/lib"),)
