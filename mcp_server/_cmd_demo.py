"""`headroom demo`: real tool output made on the spot, compressed and retrieved through a real MCP client.

Needs nothing but the installed package and a working directory: it uses the
project's own source files when run from a checkout (else this package's),
`git log -p` when inside a git repository, `pip list --format=json`, a grep over
the sources and a test run it writes and runs itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DemoInput", "add_parser", "gather_inputs"]

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DemoInput:
    name: str
    text: str
    query: str


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="compress real tool output made on the spot, through a real MCP client")
    p.add_argument("--in-process", action="store_true", help="call the pipeline directly instead of over MCP stdio")
    p.add_argument(
        "--keep",
        action="store_true",
        help="use your own store (HEADROOM_HOME) instead of a temporary one that is removed afterwards",
    )
    p.set_defaults(func=_demo)


def _run(cmd: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = done.stdout + done.stderr
    return out if out.strip() else None


_DEMO_TESTS = """
import json
import unittest


def parse_port(value):
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return port


class ParsePortTest(unittest.TestCase):
"""


def _test_module() -> str:
    accept = "    def test_accepts_port_{0}(self):\n        self.assertEqual(parse_port('{0}'), {0})\n"
    cases = [accept.format(i * 500) for i in range(1, 120)]
    cases.append("    def test_rejects_zero(self):\n        self.assertEqual(parse_port('0'), 0)\n")
    cases.append(
        "    def test_config_round_trip(self):\n        self.assertEqual(json.loads('{\"a\": 1}'), {'a': 2})\n"
    )
    return textwrap.dedent(_DEMO_TESTS) + "".join(cases)


def gather_inputs() -> list[DemoInput]:
    """Real tool output, produced now."""
    root = _PACKAGE_ROOT
    inputs: list[DemoInput] = []
    source = root / "compressors" / "_pipeline.py"
    if source.is_file():
        inputs.append(DemoInput("source file", source.read_text(encoding="utf-8"), "what does compress return?"))
    if (root / ".git").exists():
        log = _run(["git", "log", "-p", "-n", "15", "--no-color"], root)
        if log:
            inputs.append(DemoInput("git log -p", log, "which commit changed the marker syntax?"))
    pip_list = _run([sys.executable, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"], root)
    if pip_list:
        inputs.append(DemoInput("pip list --format=json", pip_list, "which version of mcp is installed?"))
    grep = _run(["grep", "-rn", "--include=*.py", "def ", "compressors", "ccr", "mcp_server"], root)
    if grep:
        inputs.append(DemoInput("grep -rn 'def '", grep, "where is fit_budget defined?"))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "test_ports.py").write_text(_test_module(), encoding="utf-8")
        tests = _run([sys.executable, "-m", "unittest", "-v", "test_ports"], Path(tmp))
    if tests:
        inputs.append(DemoInput("unittest -v run", tests, "which tests failed and why?"))
    return inputs


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _print_table(rows: list[list[str]]) -> None:
    header = ["input", "tokens before", "after", "saved", "compressor", "ms", "markers"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(_row(header, widths))
    print(_row(["-" * w for w in widths], widths))
    for r in rows:
        print(_row(r, widths))


@dataclass(frozen=True)
class DemoRun:
    """What the demo shows: each input's numbers, one compressed text, one marker redeemed, one original checked."""

    results: list[dict[str, Any]]
    compressed: str
    marker: str | None
    redeemed: str | None
    whole: str
    scoped: str


def _first_marker(text: str) -> tuple[str, Any] | None:
    from ccr import find_markers

    for marker in find_markers(text):
        if marker.lines is not None:
            return text[marker.span[0] : marker.span[1]], marker
    return None


def _retrieve_args(marker: Any) -> dict[str, Any]:
    """The headroom_retrieve arguments a marker names (its hash and its line range)."""
    args: dict[str, Any] = {"hash": marker.hash}
    if marker.lines is not None:
        args["lines"] = f"{marker.lines[0]}-{marker.lines[1]}"
    return args


async def _over_mcp(inputs: list[DemoInput], env: dict[str, str]) -> DemoRun:
    from mcp import Client, StdioServerParameters

    from mcp_server.install import server_command

    # The entry the installer writes: a working directory holding a source checkout never shadows the package.
    server = server_command()
    params = StdioServerParameters(command=server.command, args=list(server.args), env=env)
    from mcp_server._header import read_header

    results: list[dict[str, Any]] = []
    async with Client(params) as client:
        for item in inputs:
            res = await client.call_tool("headroom_compress", {"content": item.text, "query": item.query})
            # The answer is plain text: a header line with the handle and counts, then the compressed text.
            counts = None if res.is_error else read_header(_joined(res))
            if counts is None:
                raise RuntimeError(f"headroom_compress failed on {item.name}: {res.content}")
            results.append(counts)
        shown = _shown_index(results)
        compressed = str(results[shown]["compressed"])
        found = _first_marker(compressed)
        redeemed = None
        if found is not None:
            redeemed = _text_of(await client.call_tool("headroom_retrieve", _retrieve_args(found[1])))
        whole = await client.call_tool("headroom_retrieve", {"hash": results[0]["hash"], "max_tokens": 1_000_000})
        scoped = await client.call_tool(
            "headroom_retrieve", {"hash": results[-1]["hash"], "query": inputs[-1].query, "max_tokens": 300}
        )
    return DemoRun(results, compressed, found[0] if found else None, redeemed, _text_of(whole), _text_of(scoped))


