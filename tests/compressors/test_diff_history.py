"""The diff compressor on this project's own `git log -p`, captured at test time, with questions picked mechanically.

A question that names where a change is (a commit and a file) or what it touches (an identifier written only
inside changed lines) must keep the changed lines it points at, both sides, with their hunk, file and commit
headers, however many hunks it points at.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

import rustcore
from benchmarks.fresh.history import Hunk, parse_hunks
from tests.compressors.lines_helpers import assert_kept_lines_verbatim, compress_with

ROOT = Path(__file__).resolve().parents[2]
# Windows of the history read, and how many sections or identifiers each test checks at most.
WINDOW = 10
CHECKS = 3
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{5,}\b")


def _git(*args: str) -> str:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(
        ["git", "-C", str(ROOT), "-c", "core.pager=cat", "-c", "color.ui=never", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _windows() -> Iterator[str]:
    """`git log -p` windows of the history from its start (those commits never change), each under 400 KB."""
    total = len(_git("log", "--format=%H").split())
    if total < 3 * WINDOW:
        pytest.skip(f"the checkout holds {total} commits (a shallow clone?)")
    for skip in range(total - WINDOW, 0, -WINDOW):
        text = _git("log", "-p", f"-n{WINDOW}", f"--skip={skip}")
        if len(text.encode()) < 400_000:
            yield text


def _changed(hunk: Hunk) -> list[str]:
    return [line for line in hunk.changes if len(line.strip()) > 3]


def _sections(text: str) -> list[tuple[str, str, list[Hunk]]]:
    """(commit, path, hunks) of every file a commit changed in 8 or more small hunks (1-12 changed lines each)."""
    by: dict[tuple[str, str], list[Hunk]] = defaultdict(list)
    for hunk in parse_hunks(text):
        by[(hunk.commit, hunk.path)].append(hunk)
    return [
        (commit, path, hunks)
        for (commit, path), hunks in by.items()
        if len(hunks) >= 8 and all(1 <= len(h.changes) <= 12 for h in hunks)
    ]


def test_a_question_naming_a_commit_and_a_file_keeps_the_changes_of_every_hunk_there() -> None:
    checked = 0
    for text in _windows():
        budget_tokens = min(max(rustcore.count_tokens(text) // 5, 1500), 10_000)
        for commit, path, hunks in _sections(text):
            lines = [line for h in hunks for line in _changed(h)]
            if rustcore.count_tokens("\n".join(lines)) * 2 > budget_tokens:
                continue
            subject = _git("log", "-1", "--format=%s", commit).strip()
            out = compress_with("diff", text, f"What did the commit {commit[:10]} ({subject}) change in {path}?")
            missing = [line for line in lines if line not in out.splitlines()]
            assert not missing, f"{commit[:10]} {path}: {len(missing)} changed lines lost, e.g. {missing[:3]}"
            assert f"commit {commit}" in out and f"diff --git a/{path} b/{path}" in out
            for h in hunks:
                assert h.header in out
            assert_kept_lines_verbatim(text, out)
            checked += 1
            if checked == CHECKS:
                return
    if not checked:
        pytest.skip("no commit in the history changes one file in 8 or more small hunks")


def _only_in_changes(text: str) -> Iterator[tuple[str, list[str]]]:
    """Identifiers that occur in this log only inside changed lines, on lines of 7 or more hunks (2-30 lines in
    all), with those lines."""
    hunks = parse_hunks(text)
    where: dict[str, list[int]] = defaultdict(list)
    for k, hunk in enumerate(hunks):
        for line in hunk.changes:
            for name in set(_IDENT.findall(line)):
                where[name].append(k)
    for name, ks in where.items():
        if len(set(ks)) < 7 or not 2 <= len(ks) <= 30:
            continue
        word = re.compile(rf"\b{name}\b")
        lines = [line for h in hunks for line in h.changes if word.search(line)]
        changes = set(lines)
        elsewhere = [line for line in text.splitlines() if word.search(line) and line not in changes]
        if not elsewhere and all(text.count(line) == 1 for line in lines):
            yield name, lines


def test_a_question_naming_an_identifier_keeps_every_changed_line_that_holds_it() -> None:
    checked = 0
    for text in _windows():
        for name, lines in _only_in_changes(text):
            out = compress_with("diff", text, f"Which changes touch `{name}`?")
            missing = [line for line in lines if line not in out]
            assert not missing, f"`{name}`: {len(missing)} of {len(lines)} changed lines lost, e.g. {missing[:3]}"
            assert_kept_lines_verbatim(text, out)
            checked += 1
            if checked == CHECKS:
                return
    if not checked:
        pytest.skip("no identifier of the history occurs only in changed lines of 7 or more hunks")


def _heads(text: str) -> list[tuple[str, list[str]]]:
    """Each commit line of a `git log -p` text with its `diff --git` lines, in order."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("commit "):
            out.append((line, []))
        elif line.startswith("diff --git ") and out:
            out[-1][1].append(line)
    return out


