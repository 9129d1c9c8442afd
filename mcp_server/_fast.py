"""Commands that run in front of every shell command or tool call an agent makes: `exec` and `hook`.

They are dispatched here before the argparse parser (which imports every command module) is built. `_boot.py`
reaches this under `python -S`; `mcp_server.cli:main` reaches it from the console script.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing`'s: this path imports no more than it runs (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["FAST_COMMANDS", "run"]

FAST_COMMANDS = ("exec", "hook")


def run(args: Sequence[str]) -> int:
    """Run ``headroom <args>`` where ``args[0]`` is one of FAST_COMMANDS."""
    if args[0] == "exec":
        from mcp_server.exec.cli import main

        return main(args[1:])
    from mcp_server.hooks.cli import run_hook

    return run_hook(args[1:])
