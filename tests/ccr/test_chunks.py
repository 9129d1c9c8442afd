"""Chunking of originals: a bounded partition of the text that keeps line spans and follows the structure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccr._chunks import DEFAULT_MAX_CHARS, DEFAULT_MAX_LINES, Chunk, chunk_text
from ccr._lines import split_lines

CONTENT_TYPES = [None, "auto", "json", "code", "log", "search", "diff", "markdown", "html", "text", "mixed", "other"]
CATEGORY_TYPE = {
    "code": "code",
    "diff": "diff",
    "issue_thread": "markdown",
    "json_api": "json",
    "logs": "log",
    "prose": "markdown",
    "search": "search",
    "test_output": "log",
}


def with_newlines(text: str) -> list[str]:
    """The store's lines (`split_lines`) with the newline that ends each."""
    pieces = text.split("\n")
    return [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def assert_partition(text: str, chunks: list[Chunk], max_chars: int, max_lines: int) -> None:
    """The invariants every chunking keeps, checked against the text's own line division."""
    assert "".join(c.text for c in chunks) == text
    lines = with_newlines(text)
    assert len(lines) == len(split_lines(text))
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    offset = 0
    previous: Chunk | None = None
    for chunk in chunks:
        assert chunk.text
        assert len(chunk.text) <= max_chars
        assert 1 <= chunk.start_line <= chunk.end_line <= len(lines)
        assert chunk.end_line - chunk.start_line + 1 <= max_lines
        # The span names exactly the lines the chunk's first and last characters lie on.
        assert starts[chunk.start_line - 1] <= offset < starts[chunk.start_line]
        end = offset + len(chunk.text)
        assert starts[chunk.end_line - 1] < end <= starts[chunk.end_line]
        if previous is not None:
            at_line_start = offset in starts
            expected = previous.end_line + 1 if at_line_start else previous.end_line
            assert chunk.start_line == expected
        previous = chunk
        offset = end
    if text:
        assert chunks[0].start_line == 1
        assert chunks[-1].end_line == len(lines)


def assert_lines_once_when_they_fit(text: str, chunks: list[Chunk], max_chars: int) -> None:
    """Unless a line is longer than a chunk may be, every line lies in exactly one chunk."""
    if any(len(line) > max_chars for line in with_newlines(text)):
        return
    seen = [line for c in chunks for line in range(c.start_line, c.end_line + 1)]
    assert seen == list(range(1, len(split_lines(text)) + 1))


line_text = st.text(st.characters(exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=120)
line_end = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\u2028", "\x0c"])
texts = st.lists(st.tuples(line_text, line_end), max_size=80).map(lambda pairs: "".join(a + b for a, b in pairs))
bounds = st.tuples(st.integers(1, 400), st.integers(1, 30))


@given(text=texts | st.text(max_size=600), content_type=st.sampled_from(CONTENT_TYPES), bound=bounds)
def test_chunks_partition_the_text_and_cover_every_line_in_order(
    text: str, content_type: str | None, bound: tuple[int, int]
) -> None:
    max_chars, max_lines = bound
    chunks = chunk_text(text, content_type, max_chars=max_chars, max_lines=max_lines)
    assert_partition(text, chunks, max_chars, max_lines)
    assert_lines_once_when_they_fit(text, chunks, max_chars)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=10), children, max_size=6),
    max_leaves=60,
)


@given(value=json_values, indent=st.sampled_from([None, 0, 2, 4]), bound=bounds)
def test_json_of_any_shape_and_layout_is_partitioned(value: object, indent: int | None, bound: tuple[int, int]) -> None:
    text = json.dumps(value, indent=indent)
    chunks = chunk_text(text, "json", max_chars=bound[0], max_lines=bound[1])
    assert_partition(text, chunks, *bound)
    assert chunk_text(text, "json", max_chars=bound[0], max_lines=bound[1]) == chunks


def test_a_short_line_after_a_sliver_is_not_split_when_it_fits_a_chunk_of_its_own() -> None:
    # Found by hypothesis: the sliver rule cut the second line although it was shorter than a chunk.
    text = "\r\n" + "0" * 10 + "\n"
    chunks = chunk_text(text, max_chars=12, max_lines=2)
    assert "".join(c.text for c in chunks) == text
    assert [(c.start_line, c.end_line) for c in chunks] == [(1, 1), (2, 2)]


def test_empty_text_has_no_chunks() -> None:
    assert chunk_text("") == []


