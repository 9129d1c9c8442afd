"""The search-results compressor: the matches asked about first, every omission marked per file."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import find_markers
from compressors._router import COMPRESSOR_FOR_TYPE
from tests.compressors.lines_helpers import (
    assert_compresses_within_budget,
    assert_corpus_shrinks_deterministically_without_a_query,
    assert_corpus_shrinks_keeping_needles,
    assert_every_line_accounted_for,
    assert_kept_lines_verbatim,
    assert_markers_resolve,
    compress_with,
)
from tests.conftest import Sample


def _run(text: str, query: str | None = None, budget: int | None = None) -> str:
    return compress_with("search", text, query, budget)


def _grep(files: int = 30, per_file: int = 20) -> str:
    out = []
    for f in range(files):
        for i in range(per_file):
            out.append(f"src/pkg{f % 5}/module_{f}.py:{10 + i * 7}:    result = transform(value_{i}, mode={i % 3})")
    return "\n".join(out) + "\n"


def test_search_results_are_routed_to_the_search_compressor() -> None:
    assert COMPRESSOR_FOR_TYPE["search"] == "search"


def test_the_definition_the_query_asks_for_is_kept_among_hundreds_of_uses() -> None:
    lines = _grep().splitlines()
    definition = "src/pkg2/module_12.py:44:def transform(value, mode=0):"
    lines.insert(250, definition)
    text = "\n".join(lines) + "\n"
    out = _run(text, query="Where is `transform` defined?")
    assert definition in out
    assert rustcore.count_tokens(out) < rustcore.count_tokens(text) / 10
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


@pytest.mark.parametrize(
    ("line", "query"),
    [
        (
            "internal/router.go:88:func (g *RouterGroup) Handle(method string, h HandlerFunc) IRoutes {",
            "Where is `RouterGroup.Handle` defined?",
        ),
        (
            "lib/response.js:212:res.sendFile = function sendFile(path, options, callback) {",
            "Where is res.sendFile implemented?",
        ),
        (
            "src/parser.rs:17:pub fn parse_header(input: &[u8]) -> Result<Header, Error> {",
            "where is parse_header defined",
        ),
        (
            "src/Gson.java:300:  public <T> T fromJson(String json, Class<T> classOfT) {",
            "What overloads of Gson.fromJson exist?",
        ),
        (
            "lib/util.ts:9:export function deepMerge<T>(a: T, b: Partial<T>): T {",
            "Where is the function deepMerge declared?",
        ),
    ],
)
def test_definitions_rank_first_across_languages(line: str, query: str) -> None:
    lines = _grep(files=20).splitlines()
    lines.insert(100, line)
    out = _run("\n".join(lines) + "\n", query=query)
    assert line in out


def test_a_file_the_query_names_keeps_its_matches() -> None:
    text = _grep(files=20)
    text += "".join(f"tools/warnings.py:{i}:    warn(msg, DeprecationWarning)\n" for i in (12, 40, 77))
    out = _run(text, query="What does the `warnings` module emit DeprecationWarning for?")
    for i in (12, 40, 77):
        assert f"tools/warnings.py:{i}:" in out


def test_omitted_matches_are_marked_per_file_with_their_line_range() -> None:
    text = _grep(files=4, per_file=50)
    out = _run(text, query="value_7 in module_2")
    assert "src/pkg2/module_2.py:59:    result = transform(value_7, mode=1)" in out
    markers = [m for m in find_markers(out) if m.unit == "matches"]
    assert markers
    module_2 = range(101, 151)
    # The file with a kept match has markers that stay inside it.
    assert any(m.lines is not None and m.lines[0] in module_2 and m.lines[1] in module_2 for m in markers)


def test_exact_repeats_are_dropped_and_unparseable_lines_kept() -> None:
    text = _grep(files=3, per_file=30)
    text = text.replace(
        "src/pkg1/module_1.py:17:", "grep: src/pkg1/module_1.py: binary file matches\nsrc/pkg1/module_1.py:17:"
    )
    text += "src/pkg0/module_0.py:10:    result = transform(value_0, mode=0)\n" * 5
    out = _run(text, query="transform")
    assert "grep: src/pkg1/module_1.py: binary file matches" in out


def test_ripgrep_headings_stay_above_their_kept_matches() -> None:
    blocks = []
    for f in range(25):
        blocks.append(f"src/mod{f}.rs")
        blocks += [f"{10 + i}:    let v{i} = compute({i});" for i in range(12)]
        blocks.append("")
    blocks[5 * 14 + 3] = "13:fn compute_total(items: &[Item]) -> u64 {"
    text = "\n".join(blocks) + "\n"
    out = _run(text, query="where is compute_total defined?")
    at = out.index("13:fn compute_total(items: &[Item]) -> u64 {")
    assert "src/mod5.rs" in out[:at]


def test_without_a_query_every_file_shows_its_first_matches() -> None:
    text = _grep(files=12, per_file=40)
    out = _run(text)
    for f in range(12):
        assert f"module_{f}.py:10:" in out


def test_results_that_interleave_files_still_get_few_markers() -> None:
    # Unsorted output (several greps concatenated, or a tool printing as it goes) switches file on every line.
    text = "".join(f"src/m{i % 50}.py:{i}:    value = helper(item_{i})\n" for i in range(20_000))
    out = _run(text, query="where is helper defined?")
    assert rustcore.count_tokens(out) <= 12_000
    assert len(find_markers(out)) < 200


def test_a_budget_is_honoured() -> None:
    text = _grep()
    out = _run(text, query="value_3", budget=300)
    assert rustcore.count_tokens(out) <= 300


def test_crlf_and_empty_input() -> None:
    text = _grep(files=5).replace("\n", "\r\n")
    out = _run(text, query="value_4 mode")
    assert_markers_resolve(text, out, rustcore.content_hash(text))
    assert "\r\n" in out
    assert _run("") == ""


_GREP_LINE = st.one_of(
    st.builds(
        lambda f, n, t: f"{f}:{n}:{t}",
        st.sampled_from(["a.py", "src/b.go", "lib/c d.js", "x"]),
        st.integers(min_value=0, max_value=99999),
        st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"), max_size=60),
    ),
    st.sampled_from(["--", "", "src/heading.rs", "12:fn x() {}", "Binary file y matches"]),
)


@given(
    lines=st.lists(_GREP_LINE, max_size=150),
    query=st.one_of(st.none(), st.text(max_size=30), st.just("where is `x` defined")),
    budget=st.one_of(st.none(), st.integers(min_value=40, max_value=3000)),
)
def test_any_search_output_compresses_within_budget_with_every_line_accounted_for(
    lines: list[str], query: str | None, budget: int | None
) -> None:
    text = "\n".join(lines)
    assert_compresses_within_budget("search", text, query, budget)


@pytest.mark.corpus
def test_corpus_search_results_shrink_and_keep_their_needles(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_keeping_needles(corpus, ("search",), "search")


@pytest.mark.corpus
def test_corpus_search_without_a_query_shrinks_deterministically(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_deterministically_without_a_query(corpus, ("search",))
