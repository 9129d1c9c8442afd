"""The sqlite-vec index beside the store, on a real SQLite file, and the background indexer."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccr import EmbeddingError, Settings, StoreError
from ccr._chunks import Chunk, chunk_text
from ccr._embeddings import Embedder, EmbedderConfig
from ccr._vectors import BackgroundIndexer, VectorHit, VectorIndex, _stdlib_can_load, index_path

ROOT = Path(__file__).resolve().parents[2]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"
H1, H2, H3 = "1111111111111111", "2222222222222222", "3333333333333333"


def unit_vectors(n: int, seed: int, dim: int = 384) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def spans(n: int) -> list[Chunk]:
    return [Chunk(10 * k + 1, 10 * k + 10, f"chunk {k}") for k in range(n)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "home" / "ccr.sqlite3"


@pytest.fixture
def index(db: Path) -> Iterator[VectorIndex]:
    with VectorIndex(db, model="test-model") as vectors:
        yield vectors


@pytest.fixture(scope="module")
def embedder() -> Iterator[Embedder]:
    """The real fp32 model from the shared cache, offline; skips where the folder is absent."""
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(HF_CACHE))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.delenv("HF_HUB_CACHE", raising=False)
        model = Embedder()
        assert model.available(), model.status().reason
    yield model


def test_search_finds_the_indexed_chunk_nearest_the_query(index: VectorIndex) -> None:
    vectors = unit_vectors(30, seed=1)
    assert index.index(H1, spans(30), vectors) == 30
    query = vectors[17] + 0.05 * unit_vectors(1, seed=2)[0]
    hits = index.search(query, limit=5)
    assert hits[0] == VectorHit(H1, 171, 180, pytest.approx(hits[0].distance))
    assert hits[0].distance < 0.01
    assert [h.distance for h in hits] == sorted(h.distance for h in hits)
    expected = np.argsort(-(vectors @ (query / np.linalg.norm(query))))[:5]
    assert [h.start_line for h in hits] == [10 * int(k) + 1 for k in expected]


def test_the_index_lives_in_vec_tables_of_a_private_file(index: VectorIndex, db: Path) -> None:
    index.index(H1, spans(2), unit_vectors(2, seed=1))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    with sqlite3.connect(db) as conn:
        names = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert names and all(name.startswith(("vec_", "sqlite_")) for name in names)


def test_nothing_is_created_until_the_first_write(index: VectorIndex, db: Path) -> None:
    assert index.search(unit_vectors(1, seed=1)[0]) == []
    assert not index.has(H1)
    assert index.delete(H1) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_search_can_be_limited_to_some_originals(index: VectorIndex) -> None:
    index.index(H1, spans(5), unit_vectors(5, seed=1))
    index.index(H2, spans(5), unit_vectors(5, seed=2))
    index.index(H3, spans(5), unit_vectors(5, seed=3))
    query = unit_vectors(1, seed=4)[0]
    assert {h.hash for h in index.search(query, 15)} == {H1, H2, H3}
    assert {h.hash for h in index.search(query, 15, hashes=[H2, H3])} == {H2, H3}
    assert len(index.search(query, 15, hashes=[H2])) == 5
    assert index.search(query, 15, hashes=[]) == []
    assert index.search(query, 15, hashes=["ffffffffffffffff"]) == []
    assert index.search(query, 0) == []


def test_delete_removes_an_original_and_only_it(index: VectorIndex) -> None:
    a, b = unit_vectors(4, seed=1), unit_vectors(4, seed=2)
    index.index(H1, spans(4), a)
    index.index(H2, spans(4), b)
    assert index.delete(H1) == 4
    assert not index.has(H1) and index.has(H2)
    assert {h.hash for h in index.search(a[0], 10)} == {H2}
    assert index.delete(H1) == 0


def test_indexing_again_replaces_the_chunks_of_that_original(index: VectorIndex) -> None:
    index.index(H1, spans(6), unit_vectors(6, seed=1))
    fresh = unit_vectors(2, seed=9)
    index.index(H1, spans(2), fresh)
    hits = index.search(fresh[1], 10)
    assert len(hits) == 2
    assert hits[0].start_line == 11 and hits[0].distance < 1e-5


def test_the_index_persists_across_reopening(db: Path) -> None:
    vectors = unit_vectors(8, seed=1)
    with VectorIndex(db, model="m") as first:
        first.index(H1, spans(8), vectors)
    with VectorIndex(db, model="m") as second:
        assert second.has(H1)
        assert second.search(vectors[3], 1)[0].start_line == 31


def test_vectors_from_another_model_are_dropped_on_open(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    with VectorIndex(db, model="model-a") as first:
        first.index(H1, spans(3), unit_vectors(3, seed=1))
    with caplog.at_level(logging.INFO, logger="ccr._vectors"), VectorIndex(db, model="model-b") as second:
        assert not second.has(H1)
        second.index(H2, spans(3), unit_vectors(3, seed=2))
        assert second.has(H2)
    assert any("rebuilding" in r.getMessage() for r in caplog.records)


def test_vectors_of_another_length_are_dropped_on_open(db: Path) -> None:
    with VectorIndex(db) as first:
        first.index(H1, spans(3), unit_vectors(3, seed=1))
    with VectorIndex(db, dim=8) as second:
        assert not second.has(H1)
        second.index(H2, spans(2), unit_vectors(2, seed=2, dim=8))
        assert second.search(unit_vectors(1, seed=3, dim=8)[0], 5)[0].hash == H2


@pytest.mark.parametrize(
    ("chunks", "vectors", "message"),
    [
        (spans(3), unit_vectors(2, seed=1), "shape"),
        (spans(2), unit_vectors(2, seed=1, dim=128), "shape"),
        (spans(1), np.full((1, 384), np.nan, dtype=np.float32), "NaN"),
        (spans(1), [["a"] * 384], "not numbers"),
    ],
)
def test_embeddings_that_do_not_fit_are_refused_and_nothing_is_written(
    index: VectorIndex, chunks: list[Chunk], vectors: object, message: str
) -> None:
    with pytest.raises(EmbeddingError, match=message):
        index.index(H1, chunks, vectors)
    assert not index.has(H1)


def test_a_query_of_the_wrong_length_is_refused(index: VectorIndex) -> None:
    index.index(H1, spans(1), unit_vectors(1, seed=1))
    with pytest.raises(EmbeddingError, match="shape"):
        index.search(np.ones(10, dtype=np.float32))


def test_a_file_that_is_not_a_database_gives_a_store_error(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match=str(db)):
        VectorIndex(db)


def test_the_index_has_a_file_of_its_own_beside_the_store(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert index_path(settings).parent == settings.db_path.parent
    assert index_path(settings) != settings.db_path


def test_the_index_works_while_the_store_holds_a_write_transaction_on_its_own_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = sqlite3.connect(settings.db_path, isolation_level=None)
    try:
        store.execute("PRAGMA journal_mode=WAL")
        store.execute("CREATE TABLE originals (hash TEXT PRIMARY KEY, data BLOB)")
        store.execute("BEGIN IMMEDIATE")
        store.execute("INSERT INTO originals VALUES (?, ?)", (H1, b"one"))
        with VectorIndex(index_path(settings), timeout=0.2) as index:
            index.index(H1, spans(2), unit_vectors(2, seed=1))
            store.execute("COMMIT")
            assert index.has(H1)
        assert store.execute("SELECT count(*) FROM originals").fetchone() == (1,)
    finally:
        store.close()


@pytest.mark.skipif(_stdlib_can_load(), reason="the standard sqlite3 module loads sqlite-vec here: one copy of SQLite")
def test_a_file_with_other_tables_is_refused_through_apsw_and_left_untouched(db: Path) -> None:
    db.parent.mkdir(mode=0o700, parents=True)
    with sqlite3.connect(db) as store:
        store.execute("CREATE TABLE originals (hash TEXT PRIMARY KEY)")
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"originals.*lost.*index_path"):
        VectorIndex(db)
    assert db.read_bytes() == before


def test_threads_sharing_one_index_all_land(index: VectorIndex) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                index.index(f"{n:08x}{k:08x}", spans(3), unit_vectors(3, seed=n * 10 + k))
                index.search(unit_vectors(1, seed=n)[0], 3)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert all(index.has(f"{n:08x}{k:08x}") for n in range(4) for k in range(5))
    assert len(index.search(unit_vectors(1, seed=99)[0], 100)) == 60


@given(
    plan=st.lists(
        st.tuples(st.sampled_from([H1, H2, H3]), st.integers(0, 6), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_the_index_holds_exactly_what_was_last_indexed_and_not_deleted(
    plan: list[tuple[str, int, bool]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    expected: dict[str, int] = {}
    with VectorIndex(tmp_path_factory.mktemp("vec") / "ccr.sqlite3") as index:
        for step, (hash, count, delete) in enumerate(plan):
            if delete:
                assert index.delete(hash) == expected.pop(hash, 0)
            else:
                index.index(hash, spans(count), unit_vectors(count, seed=step))
                expected[hash] = count
        hits = index.search(unit_vectors(1, seed=100)[0], 100)
        assert sorted(h.hash for h in hits) == sorted(h for h, n in expected.items() for _ in range(n))
        for hash in (H1, H2, H3):
            assert index.has(hash) == (expected.get(hash, 0) > 0)


def test_real_embeddings_find_the_chunk_that_answers_a_question(index: VectorIndex, embedder: Embedder) -> None:
    lines = [f"2024-05-01 10:{m:02d}:00 INFO GET /static/app.js 200 {m}ms" for m in range(60)]
    lines[41] = "2024-05-01 10:41:00 ERROR connection to postgres refused: too many clients already"
    text = "\n".join(lines) + "\n"
    chunks = chunk_text(text, "log", max_chars=200)
    index.index(H1, chunks, embedder.embed([c.text for c in chunks]))
    best = index.search(embedder.embed_query("why could the database not be reached"), 1)[0]
    assert best.start_line <= 42 <= best.end_line


def test_the_stdlib_sqlite3_backend_is_used_where_it_can_load_extensions(db: Path) -> None:
    if _stdlib_can_load():
        with VectorIndex(db, backend="sqlite3") as index:
            index.index(H1, spans(2), unit_vectors(2, seed=1))
            assert index.backend == "sqlite3" and index.has(H1)
        with VectorIndex(db) as auto:
            assert auto.backend == "sqlite3"
    else:
        with pytest.raises(StoreError, match="sqlite3"):
            VectorIndex(db, backend="sqlite3")
        with VectorIndex(db) as auto:
            assert auto.backend == "apsw"


def other_python_with_extensions() -> str | None:
    """A CPython of this version whose sqlite3 module can load extensions (this one's may not)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if (
            not candidate
            or not os.path.exists(candidate)
            or os.path.realpath(candidate) == os.path.realpath(sys.executable)
        ):
            continue
        major, minor = sys.version_info[:2]
        probe = (
            "import sqlite3, sys; "
            f"print(sys.version_info[:2] == ({major}, {minor}) "
            "and hasattr(sqlite3.Connection, 'enable_load_extension'))"
        )
        out = subprocess.run([candidate, "-c", probe], capture_output=True, text=True)
        if out.stdout.strip() == "True":
            return candidate
    return None


