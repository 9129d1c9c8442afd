"""Launcher shipped inside the ``.mcpb`` bundle as ``server/launcher.py``; standard library only.

Claude Desktop runs it with whatever Python it finds. The compression engine
(a Rust extension, tree-sitter grammars, ONNX runtime) cannot be vendored into
a portable bundle, so the launcher hands over to an installed headroom-mcp:
the package in this interpreter, else a ``headroom`` script that belongs to
headroom-mcp (another project ships a ``headroom`` command too), else
``uvx --from headroom-mcp``. It never guesses silently: with none of these it
says how to install and exits non-zero.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

__all__ = ["clean_env", "find_server", "main"]

_SERVE = ["mcp", "serve"]
_MARKER = b"mcp_server.cli"
_INSTALL_HINT = (
    "headroom-mcp is not installed where this extension can find it.\n"
    "Install it once, then restart Claude Desktop:\n"
    "    uv tool install headroom-mcp      (or: pipx install headroom-mcp)\n"
)


def clean_env(environ: MutableMapping[str, str]) -> None:
    """Drop HEADROOM_* values the host left empty or unexpanded (an optional setting the user skipped)."""
    for key in [k for k in environ if k.startswith("HEADROOM_")]:
        value = environ[key].strip()
        if not value or "${" in value:
            del environ[key]
    environ.setdefault("HEADROOM_CLIENT", "claude-desktop")


def _is_ours(script: Path) -> bool:
    try:
        with script.open("rb") as f:
            return _MARKER in f.read(1 << 20)
    except OSError:
        return False


def _candidates(environ: Mapping[str, str]) -> list[Path]:
    names = ["headroom.exe", "headroom"] if os.name == "nt" else ["headroom"]
    found: list[Path] = []
    for name in names:
        hit = shutil.which(name, path=environ.get("PATH"))
        if hit:
            found.append(Path(hit))
    # Hosts start extensions with a minimal PATH; uv and pipx put tools here.
    home = Path(environ.get("USERPROFILE") or environ.get("HOME") or Path.home())
    for folder in (home / ".local" / "bin", home / ".cargo" / "bin"):
        found.extend(folder / name for name in names)
    return found


def find_server(environ: Mapping[str, str], python: str, *, have_package: bool) -> list[str] | None:
    """The command line that starts the headroom-mcp stdio server, or None when none is installed."""
    if have_package:
        return [python, "-P", "-m", "mcp_server.cli", *_SERVE]
    for script in _candidates(environ):
        if script.is_file() and _is_ours(script):
            return [str(script), *_SERVE]
    home = Path(environ.get("USERPROFILE") or environ.get("HOME") or Path.home())
    uvx = shutil.which("uvx", path=environ.get("PATH"))
    for candidate in (uvx, home / ".local" / "bin" / "uvx", home / ".cargo" / "bin" / "uvx"):
        if candidate and Path(candidate).is_file():
            return [str(candidate), "--from", "headroom-mcp", "headroom", *_SERVE]
    return None


def _installed_here() -> bool:
    # By distribution, not by module: "mcp_server" is a common name for unrelated packages.
    try:
        importlib.metadata.distribution("headroom-mcp")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Find the server and become it (POSIX) or run it with inherited stdio (Windows)."""
    environ = dict(os.environ)
    clean_env(environ)
    have_package = _installed_here()
    command = find_server(environ, sys.executable, have_package=have_package)
    if command is None:
        sys.stderr.write(_INSTALL_HINT)
        return 1
    if os.name == "nt":
        # execv on Windows spawns a child and exits, which would cut the host's pipes.
        return subprocess.call(command, env=environ)
    os.execve(command[0], command, environ)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
