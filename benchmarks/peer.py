"""The peer side of `make bench`: its MCP compress path, run in its own virtualenv, scored here.

`benchmarks/peer_compress.py` runs inside the peer's interpreter (it cannot
import our packages) and writes its outputs and per-sample median times as
JSON; this module writes its manifest, runs it in a temporary HOME so the
peer's store never lands in the user's, and scores the outputs with the same
scorer and token counter as our own. Source checkout only: nothing here ships.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rustcore
from benchmarks.server_measure import read_rss_bytes
from ccr import HeadroomError, InputError
from mcp_server._errors import ServerRunError
from mcp_server._rpc import StdioClient
from mcp_server.bench import BenchSample, Needle, SampleResult, ServerNumbers, SystemRun, failed_result, score_needles

__all__ = ["PEER_SYSTEM", "PeerRunError", "find_peer_python", "measure_peer_server", "peer_script", "run_peer"]

PEER_SYSTEM = "headroom-ai"
_ENCODING = "o200k_base"
_VENV_NAME = ".venv-peer"


class PeerRunError(HeadroomError):
    """The benchmark could not run the peer in its virtualenv; reported beside our own figures, never over them."""


def _project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def peer_script() -> Path:
    """`benchmarks/peer_compress.py` beside this module."""
    return Path(__file__).resolve().with_name("peer_compress.py")


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def find_peer_python(explicit: Path | None = None, *, search: Sequence[Path] | None = None) -> Path | None:
    """The peer's interpreter: `explicit` when given, else `.venv-peer` in the working or project folder.

    Raises:
        InputError: `explicit` is given but is not an executable file.
    """
    if explicit is not None:
        if not explicit.is_file() or not os.access(explicit, os.X_OK):
            raise InputError(f"--peer-python {explicit} is not an executable file")
        return explicit
    folders = search if search is not None else (Path.cwd(), _project_root())
    for folder in folders:
        candidate = _venv_python(folder / _VENV_NAME)
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class _PeerOutput:
    payload: dict[str, Any]
    stderr: str


def _peer_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "HEADROOM_"))}
    env.update(HOME=str(home), USERPROFILE=str(home), HEADROOM_OFFLINE="1", HF_HUB_OFFLINE="1")
    return env


def _invoke(python: Path, samples: Sequence[BenchSample], runs: int, workdir: Path, timeout: float) -> _PeerOutput:
    inputs = workdir / "inputs"
    inputs.mkdir()
    entries = []
    for i, sample in enumerate(samples):
        path = inputs / f"{i:04d}.txt"
        path.write_bytes(sample.data)
        entries.append({"name": sample.name, "path": str(path)})
    manifest = workdir / "manifest.json"
    manifest.write_text(json.dumps({"runs": runs, "samples": entries}), encoding="utf-8")
    out = workdir / "peer.json"
    home = workdir / "home"
    home.mkdir()
    cmd = [str(python), str(peer_script()), "--manifest", str(manifest), "--out", str(out)]
    try:
        done = subprocess.run(
            cmd, cwd=workdir, env=_peer_env(home), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PeerRunError(f"the peer run took longer than {timeout:.0f} s and was stopped") from exc
    except OSError as exc:
        raise PeerRunError(f"cannot start {python}: {exc.strerror or exc}") from exc
    tail = "\n".join(done.stderr.strip().splitlines()[-8:])
    if done.returncode != 0 or not out.is_file():
        raise PeerRunError(f"the peer run failed (exit {done.returncode}): {tail or 'no output'}")
    try:
        payload = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PeerRunError(f"the peer wrote unreadable results: {exc}") from exc
    return _PeerOutput(payload, done.stderr)


def _score(sample: BenchSample, item: dict[str, Any]) -> SampleResult:
    needles = [Needle.compile(n) for n in sample.needles]
    tokens_before = rustcore.count_tokens(sample.text, _ENCODING)
    error = item.get("error")
    compressed = item.get("compressed")
    if error or not isinstance(compressed, str):
        return failed_result(sample, needles, tokens_before, str(error or "the peer returned no text"))
    transforms = item.get("transforms") or []
    return SampleResult(
        name=sample.name,
        category=sample.category,
        bytes=len(sample.data),
        tokens_before=tokens_before,
        tokens_after=rustcore.count_tokens(compressed, _ENCODING),
        # Its retrieve tool returns only the whole original, so there is no query-scoped retrieval to score.
        needles=score_needles(needles, compressed),
        median_ms=float(item.get("median_ms") or 0.0),
        compressor=", ".join(str(t) for t in transforms) or "passthrough",
    )


def _inside_venv(path: str, python: Path) -> str:
    """`path` as seen from the peer's venv (`site-packages/...`): a report never shows a machine's folders."""
    marker = "site-packages"
    if marker in Path(path).parts:
        parts = Path(path).parts
        return str(Path(*parts[parts.index(marker) :]))
    venv = python.parent.parent
    return os.path.relpath(path, venv) if path.startswith(str(venv)) else Path(path).name


def run_peer(python: Path, samples: Sequence[BenchSample], *, runs: int = 5, timeout: float = 3600.0) -> SystemRun:
    """The peer's MCP compress path over `samples`, scored like ours (no query: its tool takes none).

    Raises:
        PeerRunError: the peer could not be started, failed, or wrote unreadable results.
    """
    # Absolute but not resolved: a venv's python is a symlink, and resolving it would leave the venv.
    python = Path(os.path.abspath(python))
    with tempfile.TemporaryDirectory(prefix="headroom-bench-peer-") as tmp:
        output = _invoke(python, samples, runs, Path(tmp), timeout)
    payload = output.payload
    by_name = {item.get("name"): item for item in payload.get("samples", []) if isinstance(item, dict)}
    results = []
    for sample in samples:
        item = by_name.get(sample.name, {"error": "the peer returned no result for this sample"})
        results.append(_score(sample, item))
    notes = [
        f"its headroom_compress tool path ({payload.get('entry_point', '?')}), Python {payload.get('python', '?')}, "
        f"offline (tiktoken {_ENCODING} from {_inside_venv(str(payload.get('tiktoken_cache_dir', '?')), python)})"
    ]
    if not payload.get("cache_cleared", False):
        notes.append("its result cache could not be cleared between runs: times may be cache hits")
    return SystemRun(
        system=PEER_SYSTEM,
        mode="no-query",
        version=str(payload.get("version", "unknown")),
        samples=tuple(results),
        notes=tuple(notes),
    )


def _start_once(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[float, int | None]:
    started = time.perf_counter()
    try:
        with StdioClient(cmd, env=env, cwd=cwd) as server:
            server.initialize("headroom-bench", timeout=timeout)
            return time.perf_counter() - started, read_rss_bytes(server.pid)
    except ServerRunError as exc:
        raise PeerRunError(f"the peer's server: {exc}") from exc


def measure_peer_server(python: Path, runs: int = 5, timeout: float = 60.0) -> ServerNumbers:
    """The peer's `headroom mcp serve`: median start to ``initialize`` answer, and idle memory after it.

    Measured the same way as ours (a bare JSON-RPC ``initialize`` on stdio), offline, in a temporary HOME.

    Raises:
        PeerRunError: the server could not be started or did not answer.
    """
    python = Path(os.path.abspath(python))
    script = python.parent / "headroom"
    if not script.is_file():
        raise PeerRunError(f"{script} is absent: the peer's command-line entry point is not installed")
    times: list[float] = []
    rss: int | None = None
    with tempfile.TemporaryDirectory(prefix="headroom-bench-peer-") as tmp:
        env = _peer_env(Path(tmp))
        for _ in range(max(runs, 3)):
            elapsed, rss = _start_once([str(python), str(script), "mcp", "serve"], env, Path(tmp), timeout)
            times.append(elapsed)
    return ServerNumbers(measured=True, startup_ms=statistics.median(times) * 1000, idle_rss_bytes=rss)
