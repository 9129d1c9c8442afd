"""Real test runs with known failures: a scratch suite written here, run by pytest, unittest and node's runner.

The suite's size, its test names, which tests fail and how (a wrong expected value, a ValueError, a
KeyError, a division by zero...) are drawn with the seed; the runners and their reporters are the real ones.
The question is always "which tests failed, and why"; the needles come from the run's own output by the
runner's format: the failure ids, the first error line of each failure, and the count line.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, generator, needles_of

__all__ = ["ScratchTest", "draw_suite"]

_VERBS = (
    "parse", "format", "merge", "split", "normalize", "encode", "decode", "validate", "render", "resolve",
    "load", "compare", "filter", "sort", "count", "scale", "trim", "chunk", "lookup", "convert",
)  # fmt: skip
_NOUNS = (
    "header", "path", "record", "amount", "token", "date", "range", "config", "version", "payload",
    "address", "label", "matrix", "query", "window", "batch", "price", "name", "offset", "column",
)  # fmt: skip
_CASES = ("empty", "single", "many", "unicode", "negative", "large", "nested", "default", "roundtrip", "edge")
# How a failing test fails: a wrong expected value, or an exception raised by the code under test.
FAILURES = ("mismatch", "value_error", "key_error", "zero_division", "index_error")

_MODULE_PY = '''\
"""Code under test (scratch)."""


def normalize(text):
    return " ".join(text.split())


def scale(values, factor):
    return [v * factor for v in values]


def to_int(text):
    return int(text)


def lookup(table, key):
    return table[key]


def ratio(a, b):
    return a / b


def nth(items, i):
    return items[i]
'''

_MODULE_JS = """\
export function normalize(text) { return text.split(/\\s+/).filter(Boolean).join(' '); }
export function scale(values, factor) { return values.map((v) => v * factor); }
export function toInt(text) {
  if (!/^-?\\d+$/.test(text)) throw new RangeError(`invalid integer: ${JSON.stringify(text)}`);
  return Number(text);
}
export function lookup(table, key) {
  if (!(key in table)) throw new ReferenceError(`no such key: ${key}`);
  return table[key];
}
export function ratio(a, b) { if (b === 0) throw new Error('division by zero'); return a / b; }
export function nth(items, i) {
  if (i >= items.length) throw new RangeError(`index ${i} out of range`);
  return items[i];
}
"""


@dataclass(frozen=True, slots=True)
class ScratchTest:
    """One test of the scratch suite: its group (a class or file), name, the values it uses, how it fails."""

    group: str
    name: str
    failure: str | None
    n: int
    word: str


def draw_suite(rng: random.Random) -> list[ScratchTest]:
    """20-120 tests in 2-6 groups, 1-4 of them failing, each in a way drawn with the seed."""
    count = rng.randint(20, 120)
    groups = rng.sample(_NOUNS, rng.randint(2, 6))
    names: set[str] = set()
    tests: list[ScratchTest] = []
    while len(tests) < count:
        name = f"test_{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}_{rng.choice(_CASES)}"
        if name in names:
            continue
        names.add(name)
        tests.append(ScratchTest(rng.choice(groups), name, None, rng.randint(2, 9), rng.choice(_NOUNS)))
    for i in rng.sample(range(count), rng.randint(1, 4)):
        t = tests[i]
        tests[i] = ScratchTest(t.group, t.name, rng.choice(FAILURES), t.n, t.word)
    tests.sort(key=lambda t: (t.group, t.name))
    return tests


def _python_values(t: ScratchTest) -> tuple[str, str]:
    """The call a test makes and the value it expects, as Python source."""
    words = f"  {t.word}   {t.n}  items "
    pairs = {
        None: (f"normalize({words!r})", repr(" ".join(words.split()))),
        "mismatch": (f"scale([1, 2, {t.n}], 2)", f"[2, 4, {t.n * 2 + 1}]"),
        "value_error": (f"to_int({f'{t.n}{t.word[0]}'!r})", str(t.n)),
        "key_error": (f"lookup({{'id': {t.n}}}, {t.word!r})", str(t.n)),
        "zero_division": (f"ratio({t.n}, {t.n} - {t.n})", "1"),
        "index_error": (f"nth([1, 2, 3], {t.n + 3})", "3"),
    }
    return pairs[t.failure]


def _pytest_module(tests: list[ScratchTest], xfail: frozenset[str] = frozenset()) -> str:
    out = ["import pytest", "from scratch_code import lookup, normalize, nth, ratio, scale, to_int", ""]
    for t in tests:
        actual, expected = _python_values(t)
        marks = ['@pytest.mark.xfail(reason="known issue")'] if t.name in xfail else []
        out += ["", *marks, f"def {t.name}():", f"    assert {actual} == {expected}"]
    return "\n".join(out) + "\n"


def _unittest_module(tests: list[ScratchTest]) -> str:
    out = ["import unittest", "", "from scratch_code import lookup, normalize, nth, ratio, scale, to_int", ""]
    for group in sorted({t.group for t in tests}):
        out += ["", f"class Test{group.title()}(unittest.TestCase):"]
        for t in (t for t in tests if t.group == group):
            out += [f"    def {t.name}(self):", f"        self.assertEqual({', '.join(_python_values(t))})", ""]
    out += ["", 'if __name__ == "__main__":', "    unittest.main()", ""]
    return "\n".join(out)


def _write_python(ctx: Context, rng: random.Random, kind: str, module: str) -> tuple[str, str]:
    folder = ctx.scratch(kind)
    name = f"test_{rng.choice(_NOUNS)}_{rng.choice(_VERBS)}"
    (folder / "scratch_code.py").write_text(_MODULE_PY, encoding="utf-8")
    (folder / f"{name}.py").write_text(module, encoding="utf-8")
    return str(folder), name


# Plugins of the project's environment (hypothesis, xdist, timeout) stay out: the run is a user's plain pytest.
_PYTEST_ENV = {"PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
_PYTEST_STYLES: tuple[list[str], ...] = (["-q"], ["-v"], ["--tb=short"], ["-v", "--tb=short"], ["-rA"], [], ["-x"])


@generator("pytest_run", "test_output")
def pytest_run(ctx: Context, rng: random.Random) -> Found:
    tests = draw_suite(rng)
    # Tests marked as expected to fail: one that passes reports XPASS, one that fails xfail, neither a failure.
    xfail = frozenset(t.name for t in rng.sample(tests, rng.choice((0, 0, 1, 2))))
    folder, name = _write_python(ctx, rng, "pytest_run", _pytest_module(tests, xfail))
    style = _PYTEST_STYLES[rng.randrange(len(_PYTEST_STYLES))]
    argv = [ctx.python, "-m", "pytest", "-p", "no:cacheprovider", "--color=no", *style, f"{name}.py"]
    text = ctx.run(argv, cwd=ctx.workdir / "pytest_run", ok=lambda c: c == 1, env=_PYTEST_ENV)
    lines = text.splitlines()
    failed = [line for line in lines if line.startswith("FAILED ")]
    first_errors = []
    in_failure = False
    for line in lines:
        if re.match(r"^_{3,} \S+ _{3,}$", line):
            in_failure = True
        elif in_failure and line.startswith("E "):
            first_errors.append(line)
            in_failure = False
    counts = [line for line in lines if re.match(r"^=+ .*\bfailed\b.* in [\d.]+s.* =+$", line)]
    return Found(
        source=f"pytest {' '.join(argv[4:])} (scratch suite of {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*failed, *first_errors, *counts[-1:]], text),
        notes="Scratch suite drawn with the seed (size, names, 1-4 failing tests and how they fail, 0-2 tests marked "
        "xfail, reporter options, -x among them); needles = the short summary's FAILED lines, the first E line of "
        "each failure, the count line.",
        text=text,
    )


@generator("unittest_run", "test_output")
def unittest_run(ctx: Context, rng: random.Random) -> Found:
    tests = draw_suite(rng)
    folder, name = _write_python(ctx, rng, "unittest_run", _unittest_module(tests))
    verbose = rng.random() < 0.5
    argv = [ctx.python, "-m", "unittest", *(["-v"] if verbose else []), name]
    text = ctx.run(argv, cwd=ctx.workdir / "unittest_run", ok=lambda c: c == 1, env={"PYTHONDONTWRITEBYTECODE": "1"})
    lines = text.splitlines()
    headers = [line for line in lines if line.startswith(("FAIL: ", "ERROR: "))]
    errors = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last):"):
            following = (x for x in lines[i + 1 :] if x and not x.startswith(" "))
            errors.append(next(following, ""))
    counts = [line for line in lines if line.startswith("FAILED (")]
    return Found(
        source=f"python -m unittest {' '.join(argv[3:])} (scratch suite of {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*headers, *errors, *counts], text),
        notes="Scratch suite drawn with the seed; needles = the FAIL:/ERROR: headers, the exception line of each "
        "traceback, the FAILED (...) count line.",
        text=text,
    )


def _node_check(t: ScratchTest) -> str:
    words = f"  {t.word}   {t.n}  items "
    checks = {
        None: f"assert.equal(normalize({words!r}), {' '.join(words.split())!r});",
        "mismatch": f"assert.deepStrictEqual(scale([1, 2, {t.n}], 2), [2, 4, {t.n * 2 + 1}]);",
        "value_error": f"assert.equal(toInt({f'{t.n}{t.word[0]}'!r}), {t.n});",
        "key_error": f"assert.equal(lookup({{ id: {t.n} }}, {t.word!r}), {t.n});",
        "zero_division": f"assert.equal(ratio({t.n}, 0), 1);",
        "index_error": f"assert.equal(nth([1, 2, 3], {t.n + 3}), 3);",
    }
    return checks[t.failure]


def _node_suite(ctx: Context, rng: random.Random, kind: str) -> tuple[list[ScratchTest], Path, str]:
    """A scratch suite for node's runner (describe/it per group) written to a folder: its tests, folder, file."""
    tests = draw_suite(rng)
    folder = ctx.scratch(kind)
    (folder / "scratch_code.mjs").write_text(_MODULE_JS, encoding="utf-8")
    out = [
        "import { describe, it } from 'node:test';",
        "import assert from 'node:assert/strict';",
        "import { lookup, normalize, nth, ratio, scale, toInt } from './scratch_code.mjs';",
    ]
    for group in sorted({t.group for t in tests}):
        out += ["", f"describe('{group}', () => {{"]
        out += [f"  it('{t.name[5:]}', () => {{ {_node_check(t)} }});" for t in tests if t.group == group]
        out.append("});")
    name = f"{rng.choice(_NOUNS)}.test.mjs"
    (folder / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    return tests, folder, name


@generator("node_test_run", "test_output")
def node_test_run(ctx: Context, rng: random.Random) -> Found:
    node = ctx.tool("node")
    tests, folder, name = _node_suite(ctx, rng, "node_test_run")
    text = ctx.run([node, "--test", "--test-reporter=tap", name], cwd=folder, ok=lambda c: c == 1)
    lines = text.splitlines()
    failing = [line for line in lines if line.lstrip().startswith("not ok ")]
    errors = []
    for i, line in enumerate(lines):
        if line.strip().startswith("error: ") and i > 0:
            errors.append(lines[i + 1] if line.strip() == "error: |-" and i + 1 < len(lines) else line)
    counts = [line for line in lines if line.startswith("# fail ")]
    if not failing:
        raise Skip("node's runner reported no failing test")
    return Found(
        source=f"node --test --test-reporter=tap {name} (scratch suite of {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*failing, *errors, *counts], text),
        notes="Scratch suite drawn with the seed; needles = the `not ok` lines, each failure's error line, and "
        "the `# fail N` line.",
        text=text,
    )


_LIB_RS = """\
//! Code under test (scratch).
use std::collections::HashMap;

pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn scale(values: &[i64], factor: i64) -> Vec<i64> {
    values.iter().map(|v| v * factor).collect()
}

pub fn to_int(text: &str) -> i64 {
    text.parse().expect("not an integer")
}

pub fn lookup(table: &HashMap<&str, i64>, key: &str) -> i64 {
    *table.get(key).expect("no such key")
}

pub fn ratio(a: i64, b: i64) -> i64 {
    a / b
}

pub fn nth(items: &[i64], i: usize) -> i64 {
    items[i]
}
"""


def _rust_check(t: ScratchTest) -> str:
    words = f"  {t.word}   {t.n}  items "
    checks = {
        None: f'assert_eq!(normalize("{words}"), "{" ".join(words.split())}");',
        "mismatch": f"assert_eq!(scale(&[1, 2, {t.n}], 2), vec![2, 4, {t.n * 2 + 1}]);",
        "value_error": f'assert_eq!(to_int("{t.n}{t.word[0]}"), {t.n});',
        "key_error": f'assert_eq!(lookup(&HashMap::from([("id", {t.n})]), "{t.word}"), {t.n});',
        "zero_division": f"assert_eq!(ratio({t.n}, std::hint::black_box(0)), 1);",
        "index_error": f"assert_eq!(nth(&[1, 2, 3], std::hint::black_box({t.n + 3})), 3);",
    }
    return checks[t.failure]


@generator("cargo_test_run", "test_output")
def cargo_test_run(ctx: Context, rng: random.Random) -> Found:
    """`cargo test` of a scratch crate (no dependencies, offline): the libtest harness's real output."""
    cargo = ctx.tool("cargo")
    tests = draw_suite(rng)
    folder = ctx.scratch("cargo_test_run")
    crate = f"scratch_{rng.choice(_NOUNS)}"
    (folder / "Cargo.toml").write_text(
        f'[package]\nname = "{crate}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n', encoding="utf-8"
    )
    (folder / "src").mkdir()
    (folder / "src" / "lib.rs").write_text(_LIB_RS, encoding="utf-8")
    out = [f"use {crate}::*;", "use std::collections::HashMap;"]
    for group in sorted({t.group for t in tests}):
        out += ["", f"mod {group} {{", "    use super::*;"]
        out += [f"    #[test]\n    fn {t.name[5:]}() {{ {_rust_check(t)} }}" for t in tests if t.group == group]
        out.append("}")
    (folder / "tests").mkdir()
    (folder / "tests" / f"{rng.choice(_VERBS)}.rs").write_text("\n".join(out) + "\n", encoding="utf-8")
    style = rng.choice(((), ("--", "--test-threads=1"), ("--", "--format=terse"), ("-q",)))
    env = {"CARGO_TARGET_DIR": str(ctx.workdir / "cargo-target"), "CARGO_TERM_COLOR": "never", "RUST_BACKTRACE": "0"}
    argv = [cargo, "test", "--offline", *style]
    text = ctx.run(argv, cwd=folder, env=env, ok=lambda c: c == 101, timeout_s=240)
    lines = text.splitlines()
    failing = [line for line in lines if re.match(r"^\s{4}\S+::\S+$", line)]
    panics = [line for line in lines if re.match(r"^thread '.*'(?: \(\d+\))? panicked at ", line)]
    causes = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line in panics and lines[i + 1].strip()]
    counts = [line for line in lines if line.startswith("test result: FAILED.")]
    if not failing or not counts:
        raise Skip("cargo test reported no failing test")
    return Found(
        source=f"cargo test --offline {' '.join(style)} (scratch crate, {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*failing, *causes, *counts], text),
        notes="Scratch crate and suite drawn with the seed (size, names, 1-4 failing tests and how they fail, "
        "harness options); needles = the `failures:` list's test paths, the line after each `panicked at` (the "
        "assertion or the panic message) and the `test result: FAILED.` line.",
        text=text,
    )


