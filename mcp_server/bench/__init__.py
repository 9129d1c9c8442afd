"""`headroom bench`: corpus loading, needle scoring, our runs and the peer's, tables, JSON and a plot.

The CLI module (`mcp_server.bench.cli`) imports none of this until the command runs.
"""

from mcp_server.bench._bench import BENCH_JSON, PLOT_PNG, README_TABLE, BenchOptions, run_bench, write_outputs
from mcp_server.bench._corpus import BenchSample, Corpus, SampleProblem, load_corpus
from mcp_server.bench._peer import PEER_SYSTEM, find_peer_python, run_peer
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
from mcp_server.bench._runner import ENCODING, RETRIEVAL_MAX_TOKENS, run_headroom
from mcp_server.bench._scorer import Needle, NeedleScore, json_pairs, normalize_whitespace, score_needles
from mcp_server.bench._server import ServerNumbers, measure_server

__all__ = [
    "ALL",
    "BENCH_JSON",
    "ENCODING",
    "MODES",
    "PEER_SYSTEM",
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
    "SampleProblem",
    "SampleResult",
    "ServerNumbers",
    "SystemRun",
    "find_peer_python",
    "json_pairs",
    "load_corpus",
    "measure_server",
    "normalize_whitespace",
    "plot_reduction_vs_retention",
    "render_markdown",
    "render_terminal",
    "replace_between_markers",
    "run_bench",
    "run_headroom",
    "run_peer",
    "score_needles",
    "summarize",
    "time_ratio",
    "update_readme",
    "write_outputs",
]
