"""Who may reach the store's contents: its owner-only directory and the network transports' access token.

The store directory (``HEADROOM_HOME``) holds every original, so it is the
owner's alone: created 0700, and an existing one that others may enter is
tightened (ours) or refused (someone else's) with a message saying so.

Loopback is no boundary between the users of one machine, so every network
transport requires a bearer token, as Jupyter Server does for its loopback
server: a random secret generated on first use into an owner-only file in the
store directory, which the server reads, the installer writes into HTTP client
entries, and ``headroom mcp status`` shows. Whoever can read that file can
already read the store itself; no one else can use the server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from ccr._exceptions import AccessError, StoreError

__all__ = ["MIN_TOKEN_CHARS", "TOKEN_FILE", "access_token", "ensure_private_dir", "stored_token", "token_path"]

_log = logging.getLogger(__name__)

TOKEN_FILE = "http-token"
# A token given by hand must be at least this long; a generated one has 256 random bits (43 characters).
MIN_TOKEN_CHARS = 16
_TOKEN_BYTES = 32


def ensure_private_dir(directory: Path, *, tighten: bool = True) -> None:
    """Create `directory` (and its parents) owner-only; with `tighten`, make an existing one owner-only too.

    A file the caller named elsewhere (``Store(path=...)``) passes ``tighten=False``: its directory is
    created private when missing, but a directory of the user's own choosing keeps its mode.

    Raises:
        StoreError: it cannot be created, it is not a directory, or another user owns it
            while others may enter it (tightening someone else's directory is not ours to do).
    """
    try:
        if not directory.exists():
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            # mkdir's mode is filtered by the umask; say it outright.
            directory.chmod(0o700)
        info = directory.stat()
    except OSError as exc:
        raise StoreError(f"cannot create the store directory {directory}: {exc.strerror or exc}") from exc
    if not stat.S_ISDIR(info.st_mode):
        raise StoreError(f"the store directory {directory} is not a directory; set HEADROOM_HOME to a directory")
    mode = stat.S_IMODE(info.st_mode)
    if not tighten or not mode & 0o077:
        return
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise StoreError(
            f"the store directory {directory} belongs to another user (uid {info.st_uid}) and others may enter it "
            f"(mode {mode:04o}); originals kept there would not be private. Set HEADROOM_HOME to a directory of "
            "your own"
        )
    try:
        directory.chmod(0o700)
    except OSError as exc:
        raise StoreError(
            f"the store directory {directory} has mode {mode:04o} (others may read the originals in it) and "
            f"cannot be tightened: {exc.strerror or exc}; run chmod 700 {directory}"
        ) from exc
    _log.warning("the store directory %s had mode %04o; tightened to 0700 so only you can read it", directory, mode)


def token_path(home: Path) -> Path:
    """Where the access token of the store in `home` is kept."""
    return home / TOKEN_FILE


def access_token(home: Path, given: str | None = None) -> str:
    """The bearer token clients of the network transports must send: `given`, else the token file's.

    The file is created on first use (0600, in the owner-only `home`) with 256 random bits; two
    processes creating it at once agree on one token.

    Raises:
        AccessError: `given` is shorter than `MIN_TOKEN_CHARS`, or the file is not a private regular file
            of this user (another user could have planted or read it).
        StoreError: the directory or the file cannot be made or read.
    """
    if given is not None:
        given = given.strip()
        if len(given) < MIN_TOKEN_CHARS:
            raise AccessError(f"the bearer token must be at least {MIN_TOKEN_CHARS} characters long")
        return given
    ensure_private_dir(home)
    path = token_path(home)
    existing = _read_token(path)
    if existing is not None:
        return existing
    return _create_token(path)


def stored_token(home: Path) -> str | None:
    """The token in `home`'s token file, or None when there is none yet (nothing is created).

    Raises:
        AccessError: as for `access_token`.
    """
    return _read_token(token_path(home))


def _read_token(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AccessError(
            f"cannot read the access token {path}: {exc.strerror or exc}; delete it to make a new one"
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AccessError(f"the access token {path} is not a regular file; delete it to make a new one")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise AccessError(f"the access token {path} belongs to another user; delete it to make a new one")
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise AccessError(
                f"the access token {path} is readable by others (mode {stat.S_IMODE(info.st_mode):04o}); "
                "delete it to make a new one"
            )
        token = os.read(fd, 4096).decode("ascii", errors="replace").strip()
    finally:
        os.close(fd)
    if len(token) < MIN_TOKEN_CHARS:
        raise AccessError(f"the access token {path} is empty or too short; delete it to make a new one")
    return token


def _create_token(path: Path) -> str:
    """Write a new token to a private temporary file, then link it into place only if none is there yet."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (token + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            found = _read_token(path)
            if found is None:
                raise StoreError(f"the access token {path} vanished while being created; try again") from None
            return found
    except OSError as exc:
        raise StoreError(f"cannot write the access token {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return token