_SCRATCH_GO = """\
// Package scratch is code under test (scratch).
package scratch

import (
	"strconv"
	"strings"
)

func Normalize(text string) string { return strings.Join(strings.Fields(text), " ") }

func Scale(values []int, factor int) []int {
	out := make([]int, len(values))
	for i, v := range values {
		out[i] = v * factor
	}
	return out
}

func ToInt(text string) (int, error) { return strconv.Atoi(text) }

func Lookup(table map[string]int, key string) int {
	v, ok := table[key]
	if !ok {
		panic("no such key: " + key)
	}
	return v
}

func Ratio(a, b int) int { return a / b }

func Nth(items []int, i int) int { return items[i] }
"""


def _go_check(t: ScratchTest) -> str:
    words = f"  {t.word}   {t.n}  items "
    joined = " ".join(words.split())
    checks = {
        None: f'if got := Normalize("{words}"); got != "{joined}" {{ t.Errorf("Normalize = %q, want %q", got, '
        f'"{joined}") }}',
        "mismatch": f"if got := Scale([]int{{1, 2, {t.n}}}, 2); got[2] != {t.n * 2 + 1} {{ "
        f't.Errorf("Scale(...)[2] = %d, want %d", got[2], {t.n * 2 + 1}) }}',
        "value_error": f'if _, err := ToInt("{t.n}{t.word[0]}"); err != nil {{ t.Fatalf("ToInt: %v", err) }}',
        "key_error": f'if got := Lookup(map[string]int{{"id": {t.n}}}, "{t.word}"); got != {t.n} {{ '
        f't.Errorf("Lookup = %d", got) }}',
        "zero_division": f"zero := {t.n} - {t.n}\n\tif got := Ratio({t.n}, zero); got != 1 {{ "
        't.Errorf("Ratio = %d", got) }',
        "index_error": f'if got := Nth([]int{{1, 2, 3}}, {t.n + 3}); got != 3 {{ t.Errorf("Nth = %d", got) }}',
    }
    return checks[t.failure]


