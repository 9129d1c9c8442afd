"""Query-scoped retrieval follows the structure of what it was given: diff hunks, commit records, tree branches, the
function around a matching docstring, and what a question asks beyond its words: the largest rows of a listing, the
newest lines of a log.

The texts are real output captured at test time (the project's own `git log -p`, `git diff` and `git log --stat`,
`npm ls --all` of the project's node_modules, `du -ak` and `find -printf` over installed package trees, this
machine's logs), and the questions and their needles are drawn mechanically by the `benchmarks.fresh` generators
(a hunk changing 2-12 lines and the commit and file it belongs to; a nested npm package and the package it sits
under; the largest file of a tree, a unique maximum; the last entries of a log; a stdlib or installed function asked
about in its docstring's words, and the last line of its body), with seeds fixed here; the
history and trees they draw from change as the project and the machine do.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.fresh import generate
from ccr import Settings, Store
from ccr._blocks import block_after, enclosing_lines
from ccr._intents import quoted_headings
from mcp_server.bench import RETRIEVAL_MAX_TOKENS, score_needles

SEEDS = ("structure-a", "structure-b", "structure-c")


# The project's history grows with every commit, so the windows drawn from it change: a floor on the share of
# samples answered whole, not every one, keeps a new hard draw from failing everyone's run (measured on 8 seeds
# of 4 samples, structure-a/b/c and s-d..s-h: 30 of 32 whole, 122 of 131 needles).
HISTORY_FLOOR = 0.8


def _retrieved(
    tmp_path: Path, kinds: list[str], per_seed: int, seeds: tuple[str, ...] = SEEDS
) -> list[tuple[str, str, list[str], int]]:
    """(sample name, query, needles missing from one query retrieval, needles) for fresh samples of `kinds`."""
    out = []
    with Store(Settings(home=tmp_path / "home")) as store:
        for seed in seeds:
            run = generate(seed, per_category=per_seed, kinds=kinds, slow=False)
            if not run.samples and run.unavailable:
                pytest.skip(f"no source for {kinds} here: {run.skipped}")
            for sample in run.samples:
                digest = store.put(sample.text)
                excerpt = store.query(digest, sample.query, max_tokens=RETRIEVAL_MAX_TOKENS)
                assert excerpt.tokens <= RETRIEVAL_MAX_TOKENS
                # Scored as the benchmark scores a retrieval: the excerpt's rows, as the compressed text.
                score = score_needles(sample.needles, excerpt.text)
                out.append((f"{seed}/{sample.name}", sample.query, list(score.missing), score.total))
    return out


def _report(results: list[tuple[str, str, list[str], int]]) -> str:
    return "\n".join(f"{name}: {query}\n  missing: {missing}" for name, query, missing, _ in results if missing)


def _whole_share(results: list[tuple[str, str, list[str], int]]) -> float:
    """The share of samples whose every needle came back."""
    return sum(1 for _, _, missing, _ in results if not missing) / len(results) if results else 0.0


def test_a_question_naming_a_commit_and_a_file_brings_back_that_hunk_within_one_retrieval(tmp_path: Path) -> None:
    results = _retrieved(tmp_path, ["git_log_p", "git_diff"], per_seed=4)
    assert len(results) >= 6
    assert _whole_share(results) >= HISTORY_FLOOR, _report(results)


def test_a_question_naming_a_commit_brings_back_its_changed_files_from_git_log_stat(tmp_path: Path) -> None:
    results = _retrieved(tmp_path, ["git_log_stat"], per_seed=2)
    assert results
    assert _whole_share(results) >= HISTORY_FLOOR, _report(results)


def test_a_question_about_a_nested_npm_package_brings_back_its_line_and_the_package_it_sits_under(
    tmp_path: Path,
) -> None:
    results = _retrieved(tmp_path, ["npm_ls"], per_seed=3)
    assert all(not missing for _, _, missing, _ in results), _report(results)


def test_a_package_named_by_a_function_word_is_found_by_one_retrieval_of_npm_ls_json(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    from ccr._retrieval import query_terms

    root = Path(__file__).resolve().parents[2]
    npm = shutil.which("npm")
    if npm is None or not (root / "node_modules").is_dir():
        pytest.skip("no npm or no node_modules here")
    text = subprocess.run([npm, "ls", "--all", "--json"], cwd=root, capture_output=True, text=True).stdout
    names: set[str] = set()

    def walk(deps: dict[str, dict[str, object]]) -> None:
        for name, info in deps.items():
            names.add(name)
            walk(info.get("dependencies", {}))  # type: ignore[arg-type]

    walk(json.loads(text).get("dependencies", {}))
    # Packages whose name the question's terms drop (`once`, `which`): only the key names them.
    asked = sorted(n for n in names if n.isalpha() and n not in query_terms(f"the {n} package"))
    if not asked:
        pytest.skip("no package of node_modules is named by a function word")
    with Store(Settings(home=tmp_path / "home")) as store:
        digest = store.put(text)
        for name in asked:
            excerpt = store.query(digest, f"Which version of {name} does the dependency tree hold?")
            assert f'"{name}": {{' in excerpt.text, name


def test_a_question_naming_a_crate_brings_back_its_own_record_of_minified_cargo_metadata(tmp_path: Path) -> None:
    # One line of JSON: its packages are ranked as items; the crate's own record ({"name":"regex",...}) comes
    # before the records that list it among their dependencies or share a part of its name (regex-automata).
    results = _retrieved(tmp_path, ["cargo_metadata"], per_seed=4)
    assert all(not missing for _, _, missing, _ in results), _report(results)


def test_a_question_for_the_largest_file_brings_back_its_row_beside_the_folder_totals(tmp_path: Path) -> None:
    results = _retrieved(tmp_path, ["du_ak", "find_printf"], per_seed=4)
    assert len(results) >= 6
    assert all(not missing for _, _, missing, _ in results), _report(results)


def test_an_ls_lr_row_is_headed_by_its_directory_and_the_directory_heads_its_rows() -> None:
    # Real `ls -laR` of an installed package: rows are not indented under their `dir:` heading, so the heading is
    # found by the run of lines it opens, and the heading's block is that run.
    package = Path(json.__file__).parent
    text = subprocess.run(["ls", "-laR", str(package)], capture_output=True, text=True, check=True).stdout
    lines = text.split("\n")
    headings = [n for n, line in enumerate(lines, start=1) if line.startswith(str(package)) and line.endswith(":")]
    assert len(headings) >= 2, text
    for heading in headings:
        block = block_after(heading, lines)
        assert block and not any(lines[n - 1] == "" for n in block), (heading, block)
        assert lines[block[-1]].strip() == "" or block[-1] == len(lines), (heading, block)
        row = block[-1]
        assert enclosing_lines(row, lines) == [heading], (row, lines[row - 1])


def test_a_question_for_the_newest_entries_brings_back_the_end_of_the_log(tmp_path: Path) -> None:
    results = [r for r in _retrieved(tmp_path, ["system_log"], per_seed=4) if "newest" in r[1]]
    assert results
    assert all(not missing for _, _, missing, _ in results), _report(results)


def test_a_question_naming_a_section_brings_back_its_text_under_an_underlined_heading(tmp_path: Path) -> None:
    # READMEs and package descriptions (Markdown, reStructuredText changelogs underlined with --- or ===).
    results = _retrieved(tmp_path, ["readme_section"], per_seed=8, seeds=("sections-b", "sections-c"))
    assert len(results) >= 12
    assert all(not missing for _, _, missing, _ in results), _report(results)


# Documentation pages of this machine (rustdoc, /usr/share/doc), 8 samples per seed: 19 of 24 whole on pages-a..c
# and 27 of 32 on pages-a..d (a section whose text shares a minified line with its heading is still missed); 14 of
# 24 and 22 of 32 before the quoted heading was ranked first and a long line capped at a quarter of the excerpt.
PAGES_FLOOR = 0.75


def test_a_question_quoting_a_heading_brings_back_its_section_and_the_page_title(tmp_path: Path) -> None:
    results = _retrieved(tmp_path, ["html_doc_page"], per_seed=8, seeds=("pages-a", "pages-b", "pages-c"))
    assert len(results) >= 12
    assert _whole_share(results) >= PAGES_FLOOR, _report(results)


def test_a_quoted_heading_is_found_as_markdown_underlined_or_html_even_inside_a_minified_line() -> None:
    lines = [
        "<html><head><title>T</title></head><body><h1>Intro</h1><p>x</p><h2 id='s'><a href='#s'>§</a>Safety</h2>",
        "<p>Never call this twice.</p>",
        "## Getting started",
        "Install it.",
        "Usage notes",
        "-----------",
        "Run it.",
    ]
    assert quoted_headings(lines, "What does it say under “§Safety”?") == [0]
    assert quoted_headings(lines, 'What does the README say about "Getting started"?') == [2]
    assert quoted_headings(lines, "What is under 'usage notes'?") == [4]
    assert quoted_headings(lines, "What does it say about safety?") == []


def test_a_heading_inside_a_minified_line_opens_its_section_up_to_the_next_heading_of_its_level() -> None:
    lines = [
        "<body><nav>menu</nav><h1>Vec</h1><p>intro</p><h2 id='m'>Memory layout</h2>",
        "<p>The buffer is on the heap.</p>",
        "<h3>Capacity</h3><p>It grows.</p>",
        "<p>Doubling.</p><h2 id='n'>Next</h2><p>other</p>",
        "<p>not in the section</p>",
    ]
    assert block_after(1, lines) == [2, 3]


def test_a_log_that_mentions_a_commit_is_still_ranked_line_by_line(tmp_path: Path) -> None:
    # A commit line not followed by Author:/Merge: is not a git log record: nothing after it joins a chunk.
    lines = [f"2026-12-05 10:{i // 60:02d}:{i % 60:02d} INFO step {i} done" for i in range(400)]
    lines[10] = "commit 0123456789abcdef0123456789abcdef01234567 checked out"
    lines[300] = "2026-12-05 10:05:00 ERROR disk quota exceeded on /var/cache"
    with Store(Settings(home=tmp_path / "home")) as store:
        digest = store.put("\n".join(lines) + "\n")
        excerpt = store.query(digest, "why did the disk quota run out?", max_tokens=200)
    assert 301 in excerpt.line_numbers
    assert len(excerpt.line_numbers) < 20


def test_where_is_a_name_defined_brings_back_the_lines_defining_it_before_its_uses(tmp_path: Path) -> None:
    # Real `grep -rn` output over installed packages and the stdlib for a name drawn by the generator; where a
    # name is defined in several files, every defining line (when there are few enough to fit) comes back.
    from ccr._hybrid import definition_pattern

    checked = []
    with Store(Settings(home=tmp_path / "home")) as store:
        for seed in ("defs-a", "defs-b", "q5-report/2"):
            run = generate(seed, per_category=4, kinds=["grep_python"], slow=False)
            if not run.samples and run.unavailable:
                pytest.skip(f"grep samples unavailable here: {run.skipped}")
            for sample in run.samples:
                pattern = definition_pattern(sample.query)
                assert pattern is not None
                defining = [line for line in sample.text.splitlines() if pattern.search(line)]
                if not 2 <= len(defining) <= 20:
                    continue
                digest = store.put(sample.text)
                shown = set(store.query(digest, sample.query, max_tokens=RETRIEVAL_MAX_TOKENS).text.splitlines())
                checked.append((sample.query, [line for line in defining if line not in shown]))
    assert checked
    assert all(not lost for _, lost in checked), checked


# Measured on 6 seeds of 4 questions (structure-a/b/c, s-d/e/f): 23 of 24 came back whole (17 of 24 when the match
# brought only its own block: the docstring, not the body below it). The functions are drawn from the installed
# packages, so a fresh clone's .venv draws others: there 10 of 12 (structure-a/b/c) and 18 of 20 (s-d..s-h).
DOCSTRING_FLOOR = 0.8


def test_a_question_in_a_functions_docstring_words_brings_back_the_rest_of_its_body(tmp_path: Path) -> None:
    results = _retrieved(tmp_path, ["python_docq"], 4)
    assert _whole_share(results) >= DOCSTRING_FLOOR, _report(results)


# Measured on structure-a/b/c and s-d..s-h, 3 samples each: 24 of 24 whole (0 of 24 with only the nearest block),
# then 22 of 24 once the history had moved on (two questions whose quoted subject another commit's message shares
# words with: the best match was that other record). The windows change with every commit, hence a share over 8 seeds.
RECORD_FLOOR = 0.8
RECORD_SEEDS = (*SEEDS, "s-d", "s-e", "s-f", "s-g", "s-h")


def test_a_question_about_a_field_of_a_json_record_brings_back_the_record_around_it(tmp_path: Path) -> None:
    # The question quotes a commit's subject (a "message" field two levels down); its needles are the same record's
    # html_url and committer date, which share no word with the question.
    results = _retrieved(tmp_path, ["api_commits"], per_seed=3, seeds=RECORD_SEEDS)
    assert results
    assert _whole_share(results) >= RECORD_FLOOR, _report(results)
