"""Session benchmark (issue 16.7): what the model sees in the first result of 30+ real commands, three ways.

    .venv/bin/python benchmarks/session.py [--json OUT] [--only KIND] [--seed N]

Every command runs here, now, over material on this machine that needs no network: this repository (git
history, sources, its test suite), the virtual environment's site-packages, node_modules and the standard library.
Each has a kind, a question an agent would run it for, and needles chosen mechanically from the output by a rule
of its kind (never by hand):

- diff: the commit subjects and the ``diff --git`` file headers (what changed, and why);
- search: the matches that define the searched name (``def``/``class``/``function`` …);
- code: the definition lines of the file, five evenly spaced (its outline);
- test: the run's verdict line and every FAILED/ERROR line;
- log: lines naming an error, a warning or a failure, and the last line;
- listing: the first and the last line, and the three largest entries where the rows have a size column (long
  `ls`, `du`; never other numbers such as file modes or numbers in commit subjects).

Ways: ``raw`` (the whole output), the client's own cut (Claude Code: over 30,000 characters the model gets a
2,000-character head preview; Gemini CLI: over 40,000 characters the first 8,000 and the last 32,000), and
through the hooks as each client then shows it (``hooks``: ``headroom exec`` as the installed Claude Code hook runs
it, ``python -S _boot.py exec --client claude-code/Bash``, no question, with the hint the command line gives, and
Claude Code's cut applied to what exec printed; ``hooks_gemini``, ``hooks_codex``: the same with Gemini CLI's and
Codex's client names and cuts; Codex 0.171 keeps 20,000 bytes at each end of an output over 40,000 where its
``tool_output_token_limit`` is 10,000 as headroom sets it, `--codex-limit` gives another).
exec runs over the bytes the command printed (a second run would differ in timings and ids); exit codes are
compared on a real second run through exec. Search results exec printed grouped by directory count a match as
found when its directory line and its indented ``name:line:text`` row are there (`ungrouped`). Reported per
kind and in total: o200k tokens of the first result, the share of needles found in it (each a whole line of it),
exit codes and small outputs compared, and exec's overhead over the bare command (p50/p95: exec replaying the
output minus a bare ``cat`` of it), plus the hook's own start-up on a pass-through call and exec on a 1 MB
output. Targets: >= 90% of needles at <= 30% of the raw tokens over the session; no exit code changed; no output
under 2,000 tokens altered; hook p50 <= 60 ms; exec adds <= 60 ms to an output it passes through and <= 150 ms to
a 1 MB one it compresses.

``--tree DIR`` runs exec and the hook from another checkout over the same commands (a before/after comparison).
``--seed N`` runs a session of the same kinds drawn from this machine's material by N (`drawn`) instead of the
fixed one, to check the figures on commands no rule was developed on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import rustcore
from mcp_server.exec._policy import content_hint, printed_files
from mcp_server.install._codex import BYTES_PER_TOKEN, CALL_DEFAULT, LIMIT

ROOT = Path(__file__).resolve().parent.parent
BOOT = [sys.executable, "-S", str(ROOT / "mcp_server" / "_boot.py")]
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE = Path(sysconfig.get_paths()["purelib"])
NODE = ROOT / "node_modules"
SMALL_TOKENS = 2000
# A long `ls` row: type and permission bits, links, owner, group, then the size in bytes.
_LS_LONG = re.compile(r"^[-dlcbpsD][rwxsStT-]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+(\d+)\s")
_DU_ROW = re.compile(r"^(\d+)\t")
_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class|function|fn|func|struct|interface)\s+\w")


@dataclass
class Command:
    kind: str
    line: str
    question: str
    cwd: Path = ROOT


@dataclass
class Row:
    command: Command
    raw_tokens: int
    needles: list[str]
    tokens: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    status_raw: int = 0
    status_hooks: int = 0
    small_unchanged: bool | None = None
    overhead_ms: float = 0.0


def commands(seed: int | None = None) -> list[Command]:
    """The session's commands: the fixed list (the README's figures), or with ``seed`` one drawn from this
    machine's material (`drawn`), for checking on commands no rule was developed on."""
    if seed is not None:
        return drawn(seed)
    py = f"{sys.executable}"
    out = [
        Command("diff", "git log -p -n 40 --no-color", "what did the last 40 commits change, and why?"),
        Command("diff", "git log -p -n 15 --no-color -- mcp_server", "recent changes to the MCP server"),
        Command("diff", "git log -p -n 15 --no-color -- compressors ccr", "recent changes to compressors and store"),
        Command("diff", "git log -p -n 10 --no-color -- rustcore/src", "recent changes to the Rust core"),
        Command("diff", "git show --no-color HEAD~3", "what did this commit change?"),
        Command("diff", "git diff --no-color HEAD~12 HEAD -- '*.py'", "Python changes over the last 12 commits"),
        Command("search", "git grep -n 'def compress'", "where is compress defined?"),
        Command("search", "git grep -n 'class .*Error'", "which error classes exist?"),
        Command(
            "search",
            f"grep -rn 'def loads' {STDLIB}/json {STDLIB}/pickle.py {STDLIB}/tomllib",
            "where is loads defined?",
        ),
        Command(
            "search",
            f"grep -rn --include='*.py' 'def request' {SITE}/httpx2 {SITE}/httpcore2",
            "where is request defined?",
        ),
        Command("search", f"grep -rn --include='*.py' 'class .*Model' {SITE}/pydantic", "which model classes?"),
        Command(
            "search", f"grep -rn --include='*.js' 'function parse' {NODE}/ajv {NODE}/yaml", "where is parse defined?"
        ),
        Command("search", f"grep -rn 'def main' {STDLIB}", "where are the stdlib's main functions?"),
        Command("code", f"cat {STDLIB}/typing.py", "outline of typing.py"),
        Command("code", f"cat {STDLIB}/argparse.py", "outline of argparse.py"),
        Command("code", f"cat {STDLIB}/subprocess.py", "outline of subprocess.py"),
        Command("code", f"cat {STDLIB}/asyncio/base_events.py", "outline of asyncio's event loop"),
        Command("code", "cat compressors/_pipeline.py", "outline of the pipeline"),
        Command("code", f"cat {SITE}/mcp/server/mcpserver/server.py", "outline of the SDK server"),
        Command(
            "test",
            f"{py} -m pytest -q -p no:cacheprovider tests/mcp_server/sessions/test_hooks.py",
            "did the hook tests pass?",
        ),
        Command(
            "test",
            f"{py} -m pytest -v -p no:cacheprovider tests/fake_provider/test_fake_provider.py",
            "did the fake provider's tests pass?",
        ),
        Command("test", f"{py} -m unittest -v test.test_json 2>&1", "did the stdlib's json tests pass?"),
        Command("test", f"{py} -m unittest -v test.test_textwrap 2>&1", "did the textwrap tests pass?"),
        Command("log", f"{py} -m pip install --no-index --dry-run no-such-package-headroom", "why did it fail?"),
        Command("log", "npm ls --all --no-color", "which packages are installed, any problems?"),
        Command(
            "log",
            f'{py} -W always -c "import warnings, logging; logging.basicConfig(level=0); '
            f"[logging.info('request %d ok', i) for i in range(3000)]; logging.error('disk full on /dev/sda1'); "
            f"[logging.info('retry %d', i) for i in range(500)]\"",
            "what went wrong?",
        ),
        Command("listing", f"ls -laR {STDLIB}/email {STDLIB}/json {STDLIB}/asyncio", "what is there?"),
        Command("listing", f"find {SITE} -maxdepth 2 -name '*.py' -size +20k", "the large modules"),
        Command("listing", f"{py} -m pip list", "which packages, which versions?"),
        Command("listing", "git log --oneline -n 300", "recent history"),
        Command("listing", f"du -ak {NODE}/@anthropic-ai/mcpb {NODE}/ajv", "which files are largest?"),
        Command("listing", "git ls-files -s", "what does the index hold?"),
    ]
    return out


