"""The command line as a new user meets it: a version, numbers checked where they are typed, a summary line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.server._identity import server_version
from tests.mcp_server.cli_helpers import headroom


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    done = headroom(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"headroom {server_version()}"
    assert server_version() != "0.0.0"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["compress", "--budget", "-5"], "'-5' must be at least 1"),
        (["compress", "--budget", "many"], "'many' is not a whole number"),
        (["stats", "--since-hours", "-3"], "'-3' must be a number above 0"),
        (["stats", "--since-hours", "nan"], "'nan' must be a number above 0"),
        (["retrieve", "0123456789abcdef", "--max-tokens", "0"], "'0' must be at least 1"),
    ],
)
def test_bad_numbers_are_refused_where_they_are_typed(args: list[str], complaint: str, tmp_path: Path) -> None:
    done = headroom(args, tmp_path, stdin=b"x\n")
    assert done.returncode == 2
    assert complaint in done.stderr
    assert "max_tokens" not in done.stderr


def test_a_budget_below_the_minimum_names_the_option_a_person_typed(tmp_path: Path) -> None:
    done = headroom(["compress", "--budget", "5"], tmp_path, stdin=b"some text\n" * 50)
    assert done.returncode == 1
    assert "a budget of 5 tokens is too small: use at least 40" in done.stderr
    assert "max_tokens" not in done.stderr


def test_plain_compress_prints_the_handle_and_counts_on_stderr_only(tmp_path: Path) -> None:
    text = "".join(f"2026-01-01 12:00:{i % 60:02d} INFO worker {i} finished job {i * 7}\n" for i in range(2000))
    done = headroom(["compress"], tmp_path, stdin=text.encode())
    assert done.returncode == 0, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    assert summary.startswith("headroom: hash=")
    digest = summary.split("hash=", 1)[1].split()[0]
    assert f"headroom retrieve {digest}" in summary
    assert "tokens" in summary and "saved" in summary
    assert "headroom: hash=" not in done.stdout
    back = headroom(["retrieve", digest], tmp_path, text=False)
    assert back.stdout == text.encode()
