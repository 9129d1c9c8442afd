"""The code compressor: an outline that still parses, bodies elided with markers, the asked-for body kept."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from structure_helpers import (
    assert_kept_lines_verbatim,
    assert_markers_resolve,
    compress_checked,
    context,
    omitted_lines,
    store_lines,
    through_pipeline,
)

from ccr import InputError, find_markers
from compressors._code import CodeCompressor, looks_like_code
from compressors._code_check import read_source
from compressors._languages import LANGUAGES, guess_language, normalize_language, parse

CODE = CodeCompressor()

# One small file per language: a documented type, two functions with bodies worth eliding, one multi-line signature.
SOURCES: dict[str, str] = {
    "python": '''"""Inventory helpers.

The functions here keep a stock table in memory and report on it: how much
of each item there is, what was added and when, and which slots are empty.
Nothing is persisted; a process that stops loses the table.
"""

import math
from collections import Counter


class Stock:
    """A table of item counts.

    Counts never go below zero; removing more than is there empties the slot.
    Every change is written to the history, oldest first, so a report can
    replay it and check the totals against the counts.
    """

    def __init__(self, name: str, *, limit: int = 100) -> None:
        self.name = name
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.history: list[tuple[str, int]] = []
        self.closed = False

    def restock(
        self,
        item: str,
        amount: int,
    ) -> int:
        """Add `amount` of `item` and return the new count."""
        if self.closed:
            raise RuntimeError("closed")
        current = self.counts[item] + amount
        self.counts[item] = min(current, self.limit)
        self.history.append((item, amount))
        return self.counts[item]


def ratio_of_empty(stock: Stock) -> float:
    empty = [item for item, count in stock.counts.items() if count == 0]
    total = len(stock.counts)
    if total == 0:
        return 0.0
    value = len(empty) / total
    return math.floor(value * 100) / 100
''',
    "javascript": """'use strict';

const path = require('path');

/**
 * Resolve a request path against the root.
 * Rejects paths that climb above it.
 * Returns null when the path is unsafe.
 */
function resolveSafe(root, requested) {
  const joined = path.join(root, requested);
  if (!joined.startsWith(root)) {
    return null;
  }
  const normal = path.normalize(joined);
  return normal;
}

class Router {
  constructor(prefix) {
    this.prefix = prefix;
    this.routes = [];
    this.fallback = null;
    this.count = 0;
  }

  add(method, pattern, handler) {
    const route = { method, pattern, handler };
    this.routes.push(route);
    this.count += 1;
    return route;
  }
}

module.exports = { resolveSafe, Router };
""",
    "typescript": """import { readFile } from "fs/promises";

export interface Options {
  encoding: string;
  retries: number;
}

export async function loadConfig(path: string, options: Options): Promise<string> {
  let attempt = 0;
  while (attempt < options.retries) {
    try {
      return await readFile(path, { encoding: "utf8" });
    } catch (err) {
      attempt += 1;
    }
  }
  throw new Error(`cannot read ${path}`);
}

export class Cache<T> {
  private items = new Map<string, T>();

  get(key: string): T | undefined {
    const found = this.items.get(key);
    if (found === undefined) {
      return undefined;
    }
    this.items.delete(key);
    this.items.set(key, found);
    return found;
  }
}
""",
    "tsx": """import React, { useState } from "react";

type Props = { title: string; items: string[] };

