"""What a `headroom_run` command may touch: the paths its supervisor confines it to, and how to say so.

On Linux with Landlock (kernel 5.13+) the command, and everything it starts,
may write only inside the allowed roots, its own temporary directory (TMPDIR)
and tool caches in the home directory, and read only those, the system
directories and the toolchains in the home directory; the git directory of a
root's repository is writable where it lies outside the root (a linked
worktree, a submodule). The rest of the home directory (keys, documents, other
projects, the headroom store itself) is out of its reach. The network is not
confined. Where Landlock is missing (another OS, an old kernel) or
``HEADROOM_RUN_CONFINE=0``, only the starting directory and the processes'
lifetime are confined. ``HEADROOM_RUN_READ`` and ``HEADROOM_RUN_WRITE``
(os.pathsep-separated) add paths.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["RunPolicy", "confinement_summary", "landlock_abi", "run_policy"]

# Read-only: where programs, their libraries and configuration live.
_SYSTEM_READ = (
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix", "/snap",
    "/proc", "/sys", "/run", "/var/lib", "/var/cache", "/srv",
)  # fmt: skip
# In the home directory, read-only: toolchains and the configuration builds read.
_HOME_READ = (
    ".gitconfig", ".config/git", ".local/bin", ".local/lib", ".pyenv", ".nvm", ".volta", ".bun", ".deno",
    ".sdkman", ".rustup", ".cargo/bin", ".profile", ".bashrc", ".npmrc", ".pypirc",
)  # fmt: skip
# In the home directory, read-write: caches that package managers and builds fill.
_HOME_WRITE = (".cache", ".cargo/registry", ".cargo/git", ".npm", ".m2", ".gradle", "go/pkg")
# Devices: /dev/null, terminals, shared memory.
_DEVICES = ("/dev",)

_SYS_LANDLOCK_CREATE_RULESET = 444
_LANDLOCK_CREATE_RULESET_VERSION = 1


@dataclass(frozen=True, slots=True)
class RunPolicy:
    """Paths a command may read, and may read and write; `confine` False runs it unconfined."""

    read: tuple[str, ...]
    write: tuple[str, ...]
    confine: bool


@cache
def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers (0: none: not Linux, too old, or disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        abi = libc.syscall(
            _SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION)
        )
    except (OSError, AttributeError):
        return 0
    return max(int(abi), 0)


def _paths(env: Mapping[str, str], name: str) -> list[str]:
    return [p for p in (env.get(name) or "").split(os.pathsep) if p.strip()]


def _git_dirs(root: Path) -> list[str]:
    """The git directory of the repository holding `root`, and its common directory, where they lie elsewhere
    (a linked worktree's ``.git`` file, a submodule, a root below the repository's top): git needs to write there."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return [] if folder == root else [str(dot_git)]
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return []
            git_dir = (folder / text.removeprefix("gitdir:").strip()).resolve()
            found = [str(git_dir)]
            common = git_dir / "commondir"
            if common.is_file():
                found.append(str((git_dir / common.read_text(encoding="utf-8").strip()).resolve()))
            return found
    return []


def run_policy(
    roots: Sequence[Path], tmpdir: Path, *, confine: bool = True, env: Mapping[str, str] | None = None
) -> RunPolicy:
    """The paths of one run: read-write the roots, `tmpdir`, the caches and devices; read-only the rest."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    read = [*_SYSTEM_READ, sys.prefix, sys.base_prefix, sys.exec_prefix, *(str(home / p) for p in _HOME_READ)]
    write = [*(str(r) for r in roots), str(tmpdir), *_DEVICES, *(str(home / p) for p in _HOME_WRITE)]
    for root in roots:
        try:
            write += _git_dirs(Path(root))
        except OSError:
            continue
    read += _paths(env, "HEADROOM_RUN_READ")
    write += _paths(env, "HEADROOM_RUN_WRITE")
    return RunPolicy(tuple(dict.fromkeys(read)), tuple(dict.fromkeys(write)), confine)


def confinement_summary(confine: bool = True) -> str:
    """What the tool description says about confinement on this machine, now."""
    lifetime = (
        "Every process the command starts, background and detached ones included, is killed when the call ends "
        "or at `timeout_s`."
    )
    if confine and landlock_abi() > 0:
        return (
            f"{lifetime} Filesystem (Linux Landlock): it can write only inside the allowed roots, its own TMPDIR and "
            "tool caches in the home directory (~/.cache, ~/.cargo/registry, ~/.npm, ...), and read only those, the "
            "system directories (/usr, /etc, /opt, ...) and toolchains in the home directory; the rest of the home "
            "directory (keys, other projects, the headroom store) is out of its reach. The network is not confined."
        )
    why = "confinement is off (HEADROOM_RUN_CONFINE=0)" if not confine else "this system has no Landlock"
    return (
        f"{lifetime} Its files are NOT confined ({why}): it starts in the allowed root but can read and write "
        "anything the user can. The network is not confined."
    )
