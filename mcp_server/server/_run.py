"""`headroom_run`'s engine: one shell command, bounded in time and output, never left running.

The command runs through ``/bin/sh -c`` in its own session (so its process group
can be killed as a whole), with stdin closed and stderr merged into stdout in
the order written. It stops at the timeout or at the output cap; whatever it
started is killed when it returns, including background children that still
hold the pipe a moment after the shell exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import anyio

from ccr import InputError

__all__ = ["RunOutcome", "run_command"]

# How long output may keep arriving after the shell exited (children that inherited the pipe).
_EXIT_GRACE_S = 1.0


@dataclass(frozen=True, slots=True)
class RunOutcome:
    output: bytes
    exit_code: int | None
    timed_out: bool
    truncated: bool
    elapsed_ms: float


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_command(command: str, *, cwd: Path, timeout_s: float, output_cap: int) -> RunOutcome:
    """Run `command` in `cwd`; its merged output (at most `output_cap` bytes) and how it ended.

    Raises:
        InputError: the command is empty or the shell cannot be started.
    """
    if not command.strip():
        raise InputError("the command is empty; pass a shell command line, e.g. `pytest -q`")
    started = time.perf_counter()
    try:
        process = await anyio.open_process(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise InputError(f"cannot start the command in {cwd}: {exc.strerror or exc}") from exc
    buf = bytearray()
    truncated = False

    async def read_output() -> None:
        nonlocal truncated
        assert process.stdout is not None
        async for chunk in process.stdout:
            room = output_cap - len(buf)
            buf.extend(chunk[:room])
            if len(chunk) > room:
                truncated = True
                return

    async def stop_after_exit(scope: anyio.CancelScope) -> None:
        await process.wait()
        await anyio.sleep(_EXIT_GRACE_S)
        scope.cancel()

    try:
        with anyio.move_on_after(timeout_s) as deadline:
            async with anyio.create_task_group() as tg:
                tg.start_soon(stop_after_exit, tg.cancel_scope)
                await read_output()
                tg.cancel_scope.cancel()
            if not truncated:
                await process.wait()
    finally:
        _kill_group(process.pid)
        with anyio.CancelScope(shield=True):
            await process.aclose()
    return RunOutcome(
        output=bytes(buf),
        exit_code=process.returncode,
        timed_out=deadline.cancelled_caught,
        truncated=truncated,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
