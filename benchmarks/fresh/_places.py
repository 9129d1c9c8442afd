"""Where real data lives on this machine: the stdlib, the installed packages, the project, node_modules, /etc and
cargo's registry of downloaded crates."""

from __future__ import annotations

import functools
import os
import random
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from benchmarks.fresh._core import Skip, Unavailable

__all__ = [
    "PROJECT",
    "cargo_registry",
    "files_under",
    "node_modules",
    "npm_files",
    "pick",
    "read_text",
    "site_packages",
    "stdlib",
]

PROJECT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
# Folders no tool output of interest comes from (caches, VCS internals, bytecode), and a site-packages nested in
# the stdlib (the base interpreter's packages: not the stdlib, and large).
_SKIP_DIRS = frozenset(
    {"__pycache__", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "site-packages"}
)


def stdlib() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def site_packages() -> Path:
    """This interpreter's site-packages (the project's venv when run from it)."""
    return Path(sysconfig.get_paths()["purelib"])


def cargo_registry(part: str) -> list[Path]:
    """The folders of cargo's registry `part` (`src`: unpacked crates, `cache`: .crate archives), sorted."""
    home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    root = home / "registry" / part
    return sorted(p for p in root.glob("*/*") if p.exists()) if root.is_dir() else []


def npm_files(suffixes: tuple[str, ...], min_bytes: int, max_bytes: int) -> tuple[Path, ...]:
    """Files under the project's node_modules (none when it is absent)."""
    folder = PROJECT / "node_modules"
    return files_under(folder, suffixes, min_bytes, max_bytes) if folder.is_dir() else ()


def node_modules() -> Path:
    """The project's node_modules (`make dev` installs it).

    Raises:
        Skip: absent.
    """
    folder = PROJECT / "node_modules"
    if not folder.is_dir():
        raise Unavailable(f"{folder} is absent (run `make dev`)")
    return folder


@functools.lru_cache(maxsize=64)
def files_under(
    root: Path, suffixes: tuple[str, ...], min_bytes: int = 1, max_bytes: int = 400_000, skip_tests: bool = False
) -> tuple[Path, ...]:
    """Regular files under `root` whose name ends with one of `suffixes` (any name when empty), sorted.

    Symbolic links are not followed; sizes outside [min_bytes, max_bytes] and unlistable folders are left out.
    """
    skip = _SKIP_DIRS | ({"test", "tests", "testing"} if skip_tests else set())
    out: list[Path] = []
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in skip:
                        pending.append(entry.path)
                    continue
                wanted = (not suffixes or entry.name.endswith(suffixes)) and entry.is_file(follow_symlinks=False)
                if wanted and min_bytes <= entry.stat(follow_symlinks=False).st_size <= max_bytes:
                    out.append(Path(entry.path))
            except OSError:
                continue
    return tuple(sorted(out))


def pick(rng: random.Random, items: Sequence[T], what: str, *, machine: bool = False) -> T:
    """One of `items`, drawn with `rng`.

    Raises:
        Skip: `items` is empty (`what` says what was looked for); `Unavailable` when `machine` says the items are
            what this machine holds (none at all), not what one draw found.
    """
    if not items:
        raise (Unavailable if machine else Skip)(f"no {what} found")
    return items[rng.randrange(len(items))]


def read_text(path: Path) -> str | None:
    """`path` decoded as UTF-8 as it is on disk (no newline translation); None when unreadable or not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