def test_without_a_question_a_long_history_keeps_every_commit_and_every_file_header() -> None:
    total = len(_git("log", "--format=%H").split())
    if total < 40:
        pytest.skip(f"the checkout holds {total} commits (a shallow clone?)")
    # The first 40 commits of the history, which never change: well over the default ceiling.
    text = _git("log", "-p", "-n40", f"--skip={total - 40}")
    assert rustcore.count_tokens(text) > 50_000
    out = compress_with("diff", text).splitlines()
    kept = set(out)
    heads = _heads(text)
    assert all(commit in kept for commit, _ in heads)
    missing = [f for _, files in heads for f in files if f not in kept]
    assert not missing, f"{len(missing)} file headers lost, e.g. {missing[:3]}"
    assert rustcore.count_tokens("\n".join(out)) < rustcore.count_tokens(text) / 5


def test_at_a_budget_the_first_commits_are_shown_each_with_its_first_file() -> None:
    total = len(_git("log", "--format=%H").split())
    if total < 40:
        pytest.skip(f"the checkout holds {total} commits (a shallow clone?)")
    text = _git("log", "-p", "-n40", f"--skip={total - 40}")
    heads = [(commit, files) for commit, files in _heads(text) if len(files) >= 2]
    for budget in (1500, 3000):
        kept = set(compress_with("diff", text, budget=budget).splitlines())
        shown = [(commit, files) for commit, files in heads if commit in kept]
        assert 0 < len(shown) < len(heads)
        # The commits shown are the log's first ones; the last may have had room for its line only.
        assert [c for c, _ in shown] == [c for c, _ in heads[: len(shown)]]
        assert all(files[0] in kept for _, files in shown[:-1])


def test_a_plain_unified_diff_keeps_the_changes_of_the_file_a_question_names_and_without_one() -> None:
    import difflib
    import sysconfig

    source = Path(sysconfig.get_paths()["stdlib"]) / "argparse.py"
    old = source.read_text(encoding="utf-8").splitlines(keepends=True)
    # Every 60th line changed: hunks spread over the file, as between two releases.
    new = [line.rstrip("\n") + "  # changed\n" if k % 60 == 7 and line.strip() else line for k, line in enumerate(old)]
    text = "".join(
        difflib.unified_diff(old, new, "a/argparse.py", "b/argparse.py", "2026-05-09 07:32:23", "2026-05-09 07:33:12")
    )
    changed = [line for line in text.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) >= 20
    for query in ("How did argparse.py change between the two versions?", None):
        out = compress_with("diff", text, query)
        kept = set(out.splitlines())
        assert "--- a/argparse.py\t2026-05-09 07:32:23" in kept
        assert sum(line in kept for line in changed) >= len(changed) / 4, query
        assert_kept_lines_verbatim(text, out)


def test_the_stat_rows_of_git_diff_stat_p_stay_and_the_row_of_a_file_asked_about_first() -> None:
    total = len(_git("log", "--format=%H").split())
    if total < 40:
        pytest.skip(f"the checkout holds {total} commits (a shallow clone?)")
    first = _git("log", "--format=%H", f"--skip={total - 40}", "-n1").strip()
    last = _git("log", "--format=%H", f"--skip={total - 60}", "-n1").strip()
    text = _git("diff", "--stat=200", "-p", first, last)
    table = text[: text.index("\ndiff --git ")].splitlines()
    rows = [line for line in table if " | " in line]
    assert len(rows) >= 5
    kept = set(compress_with("diff", text).splitlines())
    assert all(row in kept for row in rows)
    for row in rows[:: max(len(rows) // 4, 1)]:
        path = row.split("|")[0].strip()
        kept = set(
            compress_with("diff", text, f"How many lines changed in {path} in this diff?", budget=800).splitlines()
        )
        assert row in kept, path