def _go_name(name: str) -> str:
    return "Test" + "".join(part.title() for part in name.split("_")[1:])


@generator("go_test_run", "test_output", slow=True)
def go_test_run(ctx: Context, rng: random.Random) -> Found:
    """`go test` of a scratch module (standard library only, offline): failing tests print `--- FAIL: TestX`,
    their t.Errorf lines (`x_test.go:12: ...`) or a panic's goroutine trace, then `FAIL`/`ok` per package."""
    go = ctx.tool("go")
    tests = draw_suite(rng)
    folder = ctx.scratch("go_test_run")
    module = f"example.com/{rng.choice(_NOUNS)}{rng.choice(_VERBS)}"
    (folder / "go.mod").write_text(f"module {module}\n\ngo 1.21\n", encoding="utf-8")
    (folder / "scratch.go").write_text(_SCRATCH_GO, encoding="utf-8")
    for group in sorted({t.group for t in tests}):
        body = ["package scratch", "", 'import "testing"']
        body += [f"\nfunc {_go_name(t.name)}(t *testing.T) {{\n\t{_go_check(t)}\n}}" for t in tests if t.group == group]
        (folder / f"{group}_test.go").write_text("\n".join(body) + "\n", encoding="utf-8")
    style = rng.choice(((), ("-v",), ("-v", "-count=1"), ("-failfast",)))
    # The user's build cache (warm after the first run: a cold one spends a minute building `testing`).
    env = {"GOFLAGS": "-buildvcs=false", "GOPROXY": "off", "GOTOOLCHAIN": "local"}
    text = ctx.run([go, "test", *style, "./..."], cwd=folder, env=env, ok=lambda c: c == 1, timeout_s=180)
    lines = text.splitlines()
    failing = [line for line in lines if line.lstrip().startswith("--- FAIL: ")]
    # A t.Errorf/t.Fatalf line (`    alpha_test.go:12: Scale(...)[2] = 10, want 11`) or a panic's message.
    reasons = [line for line in lines if re.match(r"^\s+\w+_test\.go:\d+: ", line) or line.startswith("panic: ")]
    counts = [line for line in lines if re.match(r"^(FAIL|ok)\s+\S+", line)]
    if not failing and not any(line.startswith("panic: ") for line in lines):
        raise Skip("go test reported no failing test")
    return Found(
        source=f"go test {' '.join(style)} ./... (scratch module, {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*failing, *reasons, *counts], text),
        notes="Scratch module and suite drawn with the seed (size, names, 1-4 failing tests and how they fail: a "
        "wrong value, an error, a panic; flags); needles = the `--- FAIL:` lines, each failure's message line "
        "(`x_test.go:N: ...` or `panic: ...`) and the package's `FAIL`/`ok` line.",
        text=text,
    )


