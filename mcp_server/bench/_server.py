"""The server figures a benchmark report can carry: start-up, stdio round trips, idle memory.

Measuring them (real server subprocesses, ours and the peer's) is the source checkout's
`benchmarks/server_measure.py` and `benchmarks/peer.py`, run by `make bench`; the package
only holds the records so a report renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RoundTripFigure", "ServerNumbers"]


@dataclass(frozen=True, slots=True)
class RoundTripFigure:
    size_bytes: int
    median_ms: float
    tokens_before: int
    tokens_after: int

    @property
    def label(self) -> str:
        if self.size_bytes >= 1024 * 1024:
            return f"{self.size_bytes / (1024 * 1024):g} MB"
        return f"{self.size_bytes / 1024:g} KB"


@dataclass(frozen=True, slots=True)
class ServerNumbers:
    measured: bool
    reason: str | None = None
    startup_ms: float | None = None
    idle_rss_bytes: int | None = None
    # Ours answers initialize before the MCP SDK has loaded; the first tool list waits for it.
    first_tools_list_ms: float | None = None
    round_trips: tuple[RoundTripFigure, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "measured": self.measured,
            "reason": self.reason,
            "startup_ms": None if self.startup_ms is None else round(self.startup_ms, 1),
            "first_tools_list_ms": None if self.first_tools_list_ms is None else round(self.first_tools_list_ms, 1),
            "idle_rss_bytes": self.idle_rss_bytes,
            "round_trips": [
                {
                    "size_bytes": t.size_bytes,
                    "median_ms": round(t.median_ms, 3),
                    "tokens_before": t.tokens_before,
                    "tokens_after": t.tokens_after,
                }
                for t in self.round_trips
            ],
        }
