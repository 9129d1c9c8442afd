"""One scripted stand-in for the model provider, shared by the hook, exec, proxy and session tests (README.md)."""

from ._agents import AGENTS, Agent, agent_binary, agent_env, agent_shell_tool, run_agent
from ._script import Answer, Api, Recorded, Reply, Step, ToolCall, Turn
from ._server import FakeProvider

__all__ = [
    "AGENTS",
    "Agent",
    "Answer",
    "Api",
    "FakeProvider",
    "Recorded",
    "Reply",
    "Step",
    "ToolCall",
    "Turn",
    "agent_binary",
    "agent_env",
    "agent_shell_tool",
    "run_agent",
]
