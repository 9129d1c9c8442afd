"""Configuration files: every file header and section, the keys asked about with their parents, the structure.

The inputs are real files and real tool output of this machine, made when the test runs: the project's
own Cargo.lock and pyproject.toml, the entry points of the installed distributions concatenated by
`tail -n +1`, YAML written by ruamel.yaml from the installed distributions' metadata, and
`python -m sysconfig` (hundreds of `KEY = "value"` lines). Questions and needles are picked with a
seeded random choice.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
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
SEEDS = range(3)


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


def _ask(store: Store, text: str, query: str | None, needles: list[str], *, tight: bool = True) -> str:
    # With `tight`, a budget of a quarter of the input, so that even a short file must give way.
    budget = max(100, rustcore.count_tokens(text) // 4) if tight else None
    result = compress(text, store=store, query=query, budget=budget)
    check_result(result, text, store)
    assert result.compressor in ("config", *(() if tight else ("none",))), result.content_type
    assert budget is None or result.tokens_after <= budget
    assert all(needles_kept(result.compressed, needles)), (needles, result.compressed)
    return result.compressed


def _entry_points() -> str:
    files = []
    for dist in metadata.distributions():
        path = getattr(dist, "_path", None)
        if path is not None and (Path(path) / "entry_points.txt").is_file():
            files.append(str(Path(path) / "entry_points.txt"))
    if len(files) < 3:
        pytest.skip("fewer than three installed distributions declare entry points")
    return subprocess.run(["tail", "-n", "+1", *sorted(files)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("path", ["pyproject.toml", "rustcore/Cargo.lock"])
def test_a_config_file_is_compressed_by_the_config_compressor_through_the_pipeline(store: Store, path: str) -> None:
    text = (ROOT / path).read_text()
    result = compress(text, store=store, budget=max(100, rustcore.count_tokens(text) // 4))
    check_result(result, text, store)
    assert (result.content_type, result.compressor) == ("config", "config")


@pytest.mark.parametrize("seed", SEEDS)
def test_cargo_lock_keeps_the_package_asked_about(store: Store, seed: int) -> None:
    text = (ROOT / "rustcore" / "Cargo.lock").read_text()
    packages = re.findall(r'(?m)^name = "([^"]+)"\nversion = "([^"]+)"$', text)
    unique = [p for p in packages if sum(1 for q in packages if q[0] == p[0]) == 1]
    name, version = random.Random(seed).choice(unique)
    _ask(store, text, f"Which version of the `{name}` crate is locked?", [f'name = "{name}"', f'version = "{version}"'])


@pytest.mark.parametrize("seed", SEEDS)
def test_a_key_of_pyproject_is_kept_with_its_section(store: Store, seed: int) -> None:
    text = (ROOT / "pyproject.toml").read_text()
    section, keys = None, []
    for line in text.splitlines():
        if re.match(r"^\[[^\]]+\]$", line):
            section = line
        elif section and (m := re.match(r"^([A-Za-z][\w-]*) = \S", line)) and text.count(line) == 1:
            keys.append((section, m.group(1), line))
    section, key, line = random.Random(seed).choice(keys)
    _ask(store, text, f"What is `{section.strip('[]')}.{key}` set to?", [section, line])


@pytest.mark.parametrize("seed", SEEDS)
def test_concatenated_ini_files_keep_the_file_and_section_of_the_key_asked_about(store: Store, seed: int) -> None:
    text = _entry_points()
    current_file, current_section, candidates = "", "", []
    for line in text.splitlines():
        if line.startswith("==> "):
            current_file = line
        elif re.match(r"^\[[^\]]+\]$", line):
            current_section = line
        elif " = " in line and text.count(line) == 1:
            candidates.append((current_file, current_section, line))
    header, section, line = random.Random(seed).choice(candidates)
    name = line.split(" = ")[0].strip()
    _ask(store, text, f"Which object does the `{name}` entry point load?", [header, section, line])


def test_without_a_query_every_file_header_of_a_concatenation_survives(store: Store) -> None:
    text = _entry_points()
    headers = [line for line in text.splitlines() if line.startswith("==> ")]
    out = _ask(store, text, None, headers, tight=False)
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_dotted_yaml_path_finds_the_key_under_its_parents(store: Store, seed: int) -> None:
    from ruamel.yaml import YAML

    dists = {}
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"] or ""):
        name = dist.metadata["Name"]
        if name and name not in dists:
            python = dist.metadata.get("Requires-Python") or "any"
            dists[name] = {
                "version": dist.version,
                "summary": dist.metadata.get("Summary") or "",
                "requires": {"count": len(dist.requires or []), "python": python},
            }
    buffer = io.StringIO()
    YAML().dump({"distributions": dists}, buffer)
    text = buffer.getvalue()
    name = random.Random(seed).choice(sorted(n for n in dists if re.fullmatch(r"[A-Za-z][\w-]*", n)))
    lines = text.splitlines()
    at = lines.index(f"  {name}:")
    version_line = next(line for line in lines[at + 1 :] if line.strip().startswith("version:"))
    _ask(store, text, f"What is `distributions.{name}.version`?", [f"  {name}:", version_line])


def test_hundreds_of_key_value_lines_without_a_query_show_keys_and_counts(store: Store) -> None:
    text = subprocess.run([sys.executable, "-m", "sysconfig"], capture_output=True, text=True, check=True).stdout
    assert text.count(" = ") >= 300
    result = compress(text, store=store)
    check_result(result, text, store)
    out = result.compressed
    assert result.compressor == "config"
    shown = [line for line in out.splitlines() if " = " in line and not find_markers(line)]
    markers = find_markers(out)
    # Not one "[900 lines omitted]": the top-level keys, a sample of each group, each gap counted.
    assert len(shown) >= 10 and len(markers) >= 3
    assert all(line in out for line in ("Paths: ", "Variables: "))
    assert result.tokens_after <= 0.4 * result.tokens_before
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


_LINES = st.one_of(
    st.from_regex(r"( {2}){0,3}(- )?[a-z][a-zA-Z]{0,8}: [a-z0-9\"]{0,10}", fullmatch=True),
    st.from_regex(r"\[[a-z]{1,6}(\.[a-z]{1,4})?\]", fullmatch=True),
    st.from_regex(r"[A-Z_]{1,10}=[a-z0-9]{0,8}", fullmatch=True),
    st.sampled_from(["---", "# a comment", "", "==> conf/app.yaml <=="]),
)


@given(rows=st.lists(_LINES, min_size=1, max_size=120), query=st.sampled_from([None, "a.b", "`ENV_X`"]))
def test_any_config_keeps_lines_verbatim_and_marks_every_omission(rows: list[str], query: str | None) -> None:
    text = "\n".join(rows) + "\n"
    assert_compresses_within_budget("config", text, query, None)
    assert_compresses_within_budget("config", text, query, 120)
