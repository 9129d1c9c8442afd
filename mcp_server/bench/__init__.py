"""`headroom bench`: corpus loading, needle scoring, our runs, tables, JSON and a plot.

The peer comparison and the server measurements live in the source checkout's `benchmarks/` (not in the
wheel); they fill the same `BenchReport` and are rendered by the same tables.

Names load on first use (PEP 562): every `headroom` command, the server's start included, imports the
CLI module of this package, and none of them should pay for the benchmark's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccr._lazy import lazy_exports

if TYPE_CHECKING:
    from mcp_server.bench._bench import BENCH_JSON as BENCH_JSON
    from mcp_server.bench._bench import PLOT_PNG as PLOT_PNG
    from mcp_server.bench._bench import README_TABLE as README_TABLE
    from mcp_server.bench._bench import BenchOptions as BenchOptions
    from mcp_server.bench._bench import run_bench as run_bench
    from mcp_server.bench._bench import write_outputs as write_outputs
    from mcp_server.bench._corpus import BenchSample as BenchSample
    from mcp_server.bench._corpus import Corpus as Corpus
    from mcp_server.bench._corpus import SampleProblem as SampleProblem
    from mcp_server.bench._corpus import load_corpus as load_corpus
    from mcp_server.bench._plot import plot_reduction_vs_retention as plot_reduction_vs_retention
    from mcp_server.bench._report import README_END as README_END
    from mcp_server.bench._report import README_START as README_START
    from mcp_server.bench._report import render_markdown as render_markdown
    from mcp_server.bench._report import render_terminal as render_terminal
    from mcp_server.bench._report import replace_between_markers as replace_between_markers
    from mcp_server.bench._report import update_readme as update_readme
    from mcp_server.bench._results import ALL as ALL
    from mcp_server.bench._results import MODES as MODES
    from mcp_server.bench._results import BenchReport as BenchReport
    from mcp_server.bench._results import CategorySummary as CategorySummary
    from mcp_server.bench._results import MachineInfo as MachineInfo
    from mcp_server.bench._results import SampleResult as SampleResult
    from mcp_server.bench._results import SystemRun as SystemRun
    from mcp_server.bench._results import summarize as summarize
    from mcp_server.bench._results import time_ratio as time_ratio
    from mcp_server.bench._runner import ENCODING as ENCODING
    from mcp_server.bench._runner import RETRIEVAL_MAX_TOKENS as RETRIEVAL_MAX_TOKENS
    from mcp_server.bench._runner import failed_result as failed_result
    from mcp_server.bench._runner import run_headroom as run_headroom
    from mcp_server.bench._scorer import Needle as Needle
    from mcp_server.bench._scorer import NeedleScore as NeedleScore
    from mcp_server.bench._scorer import json_pairs as json_pairs
    from mcp_server.bench._scorer import normalize_whitespace as normalize_whitespace
    from mcp_server.bench._scorer import score_needles as score_needles
    from mcp_server.bench._server import RoundTripFigure as RoundTripFigure
    from mcp_server.bench._server import ServerNumbers as ServerNumbers

__getattr__, __dir__ = lazy_exports(__name__)
