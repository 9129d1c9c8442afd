"""Codex's cut of a tool output, and the one setting of its config.toml that headroom manages.

What Codex 0.171 hands the model for a shell output (checked with the real CLI against tests/fake_provider): the
output cut to its two ends, half of the budget from each, with ``…N tokens truncated…`` between, where the budget is
the smaller of two limits, both counted in Codex's tokens of 4 bytes:

- ``max_output_tokens``, an argument of its ``exec_command`` tool that the model may pass (default 10,000);
- ``tool_output_token_limit`` in ``config.toml`` (or ``-c tool_output_token_limit=N``): the cut applied to every tool
  output kept in the conversation. Unset, it is the model's own: 10,000 tokens for the models in Codex's catalog,
  but 10,000 *bytes* for a model it has no metadata for (a custom provider's or a local one), a quarter of the rest.

So headroom sets ``tool_output_token_limit = 10000``: the cut then lands at 40,000 bytes for every model, where the
default call's own budget is, and `headroom exec` fits a compressed output within that window. `headroom hooks
install --client codex` writes it to config.toml beside hooks.json (commented as ours), unless the file already
sets it: a value of the user's own is never changed, and exec fits to it. `headroom hooks uninstall` removes the
line only where it is still ours, and `headroom wrap codex` passes it per run with ``-c`` unless the user's
config.toml or the agent's own arguments set it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "LIMIT",
    "LIMIT_KEY",
    "codex_config_path",
    "configured_limit",
    "plan_limit",
    "sets_limit",
    "window_bytes",
]

LIMIT_KEY = "tool_output_token_limit"
LIMIT = 10_000
# exec_command's own default budget, in the same tokens.
CALL_DEFAULT = 10_000
BYTES_PER_TOKEN = 4
OURS = "set by headroom hooks install (lets compressed shell output through whole); uninstall removes it"


def codex_config_path(environ: Mapping[str, str], folder: Path | None = None) -> Path:
    """config.toml in ``folder`` (a project's ``.codex``), else in ``$CODEX_HOME`` or ``~/.codex``."""
    if folder is not None:
        return folder / "config.toml"
    home = environ.get("CODEX_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".codex")
    return Path(home) / "config.toml"


def configured_limit(path: Path) -> int | None:
    """The ``tool_output_token_limit`` that ``path`` sets, or None (unset, unreadable, not an integer)."""
    import tomllib

    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get(LIMIT_KEY)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def window_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The bytes of a shell output that reach the model whole in Codex: the limit its config.toml sets (ours, or the
    user's own), at most what a default ``exec_command`` call returns; ``HEADROOM_CODEX_OUTPUT_LIMIT`` (what `headroom
    wrap codex` passed with ``-c``) comes first."""
    environ = os.environ if environ is None else environ
    raw = environ.get("HEADROOM_CODEX_OUTPUT_LIMIT", "").strip()
    limit = int(raw) if raw.isdigit() and int(raw) > 0 else configured_limit(codex_config_path(environ))
    return min(limit or LIMIT, CALL_DEFAULT) * BYTES_PER_TOKEN


def sets_limit(args: Sequence[str]) -> bool:
    """Whether Codex arguments already set the limit (``-c tool_output_token_limit=…``, ``--config …``)."""
    return any(a.lstrip().startswith(LIMIT_KEY) for a in args)


def plan_limit(text: str | None, *, install: bool) -> str:
    """config.toml's text with our limit added (install: only where no value is set) or removed (uninstall: only
    the line still marked as ours); ``text`` itself when nothing changes. Our line goes first in the file (top-level
    keys must come before any table) and is taken out whole, so the rest of the file is never touched.

    Raises:
        tomllib.TOMLDecodeError: the text is not TOML.
    """
    import tomllib

    text = text or ""
    present = LIMIT_KEY in tomllib.loads(text)
    if install:
        return text if present else f"{LIMIT_KEY} = {LIMIT}  # {OURS}\n{text}"
    lines = text.splitlines(keepends=True)
    ours = [i for i, line in enumerate(lines) if line.startswith(LIMIT_KEY) and line.rstrip().endswith(f"# {OURS}")]
    if not present or len(ours) != 1:
        return text
    return "".join(lines[: ours[0]] + lines[ours[0] + 1 :])
