"""Line ranges and query-scoped excerpts of stored originals, on small inputs written by hand."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rustcore
from ccr import Excerpt, InputError, RangeError, Store, split_lines

SHARED_FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

LOG = "\n".join(
    [
        "2024-05-01 10:00:00 INFO  server started on port 8080",
        "2024-05-01 10:00:01 INFO  connected to database primary",
        "2024-05-01 10:00:02 INFO  cache warmed: 1200 keys",
        "2024-05-01 10:00:03 WARN  slow query took 2300 ms",
        "2024-05-01 10:00:04 INFO  request GET /health 200",
        "2024-05-01 10:00:05 ERROR payment gateway timeout after 30 s (order 8812)",
        "2024-05-01 10:00:06 INFO  request GET /health 200",
        "2024-05-01 10:00:07 INFO  request GET /health 200",
        "2024-05-01 10:00:08 INFO  request GET /health 200",
        "2024-05-01 10:00:09 INFO  shutting down",
    ]
)


def test_lines_returns_the_range_with_original_line_numbers(store: Store) -> None:
    handle = store.put("alpha\nbeta\ngamma\ndelta\n")
    excerpt = store.lines(handle, 2, 3)
    assert excerpt.rows == ((2, "beta"), (3, "gamma"))
    assert excerpt.render() == "    2| beta\n    3| gamma"
    assert excerpt.total_lines == 4
    assert not excerpt.truncated
    assert excerpt.notes == ()
    assert excerpt.query is None


def test_lines_past_the_end_are_clamped_to_the_last_line_and_the_note_says_so(store: Store) -> None:
    handle = store.put("one\ntwo\nthree")
    excerpt = store.lines(handle, 2, 99)
    assert excerpt.rows == ((2, "two"), (3, "three"))
    assert excerpt.notes == ("end clamped to the last line, 3",)
    assert excerpt.render().endswith("[end clamped to the last line, 3]")


def test_a_range_starting_past_the_end_raises_range_error_naming_the_line_count(store: Store) -> None:
    handle = store.put("one\ntwo\n")
    with pytest.raises(RangeError, match="has 2 lines"):
        store.lines(handle, 3, 4)


@pytest.mark.parametrize(("start", "end"), [(0, 2), (-1, 3), (3, 2)])
def test_a_range_that_is_not_one_raises_range_error(store: Store, start: int, end: int) -> None:
    handle = store.put("one\ntwo\nthree\n")
    with pytest.raises(RangeError, match=f"lines={start}-{end}"):
        store.lines(handle, start, end)


def test_an_empty_original_has_no_lines_to_return(store: Store) -> None:
    handle = store.put(b"")
    with pytest.raises(RangeError, match="is empty"):
        store.lines(handle, 1, 1)


def test_crlf_ends_one_line_and_the_cr_is_not_shown(store: Store) -> None:
    handle = store.put("first\r\nsecond\r\nthird")
    assert store.lines(handle, 1, 3).rows == ((1, "first"), (2, "second"), (3, "third"))


def test_lines_with_a_token_cap_stop_early_and_say_where_to_resume(store: Store) -> None:
    text = "".join(f"line number {i} with some words to count\n" for i in range(1, 201))
    handle = store.put(text)
    excerpt = store.lines(handle, 1, 200, max_tokens=300)
    assert excerpt.truncated
    assert excerpt.tokens <= 300
    last = excerpt.rows[-1][0]
    assert [n for n, _ in excerpt.rows] == list(range(1, last + 1))
    assert f"lines={last + 1}-200" in excerpt.render()


@SHARED_FIXTURES
@given(
    text=st.text(alphabet=st.sampled_from("ab \n\r\t"), max_size=300),
    bounds=st.tuples(st.integers(1, 40), st.integers(0, 40)),
)
def test_any_range_inside_the_original_returns_exactly_those_lines(
    store: Store, text: str, bounds: tuple[int, int]
) -> None:
    lines = split_lines(text)
    start, length = bounds
    handle = store.put(text)
    if start > len(lines):
        with pytest.raises(RangeError):
            store.lines(handle, start, start + length)
        return
    excerpt = store.lines(handle, start, start + length)
    end = min(start + length, len(lines))
    assert excerpt.rows == tuple((n, lines[n - 1]) for n in range(start, end + 1))
    assert excerpt.tokens == rustcore.count_tokens(excerpt.render())


def test_query_finds_the_matching_line_and_shows_it_with_its_number(store: Store) -> None:
    handle = store.put(LOG)
    excerpt = store.query(handle, "why did the payment time out?")
    assert (6, LOG.splitlines()[5]) in excerpt.rows
    assert "    6| 2024-05-01 10:00:05 ERROR payment gateway timeout" in excerpt.render()
    assert excerpt.query == "why did the payment time out?"


def test_query_rows_keep_original_order_with_a_gap_row_between_distant_lines(store: Store) -> None:
    text = "\n".join([f"filler line {i}" for i in range(1, 41)])
    text = text.replace("filler line 5", "alpha marker here").replace("filler line 30", "omega marker here")
    handle = store.put(text)
    excerpt = store.query(handle, "marker", max_tokens=200)
    numbers = [n for n, _ in excerpt.rows]
    assert numbers == sorted(numbers)
    assert {5, 30} <= set(numbers)
    rendered = excerpt.render().splitlines()
    assert "  ..." in rendered
    gap = rendered.index("  ...")
    assert int(rendered[gap - 1].split("|")[0]) + 1 < int(rendered[gap + 1].split("|")[0])


def test_query_matches_parts_of_camel_and_snake_case_identifiers(store: Store) -> None:
    text = "\n".join(
        [
            "def load_config(path):",
            "    return read(path)",
            "def getUserName(user_id):",
            "    return names[user_id]",
            "def unrelated():",
            "    pass",
        ]
    )
    handle = store.put(text)
    shown = {n for n, _ in store.query(handle, "user name", max_tokens=80).rows}
    assert 3 in shown
    assert 1 not in shown


def test_query_matches_numbers_and_abbreviated_hashes(store: Store) -> None:
    text = "\n".join(
        [
            "* Fix the parser, see #70",
            "* Rename the boolean type, see #71",
            "commit 53b8f08218796d95764c5252bccd8a50a173a6fb",
            "commit 0d6e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
        ]
    )
    handle = store.put(text)
    assert {n for n, _ in store.query(handle, "what was #71?", max_tokens=64).rows} >= {2}
    assert 3 in {n for n, _ in store.query(handle, "what did 53b8f08218 change?", max_tokens=64).rows}


def test_query_weighs_a_quoted_phrase_over_its_separate_words(store: Store) -> None:
    text = "\n".join(
        [
            "ok 1 parses the body",
            "not ok 2 parses the form",
            "ok 3 rejects not allowed methods",
            *[f"ok {i} something else" for i in range(4, 40)],
        ]
    )
    handle = store.put(text)
    excerpt = store.query(handle, "which tests are 'not ok'?", max_tokens=64)
    assert excerpt.rows[0][0] == 2 or (2, "not ok 2 parses the form") in excerpt.rows


def test_query_shows_the_block_a_matching_definition_opens(store: Store) -> None:
    text = "\n".join(
        [
            "class Session:",
            "    def close(self):",
            "        self.closed = True",
            "",
            "    def request(self, method, url, timeout=None):",
            "        prepared = self.prepare(method, url)",
            "        return self.send(prepared, timeout=timeout)",
            "",
            "    def other(self):",
            "        return 1",
        ]
    )
    handle = store.put(text)
    shown = {n for n, _ in store.query(handle, "request", max_tokens=200).rows}
    assert {5, 6, 7} <= shown


def test_query_adds_neighbouring_lines_as_context_when_the_budget_allows(store: Store) -> None:
    handle = store.put(LOG)
    shown = {n for n, _ in store.query(handle, "payment", max_tokens=400).rows}
    assert {5, 6, 7} <= shown


def test_query_on_compact_json_returns_whole_items_on_their_line(store: Store) -> None:
    items = [{"id": i, "name": f"user{i}", "role": "admin" if i == 7 else "reader"} for i in range(20)]
    text = json.dumps(items)
    handle = store.put(text)
    excerpt = store.query(handle, "which user is admin?", max_tokens=100)
    assert excerpt.rows[0] == (1, json.dumps(items[7]))
    assert all(n == 1 for n, _ in excerpt.rows)


def test_query_on_an_api_page_ranks_the_items_of_its_main_array(store: Store) -> None:
    page = {"total_count": 3, "items": [{"number": n, "title": t} for n, t in [(1, "a"), (2, "crash"), (3, "b")]]}
    handle = store.put(json.dumps(page))
    excerpt = store.query(handle, "crash", max_tokens=80)
    assert excerpt.rows[0] == (1, '{"number": 2, "title": "crash"}')


def test_query_on_pretty_json_returns_the_matching_lines(store: Store) -> None:
    items = [{"id": i, "status": "failed" if i == 3 else "ok"} for i in range(6)]
    text = json.dumps(items, indent=2)
    handle = store.put(text)
    lines = split_lines(text)
    excerpt = store.query(handle, "which one failed?", max_tokens=120)
    failed = lines.index('    "status": "failed"') + 1
    assert (failed, '    "status": "failed"') in excerpt.rows


@SHARED_FIXTURES
@given(budget=st.integers(64, 600), query=st.sampled_from(["request", "payment timeout", "zzz", "INFO 200"]))
def test_query_stays_within_its_token_budget_and_counts_exactly(store: Store, budget: int, query: str) -> None:
    handle = store.put(LOG * 20)
    excerpt = store.query(handle, query, max_tokens=budget)
    assert excerpt.tokens == rustcore.count_tokens(excerpt.render())
    assert excerpt.tokens <= budget


def test_a_query_that_matches_nothing_shows_the_first_lines_and_says_so(store: Store) -> None:
    handle = store.put(LOG)
    excerpt = store.query(handle, "kubernetes", max_tokens=100)
    assert excerpt.rows[0] == (1, LOG.splitlines()[0])
    assert "nothing matched the query" in excerpt.render()


def test_a_query_over_budget_says_how_many_matches_were_left_out(store: Store) -> None:
    text = "\n".join(f"ERROR disk {i} failed with a fairly long message about sector {i * 7}" for i in range(200))
    handle = store.put(text)
    excerpt = store.query(handle, "disk failed", max_tokens=150)
    assert excerpt.truncated
    assert "more matches did not fit in max_tokens=150" in excerpt.render()


def test_a_blank_query_or_a_tiny_budget_is_refused(store: Store) -> None:
    handle = store.put(LOG)
    with pytest.raises(InputError, match="query is empty"):
        store.query(handle, "   ")
    with pytest.raises(InputError, match="max_tokens=10"):
        store.query(handle, "payment", max_tokens=10)


def test_the_best_match_alone_over_budget_is_shown_cut_rather_than_dropped(store: Store) -> None:
    long_line = "needle " + "padding words " * 400
    handle = store.put(f"short line\n{long_line}\nanother short line")
    excerpt = store.query(handle, "needle", max_tokens=100)
    assert excerpt.rows[0][0] == 2
    assert excerpt.rows[0][1].startswith("needle padding")
    assert excerpt.rows[0][1].endswith("…")
    assert excerpt.tokens <= 100


def test_an_excerpt_as_a_dict_has_stable_keys(store: Store) -> None:
    handle = store.put(LOG)
    data = store.query(handle, "payment").to_dict()
    assert set(data) == {"hash", "query", "total_lines", "lines", "rows", "tokens", "truncated", "notes", "text"}
    assert data["hash"] == handle
    assert data["rows"][0].keys() == {"line", "text"}
    json.dumps(data)


def test_rendering_puts_a_gap_row_only_between_non_adjacent_lines() -> None:
    excerpt = Excerpt("0" * 16, ((1, "a"), (2, "b"), (9, "c"), (9, "d")), 10, 0, False)
    assert excerpt.render() == "    1| a\n    2| b\n  ...\n    9| c\n    9| d"
    assert excerpt.line_numbers == [1, 2, 9]
    assert excerpt.text == "a\nb\nc\nd"
