"""benchmarks/reliability.py (run by `make bench`): its slow-client, corruption, indexing and headroom_run parts, at a
small scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.reliability import MB, corruption, index_table, memory_run, slow_clients


def test_slow_clients_leave_authenticated_requests_served_and_unauthenticated_ones_refused(tmp_path: Path) -> None:
    result = slow_clients(40, tmp_path)
    assert result["served"] == result["asked"]
    assert result["unauthenticated_served"] == 0
    assert 0 < result["held_during"] <= 256


def test_a_store_with_damaged_pages_loses_only_originals_that_touched_them(tmp_path: Path) -> None:
    result = corruption(300, tmp_path)
    assert result["detected"]
    assert result["salvaged"] + result["lost"] == result["originals"]
    assert result["salvaged"] > 0
    assert result["lost_outside_damaged_pages"] == 0


def test_headroom_run_of_endless_output_is_read_as_stopped_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADROOM_MAX_INPUT_MB", "2")
    result = memory_run(tmp_path)
    assert (result["truncated"], result["output_mb"], result["bound_mb"]) == (True, 2.0, 158)
    assert result["peak_mb"] > 0


def test_indexing_reports_chunks_memory_and_cpu_time_per_shape(tmp_path: Path) -> None:
    deep = index_table([1], tmp_path, {"JSON deep": lambda size: b"[" * (size // 2) + b"]" * (size // 2)})
    assert [(r["shape"], r["mb"], r["within"]) for r in deep] == [("JSON deep", 1.0, True)]
    # A chunk holds 1,000 characters at most.
    assert deep[0]["chunks"] >= MB // 1000 and deep[0]["cpu_s"] >= 0
