from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccr import InputError, InputTooLargeError, PathNotAllowedError
from mcp_server.server._paths import allowed_roots, confine, file_uri_paths, read_confined


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hi')\n")
    (tmp_path / "secret.txt").write_text("password\n")
    return root.resolve()


def test_a_relative_path_is_read_from_the_first_root(project: Path) -> None:
    real, data = read_confined("src/app.py", [project], 1024)
    assert real == project / "src" / "app.py"
    assert data == b"print('hi')\n"


def test_a_path_outside_the_roots_is_refused_naming_the_allowed_roots(project: Path) -> None:
    with pytest.raises(PathNotAllowedError, match=f"outside the allowed roots.*allowed roots: {project}"):
        confine(str(project.parent / "secret.txt"), [project])


def test_dot_dot_cannot_climb_out_of_a_root(project: Path) -> None:
    with pytest.raises(PathNotAllowedError):
        confine("../secret.txt", [project])


def test_a_symlink_inside_a_root_that_points_outside_is_refused_without_saying_where(project: Path) -> None:
    (project / "innocent.txt").symlink_to(project.parent / "secret.txt")
    with pytest.raises(PathNotAllowedError, match="through a symlink") as refused:
        read_confined("innocent.txt", [project], 1024)
    assert "secret" not in str(refused.value)


def test_a_fifo_a_socket_and_a_device_are_refused_without_opening_them(project: Path) -> None:
    import socket
    import stat as st_

    os.mkfifo(project / "pipe")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(project / "sock"))
        with pytest.raises(InputError, match="a socket"):
            read_confined("sock", [project], 1024)
    # Nobody ever writes to the pipe: opening it for reading would block this thread for good.
    with pytest.raises(InputError, match="a named pipe; headroom_read reads regular files only"):
        read_confined("pipe", [project], 1024)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.mknod(project / "zero", st_.S_IFCHR | 0o600, os.makedev(1, 5))
        with pytest.raises(InputError, match="a character device"):
            read_confined("zero", [project], 1024)


def test_a_nul_in_a_path_and_an_unresolvable_path_get_a_reason(project: Path) -> None:
    with pytest.raises(InputError, match="NUL character"):
        read_confined("src/app.py\x00.txt", [project], 1024)
    (project / "loop").symlink_to(project / "loop")
    with pytest.raises((InputError, PathNotAllowedError)) as refused:
        read_confined("loop", [project], 1024)
    assert str(refused.value)


def test_a_symlink_that_stays_inside_the_roots_is_followed(project: Path) -> None:
    (project / "alias.py").symlink_to(project / "src" / "app.py")
    real, _ = read_confined("alias.py", [project], 1024)
    assert real == project / "src" / "app.py"


def test_missing_files_directories_and_oversized_files_get_distinct_errors(project: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_confined("src/nope.py", [project], 1024)
    with pytest.raises(InputError, match="is a directory"):
        read_confined("src", [project], 1024)
    with pytest.raises(InputTooLargeError, match="over the 4-byte limit"):
        read_confined("src/app.py", [project], 4)


def test_the_filesystem_root_as_working_directory_allows_nothing_by_itself(tmp_path: Path) -> None:
    assert allowed_roots([], Path("/")) == ()
    assert allowed_roots([tmp_path], Path("/")) == (tmp_path,)
    with pytest.raises(PathNotAllowedError, match="--root DIR"):
        confine("etc/passwd", [])


def test_client_roots_replace_the_working_directory_but_configured_roots_stay(tmp_path: Path) -> None:
    cwd, client, configured = tmp_path / "cwd", tmp_path / "client", tmp_path / "conf"
    assert allowed_roots([configured], cwd, [client]) == (client, configured)
    assert allowed_roots([configured], cwd) == (cwd, configured)
    # Declared roots that do not exist here allow nothing of the working directory.
    assert allowed_roots([configured], cwd, []) == (configured,)


def test_only_existing_local_file_uris_become_roots(tmp_path: Path) -> None:
    spaced = tmp_path / "with space"
    spaced.mkdir()
    uris = [spaced.as_uri(), "https://example.com/x", (tmp_path / "missing").as_uri(), "file://otherhost/tmp"]
    assert file_uri_paths(uris) == (spaced.resolve(),)


@given(st.lists(st.sampled_from(["..", ".", "a", "b", "link", "/"]), min_size=1, max_size=8))
def test_no_path_ever_resolves_outside_the_roots(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    base = tmp_path_factory.mktemp("confine")
    root = (base / "root").resolve()
    (root / "a" / "b").mkdir(parents=True, exist_ok=True)
    if not (root / "a" / "link").exists():
        os.symlink(base, root / "a" / "link")
    try:
        real = confine("/".join(parts).replace("//", "/"), [root])
    except PathNotAllowedError:
        return
    assert real == root or real.is_relative_to(root)
