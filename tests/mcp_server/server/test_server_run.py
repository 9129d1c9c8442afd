from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

from ccr import InputError
from mcp_server.server._run import run_command

pytestmark = pytest.mark.anyio


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


async def _gone(pid: int) -> bool:
    """Polls until `pid` has died (bounded: SIGKILL takes effect within moments)."""
    with anyio.move_on_after(10):
        while _alive(pid):
            await anyio.sleep(0.01)
    return not _alive(pid)


async def test_output_and_exit_code_come_back_with_stderr_merged_in_order(tmp_path: Path) -> None:
    outcome = await run_command(
        "echo out; echo err >&2; echo more; exit 3", cwd=tmp_path, timeout_s=30, output_cap=1 << 20
    )
    assert outcome.output == b"out\nerr\nmore\n"
    assert (outcome.exit_code, outcome.timed_out, outcome.truncated) == (3, False, False)


async def test_the_command_runs_in_the_given_directory_with_stdin_closed(tmp_path: Path) -> None:
    outcome = await run_command("pwd; cat", cwd=tmp_path, timeout_s=30, output_cap=1 << 20)
    assert outcome.output.decode().strip() == str(tmp_path)
    assert outcome.exit_code == 0


async def test_a_command_past_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = f"sleep 60 & echo $! > {pidfile}; echo started; wait"
    with anyio.fail_after(30):
        outcome = await run_command(script, cwd=tmp_path, timeout_s=1, output_cap=1 << 20)
    assert outcome.timed_out
    assert outcome.output == b"started\n"
    assert await _gone(int(pidfile.read_text()))


async def test_background_children_left_behind_are_killed_when_the_shell_exits(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    with anyio.fail_after(30):
        outcome = await run_command(
            f"sleep 60 & echo $! > {pidfile}; echo done", cwd=tmp_path, timeout_s=30, output_cap=1 << 20
        )
    assert (outcome.exit_code, outcome.timed_out) == (0, False)
    assert outcome.output == b"done\n"
    assert await _gone(int(pidfile.read_text()))


async def test_endless_output_stops_at_the_cap(tmp_path: Path) -> None:
    with anyio.fail_after(30):
        outcome = await run_command("yes headroom", cwd=tmp_path, timeout_s=30, output_cap=10_000)
    assert outcome.truncated and not outcome.timed_out
    assert len(outcome.output) == 10_000
    assert outcome.output.startswith(b"headroom\nheadroom\n")


async def test_binary_safe_output_is_kept_byte_for_byte(tmp_path: Path) -> None:
    script = f'{sys.executable} -c "import sys; sys.stdout.buffer.write(bytes(range(256)))"'
    outcome = await run_command(script, cwd=tmp_path, timeout_s=30, output_cap=1 << 20)
    assert outcome.output == bytes(range(256))


async def test_an_empty_command_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        await run_command("   ", cwd=tmp_path, timeout_s=5, output_cap=100)


async def test_detached_and_double_forked_descendants_die_with_the_call(tmp_path: Path) -> None:
    # A new session escapes a process-group kill; a double fork re-parents to the nearest subreaper.
    script = (
        f"setsid sh -c 'sleep 60 & echo $! > {tmp_path}/a.pid; wait' & "
        f"(sh -c 'sleep 60 & echo $! > {tmp_path}/b.pid' &) ; "
        f"for f in a b; do while [ ! -s {tmp_path}/$f.pid ]; do sleep 0.01; done; done; echo spawned"
    )
    with anyio.fail_after(30):
        outcome = await run_command(script, cwd=tmp_path, timeout_s=20, output_cap=1 << 20)
    assert outcome.output == b"spawned\n" and outcome.exit_code == 0
    for name in ("a", "b"):
        assert await _gone(int((tmp_path / f"{name}.pid").read_text())), name


async def test_a_run_stopped_at_the_timeout_takes_its_detached_descendants_with_it(tmp_path: Path) -> None:
    script = f"setsid sleep 60 & echo $! > {tmp_path}/c.pid; echo started; sleep 60"
    with anyio.fail_after(30):
        outcome = await run_command(script, cwd=tmp_path, timeout_s=1, output_cap=1 << 20)
    assert outcome.timed_out and outcome.exit_code is None
    assert await _gone(int((tmp_path / "c.pid").read_text()))


def _landlock() -> bool:
    from mcp_server.server._sandbox import landlock_abi

    return landlock_abi() > 0


@pytest.mark.skipif(not _landlock(), reason="this kernel has no Landlock")
async def test_with_landlock_the_command_reads_and_writes_only_where_the_policy_allows(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("s3cret\n")
    script = (
        "cat ../outside/secret.txt; echo rc=$?; "
        "echo x > ../outside/new.txt; echo rc=$?; "
        "echo kept > inside.txt; echo rc=$?; "
        'echo tmp > "$TMPDIR/t" && cat "$TMPDIR/t"; '
        "ls /usr/bin >/dev/null; echo rc=$?"
    )
    with anyio.fail_after(30):
        outcome = await run_command(script, cwd=root, timeout_s=20, output_cap=1 << 20, roots=[root])
    text = outcome.output.decode()
    assert outcome.confinement.startswith("confined by Landlock ABI")
    assert "s3cret" not in text and "Permission denied" in text
    assert not (outside / "new.txt").exists()
    assert (root / "inside.txt").read_text() == "kept\n"
    assert "tmp\n" in text and text.rstrip().endswith("rc=0")


async def test_confinement_off_is_said_and_the_command_runs(tmp_path: Path) -> None:
    outcome = await run_command("echo hi", cwd=tmp_path, timeout_s=20, output_cap=100, confine=False)
    assert outcome.output == b"hi\n"
    assert outcome.confinement == "unconfined: confinement is off"


async def test_a_large_output_comes_back_whole_and_its_spool_file_leaves_nothing_behind(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    with anyio.fail_after(60):
        outcome = await run_command(
            "head -c 3000000 /dev/zero | tr '\\0' 'y'", cwd=tmp_path, timeout_s=30, output_cap=1 << 22, spool_dir=spool
        )
    assert outcome.output == b"y" * 3_000_000
    assert not any(spool.iterdir())
