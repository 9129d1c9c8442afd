"""`headroom_run`'s engine: one shell command, bounded in time and output, confined, never left running.

The command runs as ``/bin/sh -c`` under a supervisor process (`_supervisor`):
a child subreaper that confines itself and the command (`_sandbox`, Landlock
where the kernel has it) and, when the shell exits or the call is stopped,
kills every process the command started, detached ones included. stdin is
closed and stderr merged into stdout in the order written. The output goes
to an unlinked temporary file in the store directory as it arrives, so a long
run holds none of it in memory, and is read back once when the command ends;
it stops at the output cap. At the timeout, on cancellation or at the cap the
supervisor is told to stop (SIGTERM), and killed outright if it has not within
a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import anyio
import anyio.to_thread

from ccr import InputError
from mcp_server.server._sandbox import run_policy

if TYPE_CHECKING:
    from anyio.abc import Process

__all__ = ["RunOutcome", "run_command"]

_SUPERVISOR = str(Path(__file__).with_name("_supervisor.py"))
# How long output may keep arriving after the shell exited (children that inherited the pipe).
_EXIT_GRACE_S = 1.0
# How long the supervisor gets to kill everything after being told to stop.
_STOP_GRACE_S = 5.0
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class RunOutcome:
    output: bytes
    exit_code: int | None
    timed_out: bool
    truncated: bool
    elapsed_ms: float
    confinement: str = "unconfined"


async def run_command(
    command: str,
    *,
    cwd: Path,
    timeout_s: float,
    output_cap: int,
    roots: Sequence[Path] = (),
    confine: bool = True,
    spool_dir: Path | None = None,
) -> RunOutcome:
    """Run `command` in `cwd`, confined (unless not `confine`) to `roots` (default: `cwd`) as `_sandbox.run_policy`
    says; its merged
    output (at most `output_cap` bytes, spooled in `spool_dir`) and how it ended.

    Raises:
        InputError: the command is empty or cannot be started.
    """
    if not command.strip():
        raise InputError("the command is empty; pass a shell command line, e.g. `pytest -q`")
    started = time.perf_counter()
    tmpdir = Path(tempfile.mkdtemp(prefix="headroom-run-"))
    policy = run_policy(roots or [cwd], tmpdir, confine=confine)
    status_read, status_write = os.pipe()
    env = {k: v for k, v in os.environ.items() if k != "HEADROOM_TOKEN"}
    env.update(TMPDIR=str(tmpdir), TMP=str(tmpdir), TEMP=str(tmpdir))
    config_path = tmpdir / ".headroom-run.json"
    config = {
        "command": command,
        "read": list(policy.read),
        "write": list(policy.write),
        "confine": policy.confine,
        "status_fd": status_write,
        "grace_s": _EXIT_GRACE_S,
    }
    try:
        config_path.write_text(json.dumps(config), encoding="utf-8")
        config_path.chmod(0o600)
        process = await anyio.open_process(
            [sys.executable, "-I", "-S", _SUPERVISOR, str(config_path)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(status_write,),
        )
    except OSError as exc:
        os.close(status_read)
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise InputError(f"cannot start the command in {cwd}: {exc.strerror or exc}") from exc
    finally:
        os.close(status_write)
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        truncated = timed_out = False
        try:
            size = 0

            async def read_output() -> None:
                nonlocal size, truncated
                assert process.stdout is not None
                async for chunk in process.stdout:
                    room = output_cap - size
                    await anyio.to_thread.run_sync(spool.write, chunk[:room])
                    size += min(len(chunk), room)
                    if len(chunk) > room:
                        truncated = True
                        return

            with anyio.move_on_after(timeout_s) as deadline:
                await read_output()
                if not truncated:
                    await process.wait()
            timed_out = deadline.cancelled_caught
        finally:
            with anyio.CancelScope(shield=True):
                await _stop(process)
                statuses = await anyio.to_thread.run_sync(_read_all, status_read)
                shutil.rmtree(tmpdir, ignore_errors=True)
        output = await anyio.to_thread.run_sync(_read_back, spool)
    return RunOutcome(
        output=output,
        exit_code=_exit_code(statuses, process.returncode),
        timed_out=timed_out,
        truncated=truncated,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        confinement=statuses[0] if statuses else "unconfined: the supervisor did not start",
    )


async def _stop(process: Process) -> None:
    """Tell the supervisor to kill everything and exit; kill it (and its group) if it has not in time."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with anyio.move_on_after(_STOP_GRACE_S):
            await process.wait()
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
    await process.aclose()


def _read_all(fd: int) -> list[str]:
    try:
        with os.fdopen(fd, "rb") as f:
            return [line.strip() for line in f.read().decode("utf-8", "replace").splitlines() if line.strip()]
    except OSError:
        return []


def _read_back(spool: IO[bytes]) -> bytes:
    spool.seek(0)
    return spool.read()


def _exit_code(statuses: list[str], supervisor: int | None) -> int | None:
    """The shell's exit status from the supervisor's last line (negative: the signal that ended it)."""
    for line in reversed(statuses):
        kind, _, value = line.partition(" ")
        if kind == "exit":
            return int(value)
        if kind == "stopped":
            return None
    return supervisor