@pytest.mark.parametrize(("max_chars", "max_lines"), [(0, 10), (10, 0), (-5, 3)])
def test_bounds_below_one_are_refused(max_chars: int, max_lines: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        chunk_text("a\nb\n", max_chars=max_chars, max_lines=max_lines)


def test_a_pretty_json_array_is_cut_between_items_never_inside_one() -> None:
    items = [
        {"id": n, "name": f"user-{n}", "tags": ["a", "b", "c"][: n % 4], "bio": "x" * (n * 7 % 90)} for n in range(80)
    ]
    text = json.dumps(items, indent=2)
    chunks = chunk_text(text, "json")
    assert len(chunks) > 5
    for chunk in chunks[1:]:
        assert chunk.text.startswith("  {")
        assert json.loads("[" + chunk.text.rstrip().rstrip("]").rstrip().rstrip(",") + "]")


def test_minified_json_is_cut_between_items_on_its_one_line() -> None:
    items = [{"login": f"user{n}", "id": n, "url": f"https://example.test/users/user{n}"} for n in range(100)]
    text = json.dumps(items, separators=(",", ":"))
    chunks = chunk_text(text, "json")
    assert len(chunks) > 3
    assert all((c.start_line, c.end_line) == (1, 1) for c in chunks)
    for chunk in chunks[1:]:
        assert chunk.text.startswith('{"login":')


def test_an_object_wrapping_a_large_array_is_cut_between_the_array_items() -> None:
    payload = {"total_count": 60, "items": [{"title": f"issue {n}", "body": "text " * 30} for n in range(60)]}
    text = json.dumps(payload, indent=2)
    chunks = chunk_text(text, "json")
    assert all(c.text.startswith("    {") for c in chunks[1:])


def test_json_lines_are_cut_between_records() -> None:
    text = "".join(json.dumps({"level": "info", "n": n, "msg": "m" * (n % 50)}) + "\n" for n in range(200))
    chunks = chunk_text(text, "json")
    assert all(c.text.endswith("}\n") for c in chunks)


def test_text_that_is_not_json_after_all_is_still_chunked_by_lines() -> None:
    text = "[not json\n" + "plain line\n" * 300
    assert_partition(text, chunk_text(text, "json"), DEFAULT_MAX_CHARS, DEFAULT_MAX_LINES)


def test_python_functions_that_fit_are_never_split() -> None:
    functions = []
    for n in range(30):
        body = "".join(f"    value_{k} = compute({n}, {k})\n" for k in range(n % 9 + 1))
        decorator = "@cached\n" if n % 3 == 0 else ""
        functions.append(f"{decorator}def function_{n}(argument):\n    # step {n}\n{body}    return value_0\n")
    text = "import os\nimport sys\n\n\n" + "\n\n".join(functions)
    chunks = chunk_text(text, "code")
    assert len(chunks) > 3
    for chunk in chunks[1:]:
        assert chunk.text.startswith(("def function_", "@cached\ndef function_", "\n"))
        assert chunk.text.lstrip("\n").startswith(("def ", "@cached"))


@pytest.mark.parametrize("content_type", ["markdown", "mixed"])
def test_markdown_sections_that_fit_begin_their_own_chunks(content_type: str) -> None:
    sections = [
        f"## Section {n}\n\n" + f"Paragraph {n} says something useful. " * (n % 6 + 2) + "\n\n" for n in range(25)
    ]
    text = "# Title\n\n" + "".join(sections)
    chunks = chunk_text(text, content_type)
    assert all(c.text.startswith("## Section") for c in chunks[1:])


def test_a_fenced_block_is_not_cut_at_a_heading_inside_it() -> None:
    fence = "```sh\n# not a heading\necho hi\n```\n"
    text = "# Real\n\nintro\n\n" + fence + "\n## Next\n\ntext\n"
    chunks = chunk_text(text, "markdown", max_chars=30)
    assert not any(c.text.startswith("# not a heading") for c in chunks)


def test_a_stack_trace_stays_with_the_log_line_that_raised_it() -> None:
    entries = []
    for n in range(40):
        entries.append(f"2024-05-01 10:00:{n:02d} INFO request {n} served in {n}ms\n")
        if n % 7 == 3:
            entries.append(f"2024-05-01 10:00:{n:02d} ERROR handler failed\n")
            entries.append("java.lang.IllegalStateException: broken\n")
            entries.extend(f"\tat com.example.Handler.method{k}(Handler.java:{k})\n" for k in range(4))
    text = "".join(entries)
    chunks = chunk_text(text, "log", max_chars=400)
    assert not any(c.text.startswith(("\tat ", "java.lang")) for c in chunks)


def test_a_diff_is_cut_at_files_and_hunks() -> None:
    files = []
    for n in range(12):
        hunk = "".join(f"-old line {k}\n+new line {k}\n" for k in range(n % 5 + 2))
        files.append(
            f"diff --git a/f{n}.py b/f{n}.py\nindex 1..2 100644\n--- a/f{n}.py\n+++ b/f{n}.py\n@@ -1,3 +1,3 @@\n{hunk}"
        )
    text = "".join(files)
    chunks = chunk_text(text, "diff", max_chars=300)
    assert all(c.text.startswith(("diff --git", "@@")) for c in chunks[1:])


def test_search_results_are_cut_where_the_file_changes() -> None:
    lines = [f"src/module_{n // 5}.py:{n * 3}:    def handler_{n}(request):\n" for n in range(60)]
    chunks = chunk_text("".join(lines), "search", max_chars=400)
    for chunk in chunks[1:]:
        first = chunk.text.split(":", 1)[0]
        assert lines.index(chunk.text.splitlines(keepends=True)[0]) % 5 == 0, first


def test_one_long_line_is_cut_into_bounded_pieces_of_that_line() -> None:
    text = "word " * 2000
    chunks = chunk_text(text, max_chars=500)
    assert len(chunks) >= 20
    assert all((c.start_line, c.end_line) == (1, 1) and len(c.text) <= 500 for c in chunks)
    assert all(c.text.endswith(" ") for c in chunks)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chunk_spans_name_the_lines_the_store_returns_for_them(newline: str) -> None:
    text = "".join(f"line {n} \x0c\u2028 " + "x" * (n * 13 % 70) + newline for n in range(500))
    lines = split_lines(text)
    for chunk in chunk_text(text, "log"):
        assert (
            chunk.text.rstrip("\r\n").replace("\r\n", "\n").split("\n") == lines[chunk.start_line - 1 : chunk.end_line]
        )


@pytest.mark.corpus
def test_every_corpus_sample_is_partitioned_within_bounds(corpus: list[Any]) -> None:
    for sample in corpus:
        text = sample.read_text()
        for content_type in (CATEGORY_TYPE.get(sample.category), None):
            chunks = chunk_text(text, content_type)
            assert_partition(text, chunks, DEFAULT_MAX_CHARS, DEFAULT_MAX_LINES)
            assert_lines_once_when_they_fit(text, chunks, DEFAULT_MAX_CHARS)
