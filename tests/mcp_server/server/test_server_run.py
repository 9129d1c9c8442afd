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
