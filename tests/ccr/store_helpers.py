"""Helpers shared by the store tests: a clock tests can move, and the store factory's type."""

from __future__ import annotations

from collections.abc import Callable

from ccr import Store

# 2023-11-14 22:13:20 UTC: a fixed, realistic "now", so messages show plausible dates.
START = 1_700_000_000.0

StoreFactory = Callable[..., Store]


class FakeClock:
    """Unix time that only moves when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0.0, *, hours: float = 0.0, days: float = 0.0) -> None:
        self.now += seconds + hours * 3600 + days * 86400
