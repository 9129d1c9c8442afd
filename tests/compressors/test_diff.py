"""The diff compressor: the hunks asked about whole, headers kept, noise summarised with markers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import find_markers
from compressors import compress
from tests.compressors.lines_helpers import (
    assert_compresses_within_budget,
    assert_corpus_shrinks_deterministically_without_a_query,
    assert_corpus_shrinks_keeping_needles,
    assert_every_line_accounted_for,
    assert_kept_lines_verbatim,
    assert_markers_resolve,
    check_result,
    compress_with,
    open_store,
)
from tests.conftest import Sample


def _run(text: str, query: str | None = None, budget: int | None = None) -> str:
    return compress_with("diff", text, query, budget)


def _file_diff(path: str, hunks: int = 3, changed: int = 4, tag: str = "") -> str:
    out = [f"diff --git a/{path} b/{path}", "index 1a2b3c4..5d6e7f8 100644", f"--- a/{path}", f"+++ b/{path}"]
    for h in range(hunks):
        start = 10 + h * 40
        out.append(f"@@ -{start},{changed + 6} +{start},{changed + 6} @@ def section_{h}{tag}():")
        out += [f" context line {k} of section {h}" for k in range(3)]
        out += [f"-    old_value_{h}_{k}{tag} = compute({k})" for k in range(changed)]
        out += [f"+    new_value_{h}_{k}{tag} = compute({k}, strict=True)" for k in range(changed)]
        out += [f" trailing context {k} of section {h}" for k in range(3)]
    return "\n".join(out) + "\n"


def _commit(sha: str, subject: str, body: str) -> str:
    header = f"commit {sha}\nAuthor: Dev One <dev@example.test>\nDate:   Tue Aug 19 10:43:16 2025 -0700\n"
    return f"{header}\n    {subject}\n\n{body}"


def test_a_multi_file_diff_is_compressed_by_the_diff_compressor_through_the_pipeline() -> None:
    text = "".join(_file_diff(f"src/pkg/mod_{i}.py", tag=f"_{i}") for i in range(15))
    with open_store() as store:
        result = compress(text, store=store)
        check_result(result, text, store)
    assert (result.content_type, result.compressor) == ("diff", "diff")
    assert "diff --git a/src/pkg/mod_14.py" in result.compressed and result.tokens_after < result.tokens_before


def test_the_hunk_the_query_names_is_kept_whole_and_file_headers_stay() -> None:
    text = "".join(_file_diff(f"src/pkg/mod_{i}.py", tag=f"_{i}") for i in range(15))
    out = _run(text, query="What changed in src/pkg/mod_7.py near def section_1_7?")
    for k in range(4):
        assert f"-    old_value_1_{k}_7 = compute({k})" in out
        assert f"+    new_value_1_{k}_7 = compute({k}, strict=True)" in out
    for i in range(15):
        assert f"diff --git a/src/pkg/mod_{i}.py b/src/pkg/mod_{i}.py" in out
    assert rustcore.count_tokens(out) < rustcore.count_tokens(text) / 4
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


def test_in_git_log_p_the_commit_asked_about_keeps_its_changes_and_every_commit_header_stays() -> None:
    commits = [
        _commit(f"{i:02d}{'ab' * 19}", f"change number {i}", _file_diff(f"src/m{i}.py", hunks=2, tag=f"_{i}"))
        for i in range(20)
    ]
    text = "".join(commits)
    out = _run(text, query='What did commit 07abababab ("change number 7") change?')
    assert "+    new_value_0_0_7 = compute(0, strict=True)" in out
    for i in range(20):
        assert f"commit {i:02d}{'ab' * 19}" in out
        assert f"    change number {i}\n" in out


def test_lockfiles_whitespace_only_hunks_and_huge_deletions_are_summarised() -> None:
    lock = "diff --git a/package-lock.json b/package-lock.json\n"
    lock += "--- a/package-lock.json\n+++ b/package-lock.json\n@@ -1,200 +1,200 @@\n"
    lock += "".join(f'-    "dep{i}": "1.0.{i}",\n+    "dep{i}": "1.0.{i + 1}",\n' for i in range(200))
    ws = "diff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x  =  1\n"
    gone = "diff --git a/old/legacy.py b/old/legacy.py\ndeleted file mode 100644\n"
    gone += "--- a/old/legacy.py\n+++ /dev/null\n@@ -1,120 +0,0 @@\n"
    gone += "".join(f"-legacy line {i}\n" for i in range(120))
    real = _file_diff("src/core.py", hunks=1)
    text = lock + ws + gone + real
    out = _run(text)
    assert '"dep5": "1.0.6"' not in out
    assert "legacy line 50" not in out
    assert "+    new_value_0_0 = compute(0, strict=True)" in out
    for header in ("package-lock.json", "src/a.py", "old/legacy.py"):
        assert f"diff --git a/{header} b/{header}" in out
    assert any(m.unit in ("hunks", "files") for m in find_markers(out))


def test_without_a_query_every_hunk_shows_its_first_changes() -> None:
    text = "".join(_file_diff(f"src/f{i}.c", hunks=2, changed=12, tag=f"_{i}") for i in range(6))
    out = _run(text)
    for i in range(6):
        assert f"-    old_value_1_0_{i} = compute(0)" in out


def test_a_removed_line_that_looks_like_a_header_is_not_taken_for_one() -> None:
    text = "diff --git a/notes.md b/notes.md\n--- a/notes.md\n+++ b/notes.md\n"
    text += "@@ -1,3 +1,2 @@\n--- old separator\n+++ new separator\n keep\n"
    out = _run(text * 40, query="separator")
    assert "--- old separator" in out


def test_a_budget_is_honoured() -> None:
    text = "".join(_file_diff(f"src/pkg/mod_{i}.py", tag=f"_{i}") for i in range(15))
    out = _run(text, query="mod_3", budget=400)
    assert rustcore.count_tokens(out) <= 400


def test_crlf_and_empty_input() -> None:
    text = "".join(_file_diff(f"src/x{i}.py") for i in range(6)).replace("\n", "\r\n")
    out = _run(text, query="section_2")
    assert_markers_resolve(text, out, rustcore.content_hash(text))
    assert _run("") == ""


_DIFF_LINE = st.one_of(
    st.sampled_from(
        [
            "diff --git a/a.py b/a.py",
            "--- a/a.py",
            "+++ b/a.py",
            "@@ -1,3 +1,3 @@ def f():",
            "@@ -1 +1 @@",
            "commit 0123456789abcdef0123456789abcdef01234567",
            "Author: A <a@b>",
            "    subject",
            "\\ No newline at end of file",
        ]
    ),
    st.builds(
        lambda p, t: p + t,
        st.sampled_from(["+", "-", " "]),
        st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"), max_size=50),
    ),
)


@given(
    lines=st.lists(_DIFF_LINE, max_size=150),
    query=st.one_of(st.none(), st.text(max_size=30)),
    budget=st.one_of(st.none(), st.integers(min_value=40, max_value=3000)),
)
def test_any_diff_compresses_within_budget_with_every_line_accounted_for(
    lines: list[str], query: str | None, budget: int | None
) -> None:
    text = "\n".join(lines)
    assert_compresses_within_budget("diff", text, query, budget)


@pytest.mark.corpus
def test_corpus_diffs_shrink_and_keep_their_needles(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_keeping_needles(corpus, ("diff",), "diff")


@pytest.mark.corpus
def test_corpus_diffs_without_a_query_shrink_deterministically(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_deterministically_without_a_query(corpus, ("diff",))
