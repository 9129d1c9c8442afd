"""Start-up cost of what runs in front of an agent's every call: the hook and `headroom exec` (issue 16's targets).

Prints medians (and p95) in milliseconds, wall time of whole processes as the agents start them
(`python -S mcp_server/_boot.py …`, the command the installed hooks and rewritten commands run):

- a bare ``python -c pass`` and ``python -S -c pass``, for scale;
- the hook answering a Claude Code ``PreToolUse`` that it leaves alone (``cd src``), and one it rewrites;
- what ``headroom exec`` adds to a command whose 1 KB output passes through, and to one whose 1 MB output
  (this repository's ``git log -p``, a fresh first line each run so the store writes it anew) it compresses.

Each row also gives the median CPU time (user + system of the processes): on a loaded machine the wall time is
mostly waiting for a core. ``--tree DIR`` times another checkout (another commit's) run for run beside this one;
``--pass-through`` keeps to the rows that load no native module, so that checkout needs no build of its own.
Byte code is written and used as an installed package would (one warm-up run first); run with
``PYTHONDONTWRITEBYTECODE=1`` kept to see a source-only start.
Usage: ``python benchmarks/startup.py [--runs N] [--tree DIR] [--pass-through]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def boot(tree: Path) -> list[str]:
    return [sys.executable, "-S", str(tree / "mcp_server" / "_boot.py")]


def _ms(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds (user + system, of the child processes) of ``run()``: on a loaded machine the
    wall time is mostly waiting for a core, the CPU time much less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run()
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000


def _hook(start: list[str], payload: Mapping[str, object], env: dict[str, str]) -> Callable[[], object]:
    data = json.dumps(payload).encode()
    return lambda: subprocess.run(
        [*start, "hook", "claude", "pre"], input=data, capture_output=True, env=env, check=True
    )


def _run(argv: list[str], env: dict[str, str]) -> Callable[[], object]:
    return lambda: subprocess.run(argv, stdout=subprocess.DEVNULL, env=env, check=True)


def _added(start: list[str], path: Path, env: dict[str, str]) -> tuple[float, float]:
    """exec's wall and CPU time over the bare command's on the file ``path``."""
    line = f"cat {path}"
    wall, cpu = _ms(_run([*start, "exec", "--shell", line], env))
    bare_wall, bare_cpu = _ms(_run(["/bin/bash", "-c", line], env))
    return wall - bare_wall, cpu - bare_cpu


def _row(name: str, values: list[tuple[float, float]], target: str = "") -> None:
    walls = sorted(v[0] for v in values)
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    cpu = statistics.median(v[1] for v in values)
    print(f"  {name:<52} median {statistics.median(walls):7.1f} ms   p95 {p95:7.1f} ms   CPU {cpu:6.1f} ms  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--tree", type=Path, help="also time another checkout's hook and exec, run for run beside this one's"
    )
    parser.add_argument(
        "--pass-through",
        action="store_true",
        help="only the rows that import no native module (hooks, exec of 1 KB): an older checkout needs no build",
    )
    args = parser.parse_args()
    runs = args.runs
    trees = {"": ROOT} if args.tree is None else {"this: ": ROOT, f"{args.tree}: ": args.tree.resolve()}
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
        for tree in trees.values():
            _hook(boot(tree), leave, env)()
            _added(boot(tree), small if args.pass_through else big(0), env)
        print(f"start-up, {runs} runs each ({sys.executable}, Python {sys.version.split()[0]}):")
        _row("python -c pass", [_ms(_run([sys.executable, "-c", "pass"], env)) for _ in range(runs)])
        _row("python -S -c pass", [_ms(_run([sys.executable, "-S", "-c", "pass"], env)) for _ in range(runs)])
        cases: list[tuple[str, str, Callable[[list[str], int], tuple[float, float]]]] = [
            ("hook, Claude PreToolUse left alone", "(target <= 60)", lambda b, i: _ms(_hook(b, leave, env))),
            ("hook, Claude PreToolUse rewritten", "(target <= 60)", lambda b, i: _ms(_hook(b, rewrite, env))),
            ("exec added, 1 KB output passed through", "(target <= 60)", lambda b, i: _added(b, small, env)),
            ("exec added, 1 MB output compressed", "(target <= 150)", lambda b, i: _added(b, big(i), env)),
        ]
        for name, target, measure in cases[:3] if args.pass_through else cases:
            samples: dict[str, list[tuple[float, float]]] = {label: [] for label in trees}
            for i in range(runs):  # run for run, so that load on the machine falls on every checkout alike
                for label, tree in trees.items():
                    samples[label].append(measure(boot(tree), i))
            for label in trees:
                _row(label + name, samples[label], target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
