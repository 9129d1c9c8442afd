"""Hook entries in the agents' settings files: planned, diffed and written with the installer's file machinery.

Claude Code (``settings.json``), Gemini CLI (``settings.json``) and Codex (``hooks.json``) keep hooks in one shape:
``{"hooks": {EVENT: [{"matcher": M, "hooks": [{"type": "command", "command": C, "timeout": T}]}]}}``. Our groups
are told apart by their command (the ``_boot.py … hook`` runner); install replaces ours and keeps every other
group in order; uninstall removes ours and then any event list or ``hooks`` object left empty by that, so a file
that had no hooks before comes back byte for byte. Files are written by ``write_config`` (backup, temp file, fsync,
atomic replace; refused when the file changed meanwhile).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mcp_server._errors import ClientConfigError
from mcp_server.install._files import ConfigFile, read_config, unified_diff, write_config
from mcp_server.install._jsonc import JsonShapeError, JsonSyntaxError, get_member, remove_member, set_member

__all__ = [
    "HOOK_CLIENTS",
    "HookChange",
    "HookClient",
    "apply_hook_change",
    "hook_command",
    "hooks_installed",
    "plan_hooks",
]

HookScope = Literal["user", "project"]
_MARK = "_boot.py"


@dataclass(frozen=True, slots=True)
class HookSpec:
    event: str
    matcher: str
    handler: str  # arguments after `hook`, e.g. "claude pre"
    timeout: int  # in the client's unit


@dataclass(frozen=True, slots=True)
class HookClient:
    name: str
    title: str
    unit: str  # what `timeout` counts, for the docs

    def path(self, scope: HookScope, project: Path, environ: dict[str, str]) -> Path:
        home = Path(environ.get("HOME") or Path.home())
        if self.name == "claude-code":
            if scope == "project":
                return project / ".claude" / "settings.json"
            config_dir = environ.get("CLAUDE_CONFIG_DIR")
            return (Path(config_dir) if config_dir else home / ".claude") / "settings.json"
        if self.name == "gemini":
            return (project if scope == "project" else home) / ".gemini" / "settings.json"
        codex_home = environ.get("CODEX_HOME")
        if scope == "project":
            return project / ".codex" / "hooks.json"
        return (Path(codex_home) if codex_home else home / ".codex") / "hooks.json"

    def specs(self, post_tools: Sequence[str] = ()) -> list[HookSpec]:
        if self.name == "claude-code":
            matcher = "|".join(["mcp__.*", *post_tools])
            return [
                HookSpec("PreToolUse", "Bash", "claude pre", 30),
                HookSpec("PostToolUse", matcher, "claude post", 60),
            ]
        if self.name == "gemini":
            return [HookSpec("BeforeTool", "run_shell_command", "gemini before", 30000)]
        return [HookSpec("PreToolUse", "", "codex pre", 30)]


HOOK_CLIENTS = {
    c.name: c
    for c in (
        HookClient("claude-code", "Claude Code", "seconds"),
        HookClient("gemini", "Gemini CLI", "milliseconds"),
        HookClient("codex", "Codex", "seconds"),
    )
}


def hook_command(handler: str) -> str:
    """The command a client runs for ``handler``: this interpreter under ``-S`` with the boot script."""
    boot = Path(__file__).resolve().parent.parent / "_boot.py"
    return f"{shlex.quote(sys.executable)} -S {shlex.quote(str(boot))} hook {handler}"


def _ours(group: Any) -> bool:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return isinstance(hooks, list) and any(
        isinstance(h, dict) and _MARK in str(h.get("command", "")) and " hook " in str(h.get("command", ""))
        for h in hooks
    )


@dataclass(frozen=True, slots=True)
class HookChange:
    client: HookClient
    config: ConfigFile
    new_text: str | None

    @property
    def changed(self) -> bool:
        return self.new_text != self.config.text

    def diff(self) -> str:
        return unified_diff(self.config, self.new_text) if self.changed else ""


def _edit(path: Path, text: str, fn: Any) -> str:
    try:
        return str(fn(text))
    except (JsonSyntaxError, JsonShapeError) as exc:
        raise ClientConfigError(f"{path}: {exc}; fix the file or edit it by hand", path=path) from exc


def _event_list(path: Path, text: str, event: str) -> list[Any]:
    found = _edit(path, text, lambda t: json.dumps(get_member(t, ["hooks", event])))
    value = json.loads(found)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ClientConfigError(f"{path}: hooks.{event} is not a list; fix the file or edit it by hand", path=path)
    return value


def plan_hooks(
    client: HookClient,
    path: Path,
    *,
    install: bool,
    post_tools: Sequence[str] = (),
) -> HookChange:
    """What installing (or removing) our hooks would make of ``path``; nothing is written.

    Raises:
        ClientConfigError: the file does not parse, or holds something else where the hooks go.
    """
    config = read_config(path)
    text = config.text or ""
    if not text.strip():
        if not install:
            return HookChange(client, config, config.text)
        text = "{}\n"
    specs = client.specs(post_tools)
    events = list(dict.fromkeys(s.event for s in specs))
    new = text
    for event in events:
        kept = [g for g in _event_list(path, new, event) if not _ours(g)]
        groups = kept
        if install:
            groups = kept + [
                {
                    "matcher": s.matcher,
                    "hooks": [{"type": "command", "command": hook_command(s.handler), "timeout": s.timeout}],
                }
                for s in specs
                if s.event == event
            ]
        if groups:
            new = _edit(path, new, lambda t, g=groups, e=event: set_member(t, ["hooks", e], g))
        elif get_member(new, ["hooks", event]) is not None:
            new = _edit(path, new, lambda t, e=event: remove_member(t, ["hooks", e]))
    if not install and get_member(new, ["hooks"]) == {} and get_member(text, ["hooks"]) != {}:
        new = _edit(path, new, lambda t: remove_member(t, ["hooks"]))
    return HookChange(client, config, new)


def apply_hook_change(change: HookChange, backup_dir: Path | None = None) -> Path | None:
    """Write the planned change; the backup of the previous file (beside it, or in `backup_dir`), or None."""
    if not change.changed or change.new_text is None:
        return None
    return write_config(change.config, change.new_text, backup_dir=backup_dir)


def hooks_installed(client: HookClient, path: Path) -> list[str]:
    """Events of ``path`` that hold one of our hook groups ([] when none, or the file is unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
        hooks = get_member(text, ["hooks"])
    except (OSError, JsonSyntaxError, JsonShapeError):
        return []
    if not isinstance(hooks, dict):
        return []
    return [event for event, groups in hooks.items() if isinstance(groups, list) and any(_ours(g) for g in groups)]
