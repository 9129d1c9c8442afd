"""The package's public surface, and that the CLI hook does not load the benchmark."""

from __future__ import annotations

import subprocess
import sys

import mcp_server.bench as bench


def test_every_exported_name_resolves_and_nothing_else_is_exported() -> None:
    assert bench.__all__ == sorted(bench.__all__, key=lambda n: (not n.isupper(), n))
    for name in bench.__all__:
        assert getattr(bench, name) is not None
    assert sorted(bench._HOMES) == sorted(bench.__all__)


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
