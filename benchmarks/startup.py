"""Start-up cost of what runs in front of an agent's every call: the hook and `headroom exec` (issue 16's targets).

Prints medians (and p95) in milliseconds, wall time of whole processes as the agents start them
(`python -S mcp_server/_boot.py …`, the command the installed hooks and rewritten commands run):

- a bare ``python -c pass`` and ``python -S -c pass``, for scale;
- the hook answering a Claude Code ``PreToolUse`` that it leaves alone (``cd src``), and one it rewrites;
- what ``headroom exec`` adds to a command whose 1 KB output passes through, and to one whose 1 MB output
  (this repository's ``git log -p``, a fresh first line each run so the store writes it anew) it compresses.

Byte code is written and used as an installed package would (one warm-up run first); run with
``PYTHONDONTWRITEBYTECODE=1`` kept to see a source-only start. Usage: ``python benchmarks/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT = [sys.executable, "-S", str(ROOT / "mcp_server" / "_boot.py")]


def _ms(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _hook(payload: Mapping[str, object], env: dict[str, str]) -> Callable[[], object]:
    data = json.dumps(payload).encode()
    return lambda: subprocess.run(
        [*BOOT, "hook", "claude", "pre"], input=data, capture_output=True, env=env, check=True
    )


def _run(argv: list[str], env: dict[str, str]) -> Callable[[], object]:
    return lambda: subprocess.run(argv, stdout=subprocess.DEVNULL, env=env, check=True)


def _added(path_for: Callable[[int], Path], runs: int, env: dict[str, str]) -> list[float]:
    """exec's wall time over the bare command's, per run, on the file `path_for(run)`."""
    added = []
    for i in range(runs):
        line = f"cat {path_for(i)}"
        exec_ms = _ms(_run([*BOOT, "exec", "--shell", line], env))
        added.append(exec_ms - _ms(_run(["/bin/bash", "-c", line], env)))
    return added


def _row(name: str, values: list[float], target: str = "") -> None:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"  {name:<44} median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="headroom-startup-") as home:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(HEADROOM_HOME=home, HEADROOM_EMBEDDINGS="0", HOME=home)
        history = subprocess.run(
            ["git", "log", "-p", "--no-color", "-n", "400"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        small = Path(home) / "small.txt"
        small.write_bytes(history[:1024])

        def big(i: int) -> Path:
            path = Path(home) / f"big-{i}.txt"
            path.write_bytes(f"run {i} {time.time_ns()}\n".encode() + history[: 1 << 20])
            return path

        leave = {"tool_name": "Bash", "tool_input": {"command": "cd src"}, "cwd": home, "session_id": "bench"}
        rewrite = {**leave, "tool_input": {"command": "ls -la"}, "permission_mode": "bypassPermissions"}
        # Warm-up: byte code written, the page cache holding the interpreter and the native module.
        _hook(leave, env)()
        _added(big, 1, env)
        print(f"start-up, {runs} runs each ({sys.executable}, Python {sys.version.split()[0]}):")
        _row("python -c pass", [_ms(_run([sys.executable, "-c", "pass"], env)) for _ in range(runs)])
        _row("python -S -c pass", [_ms(_run([sys.executable, "-S", "-c", "pass"], env)) for _ in range(runs)])
        _row("hook, Claude PreToolUse left alone", [_ms(_hook(leave, env)) for _ in range(runs)], "(target <= 60)")
        _row("hook, Claude PreToolUse rewritten", [_ms(_hook(rewrite, env)) for _ in range(runs)], "(target <= 60)")
        _row("exec added, 1 KB output passed through", _added(lambda i: small, runs, env), "(target <= 60)")
        _row("exec added, 1 MB output compressed", _added(big, runs, env), "(target <= 150)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
