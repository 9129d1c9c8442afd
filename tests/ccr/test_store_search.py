"""Search across every original in a real store file: the FTS5 chunk index, its upkeep, filters and catch-up."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_helpers import Backdoor, FakeClock, StoreFactory

import ccr._chunk_search as chunk_search
from ccr import InputError, Settings, Store
from ccr._chunk_search import chunk_original, match_expression
from ccr._database import MIGRATIONS, _statements
from ccr._hybrid import identifiers
from ccr._search import index_original, search_store

HOUR = 3600.0


def app_log(n: int, needle: str | None = None, at: int | None = None) -> str:
    rows = [f"2025-03-01 10:{k // 60 % 60:02d}:{k % 60:02d} INFO worker-{k % 3} processed batch {k}" for k in range(n)]
    if needle is not None:
        rows[at if at is not None else n // 2] = needle
    return "\n".join(rows) + "\n"


def fts_rows(store: Store) -> int:
    return Backdoor(store).chunk_count()


def test_search_finds_the_chunk_holding_the_answer_across_originals(store: Store) -> None:
    log = store.put(app_log(400, "2025-03-01 10:06:40 ERROR PaymentGateway.charge: card declined (order 4711)", 200))
    store.put(app_log(300), content_type="log")
    store.put("# Deploy guide\n\nRoll back with `make rollback` after a failed release.\n", content_type="markdown")
    result = store.search("why was the card declined")
    assert result.mode == "lexical"
    top = result.hits[0]
    assert top.hash == log
    assert top.start_line <= 201 <= top.end_line
    assert (201, "2025-03-01 10:06:40 ERROR PaymentGateway.charge: card declined (order 4711)") in top.rows
    assert store.lines(log, 201, 201).rows[0][1] in result.render()
    assert f"hash={log} lines={top.start_line}-{top.end_line}" in result.render()


def test_identifiers_are_found_whole_and_by_their_parts(store: Store) -> None:
    digest = store.put("def setup():\n    client = HttpClient()\n    client.getUserName(42)\n", content_type="code")
    store.put("unrelated words about a client of the bakery\n")
    for query in ("getUserName", "user name", "`client.getUserName`", "HttpClient"):
        hits = store.search(query).hits
        assert hits and hits[0].hash == digest, query


def test_a_hash_prefix_in_the_query_finds_the_commit(store: Store) -> None:
    digest = store.put("commit 53b8f08218c2e1f0a9d8\nAuthor: dev\n\n    Fix the parser\n", content_type="diff")
    assert store.search("what did 53b8f082 change").hits[0].hash == digest


def test_a_query_with_nothing_to_look_for_or_a_bad_limit_is_refused(store: Store) -> None:
    store.put("something\n")
    with pytest.raises(InputError, match="empty"):
        store.search("   ")
    with pytest.raises(InputError, match="between 1 and 50"):
        store.search("something", limit=0)


def test_no_match_gives_no_hits_and_says_so(store: Store) -> None:
    store.put(app_log(20))
    result = store.search("kubernetes")
    assert result.hits == ()
    assert "no stored output matches 'kubernetes'" in result.render()


def test_content_type_and_since_filters_keep_only_what_they_name(store: Store, clock: FakeClock) -> None:
    old = store.put("timeout talking to the billing service\n", content_type="log")
    clock.advance(5 * HOUR)
    new = store.put("billing service timeout in the retry loop\n", content_type="code")
    assert {h.hash for h in store.search("billing timeout").hits} == {old, new}
    assert [h.hash for h in store.search("billing timeout", content_type="log").hits] == [old]
    assert [h.hash for h in store.search("billing timeout", since=clock() - HOUR).hits] == [new]


def test_expired_and_evicted_originals_are_not_found_and_their_rows_go(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = make_store(ttl_seconds=2 * HOUR, max_store_bytes=4000)
    first = store.put(app_log(30, "ERROR disk quota exceeded on /var"))
    store.search("quota")  # indexes it
    assert fts_rows(store) > 0
    clock.advance(3 * HOUR)
    assert store.search("quota").hits == ()
    store.sweep()
    assert fts_rows(store) == 0
    kept = store.put("ERROR disk quota exceeded again\n")
    assert [h.hash for h in store.search("quota").hits] == [kept] != [first]


def test_search_does_not_count_as_an_access(store: Store, clock: FakeClock) -> None:
    digest = store.put("session token refreshed for user 7\n")
    before = store.info(digest).last_access
    clock.advance(60)
    store.search("token refreshed")
    assert store.info(digest).last_access == before


def test_originals_stored_without_indexing_are_caught_up_within_a_budget(store: Store) -> None:
    handles = [store.put(f"job {k}: nightly export of invoices finished\n" * 200) for k in range(5)]
    size = store.info(handles[0]).size
    first = search_store(
        store, "invoices", limit=5, since=None, content_type=None, semantic=None, catch_up_bytes=size + 1
    )
    assert first.pending == 3  # one original fits the budget, the next starts while some is left; three wait
    assert store.unindexed() == 3
    assert "3 stored originals are not indexed for search yet" in first.render()
    assert len({h.hash for h in first.hits}) == 2
    second = store.search("invoices", limit=50)
    assert second.pending == 0 == store.unindexed()
    assert {h.hash for h in second.hits} == set(handles)


def test_indexing_twice_adds_nothing_and_a_gone_original_gives_none(store: Store) -> None:
    digest = store.put(app_log(100))
    chunks = store.index_for_search(digest)
    assert chunks
    rows = fts_rows(store)
    assert store.index_for_search(digest) == 0
    assert fts_rows(store) == rows == chunks
    assert store.index_for_search("0123456789abcdef") is None


def test_a_large_original_is_indexed_in_several_transactions_with_its_progress(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunk_search, "BATCH_BYTES", 4096)
    import ccr._search as search_module

    monkeypatch.setattr(search_module, "BATCH_BYTES", 4096)
    digest = store.put(app_log(2000, "FATAL heap exhausted in renderer", 1500))
    assert store.info(digest).size > 10 * 4096
    store.index_for_search(digest)
    searchable = Backdoor(store).searchable(digest)
    spans = Backdoor(store).chunk_spans(digest)
    assert searchable == store.info(digest).size
    assert spans[0][0] == 0 and spans[-1][1] == searchable
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert store.search("heap exhausted").hits[0].start_line <= 1501


def test_a_large_original_of_tiny_lines_is_chunked_by_characters_and_stays_searchable(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunk_search, "BY_CHARS_FROM", 4096)
    lines = [b"y\n"] * 40_000
    lines[31_337] = b"needle-7f3a\n"
    raw = b"".join(lines)
    digest = store.put(raw)
    written = store.index_for_search(digest)
    # 40-line chunks would be 1,000 of them; by characters (about 1,000 each) there are about 80.
    assert written is not None and written <= 2 * len(raw) // chunk_search.DEFAULT_MAX_CHARS
    spans = Backdoor(store).chunk_spans(digest)
    assert spans[0][0] == 0 and spans[-1][1] == len(raw)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    hit = store.search("needle-7f3a").hits[0]
    assert hit.start_line <= 31_338 <= hit.end_line
    # An original of ordinary lines, or a small one, keeps chunks of at most 40 lines.
    assert chunk_search.max_lines_for(len(raw), 400) == chunk_search.DEFAULT_MAX_LINES
    assert chunk_search.max_lines_for(4096, 40_000) == chunk_search.DEFAULT_MAX_LINES


def test_two_stores_indexing_one_original_at_once_write_its_chunks_once(make_store: StoreFactory) -> None:
    a, b = make_store(), make_store()
    digest = a.put(app_log(3000))
    barrier = threading.Barrier(2)

    def index(store: Store) -> None:
        barrier.wait(timeout=30)
        index_original(store, digest)

    threads = [threading.Thread(target=index, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    chunks = list(chunk_original(a.get(digest), "text"))
    assert fts_rows(a) == len(chunks)


@pytest.mark.sqlite_only
def test_orphaned_index_entries_are_cleared_once_they_outnumber_live_chunks(
    make_store: StoreFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunk_search, "_MIN_ORPHANS_TO_REBUILD", 10)
    store = make_store(ttl_seconds=HOUR)
    for k in range(4):
        store.search(f"warm {k}") if store.put(app_log(200, f"marker{k} lost")) else None
    clock.advance(2 * HOUR)
    store.sweep()
    survivor = store.put("marker9 lost and found\n")
    assert store.path is not None
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT value FROM search_meta WHERE key = 'orphans'").fetchone()[0] > 10
    assert [h.hash for h in store.search("marker9").hits] == [survivor]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT value FROM search_meta WHERE key = 'orphans'").fetchone()[0] == 0
        # The FTS table holds only the survivor's terms now: an old term matches nothing, even unjoined.
        assert conn.execute("SELECT count(*) FROM chunk_terms WHERE chunk_terms MATCH 'marker0'").fetchone()[0] == 0


def test_a_version_2_store_is_migrated_and_its_originals_become_searchable(headroom_home: Path) -> None:
    path = headroom_home / "ccr.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        for script in MIGRATIONS[:2]:
            for statement in _statements(script):
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO originals (hash, size, tokens, lines, content_type, source, created_at, last_access)"
            " VALUES ('00000000000000aa', 27, 5, 1, 'log', 'v2', 1e12, 1e12)"
        )
        conn.execute("INSERT INTO original_bytes (id, data) VALUES (1, ?)", (b"ERROR left over from v2 run\n",))
    with Store(Settings(home=headroom_home)) as store:
        hits = store.search("left over").hits
    assert [(h.hash, h.source) for h in hits] == [("00000000000000aa", "v2")]


@given(st.binary(min_size=1, max_size=3000), st.sampled_from(["text", "log", "json", "code", "markdown", "diff"]))
def test_chunk_byte_spans_partition_the_original_exactly(raw: bytes, content_type: str) -> None:
    pieces = list(chunk_original(raw, content_type))
    assert b"".join(raw[p.start_byte : p.end_byte] for p in pieces) == raw
    assert [p.start_byte for p in pieces[1:]] == [p.end_byte for p in pieces[:-1]]
    for p in pieces:
        assert p.text == raw[p.start_byte : p.end_byte].decode("utf-8", errors="replace")
        first_line = raw[: p.start_byte].count(b"\n") + 1
        assert p.start_line == first_line


@given(st.text(min_size=1, max_size=200))
def test_any_query_gives_a_match_expression_fts5_accepts(query: str) -> None:
    expression = match_expression(query)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (terms, content = '', tokenize = \"unicode61 tokenchars '._:/-'\")")
    conn.execute("INSERT INTO t (rowid, terms) VALUES (1, 'alpha beta')")
    if expression is not None:
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_non_utf8_originals_are_searchable_and_hits_show_their_lines(store: Store) -> None:
    raw = b"binary-ish \xff\xfe header\nERROR checksum mismatch in block 9\n\xc3 trailing\n"
    digest = store.put(raw)
    hit = store.search("checksum mismatch").hits[0]
    assert hit.hash == digest
    assert (2, "ERROR checksum mismatch in block 9") in hit.rows


def test_a_name_is_found_where_it_is_defined_before_where_it_is_used(store: Store) -> None:
    uses = [f"./src/mod{k}.py:{k + 3}:    encoder = IncrementalEncoder(errors)\n" for k in range(30)]
    uses.insert(15, "./src/codec.py:20:class IncrementalEncoder(Base):\n")
    grep = store.put("".join(uses))
    hits = store.search("Where is IncrementalEncoder defined?").hits
    assert hits[0].hash == grep
    assert (16, "./src/codec.py:20:class IncrementalEncoder(Base):") in hits[0].rows


def test_a_dotted_name_counts_where_its_parts_share_a_line_as_a_definition_writes_it(store: Store) -> None:
    body = "".join(f"// the render step {k} writes the body\n" for k in range(60))
    go = store.put(body + "func (c *Context) Render(code int, r render.Render) {\n" + body, content_type="code")
    store.put("".join(f"Context and render notes {k}: see the render docs.\n" for k in range(80)), content_type="text")
    hits = store.search("What is the signature of `Context.Render`?").hits
    assert hits[0].hash == go
    assert any("func (c *Context) Render" in text for _, text in hits[0].rows)


def test_a_hit_cut_to_its_matching_rows_still_shows_the_line_its_chunk_starts_with(store: Store) -> None:
    body = "".join(f"        step_{k} = compute({k})\n" for k in range(25))
    code = (
        "    def feature_sorted(self, names):\n"
        + body
        + "        # order the CPU features by interest\n"
        + "        return sorted(names, key=self.interest)\n"
    )
    digest = store.put(code, content_type="code")
    hit = store.search("in which order by interest").hits[0]
    assert hit.hash == digest and len(hit.rows) < code.count("\n")
    assert (1, "    def feature_sorted(self, names):") in hit.rows
    assert (27, "        # order the CPU features by interest") in hit.rows


def test_a_diagnostic_code_the_question_gives_is_an_exact_name(store: Store) -> None:
    ruff = store.put(
        "".join(f"src/mod{k}.py:{k + 1}:1: E501 Line too long ({k + 90} > 88)\n" for k in range(30))
        + "src/app.py:3:8: F401 [*] `os` imported but unused\nFound 31 errors.\n",
        content_type="log",
    )
    store.put(
        "".join(
            f"Ruff reported {k} problems where the linter reports unused names; see the report.\n" for k in range(9)
        ),
        content_type="text",
    )
    hit = store.search("Where is ruff's F401 reported, and what does it say?").hits[0]
    assert hit.hash == ruff
    assert any("F401" in text for _, text in hit.rows)
    assert identifiers("F401, E0425 and sha256 but not 3rd, 10ms or python3") == ["f401", "e0425", "sha256"]


def test_a_question_asked_alike_of_several_outputs_gets_each_of_them_before_more_of_one(store: Store) -> None:
    def run(name: str, failing: list[int], n: int = 160) -> str:
        rows = [f"tests/test_{name}.py::test_case_{k} PASSED" for k in range(n)]
        for k in failing:
            rows[k] = f"tests/test_{name}.py::test_case_{k} FAILED: assert {k} == {k + 1}, the test failed"
        return "\n".join(rows) + "\n"

    busy = store.put(run("busy", [5, 6, 45, 46, 85, 86, 125, 126]), content_type="log")
    quiet = [store.put(run(name, [70]), content_type="log") for name in ("parse", "render")]
    hits = store.search("Which tests failed, and why?", limit=3).hits
    assert {hit.hash for hit in hits} == {busy, *quiet}
    # An original that answers far better than the others still gives its next chunks.
    ranked = store.search("Which tests of test_busy failed, and why?", limit=3).hits
    assert [hit.hash for hit in ranked] == [busy] * 3


def test_rows_a_hit_has_left_show_what_its_best_match_introduces(store: Store) -> None:
    context = "".join(f" line_{k} = {k}\n" for k in range(8))
    diff = (
        "diff --git a/app/core.py b/app/core.py\nindex 640ea67..422fafe 100644\n"
        "--- a/app/core.py\n+++ b/app/core.py\n"
        "@@ -8,8 +8,8 @@ imports\n" + context + "-import os\n+import sys\n"
        "@@ -43,7 +43,7 @@ class Piece:\n         return self.count > 0\n \n \n"
        "-_Native = Callable[[str], list[str]]\n+_Kind = Literal['log', 'search']\n \n \n def _clean(text):\n"
    )
    digest = store.put(diff, content_type="diff")
    hit = store.search("How did app/core.py change near `class Piece:`?").hits[0]
    assert hit.hash == digest and len(hit.rows) <= 12 < diff.count("\n")
    shown = [text for _, text in hit.rows]
    assert "@@ -43,7 +43,7 @@ class Piece:" in shown
    assert "-_Native = Callable[[str], list[str]]" in shown and "+_Kind = Literal['log', 'search']" in shown


def test_a_question_for_the_newest_entries_gets_the_end_of_the_output_its_words_found(store: Store) -> None:
    rows = [f"2025-03-01 10:{k // 60:02d}:{k % 60:02d} worker-{k % 3} processed batch {k}" for k in range(200)]
    rows[5] = "2025-03-01 10:00:05 log rotation: entries before this one are archived"
    digest = store.put("\n".join(rows) + "\n", content_type="log")
    hits = store.search("What are the newest entries of this log?").hits
    end = next(hit for hit in hits if hit.hash == digest and hit.end_line == 200)
    assert end.rows[-1] == (200, rows[-1]) and len(end.rows) <= 12
    assert hits[0] == end
