"""Content detection: every kind of tool output goes to the compressor that understands it."""

from __future__ import annotations

from collections import defaultdict
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccr import CompressorError
from compressors import CONTENT_TYPES, Detection, available, detect
from compressors._router import COMPRESSOR_FOR_TYPE, resolve_content_type, type_for_name
from tests.conftest import Sample

# What each corpus category may be detected as. Documentation with fenced code is "mixed" content
# by the router's definition; issue threads are JSON API bodies or Markdown changelogs.
ACCEPTED = {
    "logs": {"log"},
    "test_output": {"log"},
    "search": {"search"},
    "json_api": {"json"},
    "code": {"code"},
    "diff": {"diff"},
    "prose": {"markdown", "text", "mixed"},
    "issue_thread": {"json", "markdown", "text", "mixed"},
    "build_output": {"log"},
    "shell_listing": {"listing"},
    "config": {"config"},
    "html": {"html"},
}
ACCURACY_FLOOR = 0.85


def test_every_content_type_has_a_compressor_name() -> None:
    assert set(COMPRESSOR_FOR_TYPE) == set(CONTENT_TYPES)
    for name in ("log", "search", "diff", "listing", "config", "fallback"):
        assert name in available()


def test_every_list_of_content_types_names_the_same_types() -> None:
    from mcp_server._cmd_search import SEARCH_CONTENT_TYPES
    from mcp_server._cmd_store import _TYPES
    from mcp_server.server._search import SearchContentType

    assert ("auto", *CONTENT_TYPES) == _TYPES
    assert SEARCH_CONTENT_TYPES == CONTENT_TYPES
    assert get_args(SearchContentType) == CONTENT_TYPES


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("server.py", "code"),
        ("values.yaml", "config"),
        ("Cargo.toml", "config"),
        ("Dockerfile", "config"),
        ("Dockerfile.prod", "config"),
        (".env.local", "config"),
        ("data.csv", "listing"),
        ("app.log", "log"),
        ("notes.txt", None),
        ("README", None),
    ],
)
def test_a_file_name_suggests_a_type(name: str, hint: str | None) -> None:
    assert type_for_name(name) == hint


def test_the_content_decides_and_the_name_only_hints() -> None:
    log = "".join(f"2024-05-01 10:00:{i % 60:02d} ERROR payment {i} declined by gateway\n" for i in range(80))
    # A log saved as .txt (no hint) or mislabelled as config is still a log.
    assert detect(log, name_hint=type_for_name("run.txt")).content_type == "log"
    assert detect(log, name_hint=type_for_name("run.yaml")).content_type == "log"
    # A YAML file that is mostly comments leans to config because its name says so.
    yaml = "# Settings for the app.\n# Edit with care, these are the defaults.\n" * 5 + "server:\n  port: 8080\n"
    assert detect(yaml, name_hint=type_for_name("app.yaml")).content_type == "config"


def _pip_output(*args: str) -> list[str]:
    """What this machine's pip prints for `args`, stdout and stderr together."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-color", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


def test_a_producers_hint_settles_a_close_call_but_not_a_clear_one() -> None:
    # Real output: the installed packages' table and the errors of an install that cannot succeed.
    table = _pip_output("list")
    errors = _pip_output("install", "--no-index", "no-such-package-headroom")
    assert len(table) >= 40 and any("ERROR" in line for line in errors)
    error_lines = [line for line in errors if "ERROR" in line]
    # Mostly table with a few errors after it: a listing whatever the command line suggests.
    clear = "\n".join(table[:40] + error_lines * 2) + "\n"
    assert detect(clear).content_type == "listing"
    assert detect(clear, "log").content_type == "listing"
    # As many error lines as half the rows: close enough for the producer's word to settle it.
    close = "\n".join(table[:12] + error_lines * 3) + "\n"
    assert detect(close).content_type == "listing"
    assert detect(close, "log").content_type == "log"
    # A hint the content shows nothing of is no help.
    assert detect(close, "diff").content_type == "listing"


@pytest.mark.corpus
def test_corpus_samples_are_detected_as_their_category(corpus: list[Sample]) -> None:
    right: dict[str, list[bool]] = defaultdict(list)
    for s in corpus:
        right[s.category].append(detect(s.read_text()).content_type in ACCEPTED[s.category])
    for category, hits in right.items():
        assert sum(hits) / len(hits) >= ACCURACY_FLOOR, category


@pytest.mark.corpus
def test_corpus_code_samples_get_a_language(corpus: list[Sample]) -> None:
    for s in corpus:
        if s.category == "code":
            found = detect(s.read_text())
            assert found.language in {"python", "javascript", "typescript", "go", "rust", "java", "c", "cpp"}, s.name


LANGUAGE_SAMPLES = {
    "python": """import os
