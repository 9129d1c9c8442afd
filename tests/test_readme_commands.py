"""The README's command list is the command line a person can type: every command and every option is in it."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_server.cli import build_parser
from tests.conftest import ROOT


def _command_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]


def _segments() -> list[str]:
    """One entry of the list each: continuation lines joined, alternatives on one line (`a  |  b`) apart."""
    joined = _command_block().replace("\\\n", " ")
    return [part.strip() for line in joined.splitlines() for part in re.split(r"\s+\|\s{2,}", line) if part.strip()]


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, (*path, name))


def _parser_of(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = subs.choices[name]
    return parser


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


def _entries_for(path: tuple[str, ...]) -> list[str]:
    found = []
    for segment in _segments():
        words = segment.split()
        if words[:1] != ["headroom"] or len(words) <= len(path):
            continue
        if all(name in words[1 + i].split("|") for i, name in enumerate(path)):
            found.append(segment)
    return found


LEAVES = sorted(_leaves(build_parser()))


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_command_is_listed_with_every_option_it_takes(path: tuple[str, ...]) -> None:
    entries = _entries_for(path)
    assert entries, f"`headroom {' '.join(path)}` is not in the README's command list"
    listed = " ".join(entries)
    missing = sorted(option for option in _options(_parser_of(path)) if option not in listed)
    assert not missing, f"`headroom {' '.join(path)}`: {missing} not in the README's command list"


def test_the_options_of_headroom_itself_are_listed() -> None:
    block = _command_block()
    assert all(option in block for option in _options(build_parser()))


def test_the_readme_says_where_make_demo_puts_the_command_and_it_is_there() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    venv = re.search(r"^VENV \?= (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert venv is not None
    assert f"`{venv.group(1)}/bin/headroom`" in readme
    if (ROOT / venv.group(1)).resolve() == Path(sys.prefix).resolve():
        assert (Path(sys.prefix) / "bin" / "headroom").is_file()
