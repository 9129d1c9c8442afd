"""The supervisor of one `headroom_run` command: confines it, and kills everything it started when it ends.

Run as a script by the server (``python -I -S _supervisor.py CONFIG``, CONFIG a
private JSON file it deletes; standard library only, so it starts in a few
milliseconds), with the command's output
pipe as its stdout and stderr. It

1. becomes a child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``): any process
   the command starts that outlives its parent, even one that detached with
   ``setsid ... &`` or a double fork, is re-parented to the supervisor rather
   than to init, so it can still be found and killed (a process group is not
   enough: a new session leaves it);
2. asks to receive SIGTERM if the server dies (``PR_SET_PDEATHSIG``);
3. where the kernel has Landlock and CONFIG asks for it, restricts itself and
   so every descendant to the paths CONFIG lists (read-only or read-write)
   before the shell starts; a line on the status fd says what was confined;
4. runs ``/bin/sh -c COMMAND`` and waits for it; SIGTERM (the server's timeout
   or cancellation) kills it and everything it started;
5. when the shell is gone, gives its descendants `grace_s` to finish writing,
   then SIGKILLs every process whose ancestry leads back here and reaps them,
   until none is left; the last status line is the shell's exit status as
   Python reports it (negative: the signal that ended it).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
# Filesystem rights by the Landlock ABI that introduced them.
_READ = 1 << 0 | 1 << 2 | 1 << 3  # execute, read file, read dir
_FILE_RIGHTS = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 14 | 1 << 15  # execute, write, read, truncate, ioctl on devices
_KILL_ROUNDS = 200

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _handled(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute .. make_sym
    if abi >= 2:
        rights |= 1 << 13  # refer
    if abi >= 3:
        rights |= 1 << 14  # truncate
    if abi >= 5:
        rights |= 1 << 15  # ioctl on devices
    return rights


def _landlock(read: list[str], write: list[str]) -> str:
    """Confine this process (and what it starts) to `read` and `write`; what happened, in words."""
    abi = _libc.syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION)
    )
    if abi < 1:
        return f"unconfined: Landlock is not available here ({os.strerror(ctypes.get_errno())})"
    handled = _handled(abi)
    attr = _RulesetAttr(handled)
    ruleset = _libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0)
    if ruleset < 0:
        return f"unconfined: cannot create a Landlock ruleset ({os.strerror(ctypes.get_errno())})"
    try:
        for paths, rights in ((read, _READ), (write, handled)):
            for path in paths:
                _allow(ruleset, path, rights & handled)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return f"unconfined: cannot set no_new_privs ({os.strerror(ctypes.get_errno())})"
        if _libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
            return f"unconfined: Landlock refused to restrict ({os.strerror(ctypes.get_errno())})"
    finally:
        os.close(ruleset)
    return f"confined by Landlock ABI {abi}"


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist here grants nothing
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        _libc.syscall(_SYS_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)


def _parents() -> dict[int, int]:
    """Every visible process and its parent, from /proc."""
    out: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        out[int(name)] = int(fields[1])
    return out


def _descendants(root: int) -> list[int]:
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _reap() -> bool:
    """Reap every child that has exited; False once no child is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def _kill_everything() -> None:
    me = os.getpid()
    for _ in range(_KILL_ROUNDS):
        for pid in _descendants(me):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if not _reap():
            return
        time.sleep(0.005)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    os.unlink(sys.argv[1])
    report = os.fdopen(config["status_fd"], "w", buffering=1)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    status = _landlock(config["read"], config["write"]) if config.get("confine") else "unconfined: confinement is off"
    report.write(status + "\n")

    def stop(signum: int, frame: object) -> None:
        _kill_everything()
        report.write(f"stopped {signum}\n")
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    shell = os.fork()
    if shell == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            os.execv("/bin/sh", ["/bin/sh", "-c", config["command"]])
        finally:
            os._exit(127)
    _, waited = os.waitpid(shell, 0)
    code = os.waitstatus_to_exitcode(waited)
    deadline = time.monotonic() + float(config.get("grace_s", 1.0))
    while _descendants(os.getpid()) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.01)
    _kill_everything()
    report.write(f"exit {code}\n")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