def drawn(seed: int) -> list[Command]:
    """A session of the same kinds and shapes over material ``seed`` draws: other stdlib modules read, other
    names searched for, other paths and depths of history, other directories listed and sized."""
    import random

    rng = random.Random(seed)
    py = f"{sys.executable}"
    modules = sorted(p for p in STDLIB.glob("*.py") if 40_000 < p.stat().st_size < 200_000)
    modules += sorted(p for p in STDLIB.glob("*/*.py") if 40_000 < p.stat().st_size < 200_000)
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    dirs = sorted({f.split("/")[0] for f in listed.split() if "/" in f and not f.startswith(".")})
    counts: dict[str, int] = {}
    for module in modules:
        for found in re.finditer(r"^\s*def (\w{4,})", module.read_text(errors="replace"), re.M):
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    names = rng.sample(sorted(name for name, n in counts.items() if n >= 3), 4)
    packages = rng.sample(["pydantic", "httpx2", "mcp", "starlette", "anyio"], 2)
    node = " ".join(str(NODE / d) for d in rng.sample(["ajv", "zod", "hono", "express", "node-forge"], 2))
    stdlib_dirs = ["email", "json", "asyncio", "xml", "http", "urllib", "concurrent", "importlib", "logging"]
    listed_dirs = " ".join(str(STDLIB / d) for d in rng.sample(stdlib_dirs, 3))
    tests = sorted(f for f in listed.split() if f.startswith("tests/") and f.endswith(".py") and "/test_" in f)
    tests = [t for t in tests if "e2e" not in t and "agent" not in t and (ROOT / t).stat().st_size < 6_000]
    unit_tests = rng.sample(["string", "textwrap", "shlex", "fnmatch", "heapq", "json", "csv", "bisect"], 2)
    failure = rng.choice(["connection refused", "out of memory", "request timed out"])
    logged = (
        f'{py} -W always -c "import logging; logging.basicConfig(level=0); '
        f"[logging.info('job %d step %d done', i, i % 9) for i in range({rng.randint(1500, 4000)})]; "
        f"logging.warning('slow disk'); logging.error('{failure}'); "
        f"[logging.debug('poll %d', i) for i in range({rng.randint(200, 900)})]\""
    )
    return [
        Command("diff", f"git log -p -n {rng.randint(25, 45)} --skip {rng.randint(0, 60)} --no-color", "what changed?"),
        *(
            Command("diff", f"git log -p -n {rng.randint(8, 16)} --no-color -- {d}", f"recent changes to {d}")
            for d in rng.sample(dirs, 3)
        ),
        Command("diff", f"git show --no-color HEAD~{rng.randint(4, 80)}", "what did this commit change?"),
        Command("diff", f"git diff --no-color HEAD~{rng.randint(8, 20)} HEAD -- '*.py'", "Python changes"),
        *(Command("search", f"grep -rn 'def {n}' {STDLIB}", f"where is {n} defined?") for n in names[:3]),
        Command("search", f"git grep -n 'def {names[3]}'", f"where is {names[3]} defined?"),
        *(
            Command("search", f"grep -rn --include='*.py' 'class .*{word}' {SITE}/{package}", "which classes?")
            for word, package in zip(rng.sample(["Error", "Base", "Model", "Stream"], 2), packages, strict=True)
        ),
        Command("search", f"grep -rn 'function {rng.choice(['get', 'set', 'parse', 'create'])}' {node}", "which?"),
        *(Command("code", f"cat {m}", f"outline of {m.name}") for m in rng.sample(modules, 6)),
        *(Command("test", f"{py} -m unittest -v test.test_{t} 2>&1", "did the tests pass?") for t in unit_tests),
        Command(
            "test",
            f"{py} -m pytest -q -p no:cacheprovider {rng.choice(tests)}",
            "did the tests pass?",
        ),
        Command("log", "npm ls --all --no-color", "which packages are installed, any problems?"),
        Command("log", f"{py} -m pip install --no-index --dry-run no-such-package-{seed}", "why did it fail?"),
        Command("log", logged, "what went wrong?"),
        Command("listing", f"ls -laR {listed_dirs}", "what is there?"),
        Command("listing", f"find {SITE} -maxdepth {rng.randint(2, 3)} -name '*.py' -size +20k", "large modules"),
        Command("listing", f"git log --oneline -n {rng.randint(150, 400)}", "recent history"),
        Command("listing", f"du -ak {node}", "which files are largest?"),
        Command("listing", f"{py} -m pip list", "which packages, which versions?"),
        Command("listing", f"git ls-files -s -- {' '.join(rng.sample(dirs, 2))}", "what does the index hold?"),
    ]


