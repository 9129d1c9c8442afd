"""`headroom demo` shows what the tool does, on real output made on the spot, without touching the user's store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--in-process"]], ids=["over-mcp", "in-process"])
def test_demo_shows_a_compressed_text_and_a_redeemed_marker_in_a_temporary_store(
    mode: list[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "HEADROOM_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-P", "-m", "mcp_server.cli", "demo", *mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "a temporary store, removed afterwards" in out
    assert "becomes (" in out
    assert "redeeming the marker [" in out
    assert "byte-exact = True" in out
    # The user's own store was never created, let alone filled.
    assert not (home / "ccr.sqlite3").exists()
