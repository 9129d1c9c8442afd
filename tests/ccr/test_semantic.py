"""The semantic layer wired to a real store: background search indexing, catch-up, lazy ranking by meaning, close.

Ranking by meaning runs the real all-MiniLM-L6-v2 from the shared hub cache, offline; those tests skip where that
folder is absent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccr import Embedder, EmbedderConfig, SemanticIndex, Store

ROOT = Path(__file__).resolve().parents[2]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"

QUESTION = "why can't I sign in to the database"
# Every note names the database once; only this one answers the question, and it is the longest, so BM25 ranks it
# after the others.
ANSWER = "Database logins fail once the vault credentials pass their ninety-day expiry; rotate them first."
NOTES = [
    "The database team has lunch in the canteen on Fridays.",
    "A poster of the database schema hangs by the lifts.",
    "The database migration course runs twice a year in room four.",
    "Old database servers are recycled by the facilities team.",
    "The database newsletter is printed on green paper.",
]
GUIDE = (
    "# Guide\n\n"
    + "\n".join([*NOTES[:2], ANSWER, *NOTES[2:]])
    + "\n"
    + "".join(f"Filler line {k} about lunch and parking.\n" for k in range(60))
)


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


def test_new_originals_are_indexed_for_search_on_a_background_thread_and_nothing_is_embedded(
    store: Store, semantic: SemanticIndex
) -> None:
    embedded = semantic.embedder.cached()
    digest = store.put(GUIDE, content_type="markdown")
    assert semantic.flush(timeout=60)
    assert "headroom-indexer" in {t.name for t in threading.enumerate()}
    stats = semantic.stats()
    assert (stats.indexed, stats.failed, stats.pending) == (1, 0, 0)
    assert store.unindexed() == 0
    assert semantic.embedder.cached() == embedded  # storing output costs no embedding
    store.put(GUIDE, content_type="markdown")  # the same bytes again: nothing new to index
    assert semantic.flush(timeout=60)
    assert semantic.stats().indexed == 1
    assert store.search("canteen").hits[0].hash == digest


def test_meaning_brings_the_answer_among_the_best_lexical_candidates_into_the_top_hits(
    store: Store, semantic: SemanticIndex
) -> None:
    handles = [store.put(f"# Note {k}\n\n{note}\n", content_type="markdown") for k, note in enumerate(NOTES)]
    answer = store.put(f"# Note {len(NOTES)}\n\n{ANSWER}\n", content_type="markdown")
    store.set_semantic(None)
    lexical = store.search(QUESTION, limit=5)
    assert answer not in {hit.hash for hit in lexical.hits}
    assert {hit.hash for hit in lexical.hits} <= set(handles)
    store.set_semantic(semantic)
    hybrid = store.search(QUESTION, limit=5)
    assert hybrid.mode == "hybrid"
    assert answer in {hit.hash for hit in hybrid.hits}
    best = max(hybrid.hits, key=lambda hit: hit.semantic or 0.0)
    assert best.hash == answer
    assert hybrid.to_dict()["hits"][0]["semantic"] == round(hybrid.hits[0].semantic or 0.0, 4)


def test_a_query_retrieval_ranks_by_words_and_embeds_nothing_with_meaning_on(
    store: Store, semantic: SemanticIndex
) -> None:
    digest = store.put(GUIDE, content_type="markdown")
    store.set_semantic(None)
    lexical = store.query(digest, QUESTION, max_tokens=100).text
    store.set_semantic(semantic)
    semantic.embedder.clear_cache()
    assert store.query(digest, QUESTION, max_tokens=100).text == lexical
    assert semantic.embedder.cached() == 0


def test_names_the_question_gives_exactly_win_over_meaning(store: Store, semantic: SemanticIndex) -> None:
    named = store.put(
        "def parse_config(path):\n    if not os.path.exists(path):\n        return {}\n", content_type="code"
    )
    for k in range(6):
        store.put(
            f"Note {k}: when the config file is missing, the parser returns the defaults; "
            "parse errors in the config file are reported.\n"
        )
    result = store.search("what does parse_config return when the config file is missing", limit=5)
    assert result.mode == "hybrid"
    assert result.hits[0].hash == named
    assert result.hits[0].score > 1.0  # one name held exactly, on top of the fused rank score


def test_ranking_is_lexical_unless_asked_for_and_says_how_to_turn_meaning_on(store: Store) -> None:
    with SemanticIndex(store, Embedder.from_env({})) as semantic:
        digest = store.put("ERROR the disk quota was exceeded on /var/lib\n")
        assert semantic.flush(timeout=60)
        result = store.search("disk quota")
        assert (result.mode, result.pending) == ("lexical", 0)
        assert result.hits[0].hash == digest
        assert any("HEADROOM_EMBEDDINGS=1" in note for note in result.notes)
        assert not semantic.embedder.loaded()


def test_while_the_model_loads_in_the_background_ranking_is_lexical_and_says_so(
    store: Store, model: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The background loader reads the cache at its own time, after the module fixture's environment is gone.
    monkeypatch.setenv("HF_HOME", str(HF_CACHE))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = Embedder(model.config)
    release = threading.Event()
    real = embedder.available

    def slow(*, download: bool = False) -> bool:
        if download:  # the background loader
            assert release.wait(timeout=60)
        return real(download=download)

    monkeypatch.setattr(embedder, "available", slow)
    with SemanticIndex(store, embedder) as semantic:
        store.put(GUIDE)
        first = store.search(QUESTION)
        assert first.mode == "lexical"
        assert any("still loading" in note for note in first.notes)
        release.set()
        assert semantic._loader is not None
        semantic._loader.join(timeout=60)
        assert store.search(QUESTION).mode == "hybrid"


def test_originals_stored_before_the_index_was_attached_are_caught_up(store: Store) -> None:
    earlier = store.put("The nightly backup of the invoices table failed: disk full on db-2.\n")
    assert store.unindexed() == 1
    with SemanticIndex(store, Embedder.from_env({})) as semantic:
        store.put(GUIDE)
        assert semantic.flush(timeout=60)
        assert store.unindexed() == 0
    assert store.search("invoices backup").hits[0].hash == earlier


def test_a_vector_file_left_by_an_earlier_version_is_removed(store: Store) -> None:
    old = [store.settings.home / name for name in ("vectors.sqlite3", "vectors.sqlite3-wal")]
    for path in old:
        path.write_bytes(b"derived data")
    with SemanticIndex(store, Embedder.from_env({})) as semantic:
        store.put(GUIDE)
        assert semantic.flush(timeout=60)
    assert not any(path.exists() for path in old)
    assert store.path.exists()


def test_closing_detaches_from_the_store_and_stops_taking_work(store: Store, model: Embedder) -> None:
    semantic = SemanticIndex(store, model)
    digest = store.put(GUIDE)
    assert semantic.flush(timeout=60)
    assert semantic.close(timeout=30)
    assert not semantic.submit(digest)
    assert semantic.similarities(QUESTION, [ANSWER]) is None
    assert ANSWER not in store.query(digest, QUESTION, max_tokens=100).text
    assert "headroom-indexer" not in {t.name for t in threading.enumerate() if t.is_alive()}


def test_the_configured_switch_decides_and_a_disabled_model_is_never_loaded(store: Store) -> None:
    off = Embedder(EmbedderConfig(enabled=False))
    with SemanticIndex(store, off) as semantic:
        assert semantic.similarities(QUESTION, [ANSWER]) is None
        assert semantic._loader is None
        assert not off.loaded()
