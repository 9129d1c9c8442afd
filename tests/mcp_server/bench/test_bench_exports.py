"""What the bench package holds (its exact surface is pinned in tests/test_public_surface.py), and that the CLI
hook does not load the benchmark."""

from __future__ import annotations

import subprocess
import sys

import mcp_server.bench as bench


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
