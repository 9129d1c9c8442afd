"""Run one command with stdout and stderr on one pipe, forward signals to it, and return its exact status.

``os.posix_spawnp`` instead of ``subprocess``: it costs no import, and the child gets what a shell would give it
(default SIGPIPE and SIGXFSZ, which Python ignores for itself; an unblocked signal mask). The child leads a
process group of its own, so a signal we forward reaches every process it started, once: a terminal's Ctrl-C
reaches us, and we pass it on.
"""

from __future__ import annotations

import contextlib
import os
import signal

TYPE_CHECKING = False  # not `typing`'s: this path imports no more than it runs (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType

__all__ = ["FORWARDED", "Finished", "exit_status", "run_merged"]

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
_CHUNK = 1 << 16


class Finished:
    """What the command did: its wait status as a shell's ``$?`` and every byte it wrote, in order."""

    __slots__ = ("output", "status", "truncated")

    def __init__(self, status: int, output: bytes, truncated: bool) -> None:
        self.status = status
        self.output = output
        self.truncated = truncated


def exit_status(wait_status: int) -> int:
    """A shell's ``$?``: the exit code, or 128 + n for a command a signal n ended."""
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code


def run_merged(argv: Sequence[str], *, keep: int, sink: int | None = None) -> Finished:
    """Run ``argv`` (PATH searched) with stdout and stderr merged into one pipe; keep up to ``keep`` bytes.

    Past ``keep`` bytes the output is not held any longer: what was kept and everything after it go to ``sink`` (a
    file descriptor) as they arrive, and ``truncated`` is set, so a command printing gigabytes still streams.

    Raises:
        FileNotFoundError, PermissionError: the program cannot be started (the caller answers 127 / 126).
    """
    read_end, write_end = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_DUP2, write_end, 2)]
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    previous = {}
    try:
        pid = os.posix_spawnp(
            argv[0],
            list(argv),
            os.environ,
            file_actions=actions,
            setpgroup=0,
            setsigmask=set(),
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, *FORWARDED),
        )
        for sig in FORWARDED:
            previous[sig] = signal.signal(sig, _forwarder(pid))
    finally:
        os.close(write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        kept, truncated = _drain(read_end, keep, sink)
        _, wait_status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return Finished(exit_status(wait_status), kept, truncated)


def _forwarder(pid: int) -> Callable[[int, FrameType | None], None]:
    def forward(signum: int, frame: FrameType | None) -> None:
        del frame
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signum)

    return forward


def _drain(fd: int, keep: int, sink: int | None) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
        if size > keep and sink is not None:
            _write_all(sink, b"".join(chunks))
            while chunk := os.read(fd, _CHUNK):
                _write_all(sink, chunk)
            return b"", True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
