"""The fresh-sample generators: seeded, reproducible, written as a corpus `headroom bench` reads, and their rules."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from benchmarks.fresh import CATEGORIES, REGISTRY, generate, generators, write_corpus
from benchmarks.fresh.__main__ import main as fresh_main
from benchmarks.fresh._core import MAX_NEEDLE, MIN_NEEDLE
from benchmarks.fresh.builds import Diagnostic, choose_question
from benchmarks.fresh.configs import key_lines
from benchmarks.fresh.docs import sections, version_headings
from benchmarks.fresh.history import parse_hunks
from benchmarks.fresh.logs import log_question, template
from benchmarks.fresh.pages import TextRuns
from benchmarks.fresh.sources import (
    c_definitions,
    go_definitions,
    python_definitions,
    rust_definitions,
    shell_definitions,
)
from mcp_server.bench import load_corpus

# Generators that capture in well under a second each; the others are covered by tests/fidelity.
QUICK = ["pip_list", "python_def", "config_files", "git_log_p", "unittest_run"]


def test_every_category_of_the_corpus_has_at_least_one_generator() -> None:
    assert {g.category for g in generators()} == set(CATEGORIES)
    assert all(g.kind == kind for kind, g in REGISTRY.items())


def test_the_same_seed_draws_the_same_questions_and_needles_and_another_seed_draws_others() -> None:
    first = generate("fixed-seed", per_category=1, kinds=QUICK)
    again = generate("fixed-seed", per_category=1, kinds=QUICK)
    other = generate("another-seed", per_category=1, kinds=QUICK)
    assert [(s.name, s.query, s.needles) for s in first.samples] == [
        (s.name, s.query, s.needles) for s in again.samples
    ]
    assert [(s.query, s.needles) for s in first.samples] != [(s.query, s.needles) for s in other.samples]


def test_samples_follow_the_corpus_rules_and_load_as_a_bench_corpus(tmp_path: Path) -> None:
    run = generate("corpus-check", per_category=1, kinds=QUICK)
    assert run.samples
    for sample in run.samples:
        assert sample.category in CATEGORIES and sample.source and sample.notes and sample.query
        for needle in sample.needles:
            assert MIN_NEEDLE <= len(needle) <= MAX_NEEDLE
            assert needle in sample.text
    write_corpus(run, tmp_path / "fresh")
    corpus = load_corpus(tmp_path / "fresh")
    assert corpus.problems == ()
    assert [s.name for s in corpus.samples] == sorted(s.name for s in run.samples)
    meta = json.loads((tmp_path / "fresh" / corpus.samples[0].name / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == "corpus-check" and meta["kind"] in QUICK
    summary = json.loads((tmp_path / "fresh" / "fresh.json").read_text(encoding="utf-8"))
    assert summary["seed"] == "corpus-check" and "--seed corpus-check" in summary["command"]


def test_writing_over_a_folder_that_is_not_an_earlier_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me\n", encoding="utf-8")
    run = generate("refuse", per_category=1, kinds=["pip_list"])
    with pytest.raises(FileExistsError):
        write_corpus(run, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me\n"
    write_corpus(run, tmp_path / "fresh")
    write_corpus(run, tmp_path / "fresh")


def test_an_unknown_category_or_generator_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: build_output"):
        generators(["nonsense"])
    with pytest.raises(ValueError, match="pip_list"):
        generators(kinds=["nonsense"])


def test_the_command_line_lists_the_generators_and_prints_the_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fresh_main(["list"]) == 0
    assert "shell_listing  pip_list" in capsys.readouterr().out
    assert fresh_main(["write", str(tmp_path / "out"), "--seed", "cli-seed", "--kind", "pip_list"]) == 0
    err = capsys.readouterr().err
    assert "seed cli-seed" in err and f"headroom bench {tmp_path / 'out'}" in err


def test_a_log_template_is_the_lines_leading_plain_words() -> None:
    line = "2025-06-24 14:36:25 status installed libc-bin:amd64 2.36-9+deb12u10"
    assert template(line) == ("status", "installed")
    assert template("2025-06-24 14:36:25 startup archives unpack") == ("startup", "archives", "unpack")


def test_a_rare_event_is_asked_for_only_where_the_log_repeats_itself() -> None:
    routine = [f"2025-06-24 14:36:{i % 60:02} status installed libfoo{i}:amd64 1.{i}" for i in range(300)]
    event = "2025-06-24 14:40:00 startup packages purge"
    words = ["pci", "acpi", "usb", "clock", "memory", "audit", "kvm", "smp", "dma", "tty", "net", "raid"]
    boot = [f"[    0.{i:06}] {a} {b} {c} ready" for i, (a, b, c) in enumerate(itertools.permutations(words, 3))][:300]
    rare_questions = [log_question(random.Random(seed), [*routine, event])[0] for seed in range(40)]
    assert any(q.startswith("When does the log record") for q in rare_questions)
    # In a boot log nearly every line is said once: "rare" would be a random line, so another question is asked.
    questions = {log_question(random.Random(seed), boot)[0] for seed in range(40)}
    assert not any(q.startswith("When does the log record") for q in questions)


def test_build_questions_ask_for_the_error_first_else_a_rare_diagnostic() -> None:
    warnings = [Diagnostic(False, "-Wunused-variable", (f"a.c:{i}:1: warning: unused",)) for i in range(6)]
    rare = Diagnostic(False, "-Wformat=", ("b.c:3:9: warning: format",))
    error = Diagnostic(True, "undeclared", ("c.c:1:1: error: 'x' undeclared",))
    query, lines, _ = choose_question(random.Random(1), [*warnings, rare, error], ["make: *** Error 1"], str)
    assert query.startswith("Which error") and lines == ["c.c:1:1: error: 'x' undeclared", "make: *** Error 1"]
    query, lines, _ = choose_question(random.Random(1), [*warnings, rare], [], lambda tag: f"gcc's {tag}")
    assert "-Wformat=" in query and lines == ["b.c:3:9: warning: format"]


def test_config_settings_know_their_section_or_parent_key() -> None:
    text = "==> a.ini <==\n[server]\nport = 8080\n\n==> b.yaml <==\ndb:\n  host: localhost\n# note: x\n"
    found = {line.strip(): holder for _, line, holder in key_lines(text)}
    assert found["port = 8080"] == "[server]"
    assert found["host: localhost"] == "db:"
    assert "note: x" not in " ".join(found)


def test_document_sections_give_the_first_standalone_sentence() -> None:
    text = (
        "Usage\n=====\n\n```\ncode = 1\n```\n\nThe parser reads every record of the file and keeps the last one.\n"
        "More text.\n\n## Notes\n\nThis depends on the above and is not standalone at all, really.\n"
    )
    found = {s.title: s.first_sentence() for s in sections(text)}
    assert found["Usage"] == "The parser reads every record of the file and keeps the last one."
    assert found["Notes"] is None


def test_changelog_versions_pair_the_heading_with_its_first_entry() -> None:
    text = "# Changes\n\n## 2.1.0 (2024-03-01)\n\n- Fix the parser on empty input\n\n## 2.0.0\n\n* Drop Python 3.8\n"
    assert [v for v, _, _ in version_headings(text)] == ["2.1.0", "2.0.0"]
    debian = "pkg (1.2-3) unstable; urgency=low\n\n  * Rename the dev package.\n\n -- Someone  Mon, 1 Jan 2024\n"
    assert version_headings(debian) == [("1.2-3", "pkg (1.2-3) unstable; urgency=low", "  * Rename the dev package.")]


def test_hunks_carry_their_commit_file_and_changed_lines() -> None:
    text = (
        "commit abc123\nAuthor: a\n\n    subject\n\ndiff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        "@@ -1,2 +1,2 @@ def f():\n-    return 1\n+    return 2\n"
    )
    [hunk] = parse_hunks(text)
    assert (hunk.commit, hunk.path, hunk.changes) == ("abc123", "x.py", ["-    return 1", "+    return 2"])


def test_definitions_come_with_their_signature_lines_and_container() -> None:
    python = "class Box(Base):\n    def put(self,\n            item: int) -> None:\n        pass\n"
    defs = {d.qualified: d for d in python_definitions(python)}
    assert defs["Box.put"].lines == ("    def put(self,", "            item: int) -> None:")
    assert defs["Box.put"].container == "class Box(Base):"
    rust = "impl Store {\n    pub fn get(&self, key: &str)\n        -> Option<u8> {\n        None\n    }\n}\n"
    [get] = rust_definitions(rust)
    assert (
        get.lines == ("    pub fn get(&self, key: &str)", "        -> Option<u8> {") and get.container == "impl Store {"
    )

    go = "type Cache[K comparable] struct {\n}\n\nfunc (c *Cache[K]) Get(k K) int {\n\treturn 0\n}\n"
    assert [(d.name, d.kind) for d in go_definitions(go)] == [("Cache", "struct"), ("Get", "method")]
    header = (
        "#define N 3\nextern int strcmp (const char *__s1, const char *__s2)\n     __THROW __attribute_pure__;\n"
        "struct point {\n  int x;\n};\ntypedef int (*cb) (void);\nint table[N] = { 1, 2, 3 };\nreturn f (x);\n"
    )
    assert [(d.name, d.kind) for d in c_definitions(header)] == [("strcmp", "function"), ("point", "struct")]


def test_html_text_runs_are_source_text_without_character_references() -> None:
    page = "<title>Guide</title><h2>Install</h2><p>Run the <code>setup</code> script &amp; wait for it to end.</p>"
    parser = TextRuns()
    parser.feed(page)
    assert parser.title == "Guide"
    assert parser.sections == [("Install", ["Run the ", "setup", " script ", " wait for it to end."])]


def test_shell_definitions_are_read_from_their_header_lines() -> None:
    script = "#!/bin/sh\nusage() {\n  echo x\n}\nfunction run_all {\n  :\n}\nsub_shell ()\n(\n  :\n)\necho 'f() {'\n"
    assert [d.name for d in shell_definitions(script)] == ["usage", "run_all", "sub_shell"]
