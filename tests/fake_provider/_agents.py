"""Run the real agent CLIs (from the repository's node_modules) non-interactively against a FakeProvider.

Everything a CLI reads lives under ``home`` (a temporary HOME): Claude Code gets ``ANTHROPIC_BASE_URL`` and a dummy
key, Codex a ``$CODEX_HOME/config.toml`` whose model provider points at the fake's Responses API, Gemini CLI
``GOOGLE_GEMINI_BASE_URL``, a dummy key and an API-key auth choice in ``~/.gemini/settings.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from ._server import FakeProvider

__all__ = ["AGENTS", "Agent", "agent_binary", "agent_env", "agent_shell_tool", "run_agent"]

Agent = Literal["claude", "codex", "gemini"]
AGENTS: tuple[Agent, ...] = ("claude", "codex", "gemini")
ROOT = Path(__file__).resolve().parents[2]
# The tool each CLI runs shell commands with, and the argument holding the command line.
_SHELL_TOOLS: dict[Agent, tuple[str, str]] = {
    "claude": ("Bash", "command"),
    "codex": ("exec_command", "cmd"),
    "gemini": ("run_shell_command", "command"),
}


def agent_binary(agent: Agent) -> Path | None:
    """The CLI installed by ``npm ci`` (package.json devDependencies), or None."""
    path = ROOT / "node_modules" / ".bin" / agent
    return path if path.exists() else None


def agent_shell_tool(agent: Agent) -> tuple[str, str]:
    """(tool name, command argument) of the agent's shell tool."""
    return _SHELL_TOOLS[agent]


def agent_env(agent: Agent, fake: FakeProvider, home: Path) -> dict[str, str]:
    """Environment (and config files under ``home``) that point ``agent`` at ``fake`` and nothing else."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TERM": "dumb",
        "NO_COLOR": "1",
        "HEADROOM_HOME": os.environ.get("HEADROOM_HOME", str(home / ".headroom")),
        "HF_HUB_OFFLINE": "1",
        "HEADROOM_EMBEDDINGS": os.environ.get("HEADROOM_EMBEDDINGS", "0"),
    }
    if agent == "claude":
        env.update(
            ANTHROPIC_BASE_URL=fake.url,
            ANTHROPIC_API_KEY="sk-ant-fake",
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
            DISABLE_AUTOUPDATER="1",
            # MCP tools declared up front, as without tool search (the fake does not search for deferred tools).
            ENABLE_TOOL_SEARCH="false",
        )
    elif agent == "codex":
        codex_home = home / ".codex"
        codex_home.mkdir(parents=True, exist_ok=True)
        config = codex_home / "config.toml"
        if not config.exists():
            config.write_text(
                'model = "gpt-5"\nmodel_provider = "fake"\n\n[model_providers.fake]\nname = "fake"\n'
                f'base_url = "{fake.url}/v1"\nenv_key = "FAKE_PROVIDER_KEY"\nwire_api = "responses"\n',
                encoding="utf-8",
            )
        env.update(CODEX_HOME=str(codex_home), FAKE_PROVIDER_KEY="sk-fake")
    else:
        settings = home / ".gemini" / "settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        current = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
        if "security" not in current:  # the API-key auth choice, merged into settings a test may have written
            current["security"] = {"auth": {"selectedType": "gemini-api-key"}}
            current.setdefault("privacy", {"usageStatisticsEnabled": False})
            settings.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
        env.update(
            GEMINI_API_KEY="fake",
            GOOGLE_GEMINI_BASE_URL=fake.url,
            GEMINI_CLI_TRUST_WORKSPACE="true",
            GEMINI_CLI_NO_RELAUNCH="true",
        )
    return env


def _agent_args(agent: Agent, prompt: str) -> list[str]:
    if agent == "claude":
        return ["-p", prompt, "--output-format", "json"]
    if agent == "codex":
        return ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", prompt]
    return ["-p", prompt, "--yolo", "--output-format", "json"]


def run_agent(
    agent: Agent,
    fake: FakeProvider,
    home: Path,
    cwd: Path,
    prompt: str = "run it",
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    command: Sequence[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one non-interactive session of ``agent`` (or ``command``, e.g. ``headroom wrap``) against ``fake``."""
    binary = agent_binary(agent)
    if binary is None and command is None:
        raise FileNotFoundError(f"{agent} is not installed: run `npm ci` (package.json devDependencies)")
    full_env = {**agent_env(agent, fake, home), **(env or {})}
    argv = [*(command if command is not None else [str(binary)]), *_agent_args(agent, prompt), *args]
    return subprocess.run(
        argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
