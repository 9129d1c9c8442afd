"""Listings and tables: the header, the rows the query names with their parents, extremes, the rest counted.

Every input here is real output made on this machine when the test runs (`pip list`, `find`, `du`,
`ls -laR` over installed packages, `npm ls` of the project's node_modules, the project's own
`git log --stat`, a CSV that ships with an installed package); the question and its needles are
picked from it with a seeded random choice, so no rule can be tuned to one sample.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import Store, find_markers
from compressors import compress
from tests.compressors.lines_helpers import (
    assert_compresses_within_budget,
    assert_every_line_accounted_for,
    assert_kept_lines_verbatim,
    check_result,
    needles_kept,
    open_store,
)

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(sysconfig.get_paths()["purelib"])
SEEDS = range(3)


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, check=False).stdout
    if not out.strip():
        pytest.skip(f"{' '.join(cmd)} printed nothing here")
    return out


def _package_dir(*names: str) -> Path:
    for name in names:
        if (SITE / name).is_dir():
            return SITE / name
    pytest.skip(f"none of {names} is installed")


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


@pytest.fixture(scope="module")
def pip_list() -> str:
    return _run([sys.executable, "-m", "pip", "list", "--disable-pip-version-check"])


def _ask(store: Store, text: str, query: str | None, needles: list[str]) -> str:
    # A budget of a quarter of the input, so that even a short listing must give way.
    budget = max(100, rustcore.count_tokens(text) // 4)
    result = compress(text, store=store, query=query, budget=budget)
    check_result(result, text, store)
    assert result.compressor == "listing" and result.tokens_after <= budget
    assert all(needles_kept(result.compressed, needles)), (needles, result.compressed)
    return result.compressed


def test_a_package_listing_is_compressed_by_the_listing_compressor_through_the_pipeline(
    store: Store, pip_list: str
) -> None:
    result = compress(pip_list, store=store, budget=max(100, rustcore.count_tokens(pip_list) // 4))
    check_result(result, pip_list, store)
    assert (result.content_type, result.compressor) == ("listing", "listing")


@pytest.mark.parametrize("seed", SEEDS)
def test_pip_list_keeps_the_header_and_the_row_of_the_package_asked_about(
    pip_list: str, store: Store, seed: int
) -> None:
    header = pip_list.splitlines()[:2]
    row = random.Random(seed).choice(pip_list.splitlines()[2:])
    out = _ask(store, pip_list, f"Which version of {row.split()[0]} is installed?", [*header, row])
    assert out.startswith("\n".join(header))


def test_a_small_listing_asked_about_is_cut_to_a_share_of_itself_without_a_budget(pip_list: str, store: Store) -> None:
    # A question names a row: its answer, the header and a sample fit in far less than the listing's structure
    # needs without one (`pip list` of a hundred packages is about a thousand tokens).
    row = random.Random(7).choice(pip_list.splitlines()[2:])
    result = compress(pip_list, store=store, query=f"Which version of {row.split()[0]} is installed?")
    check_result(result, pip_list, store)
    assert result.tokens_after * 2 < result.tokens_before, (result.tokens_before, result.tokens_after)
    assert needles_kept(result.compressed, [row]) == [True], result.compressed


@pytest.mark.parametrize("seed", SEEDS)
def test_pip_show_files_keeps_the_file_asked_about_and_where_the_package_lies(store: Store, seed: int) -> None:
    name = _package_dir("hypothesis", "numpy", "mcp").name
    text = _run([sys.executable, "-m", "pip", "show", "-f", "--disable-pip-version-check", name])
    files = [line for line in text.splitlines() if line.startswith("  ") and line.endswith(".py")]
    row = random.Random(seed).choice(files)
    location = next(line for line in text.splitlines() if line.startswith("Location:"))
    query = f"Is {row.strip().rsplit('/', 1)[-1]} part of {name}, at which path, and where is {name} installed?"
    _ask(store, text, query, [row, location])


@pytest.mark.parametrize("seed", SEEDS)
def test_find_keeps_the_path_the_query_names(store: Store, seed: int) -> None:
    package = _package_dir("hypothesis", "numpy", "mcp")
    text = _run(["find", package.name, "-name", "*.py"], cwd=package.parent)
    text = "\n".join(sorted(text.splitlines())) + "\n"
    paths = [p for p in text.splitlines() if p.count("/") >= 2]
    path = random.Random(seed).choice(paths)
    _ask(store, text, f"Is `{path}` in this listing?", [path])


@pytest.mark.parametrize("seed", SEEDS)
def test_du_keeps_the_directory_asked_about_and_the_directories_holding_it(store: Store, seed: int) -> None:
    package = _package_dir("hypothesis", "numpy", "matplotlib")
    text = _run(["du", "-ak", package.name], cwd=package.parent)
    text = "\n".join(sorted(text.splitlines(), key=lambda row: row.split("\t")[1])) + "\n"
    rows = {row.split("\t")[1]: row for row in text.splitlines()}
    nested = [p for p in rows if p.count("/") >= 2 and (package.parent / p).is_dir()]
    if not nested:
        pytest.skip("no nested directory")
    path = random.Random(seed).choice(sorted(nested))
    parents = [rows[str(Path(path).parent)], rows[package.name]]
    _ask(store, text, f"How much disk space does the directory `{path}` take?", [rows[path], *parents])


def test_a_superlative_keeps_the_largest_and_the_smallest_file(store: Store) -> None:
    package = _package_dir("matplotlib", "numpy", "hypothesis")
    text = _run(["find", ".", "-type", "f", "-printf", "%s %p\\n"], cwd=package)
    text = "\n".join(sorted(text.splitlines(), key=lambda row: row.split(" ", 1)[1])) + "\n"
    rows = text.splitlines()
    largest = max(rows, key=lambda row: int(row.split()[0]))
    smallest = min(rows, key=lambda row: (int(row.split()[0]), row))
    _ask(store, text, "What is the largest file here, and how big is it?", [largest])
    if sum(1 for row in rows if row.split()[0] == smallest.split()[0]) == 1:
        _ask(store, text, "Which file is the smallest?", [smallest])


@pytest.mark.parametrize("seed", SEEDS)
def test_ls_lar_keeps_a_file_row_with_its_directory_heading(store: Store, seed: int) -> None:
    package = _package_dir("mcp", "httpx2", "anyio", "hypothesis")
    text = _run(["ls", "-laR", package.name], cwd=package.parent)
    blocks = [b for b in text.split("\n\n") if sum(1 for row in b.splitlines() if row.startswith("-")) >= 3]
    block = random.Random(seed).choice(blocks[1:] or blocks)
    heading = block.splitlines()[0]
    row = random.Random(seed).choice([r for r in block.splitlines() if r.startswith("-")])
    name = row.split()[-1]
    _ask(store, text, f"How big is `{heading.rstrip(':')}/{name}`?", [heading, row])


@pytest.mark.parametrize("seed", SEEDS)
def test_npm_ls_keeps_the_package_asked_about_and_the_package_that_pulls_it_in(store: Store, seed: int) -> None:
    if shutil.which("npm") is None or not (ROOT / "node_modules").is_dir():
        pytest.skip("npm or the project's node_modules is absent")
    text = _run(["npm", "ls", "--all"], cwd=ROOT)
    branch = re.compile(r"^([│ ]*)[├└]─[─┬] (\S+)")
    # (depth, name, line) of every entry below the root.
    entries = [(len(m.group(1)), m.group(2), line) for line in text.splitlines() if (m := branch.match(line))]
    base = [name.rsplit("@", 1)[0] for _, name, _ in entries]
    once = [
        i
        for i, (depth, _, line) in enumerate(entries)
        if depth > 0 and base.count(base[i]) == 1 and "deduped" not in line
    ]
    if not once:
        pytest.skip("no package appears once below the top level")
    i = random.Random(seed).choice(once)
    depth, name, _ = entries[i]
    parent = next(entries[k][1] for k in range(i - 1, -1, -1) if entries[k][0] < depth)
    _ask(store, text, f"Which version of `{base[i]}` is installed, and which package pulls it in?", [name, parent])


def test_git_log_stat_keeps_the_files_of_the_commit_asked_about(store: Store) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    text = _run(["git", "log", "--stat", "--no-merges", "-n", "60"], cwd=ROOT)
    commits = re.split(r"(?m)^commit ", text)[1:]
    stat = re.compile(r"(?m)^ \S.*\| +(\d+|Bin)")
    good = [c for c in commits if 2 <= len(stat.findall(c)) <= 6]
    if not good:
        pytest.skip("no commit with 2 to 6 files")
    commit = random.Random(0).choice(good)
    rows = [line.strip() for line in commit.splitlines() if stat.match(line) and text.count(line) == 1]
    _ask(store, text, f"Which files did commit {commit[:10]} change, and by how many lines each?", rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_csv_keeps_its_header_and_the_row_asked_about(store: Store, seed: int) -> None:
    data = _package_dir("matplotlib") / "mpl-data" / "sample_data"
    csvs = sorted(p for p in data.glob("*.csv") if p.stat().st_size > 4000)
    if not csvs:
        pytest.skip("no sample CSV")
    text = csvs[seed % len(csvs)].read_text()
    lines = text.splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    rows = [line for line in lines[lines.index(header) + 1 :] if text.count(line) == 1 and "," in line]
    row = random.Random(seed).choice(rows)
    _ask(store, text, f"What are the values for {row.split(',')[0]}?", [header, row])


def test_without_a_query_a_listing_shows_its_top_level_and_counts_the_rest(store: Store) -> None:
    package = _package_dir("hypothesis", "numpy", "matplotlib")
    text = _run(["du", "-ak", package.name], cwd=package.parent)
    text = "\n".join(sorted(text.splitlines(), key=lambda row: row.split("\t")[1])) + "\n"
    result = compress(text, store=store)
    check_result(result, text, store)
    out = result.compressed
    paths = [row.split("\t")[1] for row in text.splitlines()]
    top = [
        row
        for row, p in zip(text.splitlines(), paths, strict=True)
        if p.count("/") == 1 and (package.parent / p).is_dir()
    ]
    assert sum(row in out for row in top) >= min(len(top), 5)
    markers = find_markers(out)
    assert len(markers) >= 3 and all(m.count >= 1 and m.lines for m in markers)
    assert result.tokens_after <= 0.4 * result.tokens_before
    assert compress(text, store=store).compressed == out
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


_ROWS = st.one_of(
    st.from_regex(r"[0-9]{1,5}\t\./[a-z]{1,6}(/[a-z]{1,6}){0,3}", fullmatch=True),
    st.from_regex(r"(│ |  ){0,3}[├└]── [a-z-]{1,10}@[0-9]\.[0-9]\.[0-9]", fullmatch=True),
    st.from_regex(r"[a-z]{1,10} {2,8}[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True),
)


@given(rows=st.lists(_ROWS, min_size=1, max_size=120), query=st.sampled_from([None, "version of abc", "./ab/cd"]))
def test_any_listing_keeps_lines_verbatim_and_marks_every_omission(rows: list[str], query: str | None) -> None:
    text = "\n".join(rows) + "\n"
    assert_compresses_within_budget("listing", text, query, None)
    assert_compresses_within_budget("listing", text, query, 120)


def test_a_hard_budget_is_kept_on_a_real_listing(pip_list: str) -> None:
    for budget in (60, 200, 800):
        assert_compresses_within_budget("listing", pip_list, "Which version of pip is installed?", budget)
    assert rustcore.count_tokens(pip_list) > 0