from typing import Any


class Loader:
    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> Any:
        with open(self.path) as f:
            return f.read()
""",
    "javascript": """'use strict';

const path = require('path');

function resolve(p) {
  return path.resolve(p);
}

module.exports = { resolve };
""",
    "typescript": """export interface Options {
  strict: boolean;
  name: string;
}

export type Mode = 'a' | 'b';

export function make(o: Options): Mode {
  return o.strict ? 'a' : 'b';
}
""",
    "go": """package server

import (
\t"net/http"
)

type Server struct {
\taddr string
}

func (s *Server) Run() error {
\terr := http.ListenAndServe(s.addr, nil)
\tif err != nil {
\t\treturn err
\t}
\treturn nil
}
""",
    "rust": """use std::collections::HashMap;

#[derive(Debug)]
pub struct Cache {
    map: HashMap<String, u32>,
}

impl Cache {
    pub fn get(&self, k: &str) -> Option<u32> {
        self.map.get(k).copied()
    }
}
""",
    "java": """package com.example;

import java.util.List;

public class Repo {
  private final List<String> items;

  @Override
  public String toString() {
    return items.toString();
  }
}
""",
    "c": """#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    int v;
    struct node *next;
} node;

static node *push(node *h, int v) {
    node *n = malloc(sizeof(node));
    n->v = v;
    n->next = h;
    return n;
}
""",
    "cpp": """#include <vector>

namespace geo {

template <typename T>
class Polygon {
 public:
  explicit Polygon(std::vector<T> pts) : pts_(std::move(pts)) {}
 private:
  std::vector<T> pts_;
};

}  // namespace geo
""",
}


@pytest.mark.parametrize(("language", "source"), sorted(LANGUAGE_SAMPLES.items()))
def test_source_code_is_detected_with_its_language(language: str, source: str) -> None:
    assert detect(source) == Detection("code", language)


PYTEST = """============================= test session starts ==============================
platform linux -- Python 3.12.1, pytest-8.2.0
collected 2 items

tests/test_a.py .F                                                       [100%]

=================================== FAILURES ===================================
___________________________________ test_b ____________________________________

    def test_b():
>       assert parse("x") == 1
E       AssertionError: assert None == 1

tests/test_a.py:7: AssertionError
=========================== short test summary info ============================
FAILED tests/test_a.py::test_b - AssertionError: assert None == 1
========================= 1 failed, 1 passed in 0.02s ==========================
"""

GIT_DIFF = """diff --git a/x.py b/x.py
index 1..2 100644
--- a/x.py
+++ b/x.py
@@ -1,3 +1,3 @@
 def f():
-    return 1
+    return 2
"""

GIT_LOG_P = """commit 0123456789abcdef0123456789abcdef01234567
Author: A <a@b>
Date:   Mon Jan 1 2024

    fix

diff --git a/y.go b/y.go
--- a/y.go
+++ b/y.go
@@ -4 +4 @@
-a
+b
"""

MARKDOWN = """# Guide

This guide explains how the cache behaves when it is full.

## Eviction

- oldest first
- size capped

