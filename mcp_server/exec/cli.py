"""`headroom exec -- CMD [ARGS…]` and `headroom exec --shell 'LINE'`.

Runs the command with stdout and stderr merged in order, exits with its status (128 + n after signal n), forwards
signals, and prints its output as it was when small, else compressed under a header line naming the handle. A
command that needs the terminal, changes the shell's state, already cuts its output, or that the user excluded
is run in place of this process (``exec``), untouched.

The arguments are read by hand: this runs in front of every shell command an agent issues, and argparse alone
costs more than the rest of the path. ``--help`` builds the argparse parser.
"""

from __future__ import annotations

import os
import sys

# `typing` and `collections.abc` cost milliseconds this path does not spend (mypy reads any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

__all__ = ["add_parser", "main"]

# The longest command line an original's source keeps (arguments past it are rarely what a search names).
_SOURCE_CHARS = 300
_ONE_LINE = {9: " ", 10: " ", 13: " "}
_VALUE_OPTIONS = ("--shell", "--threshold", "--query", "--hint", "--client")
_HINTS = ("log", "diff", "search")


class Options:
    __slots__ = ("argv", "client", "hint", "query", "shell", "threshold")

    def __init__(self) -> None:
        self.shell: str | None = None
        self.threshold: int | None = None
        self.query: str | None = None
        self.hint: str | None = None
        self.client = os.environ.get("HEADROOM_CLIENT") or "exec"
        self.argv: list[str] = []


def _usage_error(message: str) -> NoReturn:
    print(
        f"headroom exec: {message}\nusage: headroom exec [--shell LINE] [--threshold N] [--query Q] -- CMD [ARG…]",
        file=sys.stderr,
    )
    raise SystemExit(2)


def parse(args: Sequence[str]) -> Options | None:
    """Options and command of ``args``; None when help was asked for."""
    opts = Options()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg in ("-h", "--help"):
            return None
        name, eq, value = arg.partition("=")
        if name not in _VALUE_OPTIONS:
            if arg.startswith("-"):
                _usage_error(f"unknown option {arg} (put the command after --)")
            break
        if not eq:
            if i + 1 >= len(args):
                _usage_error(f"{name} needs a value")
            i += 1
            value = args[i]
        if name == "--shell":
            opts.shell = value
        elif name == "--threshold":
            if not value.isdigit():
                _usage_error(f"--threshold {value!r} is not a whole number of tokens")
            opts.threshold = int(value)
        elif name == "--query":
            opts.query = value or None
        elif name == "--hint":
            if value not in _HINTS:
                _usage_error(f"--hint must be one of {', '.join(_HINTS)}")
            opts.hint = value
        else:
            opts.client = value
        i += 1
    opts.argv = list(args[i:])
    if (opts.shell is None) == (not opts.argv):
        _usage_error("give a command after --, or one command line with --shell")
    return opts


def shell_program() -> str:
    """The shell a command line written for an agent's Bash tool runs in: bash where there is one."""
    chosen = os.environ.get("HEADROOM_EXEC_SHELL")
    if chosen:
        return chosen
    login = os.environ.get("SHELL", "")
    if os.path.basename(login) in ("bash", "zsh") and os.access(login, os.X_OK):
        return login
    return "/bin/bash" if os.access("/bin/bash", os.X_OK) else "/bin/sh"


def main(args: Sequence[str]) -> int:
    opts = parse(args)
    if opts is None:
        build_help().print_help()
        return 0
    from mcp_server.exec._policy import content_hint, leave_alone_reason, printed_files

    argv = [shell_program(), "-c", opts.shell] if opts.shell is not None else opts.argv
    line: str | list[str] = opts.shell if opts.shell is not None else opts.argv
    if leave_alone_reason(line) is not None:
        _replace_process(argv)
    from mcp_server.exec._output import render_output, threshold_from_env
    from mcp_server.exec._process import run_merged

    keep = _max_input_bytes()
    try:
        finished = run_merged(argv, keep=keep, sink=1)
    except FileNotFoundError:
        print(f"headroom exec: {argv[0]}: command not found", file=sys.stderr)
        return 127
    except PermissionError as exc:
        print(f"headroom exec: {argv[0]}: {exc.strerror}", file=sys.stderr)
        return 126
    if finished.output:
        threshold = opts.threshold if opts.threshold is not None else threshold_from_env()
        hint = opts.hint or content_hint(line)
        session = os.environ.get("HEADROOM_SESSION") or None
        rendered = render_output(
            finished.output,
            threshold=threshold,
            hint=hint,
            query=opts.query,
            client=opts.client,
            session=session,
            source=command_source(line),
            files=printed_files(line),
        )
        _write(rendered.data)
    return finished.status


def command_source(line: str | list[str]) -> str:
    """The source an original of this command is kept under: ``exec:`` and the command line (as `mcp:read:<path>`
    names its file), so a search can match what only the command says (`git diff A..B`, `cat path`, `pip list`);
    one line, at most `_SOURCE_CHARS` characters."""
    text = " ".join(line if isinstance(line, list) else [line]).translate(_ONE_LINE)
    if len(text) > _SOURCE_CHARS:
        text = text[: _SOURCE_CHARS - 1] + "…"
    return f"exec:{text}"


def _replace_process(argv: list[str]) -> NoReturn:
    sys.stdout.flush()
    try:
        os.execvp(argv[0], argv)
    except FileNotFoundError:
        print(f"headroom exec: {argv[0]}: command not found", file=sys.stderr)
        raise SystemExit(127) from None
    except PermissionError as exc:
        print(f"headroom exec: {argv[0]}: {exc.strerror}", file=sys.stderr)
        raise SystemExit(126) from None


def _max_input_bytes() -> int:
    raw = os.environ.get("HEADROOM_MAX_INPUT_MB", "").strip()
    try:
        return int(float(raw) * 1024 * 1024) if raw else 64 * 1024 * 1024
    except ValueError:
        return 64 * 1024 * 1024


def _write(data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(1, view) :]
    except BrokenPipeError:
        pass


def build_help() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="headroom exec", description=__doc__.split("\n\n")[1])
    _add_arguments(parser)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shell", metavar="LINE", help="run one shell command line (bash) instead of CMD")
    parser.add_argument(
        "--threshold",
        type=int,
        metavar="N",
        help="print outputs under N tokens as they are (default $HEADROOM_EXEC_MIN_TOKENS, else 2000)",
    )
    parser.add_argument("--query", help="what you are looking for in the output (kept first)")
    parser.add_argument("--hint", choices=_HINTS, help="what the output usually is, when detection finds plain text")
    parser.add_argument("--client", help="who ran the command, for the statistics (default $HEADROOM_CLIENT)")
    parser.add_argument("command", nargs="*", metavar="CMD [ARG …]", help="the command, after --")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "exec",
        help="run a command; print its output as it was when small, else compressed (exit status kept)",
        description=__doc__.split("\n\n")[1],
    )
    _add_arguments(parser)
    parser.set_defaults(func=lambda args: main(sys.argv[sys.argv.index("exec") + 1 :]))
