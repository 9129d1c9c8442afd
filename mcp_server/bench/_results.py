"""What a benchmark run measured: per sample, per category, per system, and the machine it ran on.

Aggregates weigh by tokens (reduction), by needle (retention) and by sample
(median time), so a category's figures do not hinge on its largest file
alone, and ``ALL`` is computed from the samples, never from category rows.
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mcp_server.bench._corpus import SampleProblem
from mcp_server.bench._scorer import NeedleScore
from mcp_server.bench._server import ServerNumbers

__all__ = [
    "ALL",
    "MODES",
    "BenchReport",
    "CategorySummary",
    "MachineInfo",
    "SampleResult",
    "SystemRun",
    "summarize",
    "time_ratio",
]

ALL = "ALL"
# How a system was asked: with the sample's question, or with none (the peer's tool takes none).
MODES = ("query", "no-query")


@dataclass(frozen=True, slots=True)
class SampleResult:
    """One sample through one system in one mode; `error` set means nothing else is meaningful."""

    name: str
    category: str
    bytes: int
    tokens_before: int
    tokens_after: int
    needles: NeedleScore
    median_ms: float
    compressor: str = ""
    round_trip: bool | None = None
    deterministic: bool | None = None
    retrieval_tokens: int | None = None
    markers: int | None = None
    error: str | None = None

    @property
    def reduction(self) -> float:
        return 1 - self.tokens_after / self.tokens_before if self.tokens_before else 0.0

    @property
    def throughput_mb_s(self) -> float:
        return self.bytes / 1e6 / (self.median_ms / 1e3) if self.median_ms > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "category": self.category,
            "bytes": self.bytes,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "reduction": round(self.reduction, 4),
            "needles": self.needles.to_dict(),
            "median_ms": round(self.median_ms, 3),
            "throughput_mb_s": round(self.throughput_mb_s, 3),
            "compressor": self.compressor,
            "round_trip": self.round_trip,
            "deterministic": self.deterministic,
            "retrieval_tokens": self.retrieval_tokens,
            "markers": self.markers,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class SystemRun:
    """Every sample through one system in one mode."""

    system: str
    mode: str
    version: str
    samples: tuple[SampleResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.system} ({self.mode})"

    def to_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "mode": self.mode,
            "version": self.version,
            "notes": list(self.notes),
            "categories": {c.category: c.to_dict() for c in summarize(self)},
            "samples": [s.to_dict() for s in self.samples],
        }


def _sum_optional(values: Iterable[int | None]) -> int | None:
    items = list(values)
    if not items or any(v is None for v in items):
        return None
    return sum(v for v in items if v is not None)


@dataclass(frozen=True, slots=True)
class CategorySummary:
    category: str
    samples: int
    errors: int
    bytes: int
    tokens_before: int
    tokens_after: int
    needles: int
    strict: int
    kept: int
    with_retrieval: int | None
    retrieval_tokens: int | None
    median_ms: float
    total_ms: float
    round_trip_ok: int | None

    @classmethod
    def of(cls, category: str, results: Sequence[SampleResult]) -> CategorySummary:
        ok = [r for r in results if r.error is None]
        trips = [r.round_trip for r in ok]
        return cls(
            category=category,
            samples=len(ok),
            errors=len(results) - len(ok),
            bytes=sum(r.bytes for r in ok),
            tokens_before=sum(r.tokens_before for r in ok),
            tokens_after=sum(r.tokens_after for r in ok),
            needles=sum(r.needles.total for r in ok),
            strict=sum(r.needles.strict for r in ok),
            kept=sum(r.needles.kept for r in ok),
            with_retrieval=_sum_optional(r.needles.with_retrieval for r in ok),
            retrieval_tokens=_sum_optional(r.retrieval_tokens for r in ok),
            median_ms=statistics.median(r.median_ms for r in ok) if ok else 0.0,
            total_ms=sum(r.median_ms for r in ok),
            round_trip_ok=None if not trips or None in trips else sum(1 for t in trips if t),
        )

    @property
    def reduction(self) -> float:
        return 1 - self.tokens_after / self.tokens_before if self.tokens_before else 0.0

    @staticmethod
    def _rate(part: int | None, whole: int) -> float | None:
        if part is None or not whole:
            return None
        return part / whole

    @property
    def kept_rate(self) -> float | None:
        return self._rate(self.kept, self.needles)

    @property
    def strict_rate(self) -> float | None:
        return self._rate(self.strict, self.needles)

    @property
    def retrieval_rate(self) -> float | None:
        return self._rate(self.with_retrieval, self.needles)

    @property
    def throughput_mb_s(self) -> float:
        return self.bytes / 1e6 / (self.total_ms / 1e3) if self.total_ms > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        def rate(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "samples": self.samples,
            "errors": self.errors,
            "bytes": self.bytes,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "reduction": round(self.reduction, 4),
            "needles": self.needles,
            "needles_strict": self.strict,
            "needles_kept": self.kept,
            "needles_with_retrieval": self.with_retrieval,
            "kept_rate": rate(self.kept_rate),
            "strict_rate": rate(self.strict_rate),
            "with_retrieval_rate": rate(self.retrieval_rate),
            "retrieval_tokens": self.retrieval_tokens,
            "median_ms": round(self.median_ms, 3),
            "total_ms": round(self.total_ms, 3),
            "throughput_mb_s": round(self.throughput_mb_s, 3),
            "round_trip_ok": self.round_trip_ok,
        }


def summarize(run: SystemRun) -> list[CategorySummary]:
    """One summary per category (sorted), then ``ALL`` over every sample."""
    by_category: dict[str, list[SampleResult]] = {}
    for result in run.samples:
        by_category.setdefault(result.category, []).append(result)
    rows = [CategorySummary.of(c, by_category[c]) for c in sorted(by_category)]
    rows.append(CategorySummary.of(ALL, list(run.samples)))
    return rows


def time_ratio(slow: CategorySummary, fast: CategorySummary) -> float | None:
    """`slow`'s median time over `fast`'s, or None where either has no time."""
    if slow.median_ms <= 0 or fast.median_ms <= 0 or not slow.samples or not fast.samples:
        return None
    return slow.median_ms / fast.median_ms


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@dataclass(frozen=True, slots=True)
class MachineInfo:
    cpu: str
    cores: int
    system: str
    python: str

    @classmethod
    def current(cls) -> MachineInfo:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return cls(
            cpu=_cpu_model(),
            cores=cores,
            system=f"{platform.system()} {platform.release()} {platform.machine()}",
            python=platform.python_version(),
        )

    def describe(self) -> str:
        return f"{self.cpu}, {self.cores} cores, {self.system}, Python {self.python}"

    def to_dict(self) -> dict[str, object]:
        return {"cpu": self.cpu, "cores": self.cores, "system": self.system, "python": self.python}


@dataclass(frozen=True, slots=True)
class BenchReport:
    """Everything one `headroom bench` run measured."""

    corpus: str
    date: str
    machine: MachineInfo
    encoding: str
    runs: int
    samples: int
    problems: tuple[SampleProblem, ...]
    systems: tuple[SystemRun, ...]
    server: ServerNumbers | None = None
    peer_server: ServerNumbers | None = None
    peer_error: str | None = None

    def system(self, name: str, mode: str) -> SystemRun | None:
        return next((s for s in self.systems if s.system == name and s.mode == mode), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "corpus": self.corpus,
            "date": self.date,
            "machine": self.machine.to_dict(),
            "encoding": self.encoding,
            "runs": self.runs,
            "samples": self.samples,
            "problems": [{"name": p.name, "reason": p.reason} for p in self.problems],
            "systems": [s.to_dict() for s in self.systems],
            "server": None if self.server is None else self.server.to_dict(),
            "peer_server": None if self.peer_server is None else self.peer_server.to_dict(),
            "peer_error": self.peer_error,
        }
