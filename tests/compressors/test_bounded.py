"""Inputs of over a million lines go to the bounded compressor: head, tail and the query's lines, every marker
redeemable, whatever the content type."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccr import Settings, Store, find_markers
from compressors import compress
from compressors._bounded import BOUNDED_FROM_LINES


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(Settings(home=tmp_path / "home")) as s:
        yield s


def test_a_million_short_lines_are_compressed_by_the_bounded_pass_and_every_marker_redeems(store: Store) -> None:
    lines = [f"{i % 7}\n" for i in range(BOUNDED_FROM_LINES + 10)]
    lines[777_777] = "ERROR disk quota exceeded on /var/lib/data\n"
    text = "".join(lines)
    result = compress(text, store=store, query="why did the disk quota fail", content_type="log")
    assert result.compressor == "bounded"
    assert "ERROR disk quota exceeded on /var/lib/data\n" in result.compressed
    assert result.compressed.startswith("0\n1\n2\n3\n4\n5\n6\n")
    markers = find_markers(result.compressed)
    assert markers and all(m.hash == result.hash for m in markers)
    total = len(lines)
    for marker in markers:
        assert marker.lines is not None
        first, last = marker.lines
        assert marker.count == last - first + 1
        for n in (first, last):
            excerpt = store.lines(result.hash, n, n)
            assert list(excerpt.rows) == [(n, lines[n - 1].rstrip("\n"))] and excerpt.total_lines == total


def test_below_the_bound_the_content_types_compressor_runs(store: Store) -> None:
    text = "".join(f"2024-01-01T00:00:{i % 60:02d}Z INFO tick {i}\n" for i in range(5000))
    assert compress(text, store=store, content_type="log").compressor == "log"
