"""The server figures of a benchmark run: start-up, stdio round trips, idle memory.

The measuring itself belongs to the server package (`mcp_server.server.measure`,
which runs the real server as a subprocess); this module only calls it and
says "not measured" with the reason when it is absent or fails, so the
compression figures are never lost to a server problem.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

__all__ = ["MEASURE_MODULE", "RoundTripFigure", "ServerNumbers", "measure_server"]

MEASURE_MODULE = "mcp_server.server.measure"


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


def _load_measure() -> Any:
    try:
        return importlib.import_module(MEASURE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name is not None and MEASURE_MODULE.startswith(exc.name):
            return None
        raise


def measure_server(runs: int = 5) -> ServerNumbers:
    """Start-up to ``initialize`` and to the first ``tools/list``, 1 KB / 100 KB / 1 MB round trips, idle memory."""
    try:
        measure = _load_measure()
    except ImportError as exc:
        return ServerNumbers(measured=False, reason=f"{MEASURE_MODULE} cannot be imported: {exc}")
    if measure is None:
        return ServerNumbers(measured=False, reason=f"{MEASURE_MODULE} is not installed")
    runs = max(runs, 3)
    try:
        startup = measure.measure_startup(runs=runs)
        rss = measure.measure_idle_rss()
        trips = measure.measure_round_trips(runs=runs)
    # A server that cannot start or answer is reported beside the compression figures, not raised over them.
    except Exception as exc:
        return ServerNumbers(measured=False, reason=f"the server could not be measured: {type(exc).__name__}: {exc}")
    return ServerNumbers(
        measured=True,
        startup_ms=float(startup.median_s) * 1000,
        first_tools_list_ms=float(startup.median_tools_list_s) * 1000 if startup.tools_list_runs_s else None,
        idle_rss_bytes=int(rss),
        round_trips=tuple(
            RoundTripFigure(int(t.size_bytes), float(t.median_ms), int(t.tokens_before), int(t.tokens_after))
            for t in trips
        ),
    )