export function List({ title, items }: Props): JSX.Element {
  const [open, setOpen] = useState<boolean>(false);
  const visible = open ? items : items.slice(0, 3);
  return (
    <section>
      <h2 onClick={() => setOpen(!open)}>{title}</h2>
      <ul>
        {visible.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
""",
    "go": """package store

import (
	"errors"
	"sync"
)

// Store keeps values by key.
type Store struct {
	mu    sync.Mutex
	items map[string][]byte
}

// Get returns the value stored under key.
func (s *Store) Get(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	value, ok := s.items[key]
	if !ok {
		return nil, errors.New("not found")
	}
	return value, nil
}

// Put stores value under key.
func (s *Store) Put(key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items == nil {
		s.items = make(map[string][]byte)
	}
	s.items[key] = value
}
""",
    "rust": """use std::collections::HashMap;

/// A counter of words.
pub struct Counter {
    counts: HashMap<String, usize>,
}

impl Counter {
    /// Count every word of `text`.
    pub fn feed(&mut self, text: &str) -> usize {
        let mut added = 0;
        for word in text.split_whitespace() {
            let entry = self.counts.entry(word.to_lowercase()).or_insert(0);
            *entry += 1;
            added += 1;
        }
        added
    }

    pub fn most_common(&self) -> Option<(&String, &usize)> {
        let mut best = None;
        for (word, count) in &self.counts {
            if best.map_or(true, |(_, c)| count > c) {
                best = Some((word, count));
            }
        }
        best
    }
}
""",
    "java": """package demo.shop;

import java.util.ArrayList;
import java.util.List;

public class Basket {
    private final List<String> items = new ArrayList<>();

    /**
     * Adds an item unless the basket is full.
     * Returns whether it was added.
     */
    public boolean add(String item, int limit) {
        if (items.size() >= limit) {
            return false;
        }
        items.add(item);
        System.out.println("added " + item);
        return true;
    }

    public int total(java.util.Map<String, Integer> prices) {
        int sum = 0;
        for (String item : items) {
            Integer price = prices.get(item);
            if (price != null) {
                sum += price;
            }
        }
        return sum;
    }
}
""",
    "c": """#include <stdio.h>
#include <stdlib.h>

struct buffer {
    char *data;
    size_t len;
};

/* Grow the buffer to hold at least `need` bytes. */
int buffer_grow(struct buffer *b, size_t need)
{
    char *next;
    if (b->len >= need) {
        return 0;
    }
    next = realloc(b->data, need);
    if (next == NULL) {
        return -1;
    }
    b->data = next;
    b->len = need;
    return 0;
}

void buffer_free(struct buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    fprintf(stderr, "freed buffer at %p\\n", (void *)b);
    fflush(stderr);
}
""",
    "cpp": """#include <string>
#include <vector>

namespace text {

class Splitter {
 public:
  explicit Splitter(char sep) : sep_(sep) {}

  std::vector<std::string> split(const std::string& input) const {
    std::vector<std::string> parts;
    std::string current;
    for (char c : input) {
      if (c == sep_) {
        parts.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    parts.push_back(current);
    return parts;
  }

 private:
  char sep_;
};

}  // namespace text
""",
}

# The line of each source that declares the function whose body must go, and a line of that body.
SIGNATURE_AND_BODY = {
    "python": ("    def __init__(self, name: str, *, limit: int = 100) -> None:", "        self.history"),
    "javascript": ("function resolveSafe(root, requested) {", "  const normal = path.normalize(joined);"),
    "typescript": (
        "export async function loadConfig(path: string, options: Options): Promise<string> {",
        "      attempt += 1;",
    ),
    "tsx": (
        "export function List({ title, items }: Props): JSX.Element {",
        "          <li key={item}>{item}</li>",
    ),
    "go": ("func (s *Store) Get(key string) ([]byte, error) {", "\tvalue, ok := s.items[key]"),
    "rust": ("    pub fn feed(&mut self, text: &str) -> usize {", "            added += 1;"),
    "java": ("    public int total(java.util.Map<String, Integer> prices) {", "                sum += price;"),
    "c": ("int buffer_grow(struct buffer *b, size_t need)", "    next = realloc(b->data, need);"),
    "cpp": (
        "  std::vector<std::string> split(const std::string& input) const {",
        "        parts.push_back(current);",
    ),
}


def _errors(language: str, text: str) -> int:
    count = 0
    stack = [parse(language, text.encode("utf-8")).root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        elif node.has_error:
            stack.extend(node.children)
    return count


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_bodies_are_elided_and_the_output_still_parses(language: str) -> None:
    source = SOURCES[language]
    ctx = context(source, language=language)
    out = CODE.compress(source, ctx)
    signature, body_line = SIGNATURE_AND_BODY[language]
    assert signature in store_lines(out)
    assert body_line not in out
    assert _errors(language, source) == 0
    assert _errors(language, out) == 0
    assert ctx.tokens(out) < ctx.tokens(source)
    assert_markers_resolve(source, out, ctx)
    assert_kept_lines_verbatim(source, out)
    body_number = next(i for i, line in enumerate(store_lines(source), 1) if line.startswith(body_line))
    assert body_number in omitted_lines(out)


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_every_omitted_line_is_named_by_exactly_one_marker(language: str) -> None:
    source = SOURCES[language]
    ctx = context(source, language=language)
    out = CODE.compress(source, ctx)
    kept = set(store_lines(out))
    covered: list[int] = []
    for marker in find_markers(out):
        assert marker.lines is not None
        covered += range(marker.lines[0], marker.lines[1] + 1)
    assert len(covered) == len(set(covered))
    for number, line in enumerate(store_lines(source), 1):
        assert number in covered or line in kept


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_the_language_is_guessed_when_detection_gave_none(language: str) -> None:
    source = SOURCES[language]
    guessed = guess_language(source)
    # TypeScript that uses no type syntax in the sample window is also fine JavaScript, and C is valid C++.
    acceptable = {
        language,
        *({"javascript"} if language == "typescript" else set()),
        *({"cpp"} if language == "c" else set()),
    }
    assert guessed in acceptable
    out = CODE.compress(source, context(source))
    assert SIGNATURE_AND_BODY[language][1] not in out


def test_language_names_and_extensions_are_normalised() -> None:
    assert normalize_language("Py") == "python"
    assert normalize_language(".rs") == "rust"
    assert normalize_language("c++") == "cpp"
    assert normalize_language("tsx") == "tsx"
    assert normalize_language("cobol") is None
    assert normalize_language(None) is None
    assert set(LANGUAGES) >= {"python", "javascript", "typescript", "tsx", "go", "rust", "java", "c", "cpp"}


def test_python_keeps_the_first_line_of_each_docstring_and_stays_valid() -> None:
    source = SOURCES["python"]
    out = CODE.compress(source, context(source, language="python"))
    assert '"""Inventory helpers.' in out
    assert '    """A table of item counts.' in out
    assert "Nothing is persisted." not in out
    assert "Counts never go below zero" not in out
    assert _errors("python", out) == 0


def test_a_multi_line_signature_is_kept_verbatim() -> None:
    source = SOURCES["python"]
    out = CODE.compress(source, context(source, language="python"))
    assert "    def restock(\n        self,\n        item: str,\n        amount: int,\n    ) -> int:\n" in out
    assert '        """Add `amount` of `item` and return the new count."""' in out


def test_the_function_the_question_names_is_kept_whole() -> None:
    source = SOURCES["go"]
    out = CODE.compress(source, context(source, language="go", query="What does `Store.Put` do when the map is nil?"))
    start = source.index("func (s *Store) Put")
    assert source[start:] in out
    assert "\tvalue, ok := s.items[key]" not in out


def test_a_question_in_plain_words_keeps_the_body_its_words_lead_to() -> None:
    source = """class Parser:
    def add_group(self, title):
        group = Group(self, title)
        self.groups.append(group)
        self.titles.add(title)
        return group

    def _check_conflicts(self, action):
        for group in self.mutually_exclusive_groups:
            others = [a for a in group.actions if a is not action and a.seen]
            if action in group.actions and others:
                raise ArgumentError(action, f"not allowed with {others[0].name}")
        return None

    def format_help(self):
        lines = [self.usage, self.description]
        for group in self.groups:
            lines.append(group.title)
        return "\\n".join(lines)
"""
    question = "How are mutually exclusive groups checked for conflicts?"
    out = CODE.compress(source, context(source, language="python", query=question))
    assert '                raise ArgumentError(action, f"not allowed with {others[0].name}")' in out
    assert "        lines = [self.usage, self.description]" not in out
    plain = CODE.compress(source, context(source, language="python"))
    assert "                raise ArgumentError" not in plain


def test_a_qualified_question_picks_the_method_of_that_class() -> None:
    source = """class A:
    def run(self, x):
        total = 0
        for i in range(x):
            total += i * 2
            if total > 1000:
                raise OverflowError(f"total {total} passed the limit at {i}")
        return total


class B:
    def run(self, y):
        result = []
        for j in range(y):
            result.append(j ** 3)
            if len(result) > 1000:
                raise OverflowError(f"{len(result)} results passed the limit at {j}")
        return result
"""
    out = CODE.compress(source, context(source, language="python", query="What does `B.run` return?"))
    assert "            result.append(j ** 3)" in out
    assert "            total += i * 2" not in out


def test_a_question_naming_an_identifier_keeps_the_bodies_that_use_it() -> None:
    source = SOURCES["c"]
    out = CODE.compress(source, context(source, language="c", query="Where is `realloc` called?"))
    assert "    next = realloc(b->data, need);" in out
    assert "    fflush(stderr);" not in out


def test_a_question_about_which_types_exist_collapses_type_bodies() -> None:
    source = SOURCES["cpp"]
    plain = CODE.compress(source, context(source, language="cpp"))
    types = CODE.compress(source, context(source, language="cpp", query="Which classes does this header define?"))
    assert "class Splitter {" in types
    assert "  explicit Splitter(char sep) : sep_(sep) {}" in plain
    assert "  explicit Splitter(char sep) : sep_(sep) {}" not in types
    assert _errors("cpp", types) == 0


def test_long_runs_of_one_line_declarations_keep_their_head_and_tail() -> None:
    lines = [f"pub const CODE_{i}: u32 = {i};" for i in range(60)]
    source = "\n".join(["use std::fmt;", "", *lines, ""])
    ctx = context(source, language="rust", query="What is `CODE_42`?")
    out = CODE.compress(source, ctx)
    assert lines[0] in out and lines[-1] in out
    assert "pub const CODE_42: u32 = 42;" in out
    assert "pub const CODE_20: u32 = 20;" not in out
    assert _errors("rust", out) == 0
    assert_markers_resolve(source, out, ctx)


def test_crlf_line_endings_are_kept() -> None:
    source = SOURCES["java"].replace("\n", "\r\n")
    ctx = context(source, language="java")
    out = CODE.compress(source, ctx)
    assert out != source
    assert "\n" not in out.replace("\r\n", "")
    assert_markers_resolve(source, out, ctx)
    assert_kept_lines_verbatim(source.replace("\r\n", "\n"), out.replace("\r\n", "\n"))


def test_a_file_with_syntax_errors_gains_no_new_ones() -> None:
    source = SOURCES["javascript"].replace("  add(method, pattern, handler) {", "  add(method, pattern handler) {{")
    ctx = context(source, language="javascript")
    out = CODE.compress(source, ctx)
    assert _errors("javascript", out) <= _errors("javascript", source)
    assert_markers_resolve(source, out, ctx)


@pytest.mark.parametrize(
    "text",
    ["", "\n", "x", "def f(): pass", "\x00\x01\x02 binary \xff\ufffd", "}}}{{{", "def f(:\n    return )\n" * 50],
)
def test_odd_input_never_raises(text: str) -> None:
    for language in (None, "python", "c"):
        ctx = context(text, language=language)
        out = CODE.compress(text, ctx)
        assert_markers_resolve(text, out, ctx)


def test_a_very_long_line_is_cut_with_a_chars_marker() -> None:
    source = SOURCES["javascript"] + "const table = '" + "x" * 50_000 + "';\n"
    ctx = context(source, language="javascript")
    out = CODE.compress(source, ctx)
    assert len(out) < 10_000
    assert any(m.unit == "chars" for m in find_markers(out))
    assert_markers_resolve(source, out, ctx)


def test_text_with_mixed_encodings_is_compressed_without_error() -> None:
    source = SOURCES["python"].replace("Inventory helpers.", "Inventaire \udcff des stocks \ufffd")
    ctx = context(source, language="python")
    out = CODE.compress(source, ctx)
    assert "Inventaire" in out
    assert_markers_resolve(source, out, ctx)


@pytest.mark.slow
def test_a_ten_megabyte_file_is_compressed_without_parsing_it() -> None:
    head, _, rest = SOURCES["go"].partition("// Store keeps")
    rest = "// Store keeps" + rest
    copies = 10 * 1024 * 1024 // len(rest)
    source = head + "".join(rest.replace("Store", f"Store{i}") for i in range(copies))
    ctx = context(source, language="go")
    out = CODE.compress(source, ctx)
    assert len(out) < len(source)
    assert_markers_resolve(source, out, ctx)


def test_a_file_of_many_definitions_is_outlined_whole() -> None:
    head, _, rest = SOURCES["go"].partition("// Store keeps")
    rest = "// Store keeps" + rest
    source = head + "".join(rest.replace("Store", f"Store{i}") for i in range(400))
    ctx = context(source, language="go")
    out = CODE.compress(source, ctx)
    assert "func (s *Store399) Put(key string, value []byte) {" in out
    assert "\tvalue, ok := s.items[key]" not in out
    assert _errors("go", out) == 0
    assert_markers_resolve(source, out, ctx)


@pytest.mark.parametrize("budget", [60, 120, 250])
def test_the_budget_is_honoured(budget: int) -> None:
    source = "\n\n".join(SOURCES[lang] for lang in ("python",) * 3)
    ctx = context(source, language="python", budget=budget, query="What does `ratio_of_empty` return?")
    out = CODE.compress(source, ctx)
    assert ctx.tokens(out) <= budget
    assert_markers_resolve(source, out, ctx)


def test_under_a_budget_the_relevant_function_outlives_the_rest() -> None:
    source = SOURCES["python"]
    ctx = context(source, language="python", budget=180, query="What does `ratio_of_empty` return?")
    out = CODE.compress(source, ctx)
    assert "def ratio_of_empty(stock: Stock) -> float:" in out
    assert ctx.tokens(out) <= 180


_identifier = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)


@st.composite
def python_sources(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(_identifier)
        body = draw(
            st.lists(st.sampled_from(["x = 1", "y = x + 2", "return y", "pass", "# note", '"""doc"""']), max_size=8)
        )
        params = ", ".join(draw(st.lists(_identifier, max_size=3, unique=True)))
        indent = draw(st.sampled_from(["    ", "\t"]))
        parts.append(f"def {name}({params}):\n" + "".join(f"{indent}{line}\n" for line in body or ["pass"]))
    noise = draw(st.text(max_size=40))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return (noise + "\n" + "\n".join(parts)).replace("\n", ending)


@given(
    source=python_sources() | st.text(max_size=300),
    query=st.none() | st.text(max_size=30),
    budget=st.none() | st.integers(40, 400),
    language=st.sampled_from([None, "python", "javascript", "go", "rust"]),
)
def test_code_compression_properties(source: str, query: str | None, budget: int | None, language: str | None) -> None:
    ctx = context(source, query=query, budget=budget, language=language)
    out = compress_checked(CODE, source, ctx)
    if not find_markers(out):
        assert out == source or budget is not None


def test_corpus_code_samples_keep_their_needles_and_shrink(corpus: list) -> None:  # type: ignore[type-arg]
    samples = [s for s in corpus if s.category == "code"]
    assert samples
    kept = total = 0
    for sample in samples:
        text = sample.read_text()
        ctx = context(text, query=sample.query)
        out = CODE.compress(text, ctx)
        assert ctx.tokens(out) < ctx.tokens(text)
        assert_markers_resolve(text, out, ctx)
        assert_kept_lines_verbatim(text, out)
        kept += sum(needle in out for needle in sample.needles)
        total += len(sample.needles)
    # Measured: every needle of the dev samples is kept; the floor leaves room for other files.
    assert kept >= 0.95 * total


def test_markers_name_line_ranges_that_hold_only_body_lines() -> None:
    source = SOURCES["rust"]
    out = CODE.compress(source, context(source, language="rust"))
    lines = store_lines(source)
    for marker in find_markers(out):
        assert marker.lines is not None
        first, last = marker.lines
        block = lines[first - 1 : last]
        assert not any(re.match(r"\s*pub fn ", line) for line in block)


_CHANGELOG = "\n".join(
    line
    for v in range(30, 0, -1)
    for line in (
        f"## 1.{v}.0 (May {v}, 2024)",
        "",
        f"* Fix the retry loop in the uploader when the server closes early (#{200 + v})",
        f"* Document the `timeout` option of `Client.send` and its default of {v} seconds (#{300 + v})",
        "",
    )
)


def test_markdown_is_not_guessed_to_be_code() -> None:
    readme = (
        "# Tool\n\nInstall it and run it like this:\n\n```python\nimport tool\n\ndef main():\n    tool.run()\n```\n\n"
    )
    readme += "See [the guide](https://example.org/guide) for the options. It explains each of them in turn.\n" * 3
    assert guess_language(readme) is None
    assert guess_language(_CHANGELOG) is None


def test_a_changelog_sent_as_code_gets_the_prose_treatment() -> None:
    ctx = context(_CHANGELOG, language="python", query="When was the timeout of Client.send documented as 7 seconds?")
    out = CODE.compress(_CHANGELOG, ctx)
    assert "## 1.7.0 (May 7, 2024)" in out and "## 1.29.0 (May 29, 2024)" in out
    assert "of 7 seconds (#307)" in out
    assert ctx.tokens(out) < ctx.tokens(_CHANGELOG) / 2
    assert_markers_resolve(_CHANGELOG, out, ctx)


def test_source_sent_as_text_gets_the_code_treatment() -> None:
    from compressors._prose import ProseCompressor

    source = SOURCES["python"]
    ctx = context(source)
    out = ProseCompressor().compress(source, ctx)
    assert out == CODE.compress(source, context(source, language="python"))
    assert "    def __init__(self, name: str, *, limit: int = 100) -> None:" in out


@given(
    source=python_sources(),
    query=st.none() | st.text(max_size=30),
    budget=st.none() | st.integers(40, 400),
)
def test_through_the_pipeline_the_original_round_trips_and_every_marker_resolves(
    source: str, query: str | None, budget: int | None
) -> None:
    # Empty or binary-looking: the pipeline refuses it before any compressor runs.
    with contextlib.suppress(InputError):
        through_pipeline(source, "code", query, budget)


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_every_language_round_trips_through_the_pipeline(language: str) -> None:
    result, _ = through_pipeline(SOURCES[language] * 3, "code", "What does this file define?")
    assert result.compressor == "code"
    assert result.tokens_after < result.tokens_before


def test_a_type_defined_inside_a_function_keeps_its_header() -> None:
    source = """#include <vector>

template <typename T> auto collect(const std::vector<T>& items) -> std::vector<T> {
  std::vector<T> out;
  out.reserve(items.size());
  if (items.empty()) {
    return out;
  }
  const auto limit = items.size() > 1000 ? items.size() / 2 : items.size();
  struct keeper {
    bool wanted(const T& item) const { return item != T(); }
  };
  keeper k;
  for (const auto& item : items) {
    if (out.size() < limit && k.wanted(item)) out.push_back(item);
  }
  return out;
}
"""
    for query in (None, "Which structs does this header define?"):
        ctx = context(source, language="cpp", query=query)
        out = CODE.compress(source, ctx)
        assert "  struct keeper {" in out
        assert "  out.reserve(items.size());" not in out
        assert _errors("cpp", out) == 0
        assert_markers_resolve(source, out, ctx)


# Sources whose strings, comments, regular expressions and templates hold brackets: a tokenizer that
# misread any of them would misplace a body and break the output.
TRICKY: dict[str, tuple[str, str]] = {
    "python": (
        r'''def render(name, items):
    head = f"{name!r}: {{" + f'{items["k"]:>{8}}'
    tail = """}
    ]"""
    # ) ] }
    rows = [line for line in items if line != "("]
    total = len(rows) + len(head) + len(tail)
    total += sum(len(row) for row in rows)
    return head + str(total) + tail


def after(x):
    y = x * 2
    z = y + 1
    w = z * 3
    return w
''',
        "    rows = [line for line in items",
    ),
    "javascript": (
        r"""function route(path) {
  const re = /^\/(\w+)\/{2}[}]$/;
  const msg = `no ${path.replace(/}/g, '')} {`;
  if (re.test(path)) /x}/.exec(path);
  const half = path.length / 2 / (1 + 1);
  return msg + half;
}

function after(x) {
  const y = x * 2;
  const z = y + 1;
  return z * 3;
}
""",
        "  const half = path.length",
    ),
    "tsx": (
        r"""export function Note({ text }: { text: string }): JSX.Element {
  const n = text.length;
  return (
    <p title="{">
      Don't {text} here, it's '{n}'
    </p>
  );
}

export function After(x: number): number {
  const y = x * 2;
  const z = y + 1;
  return z * 3;
}
""",
        "      Don't {text} here",
    ),
    "rust": (
        r"""fn quote(s: &str) -> String {
    let raw = r#"{"}"#;
    let c = '{';
    let life: &'static str = "}";
    /* a /* nested } */ comment */
    let n = raw.len() + s.len();
    if n > 100 {
        return String::new();
    }
    format!("{}{}{}{}", raw, c, life, s)
}

fn after(x: u32) -> u32 {
    let y = x * 2;
    let z = y + 1;
    z * 3
}
""",
        "    let raw = r#",
    ),
    "go": (
        r"""func quote(s string) string {
	raw := `{
}`
	r := '}'
	msg := "}{"
	n := len(raw) + len(msg) + len(s)
	if n > 100 {
		msg = msg[:10]
	}
	return raw + string(r) + msg + s
}

func after(x int) int {
	y := x * 2
	z := y + 1
	return z * 3
}
""",
        "\tmsg := ",
    ),
    "cpp": (
        r"""std::string quote(const std::string& s) {
  auto raw = R"x(})")x";
  char c = '}';
  long n = 1'000'000;
  if (s.size() > 100) {
    n = 0;
  }
  return raw + std::string(1, c) + std::to_string(n) + s;
}

int after(int x) {
  int y = x * 2;
  int z = y + 1;
  return z * 3;
}
""",
        "  char c = ",
    ),
    "java": (
        r'''class Quote {
    String quote(String s) {
        String block = """
            }{
            """;
        char c = '}';
        if (s.length() > 100) {
            s = s.substring(0, 10);
        }
        return block + c + s;
    }

    int after(int x) {
        int y = x * 2;
        int z = y + 1;
        return z * 3;
    }
}
''',
        "        char c = ",
    ),
}


@pytest.mark.parametrize("language", sorted(TRICKY))
def test_brackets_inside_strings_comments_and_regexes_do_not_misplace_a_body(language: str) -> None:
    source, body_line = TRICKY[language]
    ctx = context(source, language=language)
    out = CODE.compress(source, ctx)
    assert _errors(language, source) == 0
    assert _errors(language, out) == 0
    assert body_line not in out
    assert "after(" in out or "After(" in out
    assert_markers_resolve(source, out, ctx)
    assert_kept_lines_verbatim(source, out)


def test_alternative_function_heads_under_ifdef_keep_the_header_balanced() -> None:
    source = (
        "#include <stdio.h>\n\n#ifdef LEGACY\nint open_file(const char *name)\n{\n#else\n"
        "int open_file(const char *name, int flags)\n{\n#endif\n    int fd = -1;\n    if (name == NULL) {\n"
        '        return fd;\n    }\n    fd = 3;\n    printf("%s %d\\n", name, fd);\n    return fd;\n}\n'
    )
    ctx = context(source, language="c")
    out = CODE.compress(source, ctx)
    assert _errors("c", out) <= _errors("c", source)
    assert "    printf(" not in out
    assert_markers_resolve(source, out, ctx)


@st.composite
def rich_python_sources(draw: st.DrawFn) -> str:
    """Python with what the outline treats specially: docstrings, decorators, classes, nested defs,
    long literals, comment runs and one-line runs."""
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append('"""Module doc.\n\nMore about it.\nAnd more.\n"""\n')
    for k in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["def", "class", "literal", "comments", "run", "if"]))
        if kind == "def":
            deco = "@cache\n" if draw(st.booleans()) else ""
            doc = '    """Doc line.\n\n    Details.\n    """\n' if draw(st.booleans()) else ""
            inner = "    def inner(y):\n        return y + 1\n" if draw(st.booleans()) else ""
            lines = "".join(f"    v{i} = {i} * x\n" for i in range(draw(st.integers(1, 6))))
            parts.append(f"{deco}def f{k}(x):\n{doc}{inner}{lines}    return x\n")
        elif kind == "class":
            parts.append(
                f'class C{k}:\n    """A class.\n\n    Long doc.\n    More doc.\n    """\n\n'
                f"    def m(self, a):\n        b = a * 2\n        c = b + 1\n        return c\n"
            )
        elif kind == "literal":
            items = "".join(f'    "k{i}": {i},\n' for i in range(draw(st.integers(8, 14))))
            parts.append(f"TABLE{k} = {{\n{items}}}\n")
        elif kind == "comments":
            parts.append("".join(f"# comment line {i}\n" for i in range(draw(st.integers(3, 6)))))
        elif kind == "run":
            parts.append("".join(f"CONST_{k}_{i} = {i}\n" for i in range(draw(st.integers(12, 20)))))
        else:
            parts.append('if __name__ == "__main__":\n    a = 1\n    b = 2\n    c = a + b\n    print(c)\n')
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return "\n\n".join(parts).replace("\n", ending)


@given(source=rich_python_sources(), query=st.none() | st.sampled_from(["What does `f1` do?", "`C2.m`", "CONST"]))
def test_python_outputs_parse_whenever_the_input_does(source: str, query: str | None) -> None:
    ctx = context(source, language="python", query=query)
    out = compress_checked(CODE, source, ctx)
    assert _errors("python", source) == 0
    assert _errors("python", out) == 0
    assert_kept_lines_verbatim(source.replace("\r\n", "\n"), out.replace("\r\n", "\n"))


@st.composite
def brace_sources(draw: st.DrawFn) -> tuple[str, str]:
    """Go or JavaScript functions with nested blocks, literals and comment runs."""
    language = draw(st.sampled_from(["go", "javascript"]))
    parts: list[str] = []
    for k in range(draw(st.integers(1, 5))):
        body = "".join(
            draw(
                st.sampled_from(
                    ["\tx := 1\n", "\tif x > 0 {\n\t\tx--\n\t}\n", "\t// note\n", "\ty := []int{\n\t\t1,\n\t}\n"]
                )
            )
            for _ in range(draw(st.integers(1, 6)))
        )
        if language == "javascript":
            body = (
                body.replace(":=", "=")
                .replace("[]int{", "[")
                .replace("\t}\n", "\t}\n")
                .replace("\t\t1,\n\t}", "\t\t1,\n\t]")
            )
            body = body.replace("\tx = 1", "\tlet x = 1").replace("\ty = [", "\tconst y = [")
            parts.append(f"function f{k}(x) {{\n\tlet z = 0;\n{body}\treturn x;\n}}\n")
        else:
            parts.append(f"func f{k}(x int) int {{\n\tz := 0\n\t_ = z\n{body}\treturn x\n}}\n")
        if draw(st.booleans()):
            parts.append("".join(f"// doc line {i}\n" for i in range(4)))
    head = "package p\n\n" if language == "go" else ""
    return language, head + "\n".join(parts)


@given(case=brace_sources(), query=st.none() | st.just("What does `f1` do?"))
def test_brace_language_outputs_parse_whenever_the_input_does(case: tuple[str, str], query: str | None) -> None:
    language, source = case
    ctx = context(source, language=language, query=query)
    out = compress_checked(CODE, source, ctx)
    if _errors(language, source) == 0:
        assert _errors(language, out) == 0


def test_source_whose_head_is_a_long_module_docstring_still_reads_as_code() -> None:
    prose = " ".join(f"Sentence {i} explains how the heap keeps its smallest item at the top." for i in range(90))
    functions = "".join(
        f"def step_{i}(heap, item):\n    heap.append(item)\n    heap.sort()\n    return heap[{i % 3}]\n\n\n"
        for i in range(6)
    )
    source = f'"""{prose}\n"""\n\n{functions}'
    assert len(source.split('"""')[1]) > 4096
    assert looks_like_code(source) == "python"
    assert looks_like_code(prose + "\n") is None


def test_a_question_naming_a_c_declaration_keeps_it_and_lets_the_others_go() -> None:
    prototypes = "".join(
        f"/* Stream operation {i}: reads the stream and returns a count. */\n"
        f"extern int stream_op_{i} (void *stream,\n                        const char *mode, int flags);\n\n"
        for i in range(40)
    )
    source = f"#ifndef STREAM_H\n#define STREAM_H\n\n{prototypes}#endif\n"
    out = CODE.compress(source, context(source, language="c", query="What are the parameters of stream_op_17?"))
    assert "extern int stream_op_17 (void *stream," in out
    assert "extern int stream_op_30 (void *stream," not in out
    assert len(out) < len(source) // 3
    assert _errors("c", out) == 0


def test_a_wrong_language_hint_gives_way_to_the_language_that_reads_the_file() -> None:
    methods = "".join(
        f"""    pub fn field_{i}(&self, sep: char) -> Option<&'a str> {{
        let mut parts = self.text.split(sep);
        let first = parts.next()?;
        if first.starts_with('#') {{
            return None;
        }}
        parts.nth({i})
    }}

"""
        for i in range(8)
    )
    source = f"pub struct Reader<'a> {{\n    text: &'a str,\n}}\n\nimpl<'a> Reader<'a> {{\n{methods}}}\n"
    as_rust = CODE.compress(source, context(source, language="rust"))
    assert read_source("javascript", source).file.problems > 0
    assert CODE.compress(source, context(source, language="javascript")) == as_rust


def test_a_nested_function_kept_whole_shows_inside_the_elided_body_around_it() -> None:
    setup = "".join(f"        self.state_{i} = compute_{i}(self.config)\n" for i in range(12))
    source = f"""class Sidebar:
    def bind_events(self):
{setup}
        def update_selection_mark(y_coord):
            line = self.line_at(y_coord)
            first, last = sorted([self.start, line])
            self.select(first, last)
            return line

        self.on("drag", update_selection_mark)
{setup}"""
    out = CODE.compress(source, context(source, language="python", query="What does `update_selection_mark` do?"))
    assert "            first, last = sorted([self.start, line])\n" in out
    assert "self.state_5 = compute_5" not in out
    assert _errors("python", out) == 0
