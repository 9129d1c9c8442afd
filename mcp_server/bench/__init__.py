"""`headroom bench`: corpus loading, needle scoring, our runs, tables, JSON and a plot.

The peer comparison and the server measurements live in the source checkout's `benchmarks/` (not in the
wheel); they fill the same `BenchReport` and are rendered by the same tables.

Names load on first use (PEP 562): every `headroom` command, the server's start included, imports the
CLI module of this package, and none of them should pay for the benchmark's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_server.bench._bench import BENCH_JSON, PLOT_PNG, README_TABLE, BenchOptions, run_bench, write_outputs
    from mcp_server.bench._corpus import BenchSample, Corpus, SampleProblem, load_corpus
    from mcp_server.bench._plot import plot_reduction_vs_retention
    from mcp_server.bench._report import (
        README_END,
        README_START,
        render_markdown,
        render_terminal,
        replace_between_markers,
        update_readme,
    )
    from mcp_server.bench._results import (
        ALL,
        MODES,
        BenchReport,
        CategorySummary,
        MachineInfo,
        SampleResult,
        SystemRun,
        summarize,
        time_ratio,
    )
    from mcp_server.bench._runner import ENCODING, RETRIEVAL_MAX_TOKENS, failed_result, run_headroom
    from mcp_server.bench._scorer import Needle, NeedleScore, json_pairs, normalize_whitespace, score_needles
    from mcp_server.bench._server import RoundTripFigure, ServerNumbers

__all__ = [
    "ALL",
    "BENCH_JSON",
    "ENCODING",
    "MODES",
    "PLOT_PNG",
    "README_END",
    "README_START",
    "README_TABLE",
    "RETRIEVAL_MAX_TOKENS",
    "BenchOptions",
    "BenchReport",
    "BenchSample",
    "CategorySummary",
    "Corpus",
    "MachineInfo",
    "Needle",
    "NeedleScore",
    "RoundTripFigure",
    "SampleProblem",
    "SampleResult",
    "ServerNumbers",
    "SystemRun",
    "failed_result",
    "json_pairs",
    "load_corpus",
    "normalize_whitespace",
    "plot_reduction_vs_retention",
    "render_markdown",
    "render_terminal",
    "replace_between_markers",
    "run_bench",
    "run_headroom",
    "score_needles",
    "summarize",
    "time_ratio",
    "update_readme",
    "write_outputs",
]

_HOMES = {
    "ALL": "mcp_server.bench._results",
    "BENCH_JSON": "mcp_server.bench._bench",
    "BenchOptions": "mcp_server.bench._bench",
    "BenchReport": "mcp_server.bench._results",
    "BenchSample": "mcp_server.bench._corpus",
    "CategorySummary": "mcp_server.bench._results",
    "Corpus": "mcp_server.bench._corpus",
    "ENCODING": "mcp_server.bench._runner",
    "MODES": "mcp_server.bench._results",
    "MachineInfo": "mcp_server.bench._results",
    "Needle": "mcp_server.bench._scorer",
    "NeedleScore": "mcp_server.bench._scorer",
    "PLOT_PNG": "mcp_server.bench._bench",
    "README_END": "mcp_server.bench._report",
    "README_START": "mcp_server.bench._report",
    "README_TABLE": "mcp_server.bench._bench",
    "RETRIEVAL_MAX_TOKENS": "mcp_server.bench._runner",
    "RoundTripFigure": "mcp_server.bench._server",
    "SampleProblem": "mcp_server.bench._corpus",
    "SampleResult": "mcp_server.bench._results",
    "ServerNumbers": "mcp_server.bench._server",
    "SystemRun": "mcp_server.bench._results",
    "failed_result": "mcp_server.bench._runner",
    "json_pairs": "mcp_server.bench._scorer",
    "load_corpus": "mcp_server.bench._corpus",
    "normalize_whitespace": "mcp_server.bench._scorer",
    "plot_reduction_vs_retention": "mcp_server.bench._plot",
    "render_markdown": "mcp_server.bench._report",
    "render_terminal": "mcp_server.bench._report",
    "replace_between_markers": "mcp_server.bench._report",
    "run_bench": "mcp_server.bench._bench",
    "run_headroom": "mcp_server.bench._runner",
    "score_needles": "mcp_server.bench._scorer",
    "summarize": "mcp_server.bench._results",
    "time_ratio": "mcp_server.bench._results",
    "update_readme": "mcp_server.bench._report",
    "write_outputs": "mcp_server.bench._bench",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
