"""Running the `headroom` command line as a person does: a subprocess, with a store of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# `-P`: the checkout the tests run in must not stand in for the installed package.
HEADROOM = [sys.executable, "-P", "-m", "mcp_server.cli"]


def headroom(
    args: Sequence[str], home: Path, stdin: str | bytes | None = None, *, text: bool = True
) -> subprocess.CompletedProcess[Any]:
    """`headroom ARGS` with ``HEADROOM_HOME=home``; its output as text, or as bytes with ``text=False``."""
    if text and isinstance(stdin, bytes):
        stdin = stdin.decode()
    env = {**os.environ, "HEADROOM_HOME": str(home)}
    return subprocess.run(
        [*HEADROOM, *args], input=stdin, capture_output=True, text=text, env=env, timeout=120, check=False
    )
