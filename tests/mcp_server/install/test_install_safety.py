"""Backups, atomic replace, file modes, read-only files, idempotence, dry runs, symlinks, races."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from mcp_server.install import (
    ClientConfigError,
    ServerCommand,
    Target,
    apply_change,
    backup_name,
    get_client,
    plan_install,
    plan_uninstall,
)

LIVED_IN = '{\n  "theme": "dark",\n  "mcpServers": {\n    "other": {"command": "x"}\n  }\n}\n'


@pytest.fixture
def target(tmp_path: Path) -> Target:
    folder = tmp_path / ".cursor"
    folder.mkdir()
    path = folder / "mcp.json"
    path.write_text(LIVED_IN, encoding="utf-8")
    return Target(get_client("cursor"), "user", path)


def _backups(target: Target) -> list[Path]:
    return sorted(target.path.parent.glob(f"{target.path.name}.headroom-backup-*"))


def test_install_backs_up_the_previous_file_beside_it(target: Target, command: ServerCommand) -> None:
    backup = apply_change(plan_install(target, command=command, environ={}))
    assert backup is not None
    assert _backups(target) == [backup]
    assert backup.read_text(encoding="utf-8") == LIVED_IN


def test_installing_twice_changes_nothing_and_makes_no_second_backup(target: Target, command: ServerCommand) -> None:
    apply_change(plan_install(target, command=command, environ={}))
    after_first = target.path.read_bytes()
    stat_first = target.path.stat()
    second = plan_install(target, command=command, environ={})
    assert not second.changed
    assert second.diff() == ""
    assert apply_change(second) is None
    assert target.path.read_bytes() == after_first
    assert target.path.stat().st_ino == stat_first.st_ino  # not even rewritten
    assert len(_backups(target)) == 1


def test_a_second_real_change_gets_its_own_backup_and_never_overwrites_the_first(
    target: Target, command: ServerCommand
) -> None:
    apply_change(plan_install(target, command=command, environ={}))
    moved = ServerCommand("/elsewhere/bin/headroom", ("mcp", "serve"))
    apply_change(plan_install(target, command=moved, environ={}))
    apply_change(plan_uninstall(target))
    backups = _backups(target)
    assert len(backups) == 3
    assert backups[0].read_text(encoding="utf-8") == LIVED_IN
    assert target.path.read_text(encoding="utf-8") == LIVED_IN


def test_backup_names_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    first = backup_name(path, when=0)
    first.write_text("x")
    second = backup_name(path, when=0)
    assert second != first
    assert second.name.startswith("settings.json.headroom-backup-19700101T000000Z")


def test_the_file_keeps_its_mode_and_the_backup_copies_it(target: Target, command: ServerCommand) -> None:
    target.path.chmod(0o640)
    backup = apply_change(plan_install(target, command=command, environ={}))
    assert stat.S_IMODE(target.path.stat().st_mode) == 0o640
    assert backup is not None and stat.S_IMODE(backup.stat().st_mode) == 0o640


def test_a_new_file_is_private_to_its_owner(tmp_path: Path, command: ServerCommand) -> None:
    new = Target(get_client("cursor"), "user", tmp_path / "fresh" / "mcp.json")
    apply_change(plan_install(new, command=command, environ={}))
    assert stat.S_IMODE(new.path.stat().st_mode) == 0o600


def test_no_temporary_files_are_left_behind(target: Target, command: ServerCommand) -> None:
    apply_change(plan_install(target, command=command, environ={}))
    names = {p.name for p in target.path.parent.iterdir()}
    assert not [n for n in names if n.endswith(".headroom-tmp")]


def test_a_read_only_file_is_refused_with_a_clear_error(target: Target, command: ServerCommand) -> None:
    target.path.chmod(0o444)
    change = plan_install(target, command=command, environ={})
    with pytest.raises(ClientConfigError, match="read-only") as caught:
        apply_change(change)
    assert caught.value.path == target.path
    assert target.path.read_text(encoding="utf-8") == LIVED_IN
    assert _backups(target) == []


def test_a_read_only_directory_is_refused_with_a_clear_error(target: Target, command: ServerCommand) -> None:
    folder = target.path.parent
    change = plan_install(target, command=command, environ={})
    folder.chmod(0o555)
    try:
        with pytest.raises(ClientConfigError, match=r"directory .* is read-only"):
            apply_change(change)
    finally:
        folder.chmod(0o755)
    assert target.path.read_text(encoding="utf-8") == LIVED_IN
    assert _backups(target) == []


def test_a_file_changed_on_disk_after_planning_is_not_overwritten(target: Target, command: ServerCommand) -> None:
    change = plan_install(target, command=command, environ={})
    edited_by_app = LIVED_IN.replace("dark", "light")
    target.path.write_text(edited_by_app, encoding="utf-8")
    with pytest.raises(ClientConfigError, match="changed on disk"):
        apply_change(change)
    assert target.path.read_text(encoding="utf-8") == edited_by_app


def test_a_symlinked_config_is_edited_through_the_link(tmp_path: Path, command: ServerCommand) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "mcp.json"
    real.write_text(LIVED_IN, encoding="utf-8")
    link_dir = tmp_path / ".cursor"
    link_dir.mkdir()
    link = link_dir / "mcp.json"
    link.symlink_to(real)
    apply_change(plan_install(Target(get_client("cursor"), "user", link), command=command, environ={}))
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["mcpServers"]["headroom"]["command"] == command.command


def test_a_directory_where_the_file_should_be_is_an_error(tmp_path: Path, command: ServerCommand) -> None:
    path = tmp_path / "mcp.json"
    path.mkdir()
    with pytest.raises(ClientConfigError, match="is a directory"):
        plan_install(Target(get_client("cursor"), "user", path), command=command, environ={})


def test_a_dry_run_prints_a_unified_diff_and_writes_nothing(target: Target, command: ServerCommand) -> None:
    change = plan_install(target, command=command, environ={})
    diff = change.diff()
    assert diff.startswith(f"--- {target.path}\n+++ {target.path}\n@@ ")
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any(command.command in line for line in added)
    assert not [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")][1:]
    assert target.path.read_text(encoding="utf-8") == LIVED_IN
    assert _backups(target) == []


def test_a_dry_run_for_a_missing_file_diffs_against_dev_null(tmp_path: Path, command: ServerCommand) -> None:
    new = Target(get_client("cursor"), "user", tmp_path / "nowhere" / "mcp.json")
    diff = plan_install(new, command=command, environ={}).diff()
    assert diff.startswith(f"--- /dev/null\n+++ {new.path}\n")
    assert not (tmp_path / "nowhere").exists()


def test_uninstall_where_nothing_is_installed_changes_nothing(target: Target) -> None:
    change = plan_uninstall(target)
    assert not change.changed
    assert apply_change(change) is None
    assert _backups(target) == []


def test_uninstall_of_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    missing = Target(get_client("zed"), "user", tmp_path / "zed" / "settings.json")
    assert apply_change(plan_uninstall(missing)) is None
    assert not missing.path.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_the_replacement_is_a_new_inode_so_readers_never_see_a_half_written_file(
    target: Target, command: ServerCommand
) -> None:
    before = target.path.stat().st_ino
    apply_change(plan_install(target, command=command, environ={}))
    assert target.path.stat().st_ino != before
