"""Would Claude Code's own permission rules let a Bash command run without asking? Read from its settings files.

A rewritten command (``headroom exec --shell '…'``) is matched by Claude Code against the user's rules as the new
text, which no rule of theirs names; so the hook may rewrite a command only where it can answer ``allow`` for it,
and it answers ``allow`` only where the user's rules allow the original: every simple command of it matches an
``allow`` rule and none matches ``deny`` or ``ask``. Anything it cannot judge (command substitution, an unreadable
settings file) is not allowed, and the command is left as it was.

Files, lowest precedence first (rules are unioned; deny and ask win over allow): managed
(``/etc/claude-code/managed-settings.json``), user (``$CLAUDE_CONFIG_DIR`` or ``~/.claude``/settings.json),
project (``.claude/settings.json``) and local (``.claude/settings.local.json``) of the nearest directory at or
above ``cwd`` holding a ``.claude`` folder.
"""

from __future__ import annotations

import fnmatch
import json
import os

# Paths as strings and no `typing`/`collections.abc`/`pathlib` at run time: this runs in front of every shell
# command the agent issues (mypy reads any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["Rules", "bash_allowed", "load_rules", "settings_files"]


class Rules:
    __slots__ = ("allow", "ask", "deny")

    def __init__(self) -> None:
        self.allow: list[str] = []
        self.deny: list[str] = []
        self.ask: list[str] = []


def settings_files(cwd: str, environ: dict[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    files = ["/etc/claude-code/managed-settings.json"]
    config_dir = env.get("CLAUDE_CONFIG_DIR")
    user = os.path.normpath(config_dir or os.path.join(os.path.expanduser(env.get("HOME", "~")), ".claude"))
    files.append(os.path.join(user, "settings.json"))
    folder = os.path.abspath(cwd)
    while True:
        claude = os.path.join(folder, ".claude")
        if os.path.isdir(claude) and claude != user:
            files += [os.path.join(claude, "settings.json"), os.path.join(claude, "settings.local.json")]
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return files


def load_rules(files: Iterable[str]) -> Rules | None:
    """The union of the permission rules in ``files``; None when one exists but cannot be read as JSON."""
    rules = Rules()
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                raw = f.read()
        except FileNotFoundError:
            continue
        except OSError:
            return None
        try:
            perms = json.loads(raw).get("permissions") or {}
        except (ValueError, AttributeError):
            return None
        for key in ("allow", "deny", "ask"):
            values = perms.get(key) or []
            if isinstance(values, list):
                getattr(rules, key).extend(v for v in values if isinstance(v, str))
    return rules


def _bash_pattern(rule: str) -> str | None:
    """The command pattern of a Bash rule (``Bash`` → ``*``), or None for another tool's rule."""
    rule = rule.strip()
    if rule == "Bash":
        return "*"
    if rule.startswith("Bash(") and rule.endswith(")"):
        inner = rule[5:-1].strip()
        return inner or "*"
    return None


def _matches(pattern: str, command: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(":*"):
        prefix = pattern[:-2]
        return command == prefix or command.startswith(prefix + " ")
    if "*" in pattern:
        return fnmatch.fnmatchcase(command, pattern)
    return command == pattern


def _any(rules: Sequence[str], command: str) -> bool:
    return any((p := _bash_pattern(r)) is not None and _matches(p, command) for r in rules)


def bash_allowed(command: str, rules: Rules, simple_commands: Sequence[Sequence[str]]) -> bool:
    """Whether ``command`` (split into ``simple_commands``) runs without a prompt under ``rules``."""
    if "$(" in command or "`" in command or "<(" in command or ">(" in command:
        return False
    parts = [" ".join(c) for c in simple_commands]
    if not parts or any(_any(rules.deny, p) or _any(rules.ask, p) for p in [command, *parts]):
        return False
    return (len(parts) == 1 and _any(rules.allow, command)) or all(_any(rules.allow, p) for p in parts)