def _shown_index(results: list[dict[str, Any]]) -> int:
    """The input whose compressed text the demo prints: the smallest output with a marker to redeem."""
    with_markers = [i for i, r in enumerate(results) if _first_marker(str(r["compressed"])) is not None]
    candidates = with_markers or list(range(len(results)))
    return min(candidates, key=lambda i: int(results[i]["tokens_after"]))


def _joined(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def _text_of(result: Any) -> str:
    """A retrieval's text, without its header line."""
    if result.is_error:
        raise RuntimeError(f"headroom_retrieve failed: {result.content}")
    return _joined(result).partition("\n")[2]


def _in_process(inputs: list[DemoInput], env: dict[str, str]) -> DemoRun:
    from ccr import Settings, Store
    from compressors import compress

    results: list[dict[str, Any]] = []
    with Store(Settings.from_env(env)) as store:
        for item in inputs:
            r = compress(item.text, store=store, query=item.query, source="demo")
            results.append(
                {
                    "hash": r.hash,
                    "compressed": r.compressed,
                    "tokens_before": r.tokens_before,
                    "tokens_after": r.tokens_after,
                    "compressor": r.compressor,
                    "elapsed_ms": r.elapsed_ms,
                    "markers": r.markers,
                }
            )
        compressed = str(results[_shown_index(results)]["compressed"])
        found = _first_marker(compressed)
        redeemed = None
        if found is not None and found[1].lines is not None:
            redeemed = store.lines(found[1].hash, *found[1].lines).render()
        whole = store.get(str(results[0]["hash"])).decode("utf-8", errors="replace")
        scoped = store.query(str(results[-1]["hash"]), inputs[-1].query, max_tokens=300).render()
    return DemoRun(results, compressed, found[0] if found else None, redeemed, whole, scoped)


def _demo(args: argparse.Namespace) -> int:
    import os

    import anyio

    inputs = gather_inputs()
    with tempfile.TemporaryDirectory(prefix="headroom-demo-") as tmp:
        # The demo uses an embedding model already in the cache but never fetches one (a slow first download,
        # or retries on a machine without network, would bury what it shows).
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        if not args.keep:
            # A demo must not fill the user's store or their lifetime savings with its own samples.
            env["HEADROOM_HOME"] = tmp
        from ccr import Settings

        where = Settings.from_env(env).db_path
        via = "in-process pipeline" if args.in_process else "MCP stdio client -> `headroom mcp serve`"
        kept = "your store" if args.keep else "a temporary store, removed afterwards; --keep uses yours"
        print(f"headroom demo: {len(inputs)} real tool outputs made just now, via {via}")
        print(f"store: {where} ({kept})\n")
        run = _in_process(inputs, env) if args.in_process else anyio.run(_over_mcp, inputs, env)
    _report(inputs, run)
    return 0 if run.whole == inputs[0].text else 1


def _report(inputs: list[DemoInput], run: DemoRun) -> None:
    rows, before, after = [], 0, 0
    for item, r in zip(inputs, run.results, strict=True):
        b, a = int(r["tokens_before"]), int(r["tokens_after"])
        before, after = before + b, after + a
        saved = f"{100 * (b - a) / b:.0f}%" if b else "-"
        ms = f"{float(r['elapsed_ms']):.1f}" if "elapsed_ms" in r else "-"
        rows.append([item.name, f"{b:,}", f"{a:,}", saved, str(r["compressor"]), ms, str(r["markers"])])
    rows.append(["total", f"{before:,}", f"{after:,}", f"{100 * (before - after) / max(before, 1):.0f}%", "", "", ""])
    _print_table(rows)
    shown = _shown_index(run.results)
    item, r = inputs[shown], run.results[shown]
    print(
        f"\n--- '{item.name}' ({item.text.count(chr(10)):,} lines, {int(r['tokens_before']):,} tokens) with the query "
        f"{item.query!r} becomes ({int(r['tokens_after']):,} tokens):\n"
    )
    print(textwrap.indent(run.compressed.rstrip("\n"), "    "))
    if run.marker is not None and run.redeemed is not None:
        print(f"\n--- redeeming the marker {run.marker} gives back exactly what it stood for:\n")
        print(textwrap.indent(_clip(run.redeemed), "    "))
    exact = run.whole == inputs[0].text
    print(f"\nretrieve {run.results[0]['hash']} (whole original of '{inputs[0].name}'): byte-exact = {exact}")
    print(f"retrieve {run.results[-1]['hash']} with query {inputs[-1].query!r}, at most 300 tokens:\n")
    print(textwrap.indent(run.scoped.rstrip("\n"), "    "))


def _clip(text: str, rows: int = 12, width: int = 200) -> str:
    lines = [line if len(line) <= width else line[:width] + " ..." for line in text.rstrip("\n").split("\n")]
    if len(lines) <= rows:
        return "\n".join(lines)
    return "\n".join([*lines[:rows], f"... ({len(lines) - rows} more lines)"])
