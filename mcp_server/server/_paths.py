"""Which files `headroom_read` may open and where `headroom_run` may start: the roots.

The allowed roots are the client's declared MCP roots when it declares any,
else the server's working directory; `--root` / `HEADROOM_ROOTS` always add to
them. A working directory of ``/`` counts as none (clients often launch servers
there; allowing it would allow everything). Every path is made absolute against
the first root and resolved through its symlinks before the check, and the file
actually opened is checked again through ``/proc/self/fd`` where that exists, so a
symlink swapped in between cannot lead outside.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from ccr import InputError, InputTooLargeError, PathNotAllowedError

__all__ = ["allowed_roots", "confine", "file_uri_paths", "read_confined"]


def file_uri_paths(uris: Iterable[str]) -> tuple[Path, ...]:
    """The real directories named by ``file://`` URIs (others, and ones that do not exist, are skipped)."""
    out: list[Path] = []
    for uri in uris:
        parsed = urlparse(uri)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            continue
        path = Path(os.path.realpath(url2pathname(unquote(parsed.path))))
        if path.is_dir():
            out.append(path)
    return tuple(dict.fromkeys(out))


def allowed_roots(configured: Sequence[Path], cwd: Path, client: Sequence[Path] | None = None) -> tuple[Path, ...]:
    """Client roots if it declared any (even ones missing here), else the working directory; then `configured`."""
    if client is not None:
        base: tuple[Path, ...] = tuple(client)
    else:
        base = (cwd,) if cwd != Path(cwd.anchor) else ()
    return tuple(dict.fromkeys((*base, *configured)))


def _describe(roots: Sequence[Path]) -> str:
    if not roots:
        return (
            "no directory is allowed: the client's roots do not exist on this machine, or it declared none and the "
            "server runs in the filesystem root; start the server with --root DIR or set HEADROOM_ROOTS"
        )
    listed = ", ".join(str(r) for r in roots)
    return (
        f"allowed roots: {listed}; use a path inside one, or allow another directory with --root DIR or HEADROOM_ROOTS"
    )


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _realpath(given: Path, path: str) -> Path:
    try:
        return Path(os.path.realpath(given))
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(f"{path} cannot be resolved: {getattr(exc, 'strerror', None) or exc}") from exc


def confine(path: str, roots: Sequence[Path]) -> Path:
    """`path` made absolute (against the first root), symlinks resolved, checked to lie inside `roots`.

    A refusal names the path as given, never where a symlink in it leads.

    Raises:
        PathNotAllowedError: it resolves outside every root; the message names the allowed roots.
        InputError: `path` is empty, holds a NUL character, or cannot be resolved.
    """
    if not path.strip():
        raise InputError("the path is empty; name a file, e.g. src/main.py")
    if "\x00" in path:
        raise InputError(f"the path {path!r} holds a NUL character, which no file name can")
    try:
        given = Path(path).expanduser()
    except RuntimeError:  # "~user" of an unknown user
        given = Path(path)
    if not given.is_absolute():
        if not roots:
            raise PathNotAllowedError(f"{path} cannot be used: {_describe(roots)}")
        given = roots[0] / given
    real = _realpath(given, path)
    if not _inside(real, roots):
        how = "is" if Path(os.path.abspath(given)) == real else "leads (through a symlink)"
        raise PathNotAllowedError(f"{path} {how} outside the allowed roots; {_describe(roots)}")
    return real


def _opened_path(fd: int) -> Path | None:
    link = f"/proc/self/fd/{fd}"
    try:
        return Path(os.readlink(link))
    except OSError:
        return None


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISLNK, "a symlink"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_confined(path: str, roots: Sequence[Path], max_bytes: int) -> tuple[Path, bytes]:
    """The real path and exact bytes of the file `path`, which must lie inside `roots`.

    Anything but a regular file is refused before it is opened: a named pipe or a device would
    block the reading thread (forever, for a pipe no one writes to). The file is then opened
    without following a symlink and without blocking, and must still be the file inspected.

    Raises:
        PathNotAllowedError: outside the roots (checked before and after opening).
        InputTooLargeError: over `max_bytes`.
        InputError: missing, a directory, not a regular file, or unreadable.
    """
    real = confine(path, roots)
    try:
        seen = os.lstat(real)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(seen.st_mode):
        raise InputError(f"{path} is a directory; name a file inside it")
    if not stat.S_ISREG(seen.st_mode):
        raise InputError(f"{path} is {_kind(seen.st_mode)}; headroom_read reads regular files only")
    if seen.st_size > max_bytes:
        raise _too_large(path, seen.st_size, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise InputError(f"{path} was removed while being opened") from None
    except OSError as exc:
        raise InputError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        opened = _opened_path(fd)
        if opened is not None and not _inside(opened, roots):
            raise PathNotAllowedError(f"{path} changed while being opened and now leads outside the allowed roots")
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path} was replaced while being opened; try again")
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputTooLargeError(f"{path} grew past the {max_bytes:,}-byte limit while being read")
    return real, data


def _too_large(path: str, size: int, limit: int) -> InputTooLargeError:
    return InputTooLargeError(
        f"{path} is {size:,} bytes, over the {limit:,}-byte limit (HEADROOM_MAX_INPUT_MB); "
        "read a line range with your own tools, or raise the limit"
    )