def _doctest_module(tests: list[ScratchTest]) -> str:
    out = ['"""Scratch module whose functions carry doctests."""', "", "from scratch_code import lookup, normalize, "
           "nth, ratio, scale, to_int", ""]  # fmt: skip
    for t in tests:
        actual, expected = _python_values(t)
        out += ["", f"def {t.name[5:]}():", f'    """Check {t.name[5:].replace("_", " ")}.', "", f"    >>> {actual}",
                f"    {expected}", '    """']  # fmt: skip
    return "\n".join(out) + "\n"


@generator(
    "doctest_run",
    "test_output",
    gap="code (detection) + lines (test): doctest -v reads as config; its `File ..., line N, in f` lines are lost",
)
def doctest_run(ctx: Context, rng: random.Random) -> Found:
    """`python -m doctest [-v] module.py`: each failure is a block of `File ..., line N, in module.name`,
    `Failed example:`, the example, `Expected:`/`Got:` or the exception, and a closing `***Test Failed***` line."""
    tests = draw_suite(rng)
    _folder, name = _write_python(ctx, rng, "doctest_run", _doctest_module(tests))
    verbose = rng.random() < 0.5
    argv = [ctx.python, "-m", "doctest", *(["-v"] if verbose else []), f"{name}.py"]
    text = ctx.run(argv, cwd=ctx.workdir / "doctest_run", ok=lambda c: c == 1, env={"PYTHONDONTWRITEBYTECODE": "1"})
    lines = text.splitlines()
    where = [line for line in lines if re.match(r'^File ".*", line \d+, in \S+$', line)]
    # The line after `Got:` (a wrong value) or the exception's last line (`ValueError: invalid literal ...`).
    got = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line == "Got:"]
    raised = [line for line in lines if re.match(r"^\s+\w+(Error|Exception): ", line)]
    counts = [line for line in lines if "***Test Failed***" in line]
    if not where:
        raise Skip("doctest reported no failing example")
    return Found(
        source=f"python -m doctest {'-v ' if verbose else ''}{name}.py (scratch module, {len(tests)} examples)",
        query="Which tests failed, and why?",
        needles=needles_of([*where, *got, *raised, *counts], text),
        notes="Scratch module with one doctest per function drawn with the seed (1-4 failing); needles = each "
        "failure's `File ..., line N, in ...` line, the line after `Got:` or the exception line, and the "
        "`***Test Failed*** N failures.` line.",
        text=text,
    )