See [the docs](https://example.test/docs) for more.
"""

RST = """Configuration
=============

Applications need configuration that changes between environments.

.. code-block:: python

    app.config['X'] = 1
"""

MIXED = """I ran the importer and it failed. Here is what I ran to reproduce it:

```python
from importer import run
run('data.csv', strict=True)
print('done')
```

And this is the error I got back from it every time:

```
Traceback (most recent call last):
  File "run.py", line 2, in <module>
ValueError: bad header
```
"""

PROSE = """The meeting moved to Thursday because two of the reviewers are travelling this week.
Please bring the revised estimates and the list of open questions from last time.
"""


def _lines(template: str, n: int, tail: str = "") -> str:
    return "".join(template.format(i=i, j=i + 1) for i in range(n)) + tail


TOOL_OUTPUTS = {
    "log": [
        PYTEST,
        _lines("2024-05-01T10:00:{i:02d}Z INFO worker-{i} processed batch {i}\n", 40),
        _lines("Dec 10 06:55:{i:02d} host sshd[24{i:02d}]: Failed password for root from 10.0.0.{i} port 22\n", 30),
        _lines("  ✔ handles case {i}\n", 30, "\n  30 passing (12ms)\n"),
        _lines("ok {j} parser case {j}\n", 29, "not ok 30 parser rejects junk\n# tests 30\n# fail 1\n"),
        _lines("=== RUN   TestX{i}\n--- PASS: TestX{i} (0.00s)\n", 20, "FAIL\tgithub.com/a/b\t0.2s\n"),
        _lines("test m::case_{i} ... ok\n", 20, "\ntest result: ok. 20 passed; 0 failed\n"),
        _lines("src/lib{i}.c:{j}:9: error: unknown type name 'size'\n", 12),
        _lines("test_x{i} (pkg.mod.T.test_x{i}) ... ok\n", 20, "\nRan 20 tests in 0.1s\n\nOK\n"),
    ],
    "search": [
        _lines("src/mod{i}.py:{j}:    return helper(x, {i})\n", 40),
        _lines("lib/a{i}.js-{i}-  // context\nlib/a{i}.js:{j}:  call(x)\n--\n", 20),
    ],
    "diff": [GIT_DIFF, GIT_LOG_P, "--- a/plain.txt\n+++ b/plain.txt\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n"],
    "json": [
        '{"items": [{"id": 1}, {"id": 2}], "total": 2}',
        '[\n  {"name": "a", "v": 1},\n  {"name": "b", "v": 2}\n]\n',
        '{"level": "info", "msg": "a"}\n{"level": "error", "msg": "b"}\n{"level": "info", "msg": "c"}\n',
    ],
    "html": ["<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>hello</p></body></html>\n"],
    "markdown": [MARKDOWN, RST],
    "mixed": [MIXED],
    "text": [PROSE, ""],
}


@pytest.mark.parametrize(("expected", "text"), [(kind, text) for kind, texts in TOOL_OUTPUTS.items() for text in texts])
def test_tool_outputs_are_detected_by_their_shape(expected: str, text: str) -> None:
    assert detect(text).content_type == expected


def test_crlf_line_endings_do_not_change_the_verdict() -> None:
    for kind in ("log", "search", "diff"):
        for text in TOOL_OUTPUTS[kind]:
            assert detect(text.replace("\n", "\r\n")).content_type == kind


def test_a_megabyte_of_log_is_detected_from_its_sample_and_tail() -> None:
    head = "".join(f"2024-05-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z DEBUG cache hit key={i}\n" for i in range(25_000))
    assert len(head) > 1_000_000
    assert detect(head).content_type == "log"
    # A pytest run whose failures print pages of source, and whose verdict only shows at the very end.
    lines = PYTEST.splitlines(keepends=True)
    source = "".join(f"    value_{i} = compute({i})\n" for i in range(30_000))
    assert detect("".join(lines[:9]) + source + lines[-1]).content_type == "log"


def test_invalid_json_that_looks_like_json_still_goes_to_the_json_compressor() -> None:
    assert detect('{"a": [1, 2, {"b": }]}').content_type == "json"
    assert detect('[{"a": 1}, {"a": 2},').content_type != "json"


def test_an_explicit_content_type_is_taken_as_given_and_code_still_gets_its_language() -> None:
    assert resolve_content_type("log", "anything") == Detection("log")
    assert resolve_content_type("code", LANGUAGE_SAMPLES["go"]) == Detection("code", "go")
    assert resolve_content_type("auto", PYTEST) == Detection("log")
    with pytest.raises(CompressorError, match="unknown content type 'yaml'"):
        resolve_content_type("yaml", "a: 1")


@given(st.text(max_size=2000))
def test_detection_never_raises_and_names_a_known_type(text: str) -> None:
    found = detect(text)
    assert found.content_type in CONTENT_TYPES
    assert (found.language is None) or found.content_type == "code"