@pytest.mark.slow
def test_an_index_written_through_stdlib_sqlite3_is_read_through_apsw(db: Path) -> None:
    python = other_python_with_extensions()
    if python is None:
        pytest.skip(f"no CPython {sys.version_info[0]}.{sys.version_info[1]} here whose sqlite3 can load extensions")
    vectors = unit_vectors(4, seed=5)
    script = (
        "import json, sys\n"
        "from ccr._vectors import VectorIndex\n"
        "from ccr._chunks import Chunk\n"
        "vectors = json.loads(sys.argv[2])\n"
        "with VectorIndex(sys.argv[1], backend='sqlite3') as index:\n"
        "    index.index(sys.argv[3], [Chunk(n + 1, n + 1, 'x') for n in range(len(vectors))], vectors)\n"
        "    print(index.backend, index.search(vectors[2], 1)[0].start_line)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]])}
    out = subprocess.run(
        [python, "-c", script, str(db), json.dumps(vectors.tolist()), H1], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["sqlite3", "3"]
    with VectorIndex(db, backend="apsw") as index:
        assert index.search(vectors[2], 1)[0] == VectorHit(H1, 3, 3, pytest.approx(0.0, abs=1e-5))


def log_text(n: int) -> str:
    return "".join(f"2024-05-01 10:00:{k % 60:02d} INFO worker {n} handled job {k}\n" for k in range(40))


def test_the_background_indexer_embeds_originals_off_the_callers_thread(index: VectorIndex, embedder: Embedder) -> None:
    threads: set[str] = set()

    def chunker(text: str, content_type: str | None) -> list[Chunk]:
        threads.add(threading.current_thread().name)
        return chunk_text(text, content_type)

    indexer = BackgroundIndexer(index, embedder, chunker=chunker)
    try:
        assert indexer.submit(H1, log_text(1).encode(), "log")
        assert indexer.submit(H2, log_text(2), None)
        assert indexer.submit(H1, log_text(1).encode(), "log")  # already queued: not twice
        assert indexer.flush(timeout=120)
        assert index.has(H1) and index.has(H2)
        assert threads == {"headroom-indexer"}
        stats = indexer.stats()
        assert (stats.indexed, stats.failed, stats.pending) == (2, 0, 0)
        assert indexer.submit(H1, log_text(1), "log")
        assert indexer.flush(timeout=120)
        assert indexer.stats().skipped == 1  # indexed already
    finally:
        assert indexer.close(timeout=30)
    assert not indexer.submit(H3, "late", None)


def test_a_failing_original_is_logged_and_the_indexer_carries_on(
    index: VectorIndex, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    def chunker(text: str, content_type: str | None) -> list[Chunk]:
        if text.startswith("boom"):
            raise RuntimeError("chunker exploded")
        return chunk_text(text, content_type)

    indexer = BackgroundIndexer(index, embedder, chunker=chunker)
    with caplog.at_level(logging.WARNING, logger="ccr._vectors"):
        indexer.submit(H1, "boom\n", None)
        indexer.submit(H2, log_text(2), "log")
        assert indexer.flush(timeout=120)
    indexer.close(timeout=30)
    assert index.has(H2) and not index.has(H1)
    assert (indexer.stats().failed, indexer.stats().indexed) == (1, 1)
    assert any(H1 in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_full_queue_drops_new_originals_instead_of_blocking(index: VectorIndex, embedder: Embedder) -> None:
    release = threading.Event()
    started = threading.Event()

    def chunker(text: str, content_type: str | None) -> list[Chunk]:
        started.set()
        assert release.wait(timeout=60)
        return chunk_text(text, content_type)

    indexer = BackgroundIndexer(index, embedder, chunker=chunker, max_pending=2)
    try:
        assert indexer.submit(H1, log_text(1), "log")
        assert started.wait(timeout=60)
        assert indexer.submit(H2, log_text(2), "log")
        assert not indexer.submit(H3, log_text(3), "log")
        assert not indexer.flush(timeout=0)
        release.set()
        assert indexer.flush(timeout=120)
        assert (indexer.stats().indexed, indexer.stats().dropped) == (2, 1)
        assert not index.has(H3)
    finally:
        release.set()
        indexer.close(timeout=30)


def test_without_a_model_the_indexer_skips_originals_and_indexes_nothing(
    index: VectorIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    indexer = BackgroundIndexer(index, Embedder(EmbedderConfig()))
    indexer.submit(H1, log_text(1), "log")
    assert indexer.flush(timeout=60)
    assert indexer.close(timeout=30)
    assert indexer.stats().skipped == 1
    assert not index.has(H1)


def test_work_waits_until_the_caller_has_been_quiet_and_closing_does_not(
    index: VectorIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    patient = BackgroundIndexer(index, Embedder(EmbedderConfig()), quiet_s=3600)
    patient.note_activity()
    patient.submit(H1, log_text(1), "log")
    assert not patient.flush(timeout=0.2)
    assert patient.close(timeout=30)
    assert patient.stats().skipped == 0

    prompt = BackgroundIndexer(index, Embedder(EmbedderConfig()), quiet_s=0)
    prompt.note_activity()
    prompt.submit(H1, log_text(1), "log")
    assert prompt.flush(timeout=60)
    assert prompt.close(timeout=30)
    assert prompt.stats().skipped == 1
