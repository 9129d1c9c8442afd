"""benchmarks/reliability.py (run by `make bench`): its slow-client and corruption parts, at a small scale."""

from __future__ import annotations

from pathlib import Path

from benchmarks.reliability import corruption, slow_clients


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
