"""Mixed content: Markdown with fenced code, logs with embedded JSON; each part by its own compressor."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from structure_helpers import assert_markers_resolve, compress_checked, context, store_lines, through_pipeline

from ccr import InputError, LineIndex, find_markers
from compressors._code import CodeCompressor
from compressors._languages import parse
from compressors._mixed import MixedCompressor, split_segments

MIXED = MixedCompressor()

_PYTHON = '''import os


class Loader:
    """Reads settings files from a directory."""

    def __init__(self, root):
        self.root = root
        self.cache = {}
        self.misses = 0
        self.hits = 0
        self.order = []

    def load(self, name):
        path = os.path.join(self.root, name)
        if path in self.cache:
            self.hits += 1
            return self.cache[path]
        self.misses += 1
        with open(path) as handle:
            data = handle.read()
        self.cache[path] = data
        self.order.append(path)
        return data


def main():
    loader = Loader("/etc/app")
    for name in sorted(os.listdir(loader.root)):
        print(name, len(loader.load(name)))
    print("hits", loader.hits, "misses", loader.misses)
'''

_PROSE = (
    "The loader keeps every file it has read in memory, so a second read of the same name costs nothing. "
    "Nothing is ever evicted, which suits small configuration directories and nothing else."
)


def _readme() -> str:
    parts = ["# Settings loader", "", _PROSE, "", "## Usage", "", "Load the files like this:", "", "```python"]
    parts += [*_PYTHON.splitlines(), "```", ""]
    for k in range(10):
        parts += [f"## Note {k}", "", _PROSE, "", _PROSE, ""]
    parts += ["## Output", "", "```", "settings.toml 120", "hits 0 misses 1", "```", ""]
    return "\n".join(parts)


def _log_with_json() -> str:
    lines = []
    for k in range(40):
        lines.append(f"2024-05-01T10:{k:02d}:00Z INFO worker-{k % 3} handled request {k} in {k * 3} ms")
        if k == 20:
            record = {"request": k, "status": 500, "error": "upstream timed out", "items": list(range(30))}
            lines += json.dumps(record, indent=2).splitlines()
    return "\n".join(lines) + "\n"


def test_a_fenced_block_kept_by_the_prose_pass_is_compressed_as_code() -> None:
    text = _readme()
    ctx = context(text, query="How do I load settings? Show the usage of `Loader.load`.")
    out = MIXED.compress(text, ctx)
    assert "```python" in out
    assert "    def load(self, name):" in out
    assert "## Usage" in out
    assert ctx.tokens(out) < ctx.tokens(text)
    assert_markers_resolve(text, out, ctx)
    start = out.index("```python") + len("```python\n")
    block = out[start : out.index("```", start)]
    assert not any(node for node in [parse("python", block.encode()).root_node] if node.has_error)


def test_code_markers_inside_a_fence_name_lines_of_the_whole_document() -> None:
    text = _readme()
    ctx = context(text, query="What does `Loader.load` return?")
    out = MIXED.compress(text, ctx)
    lines = store_lines(text)
    fence_first = lines.index("```python") + 1
    fence_last = lines.index("```", fence_first)
    inside = [m for m in find_markers(out) if m.lines and fence_first < m.lines[0] <= fence_last]
    assert inside
    for marker in inside:
        first, last = marker.lines or (0, 0)
        assert last < fence_last + 1
        assert all(lines[i - 1] in _PYTHON.splitlines() for i in range(first, last + 1))
    init_body = lines.index("        self.misses = 0") + 1
    assert any(m.lines and m.lines[0] <= init_body <= m.lines[1] for m in inside)


def test_a_log_with_an_embedded_json_document_is_split_into_segments() -> None:
    text = _log_with_json()
    kinds = [(s.kind, s.first, s.last) for s in split_segments(LineIndex(text))]
    assert [k for k, _, _ in kinds] == ["text", "json", "text"]
    json_first, json_last = kinds[1][1], kinds[1][2]
    assert json.loads("".join(LineIndex(text).lines[json_first : json_last + 1]))["status"] == 500


def test_a_log_with_embedded_json_is_compressed_part_by_part() -> None:
    text = _log_with_json()
    ctx = context(text, query="Which request failed with status 500?")
    out = MIXED.compress(text, ctx)
    assert_markers_resolve(text, out, ctx)
    assert out.count("\n") <= text.count("\n")


def test_invalid_json_that_looks_like_json_stays_text() -> None:
    text = 'start\n{\n  "a": 1,\n  "b": [1, 2,\n}\n' + "line\n" * 20
    kinds = [s.kind for s in split_segments(LineIndex(text))]
    assert "json" not in kinds
    ctx = context(text)
    assert_markers_resolve(text, MIXED.compress(text, ctx), ctx)


def test_deeply_nested_json_inside_text_never_raises() -> None:
    nested = "[" * 2000 + "]" * 2000
    text = "before\n" + nested + "\nafter\n" * 10
    ctx = context(text)
    out = MIXED.compress(text, ctx)
    assert_markers_resolve(text, out, ctx)


def test_a_failing_sub_compressor_leaves_its_segment_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: CodeCompressor, text: str, ctx: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(CodeCompressor, "compress", broken)
    text = _readme()
    ctx = context(text, query="Show the usage of `Loader.load`.")
    out = MIXED.compress(text, ctx)
    assert "        self.order.append(path)" in out
    assert_markers_resolve(text, out, ctx)


@pytest.mark.parametrize("budget", [60, 150])
def test_the_budget_is_honoured(budget: int) -> None:
    for text in (_readme(), _log_with_json()):
        ctx = context(text, budget=budget, query="load settings")
        out = MIXED.compress(text, ctx)
        assert ctx.tokens(out) <= budget
        assert_markers_resolve(text, out, ctx)


@pytest.mark.parametrize("text", ["", "\n", "```", "```py\n", "{", "[1,\n2]\n", "\x00\x01\ufffd\udcff\n" * 3])
def test_odd_input_never_raises(text: str) -> None:
    ctx = context(text)
    assert_markers_resolve(text, MIXED.compress(text, ctx), ctx)


def test_crlf_line_endings_are_kept() -> None:
    text = _readme().replace("\n", "\r\n")
    ctx = context(text, query="Loader.load")
    out = MIXED.compress(text, ctx)
    assert "\n" not in out.replace("\r\n", "")
    assert_markers_resolve(text, out, ctx)


@given(
    parts=st.lists(
        st.sampled_from(
            ["# Title", "text line here", "```python", "```", "def f():", "    return 1", "{", '  "a": 1', "}", ""]
        ),
        max_size=60,
    ),
    query=st.none() | st.text(max_size=20),
    budget=st.none() | st.integers(40, 300),
)
def test_mixed_compression_properties(parts: list[str], query: str | None, budget: int | None) -> None:
    text = "\n".join(parts)
    ctx = context(text, query=query, budget=budget)
    compress_checked(MIXED, text, ctx)


@given(
    parts=st.lists(
        st.sampled_from(
            ["# Title", "text line here", "```python", "```", "def f():", "    return 1", "{", '  "a": 1', "}", ""]
        ),
        min_size=1,
        max_size=60,
    ),
    query=st.none() | st.text(max_size=20),
    budget=st.none() | st.integers(40, 300),
)
def test_through_the_pipeline_the_original_round_trips_and_every_marker_resolves(
    parts: list[str], query: str | None, budget: int | None
) -> None:
    # Blank input is refused before any compressor runs.
    with contextlib.suppress(InputError):
        through_pipeline("\n".join(parts), "mixed", query, budget)


def test_a_readme_and_a_log_round_trip_through_the_pipeline() -> None:
    for text in (_readme(), _log_with_json()):
        result, _ = through_pipeline(text, "mixed", "Loader.load status 500")
        assert result.tokens_after <= result.tokens_before
