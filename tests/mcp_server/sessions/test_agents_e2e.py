"""Real agent CLIs, real hooks, real store: only the model is the scripted fake (tests/fake_provider).

Each test installs headroom's hooks with `headroom hooks install` into a temporary HOME, runs one non-interactive
session, and reads what the client sent to the model.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fake_provider import Agent, Answer, FakeProvider, Recorded, ToolCall, agent_binary, agent_shell_tool, run_agent

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
HEADER = re.compile(r"^\[headroom hash=([0-9a-f]{16}): ([\d,]+) -> ([\d,]+) tokens")
# A bulky, real output made on the spot: this repository's recent history with its patches.
BULKY = f"git -C {ROOT} log -p -n 40 --no-color"


@contextmanager
def _removed(folder: Path) -> Iterator[None]:
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def need(agent: Agent) -> None:
    if agent_binary(agent) is None:
        pytest.skip(f"{agent} CLI not installed (npm ci installs package.json's devDependencies)")


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


def claude_home(tmp_path: Path, allow: list[str]) -> Path:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    settings = {"permissions": {"allow": allow}, "env": {"ENABLE_TOOL_SEARCH": "false"}}
    (home / ".claude" / "settings.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return home


def raw_output(command: str, cwd: Path) -> str:
    return subprocess.run(["/bin/bash", "-c", command], cwd=cwd, capture_output=True, text=True, check=False).stdout


def test_claude_bulky_bash_output_reaches_the_model_compressed_as_plain_text(tmp_path: Path) -> None:
    import rustcore

    need("claude")
    home = claude_home(tmp_path, ["Bash(git -C:*)", "Bash(seq:*)"])
    headroom(home, "hooks", "install", "--client", "claude-code")
    project = tmp_path / "project"
    project.mkdir()
    steps = [
        ToolCall("Bash", {"command": BULKY, "description": "list"}),
        ToolCall("Bash", {"command": "seq 1 5", "description": "small"}),
        Answer("finished"),
    ]
    with FakeProvider(steps) as fake:
        done = run_agent("claude", fake, home, project, env={"HEADROOM_HOME": str(home / ".headroom")})
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        turns = fake.turns()
    (bulky,) = turns[1].tool_results
    match = HEADER.match(bulky)
    assert match, bulky[:300]
    raw_tokens = rustcore.count_tokens(raw_output(BULKY, project))
    assert rustcore.count_tokens(bulky) < raw_tokens * 0.5
    # Plain text, as printed: whole lines of the original, real newlines, nothing JSON-escaped.
    kept = [line for line in bulky.split("\n")[1:] if line and not line.startswith("[")]
    original = set(raw_output(BULKY, project).split("\n"))
    assert len(kept) > 10 and all(line in original for line in kept)
    (small,) = turns[2].tool_results
    assert small == "1\n2\n3\n4\n5"


def test_claude_leaves_a_command_its_rules_do_not_allow_unrewritten(tmp_path: Path) -> None:
    need("claude")
    home = claude_home(tmp_path, ["Bash(seq:*)"])
    headroom(home, "hooks", "install", "--client", "claude-code")
    project = tmp_path / "project"
    project.mkdir()
    with FakeProvider([ToolCall("Bash", {"command": BULKY, "description": "list"}), Answer("ok")]) as fake:
        done = run_agent("claude", fake, home, project)
        assert done.returncode == 0, done.stderr[-2000:]
        (result,) = fake.turns()[1].tool_results
    assert not result.startswith("[headroom")


@pytest.mark.parametrize("agent", ["claude", "gemini"])
def test_exit_codes_and_small_outputs_pass_unchanged(agent: Agent, tmp_path: Path) -> None:
    need(agent)
    home = claude_home(tmp_path, ["Bash"]) if agent == "claude" else tmp_path / "home"
    headroom(home, "hooks", "install", "--client", "claude-code" if agent == "claude" else "gemini")
    project = tmp_path / "project"
    project.mkdir()
    tool, arg = agent_shell_tool(agent)
    command = "printf 'a\\tb\\n\\nc'; echo to-stderr >&2; exit 7"
    with FakeProvider([ToolCall(tool, {arg: command}), Answer("ok")]) as fake:
        done = run_agent(agent, fake, home, project)
        assert done.returncode == 0, done.stderr[-2000:]
        (result,) = fake.turns()[1].tool_results
    # What a terminal shows (both streams, in order), as the client presents a failed command's output.
    merged = subprocess.run(
        ["/bin/bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    ).stdout.rstrip("\n")
    assert merged in result
    assert ("Exit code 7" if agent == "claude" else "Exit Code: 7") in result
    assert "[headroom" not in result


def test_gemini_bulky_shell_output_reaches_the_model_compressed(tmp_path: Path) -> None:
    need("gemini")
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    project = tmp_path / "project"
    project.mkdir()
    with FakeProvider([ToolCall("run_shell_command", {"command": BULKY}), Answer("finished")]) as fake:
        headroom(home, "hooks", "install", "--client", "gemini")
        done = run_agent("gemini", fake, home, project)
        assert done.returncode == 0, done.stderr[-2000:]
        (result,) = fake.turns()[1].tool_results
    assert "[headroom hash=" in result
    assert len(result) < len(raw_output(BULKY, project)) / 2


def test_codex_hands_the_model_a_compressed_output_whole_once_hooks_install_sets_its_limit(tmp_path: Path) -> None:
    """The fake's model has no metadata in Codex, so Codex cuts tool outputs at 10,000 bytes until config.toml
    sets `tool_output_token_limit` (the cut is then 40,000 bytes, the window exec fits a Codex output to)."""
    need("codex")
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    boot = ROOT / "mcp_server" / "_boot.py"
    # What the installed hook makes of the command (Codex runs it only once trusted in its interactive view).
    command = f"{sys.executable} -S {boot} exec --client codex/exec_command --shell '{BULKY}'"
    results = []
    step = ToolCall("exec_command", {"cmd": command})
    with FakeProvider([step, Answer("ok"), step, Answer("ok")]) as fake:
        run_agent("codex", fake, home, project, args=["--version"])  # the provider's config.toml first
        for install in (False, True):
            if install:
                headroom(home, "hooks", "install", "--client", "codex")
            done = run_agent("codex", fake, home, project, env={"HEADROOM_HOME": str(home / ".headroom")})
            assert done.returncode == 0, done.stderr[-2000:]
            (result,) = fake.turns()[-1].tool_results
            results.append(result)
    printed = subprocess.run(
        ["/bin/bash", "-c", command], cwd=project, capture_output=True, text=True, check=True
    ).stdout.rstrip("\n")
    assert 10_000 < len(printed.encode()) <= 40_000
    cut, whole = results
    assert "truncated" in cut and printed not in cut
    assert "truncated" not in whole and printed in whole


def _marker_step(req: Recorded) -> ToolCall | Answer:
    text = "\n".join(req.tool_results)
    found = re.search(r"retrieve hash=([0-9a-f]{16}) lines=(\d+)-(\d+)", text)
    if found is None:
        return Answer("no marker")
    return ToolCall(
        "mcp__headroom__headroom_retrieve", {"hash": found.group(1), "lines": f"{found.group(2)}-{found.group(3)}"}
    )


@pytest.fixture(scope="module")
def redeemed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Recorded], str]:
    """One Claude Code session: a bulky command through the hooks, then a retrieve of the first marker it shows."""
    need("claude")
    tmp_path = tmp_path_factory.mktemp("redeem")
    home = claude_home(tmp_path, ["Bash", "mcp__headroom"])
    store = home / ".headroom"
    headroom(home, "hooks", "install", "--client", "claude-code")
    project = tmp_path / "project"
    project.mkdir()
    mcp = {
        "mcpServers": {
            "headroom": {
                "type": "stdio",
                "command": sys.executable,
                "args": ["-P", "-m", "mcp_server.cli", "mcp", "serve"],
                "env": {"HEADROOM_HOME": str(store), "PYTHONPATH": str(ROOT)},
            }
        }
    }
    (tmp_path / "mcp.json").write_text(json.dumps(mcp), encoding="utf-8")
    steps = [ToolCall("Bash", {"command": BULKY, "description": "list"}), _marker_step, Answer("finished")]
    with FakeProvider(steps) as fake:
        done = run_agent(
            "claude",
            fake,
            home,
            project,
            args=["--mcp-config", str(tmp_path / "mcp.json")],
            env={"HEADROOM_HOME": str(store)},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        return fake.turns(), raw_output(BULKY, project)


def test_claude_redeems_a_marker_through_its_own_tool_call(redeemed: tuple[list[Recorded], str]) -> None:
    turns, raw = redeemed
    call = turns[1].turn
    assert isinstance(call, ToolCall), call
    start, end = (int(x) for x in call.input["lines"].split("-"))
    (retrieved,) = turns[2].tool_results
    original = raw.split("\n")
    for n in (start, end):
        assert json.dumps(original[n - 1])[1:-1] in retrieved or original[n - 1] in retrieved


def test_claude_hands_the_model_a_retrieve_as_plain_text(redeemed: tuple[list[Recorded], str]) -> None:
    turns, _ = redeemed
    (retrieved,) = turns[2].tool_results
    # The tool declares no output schema: Claude Code forwards the text itself, header line first, not escaped.
    assert retrieved.startswith("[headroom hash=") and retrieved.count("\n") >= 2


@pytest.mark.parametrize("client", ["claude-code", "gemini", "codex"])
def test_hooks_uninstall_leaves_the_settings_byte_identical(client: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = {
        "claude-code": home / ".claude" / "settings.json",
        "gemini": home / ".gemini" / "settings.json",
        "codex": home / ".codex" / "hooks.json",
    }[client]
    path.parent.mkdir(parents=True)
    before = '{\n    "model": "x",  // kept\n\t"permissions": {"allow": ["Bash(ls:*)"]}\n}\n'
    if client != "gemini":
        before = before.replace("  // kept", "")
    path.write_text(before, encoding="utf-8")
    headroom(home, "hooks", "install", "--client", client)
    assert path.read_text(encoding="utf-8") != before
    headroom(home, "hooks", "install", "--client", client)
    headroom(home, "hooks", "uninstall", "--client", client)
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("agent", ["claude", "gemini"])
def test_wrap_gives_one_run_our_server_and_hooks_and_changes_no_user_file(agent: Agent, tmp_path: Path) -> None:
    need(agent)
    home = claude_home(tmp_path, ["Bash(git -C:*)"]) if agent == "claude" else tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    tool, arg = agent_shell_tool(agent)
    # Gemini reads a system settings file only where no folder above it is writable by others (not under /tmp).
    store = Path(tempfile.mkdtemp(prefix="wrap-test-", dir=ROOT / ".venv")) if agent == "gemini" else home / ".hr"
    if agent == "gemini" and any(p.stat().st_mode & 0o022 for p in store.parents):
        pytest.skip(f"a folder above {store} is writable by others; Gemini CLI would not read the wrap settings")
    with FakeProvider([ToolCall(tool, {arg: BULKY}), Answer("finished")]) as fake, _removed(store):
        run_agent(agent, fake, home, project, args=["--version"]) if agent == "gemini" else None
        before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "settings" in p.name}
        wrap = [sys.executable, "-P", "-m", "mcp_server.cli", "wrap", agent, "--"]
        env = {
            "PYTHONPATH": str(ROOT),
            f"HEADROOM_WRAP_{agent.upper()}": str(agent_binary(agent)),
            "HEADROOM_HOME": str(store),
        }
        done = run_agent(agent, fake, home, project, command=wrap, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        turns = fake.turns()
    assert any("headroom_retrieve" in name for name in turns[0].tool_names), turns[0].tool_names
    (result,) = turns[1].tool_results
    assert "[headroom hash=" in result
    assert "headroom: this run saved" in done.stderr
    after = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "settings" in p.name}
    assert after == before


def test_claude_post_hook_replaces_another_mcp_servers_bulky_output(tmp_path: Path) -> None:
    need("claude")
    home = claude_home(tmp_path, ["mcp__logs"])
    headroom(home, "hooks", "install", "--client", "claude-code")
    project = tmp_path / "project"
    project.mkdir()
    server = Path(__file__).with_name("bulky_server.py")
    mcp = {"mcpServers": {"logs": {"type": "stdio", "command": sys.executable, "args": [str(server)]}}}
    (tmp_path / "mcp.json").write_text(json.dumps(mcp), encoding="utf-8")
    with FakeProvider([ToolCall("mcp__logs__tail_log", {"lines": 1000}), Answer("finished")]) as fake:
        done = run_agent("claude", fake, home, project, args=["--mcp-config", str(tmp_path / "mcp.json")])
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        (result,) = fake.turns()[1].tool_results
    assert HEADER.match(result), result[:300]
    assert "ERROR worker-3 disk full on /dev/sda1" in result
    assert len(result) < 20_000
