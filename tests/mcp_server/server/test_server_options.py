from __future__ import annotations

import os
from pathlib import Path

import pytest

from mcp_server.server._options import ServerOptions, parse_flag


def test_run_is_off_unless_enabled() -> None:
    assert ServerOptions.from_env({}).allow_run is False
    assert ServerOptions.from_env({"HEADROOM_ALLOW_RUN": "1"}).allow_run is True
    assert ServerOptions.from_env({}, allow_run=True).allow_run is True


def test_a_switch_that_is_neither_on_nor_off_is_refused() -> None:
    with pytest.raises(ValueError, match="HEADROOM_ALLOW_RUN='maybe'"):
        parse_flag("HEADROOM_ALLOW_RUN", "maybe")


def test_roots_from_flags_and_environment_are_merged_resolved_and_deduplicated(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    link = tmp_path / "link-to-a"
    link.symlink_to(a)
    options = ServerOptions.from_env({"HEADROOM_ROOTS": os.pathsep.join([str(b), str(link)])}, roots=[str(a)])
    assert options.roots == (a.resolve(), b.resolve())


def test_a_root_that_is_not_a_directory_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--root .* is not a directory"):
        ServerOptions.from_env({}, roots=[str(tmp_path / "missing")])
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="HEADROOM_ROOTS entry"):
        ServerOptions.from_env({"HEADROOM_ROOTS": str(tmp_path / "file")})


def test_the_client_name_comes_from_headroom_client_when_set() -> None:
    assert ServerOptions.from_env({"HEADROOM_CLIENT": "cursor"}).client == "cursor"
    assert ServerOptions.from_env({}).client is None
