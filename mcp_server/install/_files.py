"""Reading a config file, and replacing it safely: backup, temp file, fsync, atomic rename.

The user's file is never written in place. The previous bytes go to a backup
beside it that is never overwritten; the new text goes to a temporary file in
the same directory that takes the original's mode and is renamed over it.
A file that changed on disk since it was read is left alone.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mcp_server._errors import ClientConfigError

__all__ = ["ConfigFile", "backup_name", "read_config", "remove_config", "unified_diff", "write_config"]

_BOM = "\ufeff"
_NEW_FILE_MODE = 0o600  # client configs often hold API keys in their env blocks


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A config file as read: ``text`` is None when it does not exist yet."""

    path: Path
    target: Path  # where writes go: the symlink's target when `path` is a link
    raw: bytes | None
    text: str | None
    bom: bool
    mode: int | None

    @property
    def exists(self) -> bool:
        return self.raw is not None


def _fail(path: Path, message: str) -> ClientConfigError:
    return ClientConfigError(f"{path}: {message}", path=path)


def read_config(path: Path) -> ConfigFile:
    """Read `path` (following a symlink) as UTF-8 text, or note that it is absent.

    Raises:
        ClientConfigError: it is a directory, unreadable, or not UTF-8 text.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        raw = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return ConfigFile(path, target, None, None, False, None)
    except IsADirectoryError as exc:
        raise _fail(path, "is a directory, expected a config file") from exc
    except OSError as exc:
        raise _fail(path, f"cannot read it: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"is not UTF-8 text (byte {exc.start}); the file was left untouched") from exc
    bom = text.startswith(_BOM)
    return ConfigFile(path, target, raw, text[1:] if bom else text, bom, mode)


def unified_diff(config: ConfigFile, new_text: str | None) -> str:
    """A unified diff from the file as read to `new_text` (None: the file is removed)."""
    before = (config.text or "").splitlines(keepends=True)
    after = (new_text or "").splitlines(keepends=True)
    old_name = str(config.path) if config.exists else "/dev/null"
    new_name = str(config.path) if new_text is not None else "/dev/null"
    lines = list(difflib.unified_diff(before, after, old_name, new_name))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def backup_name(path: Path, when: float | None = None, folder: Path | None = None) -> Path:
    """The first free ``<file>.headroom-backup-<UTC timestamp>[-N]`` beside `path`, or in `folder`.

    In `folder` the name starts with the file's whole path, ``/`` written as ``%`` (a project's files are backed up
    outside the project, where no commit picks them up).
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when))
    name = path.name if folder is None else str(path.absolute()).strip("/\\").replace("/", "%").replace("\\", "%")
    base = path.parent if folder is None else folder
    candidate = base / f"{name}.headroom-backup-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = base / f"{name}.headroom-backup-{stamp}-{n}"
    return candidate


def _check_writable(config: ConfigFile) -> None:
    target = config.target
    if config.exists and config.mode is not None and (not config.mode & stat.S_IWUSR or not os.access(target, os.W_OK)):
        raise _fail(config.path, "is read-only; make it writable (chmod u+w) or add the entry by hand")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        folder_mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError as exc:
        raise _fail(config.path, f"cannot create its directory: {exc.strerror or exc}") from exc
    if not folder_mode & stat.S_IWUSR or not os.access(folder, os.W_OK | os.X_OK):
        raise _fail(config.path, f"its directory {folder} is read-only; the file was left untouched")


def _check_unchanged(config: ConfigFile) -> None:
    try:
        now: bytes | None = config.target.read_bytes()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        raise _fail(config.path, f"cannot read it again before writing: {exc.strerror or exc}") from exc
    if now != config.raw:
        raise _fail(config.path, "changed on disk while it was being edited; run the command again")


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, mode)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable on POSIX; Windows cannot open directories and does not need it.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup(config: ConfigFile, *, private: bool = False, folder: Path | None = None) -> Path | None:
    if config.raw is None:
        return None
    mode = config.mode if config.mode is not None else _NEW_FILE_MODE
    try:
        if folder is not None:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        backup = backup_name(config.target, folder=folder)
        _write_exclusive(backup, config.raw, mode & ~0o077 if private else mode)
    except OSError as exc:
        raise _fail(config.path, f"cannot write its backup: {exc.strerror or exc}") from exc
    return backup


def write_config(
    config: ConfigFile, new_text: str, *, private: bool = False, backup_dir: Path | None = None
) -> Path | None:
    """Replace the file with `new_text` atomically; return the backup of the old file (None if it was new).

    `private`: `new_text` holds a secret, so the file and its backup lose any group and other access. The backup
    goes beside the file, or into `backup_dir` (project files: out of the project tree).

    Raises:
        ClientConfigError: the file or its directory is read-only, it changed since it was read,
            or the write failed (the original is then untouched).
    """
    _check_writable(config)
    _check_unchanged(config)
    backup = _backup(config, private=private, folder=backup_dir)
    data = ((_BOM if config.bom else "") + new_text).encode("utf-8")
    mode = config.mode if config.mode is not None else _NEW_FILE_MODE
    if private:
        mode &= ~0o077
    target = config.target
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".headroom-tmp")
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise _fail(config.path, f"cannot write it: {exc.strerror or exc}; the original is untouched") from exc
    return backup


def remove_config(config: ConfigFile, backup_dir: Path | None = None) -> Path | None:
    """Delete a file that held only our entry, keeping a backup; return the backup.

    Raises:
        ClientConfigError: as for `write_config`.
    """
    if not config.exists:
        return None
    _check_writable(config)
    _check_unchanged(config)
    backup = _backup(config, folder=backup_dir)
    try:
        config.target.unlink()
    except OSError as exc:
        raise _fail(config.path, f"cannot remove it: {exc.strerror or exc}") from exc
    return backup
