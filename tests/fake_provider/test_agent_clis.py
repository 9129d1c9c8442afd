"""Each real agent CLI (npm devDependencies) runs a whole session against the fake: a shell call, then an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_provider import AGENTS, Agent, Answer, FakeProvider, ToolCall, agent_binary, agent_shell_tool, run_agent

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("agent", AGENTS)
def test_agent_runs_a_scripted_shell_call_and_sends_its_output_back(agent: Agent, tmp_path: Path) -> None:
    if agent_binary(agent) is None:
        pytest.skip(f"{agent} CLI not installed (npm ci installs package.json's devDependencies)")
    tool, arg = agent_shell_tool(agent)
    project = tmp_path / "project"
    project.mkdir()
    with FakeProvider([ToolCall(tool, {arg: "printf 'fake-provider-%s\\n' 41 42"}), Answer("finished")]) as fake:
        done = run_agent(agent, fake, tmp_path / "home", project)
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake.errors == []
        _, second = fake.turns()
        assert second.turn == Answer("finished")
        (result,) = second.tool_results
        assert "fake-provider-41\nfake-provider-42" in result
    assert "finished" in done.stdout
