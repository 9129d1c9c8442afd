"""The package's public surface, and that the CLI hook does not load the benchmark."""

from __future__ import annotations

import subprocess
import sys

import mcp_server.bench as bench

PUBLIC = {
    "ALL", "BENCH_JSON", "ENCODING", "MODES", "PLOT_PNG", "README_END", "README_START", "README_TABLE",
    "RETRIEVAL_MAX_TOKENS", "BenchOptions", "BenchReport", "BenchSample", "CategorySummary", "Corpus", "MachineInfo",
    "Needle", "NeedleScore", "RoundTripFigure", "SampleProblem", "SampleResult", "ServerNumbers", "SystemRun",
    "failed_result", "json_pairs", "load_corpus", "normalize_whitespace", "plot_reduction_vs_retention",
    "render_markdown", "render_terminal", "replace_between_markers", "run_bench", "run_headroom", "score_needles",
    "summarize", "time_ratio", "update_readme", "write_outputs",
}  # fmt: skip


def test_the_exported_names_are_exactly_the_benchmark_surface_and_each_resolves() -> None:
    assert set(bench.__all__) == PUBLIC
    assert bench.__all__ == sorted(bench.__all__, key=lambda n: (not n.isupper(), n))
    for name in bench.__all__:
        assert getattr(bench, name) is not None


def test_the_package_holds_no_peer_runner_and_no_server_timing_those_live_in_the_checkouts_benchmarks() -> None:
    import importlib.util

    for module in ("mcp_server.bench._peer", "mcp_server.server.measure"):
        assert importlib.util.find_spec(module) is None, module
    assert not hasattr(bench, "run_peer") and not hasattr(bench, "measure_server")


def test_registering_the_bench_command_imports_none_of_the_benchmark() -> None:
    code = (
        "import sys, argparse\n"
        "import mcp_server.bench.cli as cli\n"
        "p = argparse.ArgumentParser(); cli.add_parser(p.add_subparsers())\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mcp_server.bench.') and m != 'mcp_server.bench.cli')\n"
        "heavy = [m for m in ('matplotlib', 'compressors') if m in sys.modules]\n"
        "print(loaded, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[] []"
