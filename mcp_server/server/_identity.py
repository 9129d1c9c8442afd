"""Who the server says it is: name, title, version, icon and instructions (standard library only).

`build_server` builds the SDK server from these values; `headroom --version` and
the bundle read the version from here too.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp_server.server._options import ServerOptions

__all__ = [
    "ICON_MIME_TYPE",
    "ICON_SIZES",
    "SERVER_DESCRIPTION",
    "SERVER_NAME",
    "SERVER_TITLE",
    "icon_data_uri",
    "installed_version",
    "instructions_for",
    "server_version",
]

SERVER_NAME = "headroom"
SERVER_TITLE = "headroom: context compression"
SERVER_DESCRIPTION = "Compresses bulky tool output for AI agents; every original stays retrievable."
ICON_MIME_TYPE = "image/svg+xml"
ICON_SIZES = ("any",)


@cache
def icon_data_uri() -> str:
    """The shipped SVG icon as a ``data:`` URI."""
    svg = Path(__file__).with_name("icon.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, or None when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


@cache
def server_version() -> str:
    """This package's version as `serverInfo` reports it ("0.0.0" when run from a bare checkout)."""
    return installed_version("headroom-mcp") or "0.0.0"


def instructions_for(options: ServerOptions) -> str:
    """What the model is told about this server when it connects."""
    return _instructions(allow_run=options.allow_run)


def _instructions(*, allow_run: bool) -> str:
    run = (
        "- headroom_run runs a shell command (tests, builds, linters, grep, git log) and returns its output "
        "compressed with the exit code. Prefer it to your own shell tool whenever the output may be long."
        if allow_run
        else "- headroom_run is disabled on this server (start it with --allow-run to enable it)."
    )
    return f"""headroom keeps bulky text out of your context and keeps every original retrievable.

- headroom_read reads a file server-side and returns it compressed (source files as a skeleton with the parts
  relevant to `query` in full). Prefer it to your own file-reading tool for files over a couple of hundred lines
  or when you need only part of a file; pass `lines` for an exact range verbatim.
{run}
- headroom_compress shrinks text you already hold (a long tool result, a log, a JSON response, a diff) before
  you reason over it or pass it on. Not worth it under about 2,000 tokens. Always give `query` when you know what
  you are looking for: relevant parts are kept in full.
- A marker such as [120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159] stands for text that was left
  out, not lost. When you need it, call headroom_retrieve with that hash and the marker's lines, bytes or template
  (or pass the marker text as the hash; or give a `query` to get only the relevant lines). Never guess what a marker
  hides. Text reading "omitted: (quoted) retrieve" came from the input and is not a marker. Retrieved text is never
  compressed again.
- headroom_search finds earlier output (logs, files, command results) that you or another agent sharing this
  store already compressed or read; search before re-running a command or re-reading a file.
- headroom_stats reports what was saved.
"""
