"""Which commands `headroom exec` (and the shell hooks) leave alone, and what a command line hints about its output.

Stdlib only and no regular expressions: this runs on every shell command an agent issues, before anything else.
A command line is read as shell words (``shlex`` in POSIX mode, punctuation split off) so that pipes, lists and
redirections are seen whatever the spacing; a line that does not split (an open quote) is left alone.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not `typing`'s: this path imports no more than it runs (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EXCLUDE_ENV",
    "command_words",
    "content_hint",
    "leave_alone_reason",
    "printed_files",
    "program_of",
    "split_pipeline",
]

EXCLUDE_ENV = "HEADROOM_EXEC_EXCLUDE"

# Programs that talk to a terminal: editors, pagers, monitors, remote shells, multiplexers, pickers.
INTERACTIVE = frozenset(
    [
        "vi",
        "vim",
        "nvim",
        "view",
        "nano",
        "pico",
        "emacs",
        "micro",
        "hx",
        "helix",
        "joe",
        "ed",
        "less",
        "more",
        "most",
        "man",
        "info",
        "top",
        "htop",
        "btop",
        "atop",
        "iotop",
        "glances",
        "nmon",
        "watch",
        "ssh",
        "mosh",
        "telnet",
        "ftp",
        "sftp",
        "tmux",
        "screen",
        "zellij",
        "fzf",
        "sk",
        "peco",
        "tig",
        "lazygit",
        "ranger",
        "nnn",
        "mc",
        "crontab",
        "visudo",
        "vipw",
        "passwd",
        "su",
        "login",
        "docker-compose-ui",
        "k9s",
    ]
)
# Interpreters and clients that read a session from the terminal when given no script or command.
REPLS = frozenset(
    [
        "python",
        "python3",
        "python2",
        "ipython",
        "bpython",
        "pypy",
        "pypy3",
        "node",
        "deno",
        "bun",
        "irb",
        "ruby",
        "pry",
        "php",
        "lua",
        "luajit",
        "R",
        "ghci",
        "scala",
        "sbt",
        "clojure",
        "lein",
        "iex",
        "erl",
        "swipl",
        "guile",
        "racket",
        "julia",
        "psql",
        "mysql",
        "mariadb",
        "sqlite3",
        "redis-cli",
        "mongo",
        "mongosh",
        "sh",
        "bash",
        "zsh",
        "fish",
        "dash",
        "ksh",
        "csh",
        "tcsh",
        "nu",
    ]
)
# Options that make such a program read its script from an argument (so it does not open a session).
_SCRIPT_OPTIONS = frozenset(["-c", "-e", "-m", "--command", "--execute", "--eval", "-p", "--print", "-f", "--file"])
# What a pipeline may already end in: the output is cut, counted or paged already.
CUTTERS = frozenset(["head", "tail", "wc", "jq", "yq", "less", "more", "most", "fzf"])
# Builtins whose effect on the shell (directory, variables, options) must outlive the command.
SHELL_STATE = frozenset(
    [
        "cd",
        "pushd",
        "popd",
        "export",
        "unset",
        "set",
        "source",
        ".",
        "alias",
        "unalias",
        "eval",
        "exec",
        "shopt",
        "ulimit",
        "umask",
        "trap",
        "builtin",
        "declare",
        "typeset",
        "local",
        "readonly",
        "hash",
    ]
)
# Words that run the next word: their program is the one after them.
_RUNNERS = frozenset(
    ["sudo", "doas", "env", "nice", "ionice", "time", "timeout", "nohup", "stdbuf", "command", "exec", "xargs"]
)
_RUN_SUBCOMMANDS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "hatch": "run",
    "npx": "",
    "bunx": "",
    "pnpx": "",
}
_OPERATORS = frozenset(["|", "|&", "||", "&&", ";", "&", ";;", "(", ")", "\n"])

# Command line → the content type its output usually is (a hint for the router, never an override).
_TEST_RUNNERS = frozenset(
    ["pytest", "py.test", "tox", "nox", "jest", "vitest", "mocha", "ava", "tap", "karma", "phpunit", "rspec", "ctest"]
)
_BUILDERS = frozenset(
    [
        "make",
        "cmake",
        "ninja",
        "gradle",
        "gradlew",
        "mvn",
        "mvnw",
        "ant",
        "bazel",
        "buck",
        "msbuild",
        "tsc",
        "gcc",
        "g++",
        "clang",
        "clang++",
        "cc",
        "javac",
        "docker",
        "podman",
        "kubectl",
        "helm",
        "terraform",
        "ansible-playbook",
        "pip",
        "pip3",
        "npm",
        "yarn",
        "pnpm",
        "bun",
        "cargo",
        "go",
        "dotnet",
        "swift",
        "rustc",
        "webpack",
        "vite",
        "esbuild",
        "rollup",
    ]
)
_SEARCHERS = frozenset(["rg", "grep", "egrep", "fgrep", "ag", "ack", "ugrep", "git-grep"])
# Programs that print the files they are given, as they are (or a run of their lines): the output is those files.
_FILE_PRINTERS = frozenset(["cat", "bat", "batcat", "nl", "tac", "head", "tail"])
# Their options that take a value as the next word (`head -n 50 x.py`, `bat -l py x`); `cat -n` takes none.
_HEAD_VALUE_OPTIONS = frozenset(["-n", "-c", "--lines", "--bytes"])
_PRINTER_VALUE_OPTIONS = {
    "head": _HEAD_VALUE_OPTIONS,
    "tail": _HEAD_VALUE_OPTIONS,
    "bat": frozenset(["-l", "--language", "-r", "--line-range", "-H", "--highlight-line"]),
    "batcat": frozenset(["-l", "--language", "-r", "--line-range", "-H", "--highlight-line"]),
    "nl": frozenset(["-b", "-s", "-v", "-i", "-w", "-n"]),
}


def command_words(line: str) -> list[str] | None:
    """Shell words of ``line`` with operators as words of their own; None when it does not split."""
    import shlex

    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return None


def split_pipeline(words: Sequence[str]) -> list[list[str]]:
    """Simple commands of a list of words, split at every operator (pipes, lists, subshell brackets)."""
    commands: list[list[str]] = [[]]
    for word in words:
        if word in _OPERATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def _strip_assignments(words: Sequence[str]) -> list[str]:
    out = list(words)
    while out and "=" in out[0] and not out[0].startswith("=") and out[0].split("=", 1)[0].isidentifier():
        out.pop(0)
    return out


def program_of(words: Sequence[str]) -> tuple[str, list[str]]:
    """(program basename, its arguments) of one simple command, looking through sudo/env/time/uv run/npx."""
    rest = _strip_assignments(words)
    while rest:
        name = os.path.basename(rest[0])
        if name in _RUNNERS:
            rest = rest[1:]
            # Skip the runner's own options (and `timeout 10`'s duration) up to the program.
            while rest and (rest[0].startswith("-") or (name == "timeout" and rest[0][:1].isdigit())):
                rest = rest[1:]
            rest = _strip_assignments(rest)
            continue
        if name in _RUN_SUBCOMMANDS:
            sub = _RUN_SUBCOMMANDS[name]
            if not sub and len(rest) > 1:
                rest = rest[1:]
                continue
            if sub and len(rest) > 2 and rest[1] == sub:
                rest = rest[2:]
                continue
        return name, list(rest[1:])
    return "", []


def _interactive(name: str, args: Sequence[str]) -> bool:
    if name in INTERACTIVE:
        return True
    if name in REPLS:
        scripts = [a for a in args if not a.startswith("-")]
        return not scripts and not any(a in _SCRIPT_OPTIONS or a.startswith("--command=") for a in args)
    if name == "git" and args:
        sub, opts = args[0], set(args[1:])
        if sub in ("rebase", "add", "checkout", "reset", "restore", "stash") and opts & {
            "-i",
            "--interactive",
            "-p",
            "--patch",
        }:
            return True
        if sub == "commit" and not opts & {"-m", "--message", "-F", "--file", "--no-edit", "-C", "--reuse-message"}:
            return not any(a.startswith(("-m", "--message=", "--fixup", "--squash")) for a in args[1:])
    return "-i" in args and name in ("docker", "podman", "kubectl") and "-t" in " ".join(args)


def _excluded(line_words: Sequence[str], exclude: str) -> str | None:
    joined = " ".join(line_words)
    for entry in exclude.replace(",", "\n").splitlines():
        entry = entry.strip()
        if entry and (joined == entry or joined.startswith(entry + " ")):
            return entry
    return None


def leave_alone_reason(line: str | Sequence[str], *, exclude: str | None = None) -> str | None:
    """Why this command must run untouched (exact terminal, shell state, output already cut), or None.

    ``line`` is a shell command line or an argument vector. ``exclude`` (default: ``$HEADROOM_EXEC_EXCLUDE``) is a
    comma- or newline-separated list of command prefixes the user keeps out (``git status, make deploy``).
    """
    if isinstance(line, str):
        words = command_words(line)
        if words is None:
            return "the command line does not split into words"
        if any(w.startswith("<<") for w in words) or "<<" in line:
            return "the command feeds a here-document"
    else:
        words = list(line)
    commands = split_pipeline(words)
    if not commands:
        return "empty command"
    excluded = _excluded(
        _strip_assignments(commands[0]), os.environ.get(EXCLUDE_ENV, "") if exclude is None else exclude
    )
    if excluded:
        return f"excluded by the user ({excluded})"
    if isinstance(line, str) and words and words[-1] == "&":
        return "the command runs in the background"
    for command in commands:
        name, args = program_of(command)
        if name in SHELL_STATE or (command and command[0] in SHELL_STATE):
            return f"`{command[0]}` changes the shell's state"
        if name == "headroom" and args[:1] == ["exec"]:
            return "the command already runs through headroom exec"
        if _interactive(name, args):
            return f"`{name}` is interactive"
    if isinstance(line, str):
        operators = [w for w in words if w in _OPERATORS]
        name, _ = program_of(commands[-1])
        if operators and operators[-1] in ("|", "|&") and name in CUTTERS:
            return f"the output is already piped into {name}"
    return None


def content_hint(line: str | Sequence[str]) -> str | None:
    """The content type the command's output usually is (``log``, ``diff``, ``search``), or None."""
    words = command_words(line) if isinstance(line, str) else list(line)
    commands = split_pipeline(words or [])
    if not commands:
        return None
    name, args = program_of(commands[-1] if len(commands) > 1 and "|" in (words or []) else commands[0])
    sub = args[0] if args else ""
    if name in ("python", "python3") and args[:2] == ["-m", "pytest"]:
        return "log"
    if name == "git":
        if sub in ("diff", "show", "format-patch") or (sub == "log" and ("-p" in args or "--patch" in args)):
            return "diff"
        if sub == "grep":
            return "search"
        return None
    if name in ("diff", "colordiff") and ("-u" in args or any(a.startswith("-u") for a in args)):
        return "diff"
    if name in _SEARCHERS:
        return "search"
    if name in _TEST_RUNNERS or name in _BUILDERS:
        return "log"
    if name in ("journalctl", "dmesg") or (name in ("docker", "kubectl", "podman") and sub == "logs"):
        return "log"
    return None


def printed_files(line: str | Sequence[str]) -> list[str]:
    """The files a command line prints as they are (``cat x.py``, ``head -n 80 a.rs``), else an empty list.

    Only a line that is one such command: a pipe or a list makes the output something else. The files' names say
    what the output is (`compressors.type_for_name`), which the content alone may not (a Python module whose many
    `logger.warning(...)` lines read like a log).
    """
    words = command_words(line) if isinstance(line, str) else list(line)
    commands = split_pipeline(words or [])
    if len(commands) != 1 or any(w in _OPERATORS or w.startswith(("<", ">")) for w in words or []):
        return []
    name, args = program_of(commands[0])
    if name not in _FILE_PRINTERS:
        return []
    files: list[str] = []
    skip = False
    takes_value = _PRINTER_VALUE_OPTIONS.get(name, frozenset())
    for arg in args:
        if skip:
            skip = False
        elif arg in takes_value:
            skip = True
        elif not arg.startswith("-") or arg == "-":
            files.append(arg)
    return [] if "-" in files else files