# A terminal colour or erase sequence (`ESC[31m`, `ESC[0m`, `ESC[K`): what `--color=yes` adds around words.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@generator("pytest_color", "test_output")
def pytest_color(ctx: Context, rng: random.Random) -> Found:
    """pytest with `--color=yes` (as CI logs and tools that force colour capture it): the same run as
    pytest_run, its lines wrapped in colour sequences; needles are the raw lines, sequences included."""
    tests = draw_suite(rng)
    folder, name = _write_python(ctx, rng, "pytest_color", _pytest_module(tests))
    style = _PYTEST_STYLES[rng.randrange(len(_PYTEST_STYLES))]
    argv = [ctx.python, "-m", "pytest", "-p", "no:cacheprovider", "--color=yes", *style, f"{name}.py"]
    text = ctx.run(argv, cwd=ctx.workdir / "pytest_color", ok=lambda c: c == 1, env=_PYTEST_ENV)
    raw = text.splitlines()
    plain = [ANSI.sub("", line) for line in raw]
    failed = [r for r, p in zip(raw, plain, strict=True) if p.startswith("FAILED ")]
    counts = [r for r, p in zip(raw, plain, strict=True) if re.match(r"^=+ .*\bfailed\b.* in [\d.]+s.* =+$", p)]
    if not any(ANSI.search(line) for line in raw):
        raise Skip("pytest printed no colour sequence")
    return Found(
        source=f"pytest {' '.join(argv[4:])} (scratch suite of {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*failed, *counts[-1:]], text),
        notes="Scratch suite drawn with the seed, as pytest_run, run with --color=yes; needles = the short "
        "summary's FAILED lines and the count line as printed (colour sequences included).",
        text=text,
    )