def run_raw(cmd: Command) -> tuple[bytes, int, float]:
    started = time.perf_counter()
    done = subprocess.run(
        ["/bin/bash", "-c", cmd.line], cwd=cmd.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
    )
    return done.stdout, done.returncode, (time.perf_counter() - started) * 1000


def run_hooks(cmd: Command, env: dict[str, str]) -> int:
    """The command's exit status when run through `headroom exec` as the hooks rewrite it."""
    done = subprocess.run(
        [*BOOT, "exec", "--client", "bench/Bash", "--shell", cmd.line],
        cwd=cmd.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    return done.returncode


def replay(cmd: Command, saved: Path, env: dict[str, str], client: str) -> tuple[bytes, float, float]:
    """`headroom exec` over the very bytes the command printed (a second run would differ: timings, ids), with the
    hint its command line gives and the client the hook names (exec fits its output to that client's window); and
    the wall times of that and of the bare `cat`, for exec's overhead."""
    hint = content_hint(cmd.line)
    extra = ["--hint", hint] if hint else []
    started = time.perf_counter()
    done = subprocess.run(
        [*BOOT, "exec", "--client", client, *extra, "--shell", f"cat {saved}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        check=True,
    )
    exec_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    subprocess.run(["/bin/bash", "-c", f"cat {saved}"], stdout=subprocess.DEVNULL, check=True)
    return done.stdout, exec_ms, (time.perf_counter() - started) * 1000


def replay_path(folder: Path, line: str) -> Path:
    """Where the replay reads a command's output from: under the name of the file the command printed, if it
    printed one as it is (`cat x.py`), since exec reads the file's type from its name on the command line."""
    folder.mkdir()
    files = printed_files(line)
    return folder / (Path(files[0]).name if len(files) == 1 else "output.txt")


def claude_cut(text: str) -> str:
    if len(text) <= 30_000:
        return text
    return (
        f"<persisted-output>\nOutput too large ({len(text) / 1024:.1f}KB). Full output saved to: "
        f"/home/u/.claude/projects/p/tool-results/x.txt\n\nPreview (first 2KB):\n{text[:2000]}\n...\n"
        "</persisted-output>"
    )


def shown_lines(text: str) -> set[str]:
    """The whole lines a first result shows (stripped), grouped search results written out again: a needle counts
    only as a line of its own, so a short one ("OK") is not found inside another line or a cut one."""
    return {line.strip() for line in (text + "\n" + ungrouped(text)).split("\n")}


def ungrouped(text: str) -> str:
    """The match lines of search results exec printed grouped by directory (a line ``dir/``, then its matches
    indented by two spaces), written out whole again as ``dir/name:line:text``; other lines are left out."""
    out = []
    folder = None
    for line in text.split("\n"):
        if line.endswith("/") and not line.startswith((" ", "[")) and not re.search(r":\d+:", line):
            folder = line
        elif folder is not None and line.startswith("  "):
            out.append(folder + line[2:])
        else:
            folder = None
    return "\n".join(out)


# Codex's `tool_output_token_limit` the session runs with (`--codex-limit`): headroom's, as `headroom hooks install
# --client codex` and `headroom wrap codex` set it (`mcp_server.install._codex`).
CODEX = {"limit": LIMIT}


def codex_cut(text: str) -> str:
    """Codex 0.171's cut of a shell output (checked with the real CLI against tests/fake_provider): over the
    budget, the smaller of exec_command's default 10,000 tokens and ``tool_output_token_limit``, both counted as 4
    bytes a token, half of it from each end, with a note of what was left out between."""
    data = text.encode("utf-8")
    budget = min(CODEX["limit"], CALL_DEFAULT) * BYTES_PER_TOKEN
    if len(data) <= budget:
        return text
    head = data[: budget // 2].decode("utf-8", errors="ignore")
    tail = data[len(data) - budget // 2 :].decode("utf-8", errors="ignore")
    return f"{head}…{(len(data) - budget) // BYTES_PER_TOKEN} tokens truncated…{tail}"


def gemini_cut(text: str) -> str:
    if len(text) <= 40_000:
        return text
    return text[:8000] + "\n... [content truncated] ...\n" + text[-32_000:]


def _evenly(items: list[str], n: int) -> list[str]:
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def needles_for(kind: str, text: str, question: str) -> list[str]:
    lines = [line for line in text.split("\n") if line.strip()]
    if kind == "diff":
        subjects = [lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line.startswith("Date:")]
        headers = [line for line in lines if line.startswith("diff --git ")]
        return _evenly(subjects, 5) + _evenly(headers, 10)
    if kind == "search":
        name = question.split("where is ")[-1].split(" defined")[0] if "where is" in question else ""
        defs = [line for line in lines if ":" in line and _DEF.search(line.split(":", 2)[-1])]
        wanted = [line for line in defs if name and re.search(rf"\b{re.escape(name)}\b", line)] or defs
        return _evenly(wanted, 10)
    if kind == "code":
        return _evenly([line for line in lines if _DEF.match(line) and not line.startswith((" " * 8, "\t\t"))], 5)
    if kind == "test":
        verdict = [line for line in lines if re.search(r"\b(passed|failed|OK|FAILED)\b", line)][-1:]
        failures = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
        return verdict + failures
    if kind == "log":
        bad = [line for line in lines if re.search(r"(?i)\b(error|warning|failed|fatal|exception)\b", line)]
        return _evenly(list(dict.fromkeys(bad)), 10) + lines[-1:]
    sized = [(size, line) for line in lines if (size := entry_size(line)) is not None]
    largest = [line for _, line in sorted(sized, reverse=True)[:3]]
    return list(dict.fromkeys(lines[:1] + lines[-1:] + largest))


def entry_size(line: str) -> int | None:
    """The size a listing row shows, where its format has a size column: the fifth field of a long `ls` row
    (after mode, links, owner and group), the first field of a `du` row (then a tab). Other numbers in a row (a
    file mode, a link count, a number in a commit subject, a `total`) are not sizes, so rows without such a
    column give none."""
    if match := _LS_LONG.match(line):
        return int(match.group(1))
    if match := _DU_ROW.match(line):
        return int(match.group(1))
    return None


def bench_env(home: str) -> dict[str, str]:
    """The environment exec runs in: a store of its own, and byte code written and read as an installed package's
    would be (with PYTHONDONTWRITEBYTECODE kept, every run compiled the modules changed since the last build)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    codex = {"HEADROOM_CODEX_OUTPUT_LIMIT": str(CODEX["limit"])}  # as `headroom wrap codex` tells exec
    return {**env, **codex, "HEADROOM_HOME": home, "HEADROOM_EMBEDDINGS": "0", "HF_HUB_OFFLINE": "1"}


def warm_up(env: dict[str, str]) -> None:
    """One compressed output before any timing: byte code written, the page cache holding the native module."""
    log = Path(env["HEADROOM_HOME"]) / "warm-up.log"
    log.write_text("".join(f"2024-05-01 10:00:{i % 60:02d} INFO worker {i % 7} request {i}\n" for i in range(3000)))
    subprocess.run([*BOOT, "exec", "--", "cat", str(log)], stdout=subprocess.DEVNULL, env=env, check=True)


def measure(cmds: list[Command], home: str) -> list[Row]:
    env = bench_env(home)
    warm_up(env)
    rows = []
    for i, cmd in enumerate(cmds):
        raw, status_raw, _ = run_raw(cmd)
        status_hooks = run_hooks(cmd, env)
        saved = replay_path(Path(home) / f"command-{i}", cmd.line)
        saved.write_bytes(raw)
        hooked, exec_ms, cat_ms = replay(cmd, saved, env, "claude-code/Bash")
        for_gemini, _, _ = replay(cmd, saved, env, "gemini/run_shell_command")
        for_codex, _, _ = replay(cmd, saved, env, "codex/exec_command")
        text = raw.decode("utf-8", errors="replace")
        needles = [n for n in needles_for(cmd.kind, text, cmd.question) if n]
        row = Row(cmd, rustcore.count_tokens(text), needles, status_raw=status_raw, status_hooks=status_hooks)
        firsts = {
            "raw": text,
            "claude": claude_cut(text),
            "gemini": gemini_cut(text),
            # What the model sees through the hooks is exec's output as the client then cuts it.
            "hooks": claude_cut(hooked.decode("utf-8", errors="replace")),
            "hooks_gemini": gemini_cut(for_gemini.decode("utf-8", errors="replace")),
            "codex": codex_cut(text),
            "hooks_codex": codex_cut(for_codex.decode("utf-8", errors="replace")),
        }
        for way, first in firsts.items():
            row.tokens[way] = rustcore.count_tokens(first)
            shown = shown_lines(first)
            row.found[way] = sum(1 for n in needles if n.strip() in shown)
        if row.raw_tokens < SMALL_TOKENS:
            row.small_unchanged = hooked == raw
        row.overhead_ms = exec_ms - cat_ms
        rows.append(row)
        print(
            f"  {cmd.kind:<8} {row.raw_tokens:>8,} -> {row.tokens['hooks']:>7,} tok, needles "
            f"{row.found['hooks']}/{len(needles)} (Gemini: {row.tokens['hooks_gemini']:,}, "
            f"{row.found['hooks_gemini']}/{len(needles)})  {cmd.line[:70]}",
            flush=True,
        )
    return rows


def hook_startup_ms(env: dict[str, str], runs: int = 20) -> list[float]:
    """Wall time of one Claude PreToolUse call that leaves the command alone (start-up included)."""
    payload = json.dumps(
        {
            "tool_name": "Bash",
            "tool_input": {"command": "cd src"},
            "permission_mode": "default",
            "cwd": str(ROOT),
            "session_id": "bench",
        }
    ).encode()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*BOOT, "hook", "claude", "pre"], input=payload, capture_output=True, env=env, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def exec_one_mb(home: str, runs: int = 7) -> tuple[list[float], list[float]]:
    """exec's added wall time on a 1 MB output it compresses (this repository's history) and a 1 KB one it passes."""
    env = bench_env(home)
    history = subprocess.run(
        ["git", "log", "-p", "--no-color", "-n", "400"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    results: list[list[float]] = []
    for size in (1 << 20, 1 << 10):
        added = []
        for i in range(runs):
            path = Path(home) / f"bench-{size}-{i}.txt"
            path.write_bytes(f"run {i}\n".encode() + history[:size])  # new content each run: the store write counts
            started = time.perf_counter()
            subprocess.run([*BOOT, "exec", "--shell", f"cat {path}"], stdout=subprocess.DEVNULL, env=env, check=True)
            exec_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            subprocess.run(["/bin/bash", "-c", f"cat {path}"], stdout=subprocess.DEVNULL, check=True)
            added.append(exec_ms - (time.perf_counter() - started) * 1000)
        results.append(added)
    return results[0], results[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(rows: list[Row], startup: list[float], bare: list[float]) -> dict[str, object]:
    ways = ("raw", "claude", "gemini", "codex", "hooks", "hooks_gemini", "hooks_codex")
    kinds = sorted({r.command.kind for r in rows})
    names = {
        "raw": "raw",
        "claude": "claude",
        "gemini": "gemini",
        "codex": "codex",
        "hooks": "ours+cc",
        "hooks_gemini": "ours+gem",
        "hooks_codex": "ours+cdx",
    }
    print(f"\n{'kind':<9}{'cmds':>5}" + "".join(f"{names[w] + ' tok':>14}{names[w] + ' ndl':>13}" for w in ways))
    summary: dict[str, object] = {"kinds": {}}
    for kind in [*kinds, "total"]:
        group = [r for r in rows if kind in ("total", r.command.kind)]
        needles = sum(len(r.needles) for r in group)
        cells = ""
        entry: dict[str, object] = {"commands": len(group), "needles": needles}
        for way in ways:
            tokens = sum(r.tokens[way] for r in group)
            found = sum(r.found[way] for r in group)
            rate = 100 * found / needles if needles else 100.0
            cells += f"{tokens:>14,}{rate:>12.0f}%"
            entry[way] = {"tokens": tokens, "needles_found": found, "needle_pct": round(rate, 1)}
        print(f"{kind:<9}{len(group):>5}" + cells)
        summary["kinds"][kind] = entry  # type: ignore[index]
    raw_total = sum(r.tokens["raw"] for r in rows)
    hook_total = sum(r.tokens["hooks"] for r in rows)
    overheads = [r.overhead_ms for r in rows]
    passed = [r.overhead_ms for r in rows if r.tokens["hooks"] == r.raw_tokens]
    squeezed = [r.overhead_ms for r in rows if r.tokens["hooks"] != r.raw_tokens]
    changed_status = [r.command.line for r in rows if r.status_raw != r.status_hooks]
    small = [r for r in rows if r.small_unchanged is not None]
    altered = [r.command.line for r in small if not r.small_unchanged]
    gemini_total = sum(r.tokens["hooks_gemini"] for r in rows)
    codex_total = sum(r.tokens["hooks_codex"] for r in rows)
    print(
        f"\nthrough the hooks, as Claude Code shows it: {100 * hook_total / raw_total:.1f}% of the raw tokens over "
        f"the session ({hook_total:,} of {raw_total:,}); as Gemini CLI shows it: {100 * gemini_total / raw_total:.1f}%;"
        f" as Codex shows it: {100 * codex_total / raw_total:.1f}%"
    )
    print(f"exit codes changed: {len(changed_status)} of {len(rows)} {changed_status or ''}")
    print(f"small outputs (< {SMALL_TOKENS} tokens) altered: {len(altered)} of {len(small)} {altered or ''}")
    print(
        f"headroom exec over the bare command: p50 {pct(overheads, 0.5):.0f} ms, p95 {pct(overheads, 0.95):.0f} ms "
        f"(outputs passed through: p50 {pct(passed or [0], 0.5):.0f} ms; compressed: p50 "
        f"{pct(squeezed or [0], 0.5):.0f} ms, p95 {pct(squeezed or [0], 0.95):.0f} ms)"
    )
    print(
        f"hook call that leaves a command alone (start-up included): p50 {pct(startup, 0.5):.0f} ms, "
        f"p95 {pct(startup, 0.95):.0f} ms; bare `python -c pass` p50 {pct(bare, 0.5):.0f} ms"
    )
    summary.update(
        raw_tokens=raw_total,
        hook_tokens=hook_total,
        hook_pct=round(100 * hook_total / raw_total, 1),
        exit_codes_changed=changed_status,
        small_altered=altered,
        exec_overhead_ms={"p50": pct(overheads, 0.5), "p95": pct(overheads, 0.95)},
        hook_startup_ms={"p50": pct(startup, 0.5), "p95": pct(startup, 0.95)},
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--only", help="run only the commands of this kind")
    parser.add_argument("--seed", type=int, help="a session drawn by this seed instead of the fixed one")
    parser.add_argument(
        "--tree", type=Path, help="run headroom exec and the hook from this checkout (another commit's, to compare)"
    )
    parser.add_argument(
        "--codex-limit",
        type=int,
        default=LIMIT,
        help=f"Codex's tool_output_token_limit (default {LIMIT}, as headroom sets it; 2500 is the 10,000 bytes a "
        "model without Codex metadata gets when it is unset)",
    )
    args = parser.parse_args()
    CODEX["limit"] = args.codex_limit
    if args.tree:
        BOOT[2] = str(args.tree.resolve() / "mcp_server" / "_boot.py")
    cmds = [c for c in commands(args.seed) if not args.only or c.kind == args.only]
    print(f"{len(cmds)} commands, run raw and through headroom exec (as the hooks run it):")
    with tempfile.TemporaryDirectory(prefix="headroom-session-") as home:
        rows = measure(cmds, home)
        one_mb, one_kb = exec_one_mb(home)
        startup = hook_startup_ms(bench_env(home))
    bare = []
    for _ in range(20):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append((time.perf_counter() - started) * 1000)
    summary = report(rows, startup, bare)
    print(
        f"headroom exec added to `cat` of a 1 MB diff it compresses: p50 {pct(one_mb, 0.5):.0f} ms; "
        f"of a 1 KB output it passes through: p50 {pct(one_kb, 0.5):.0f} ms (targets 150 ms and 60 ms)"
    )
    summary["exec_1mb_ms"] = pct(one_mb, 0.5)
    summary["exec_1kb_ms"] = pct(one_kb, 0.5)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
