"""Codex's `tool_output_token_limit`: set by `headroom hooks install --client codex` where the user set none, removed
by uninstall only where still ours, passed per run by `headroom wrap codex`, and the window `headroom exec` fits a
Codex shell output to."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_server.install._codex import LIMIT, LIMIT_KEY, OURS, plan_limit, window_bytes

ROOT = Path(__file__).resolve().parents[3]

_KEY = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(lambda k: k != LIMIT_KEY)
_VALUE = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'), max_size=12).map(
        lambda t: f'"{t}"'
    ),
    st.just("true"),
)
_PAIRS = st.lists(st.tuples(_KEY, _VALUE), max_size=4, unique_by=lambda p: p[0])


@st.composite
def configs(draw: st.DrawFn) -> str:
    """A config.toml as people write it: comments, top-level keys, tables, blank lines, no limit of its own."""
    lines = [f"# {draw(st.sampled_from(['codex', 'my settings']))}"] if draw(st.booleans()) else []
    lines += [f"{k} = {v}" for k, v in draw(_PAIRS)]
    for i, pairs in enumerate(draw(st.lists(_PAIRS, max_size=3))):
        lines += ["", f"[table_{i}]", *(f"{k} = {v}" for k, v in pairs)]
    return "\n".join(lines) + ("\n" if lines and draw(st.booleans()) else "")


@settings(max_examples=60, deadline=None)
@given(configs())
def test_install_adds_our_limit_and_uninstall_gives_the_file_back_byte_for_byte(text: str) -> None:
    installed = plan_limit(text, install=True)
    assert installed is not None
    parsed = tomllib.loads(installed)
    assert parsed[LIMIT_KEY] == LIMIT
    assert {k: v for k, v in parsed.items() if k != LIMIT_KEY} == tomllib.loads(text)
    assert plan_limit(installed, install=True) == installed
    assert plan_limit(installed, install=False) == text


def test_a_limit_the_user_set_is_never_changed_nor_removed() -> None:
    mine = 'model = "gpt-5.5"\ntool_output_token_limit = 2500\n'
    assert plan_limit(mine, install=True) == mine
    assert plan_limit(mine, install=False) == mine
    # Our value without our note is the user's too (they may have set the same number).
    same = f"{LIMIT_KEY} = {LIMIT}\n"
    assert plan_limit(same, install=False) == same


def headroom(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "HEADROOM_HOME": str(home / ".headroom")}
    return subprocess.run(
        [sys.executable, "-P", "-m", "mcp_server.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_hooks_install_for_codex_sets_the_limit_beside_hooks_json_and_uninstall_removes_only_that(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    config = home / ".codex" / "config.toml"
    config.parent.mkdir(parents=True)
    before = '# mine\nmodel = "gpt-5.5"\n\n[mcp_servers.other]\ncommand = "x"\n'
    config.write_text(before, encoding="utf-8")
    done = headroom(home, "hooks", "install", "--client", "codex")
    assert f"{LIMIT_KEY} set in {config}" in done.stdout
    assert tomllib.loads(config.read_text(encoding="utf-8"))[LIMIT_KEY] == LIMIT
    assert OURS in config.read_text(encoding="utf-8")
    assert "already set" in headroom(home, "hooks", "install", "--client", "codex").stdout
    assert f"{LIMIT_KEY} = {LIMIT} (headroom's)" in headroom(home, "hooks", "status").stdout
    headroom(home, "hooks", "uninstall", "--client", "codex")
    assert config.read_text(encoding="utf-8") == before
    assert f"no {LIMIT_KEY} in {config}" in headroom(home, "hooks", "status").stdout


def test_a_config_toml_made_only_for_the_limit_is_gone_after_uninstall(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".codex").mkdir(parents=True)
    config = home / ".codex" / "config.toml"
    headroom(home, "hooks", "install", "--client", "codex")
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {LIMIT_KEY: LIMIT}
    headroom(home, "hooks", "uninstall", "--client", "codex")
    assert not config.exists()


def test_a_config_toml_that_does_not_parse_is_reported_and_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / ".codex" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("model = \n", encoding="utf-8")
    with pytest.raises(subprocess.CalledProcessError) as failed:
        headroom(home, "hooks", "install", "--client", "codex")
    assert str(config) in failed.value.stderr
    assert config.read_text(encoding="utf-8") == "model = \n"


def test_codex_window_is_the_configured_limit_in_bytes_at_most_a_default_calls_budget(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert window_bytes({"CODEX_HOME": str(tmp_path)}) == 4 * LIMIT
    config.write_text(f"{LIMIT_KEY} = 2500\n", encoding="utf-8")
    assert window_bytes({"CODEX_HOME": str(tmp_path)}) == 10_000
    config.write_text(f"{LIMIT_KEY} = 90000\n", encoding="utf-8")
    assert window_bytes({"CODEX_HOME": str(tmp_path)}) == 4 * LIMIT
    assert window_bytes({"CODEX_HOME": str(tmp_path), "HEADROOM_CODEX_OUTPUT_LIMIT": "1000"}) == 4_000