@generator(
    "node_test_spec",
    "test_output",
    gap="lines (test): node's spec digest keeps each failure's name and error but drops its `test at "
    "file:line:col` line, where the failing test is (70% kept with and without the question)",
)
def node_test_spec(ctx: Context, rng: random.Random) -> Found:
    """node --test with its default reporter on a terminal-less run (`spec`: a tree of ✔/✖ lines with durations,
    each failure's error and stack, `ℹ` counts, then a `✖ failing tests:` digest naming `test at file:line:col`)."""
    node = ctx.tool("node")
    tests, folder, name = _node_suite(ctx, rng, "node_test_spec")
    text = ctx.run([node, "--test", "--test-reporter=spec", name], cwd=folder, ok=lambda c: c == 1)
    lines = text.splitlines()
    digest = next((i for i, line in enumerate(lines) if line.startswith("✖ failing tests:")), None)
    if digest is None:
        raise Skip("node's runner printed no failing-tests digest")
    places = [line for line in lines[digest:] if re.match(r"^test at \S+:\d+:\d+$", line)]
    # Each failure in the digest: its `✖ name (N ms)` line and the error headline under it.
    after = lines[digest:]
    names = [line for i, line in enumerate(after) if line.startswith("✖ ") and i > 0]
    errors = [after[i + 1] for i, line in enumerate(after[:-1]) if line.startswith("✖ ") and i > 0]
    counts = [line for line in lines if re.match(r"^ℹ fail \d+$", line)]
    return Found(
        source=f"node --test --test-reporter=spec {name} (scratch suite of {len(tests)} tests in {folder})",
        query="Which tests failed, and why?",
        needles=needles_of([*places, *names, *errors, *counts], text),
        notes="Scratch suite drawn with the seed, as node_test_run, reported by node's spec reporter; needles = "
        "the digest's `test at file:line:col` and `✖ name (time)` lines, each failure's error line in the digest, "
        "and `ℹ fail N`.",
        text=text,
    )
