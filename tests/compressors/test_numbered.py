"""A text with a line-number column (`cat -n`, `nl`, an agent's file read) is compressed as what its lines are."""

from __future__ import annotations

import argparse
import inspect
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccr import Store, find_markers
from ccr._numbered import number_column
from compressors import compress
from tests.compressors.lines_helpers import open_store
from tests.marker_contract import check_markers


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


def _real_log(path: Path) -> str:
    """A log written now by the logging module: many alike INFO lines and one ERROR among them."""
    logger = logging.getLogger(f"numbered-test-{path.name}")
    logger.propagate = False
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for i in range(600):
            logger.info("worker %d processed batch %d in %d ms", i % 4, 1000 + i * 7, 5 + i % 50)
            if i == 411:
                logger.error("database connection refused by db-replica-2 (attempt %d)", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path.read_text()


def _cat_n(path: Path) -> str:
    return subprocess.run(["cat", "-n", str(path)], check=True, capture_output=True, text=True).stdout


def test_a_cat_n_log_is_compressed_as_a_log_and_keeps_its_rare_error_with_its_number(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    plain = _real_log(log)
    numbered = _cat_n(log)
    error_no = next(i for i, line in enumerate(plain.splitlines(), 1) if " ERROR " in line)
    result = compress(numbered, store=store)
    assert result.content_type == "log"
    assert result.tokens_after < result.tokens_before // 4
    kept = result.compressed.splitlines()
    assert numbered.splitlines()[error_no - 1] in kept
    assert f"{error_no:6d}\t" in result.compressed
    assert find_markers(result.compressed)
    assert check_markers(store, result.hash, result.compressed, result.compressor) == []


def test_claude_reads_and_nl_styles_are_numbered_columns_too(store: Store, tmp_path: Path) -> None:
    plain = _real_log(tmp_path / "app.log")
    lines = plain.splitlines()
    # Claude Code's Read: the number, then a tab (or an arrow in older versions), then the line.
    for sep in ("\t", "\u2192"):
        read = "".join(f"{n}{sep}{line}\n" for n, line in enumerate(lines, 1))
        result = compress(read, store=store)
        assert result.content_type == "log"
        assert any(" ERROR " in line and line.split(sep, 1)[0].isdigit() for line in result.compressed.splitlines())
        assert check_markers(store, result.hash, result.compressed, result.compressor) == []
    nl = subprocess.run(["nl"], input=plain.replace("\n", "\n\n"), check=True, capture_output=True, text=True).stdout
    found = number_column(nl)
    assert found is not None and found.body == plain.replace("\n", "\n\n")


def test_a_cat_n_python_source_is_code_and_keeps_the_asked_function_numbered(store: Store, tmp_path: Path) -> None:
    source = Path(inspect.getfile(argparse))
    numbered = _cat_n(source)
    result = compress(numbered, store=store, query="where is _get_optional_kwargs defined")
    assert result.content_type == "code"
    def_no = next(i for i, line in enumerate(source.read_text().splitlines(), 1) if "def _get_optional_kwargs" in line)
    assert numbered.splitlines()[def_no - 1] in result.compressed.splitlines()
    assert result.tokens_after < result.tokens_before
    assert check_markers(store, result.hash, result.compressed, result.compressor) == []


def test_text_that_only_starts_with_numbers_is_not_a_numbered_column() -> None:
    du = subprocess.run(["du", "-a", str(Path(sys.executable).parent)], capture_output=True, text=True).stdout
    assert number_column(du) is None
    assert number_column("1\tone\n3\tthree\n4\tfour\n5\tfive\n") is None
    assert number_column("1\tone\n2\ttwo\n") is None
    assert number_column(textwrap.dedent("  7\ta\n  8\tb\n  9\tc\n")) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.text(alphabet=st.sampled_from("ab \r\t[]é0123456789:x"), max_size=120), min_size=3, max_size=80),
    first=st.integers(1, 5000),
    sep=st.sampled_from(["\t", "\u2192", ":"]),
    width=st.sampled_from([0, 6]),
    trailing=st.booleans(),
    budget=st.none() | st.integers(40, 400),
    query=st.none() | st.sampled_from(["error", "a0"]),
)
def test_compressing_a_numbered_text_keeps_every_marker_redeemable(
    store: Store,
    lines: list[str],
    first: int,
    sep: str,
    width: int,
    trailing: bool,
    budget: int | None,
    query: str | None,
) -> None:
    text = "\n".join(f"{n:{width}d}{sep}{line}" for n, line in enumerate(lines, first)) + ("\n" if trailing else "")
    result = compress(text, store=store, budget=budget, query=query)
    assert check_markers(store, result.hash, result.compressed, result.compressor) == []
    assert store.get(result.hash) == text.encode()
