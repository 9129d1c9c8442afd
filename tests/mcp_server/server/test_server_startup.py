"""Fast start: what the server's start-up path imports, and the measuring functions `headroom bench` uses."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from benchmarks.server_measure import (
    measure_idle_rss,
    measure_round_trips,
    measure_sdk_import,
    measure_startup,
    sample_log,
)

HEAVY = ("tree_sitter", "onnxruntime", "numpy", "matplotlib", "tokenizers", "huggingface_hub", "sqlite_vec", "apsw")


def _modules_after(code: str) -> list[str]:
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{script}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_cli_hook_imports_neither_the_sdk_nor_anything_heavy() -> None:
    code = """
    import sys
    import mcp_server.server, mcp_server.server.cli
    assert "mcp" not in sys.modules, "the MCP SDK was imported by the CLI hook"
    """
    assert _modules_after(code) == []


def test_starting_the_server_and_answering_initialize_and_listings_loads_nothing_heavy() -> None:
    code = """
    import anyio
    from mcp import Client
    from mcp_server.server import build_server

    async def main():
        async with Client(build_server(), raise_exceptions=True) as client:
            await client.list_tools()
            await client.list_resources()
            await client.list_prompts()
    anyio.run(main)
    """
    assert _modules_after(code) == []


def test_sample_logs_have_the_size_asked_for_and_differ_by_seed() -> None:
    assert len(sample_log(100_000)) == 100_000
    assert sample_log(5000, seed=1) != sample_log(5000, seed=2)


@pytest.mark.slow
def test_the_measuring_functions_run_the_real_server_and_return_numbers() -> None:
    start = measure_startup(runs=2)
    assert len(start.runs_s) == len(start.tools_list_runs_s) == 2 and start.median_s > 0
    assert all(listed > answered for answered, listed in zip(start.runs_s, start.tools_list_runs_s, strict=True))
    assert len(measure_sdk_import(runs=1).runs_s) == 1
    assert measure_idle_rss() > 10 * 2**20
    (trip,) = measure_round_trips(sizes=(8 * 1024,), runs=2)
    assert trip.size_bytes == 8 * 1024 and len(trip.runs_ms) == len(trip.pipeline_ms) == 2
    assert trip.median_pipeline_ms <= trip.median_ms
    assert 0 < trip.tokens_after <= trip.tokens_before


def test_mcp_serve_is_parsed_by_a_parser_of_that_command_alone_with_the_same_options() -> None:
    """What a client starts (`headroom mcp serve …`) imports no other command's module before the server loads."""
    code = (
        "import sys\nfrom mcp_server.cli import build_parser\n"
        "argv = ['mcp', 'serve', '--transport', 'http', '--port', '9', '--root', '/tmp', '--log-level', 'info']\n"
        "alone = vars(build_parser(serve_only=True).parse_args(argv))\n"
        "print(sorted(m for m in sys.modules if m.startswith('mcp_server.') and m.endswith('cli')))\n"
        "full = vars(build_parser().parse_args(argv))\n"
        "print({k: v for k, v in alone.items() if k != 'func'} == {k: v for k, v in full.items() if k != 'func'})"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    imported, same = done.stdout.strip().splitlines()
    assert imported == "['mcp_server.cli', 'mcp_server.server.cli']"
    assert same == "True"
