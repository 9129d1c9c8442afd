"""Where `headroom wrap AGENT --proxy` finds the base URL an agent would have used (`mcp_server.proxy._agents`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mcp_server.proxy._agents import ProxyRefused, claude_upstream, codex_route


def codex_home(tmp_path: Path, config: str = "", auth: dict[str, object] | None = None) -> dict[str, str]:
    home = tmp_path / ".codex"
    home.mkdir()
    (home / "config.toml").write_text(config, encoding="utf-8")
    if auth is not None:
        (home / "auth.json").write_text(json.dumps(auth), encoding="utf-8")
    return {"CODEX_HOME": str(home), "HOME": str(tmp_path)}


PROVIDERS = """
model_provider = "corp"
profile = "work"

[model_providers.corp]
name = "corp"
base_url = "https://llm.example.com/api/v1"
wire_api = "responses"

[model_providers.azure]
base_url = "https://team.openai.azure.com/openai"

[model_providers.nourl]
name = "nourl"

[profiles.work]
model_provider = "azure"
"""


def test_a_config_provider_is_pointed_at_the_proxy_by_a_config_override_and_forwarded_to_its_own_base_url(
    tmp_path: Path,
) -> None:
    env = codex_home(tmp_path, PROVIDERS)
    where = codex_route(["exec", "-p", "none", "hi"], env)  # an unknown profile names no provider
    assert (where.upstream, where.provider) == ("https://llm.example.com/api/v1", "corp")
    assert where.agent_args("http://127.0.0.1:5") == ["-c", 'model_providers.corp.base_url="http://127.0.0.1:5"']
    assert where.env("http://127.0.0.1:5") == {}


def test_the_profile_then_the_agents_own_overrides_choose_the_provider(tmp_path: Path) -> None:
    env = codex_home(tmp_path, PROVIDERS)
    assert codex_route(["exec", "hi"], env).provider == "azure"  # the config's profile
    assert codex_route(["--profile=none", "exec", "hi"], env).provider == "corp"
    chosen = codex_route(["-c", "model_provider=corp", "-c", 'model_providers.corp.base_url="http://x/v1"'], env)
    assert (chosen.provider, chosen.upstream) == ("corp", "http://x/v1")


def test_the_builtin_openai_provider_goes_by_openai_base_url_when_codex_sends_an_api_key(tmp_path: Path) -> None:
    env = codex_home(tmp_path, "", auth={"OPENAI_API_KEY": "sk-test", "tokens": None})
    where = codex_route(["exec", "hi"], env)
    assert (where.upstream, where.provider) == ("https://api.openai.com/v1", None)
    assert where.env("http://127.0.0.1:5") == {"OPENAI_BASE_URL": "http://127.0.0.1:5"} and where.agent_args("u") == []
    assert codex_route([], {**env, "OPENAI_BASE_URL": "https://gw.example.com/v1"}).upstream == (
        "https://gw.example.com/v1"
    )


@pytest.mark.parametrize(
    ("config", "auth", "args", "says"),
    [
        ("", {"OPENAI_API_KEY": None, "tokens": {"id_token": "x"}}, [], "signed in with ChatGPT"),
        ('model_provider = "ollama"\n', None, [], "local provider"),
        ("", None, ["-c", "model_provider=oss"], "local provider"),
        (PROVIDERS, None, ["exec", "--oss", "hi"], "local provider"),
        (PROVIDERS, None, ["-c", "model_provider=nourl"], "has no base_url"),
        (PROVIDERS, None, ["-c", "model_provider=elsewhere"], "no [model_providers.elsewhere]"),
        ("model_provider = [", None, [], "cannot read"),
    ],
)
def test_a_provider_the_proxy_cannot_front_is_refused_with_the_reason(
    tmp_path: Path, config: str, auth: dict[str, object] | None, args: list[str], says: str
) -> None:
    with pytest.raises(ProxyRefused, match=says.replace("[", r"\[")):
        codex_route(args, codex_home(tmp_path, config, auth))


def test_claude_code_keeps_the_base_url_it_had() -> None:
    assert claude_upstream({"ANTHROPIC_BASE_URL": " https://gw.example.com "}) == "https://gw.example.com"
    assert claude_upstream({}) is None


def _wrap_codex(
    tmp_path: Path, config: str, *flags: str, agent_args: tuple[str, ...] = ("exec", "hi")
) -> tuple[list[str], str]:
    """`headroom wrap codex` with ``flags``, the agent a script that writes down the arguments it was started with."""
    import os
    import sys

    tmp_path.mkdir()
    env = codex_home(tmp_path, config)
    seen = tmp_path / "argv.json"
    agent = tmp_path / "codex"
    agent.write_text(
        f"#!{sys.executable}\nimport json, sys\nopen({str(seen)!r}, 'w').write(json.dumps(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    agent.chmod(0o755)
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server.cli", "wrap", "codex", *flags, "--", *agent_args],
        env={
            **os.environ,
            **env,
            "PYTHONPATH": str(root),
            "HEADROOM_WRAP_CODEX": str(agent),
            "HEADROOM_HOME": str(tmp_path / ".hr"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(seen.read_text(encoding="utf-8")), done.stderr


def test_wrap_codex_puts_the_proxy_in_front_of_its_provider_by_default_and_not_with_no_proxy(tmp_path: Path) -> None:
    """Codex runs no hook it was not told to trust, so a wrapped run saves tokens through the proxy."""
    argv, _ = _wrap_codex(tmp_path / "a", PROVIDERS.replace('profile = "work"', ""))
    overrides = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-c"]
    assert any(o.startswith('model_providers.corp.base_url="http://127.0.0.1:') for o in overrides), argv
    assert argv[-2:] == ["exec", "hi"]
    argv, _ = _wrap_codex(tmp_path / "b", PROVIDERS.replace('profile = "work"', ""), "--no-proxy")
    assert not any(a.startswith("model_providers.") for a in argv), argv


def test_wrap_codex_runs_without_the_proxy_where_its_provider_cannot_be_fronted_unless_proxy_was_asked_for(
    tmp_path: Path,
) -> None:
    argv, stderr = _wrap_codex(tmp_path / "a", 'model_provider = "ollama"\n')
    assert argv[-2:] == ["exec", "hi"] and not any(a.startswith("model_providers.") for a in argv)
    assert "running codex without the proxy" in stderr
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _wrap_codex(tmp_path / "b", 'model_provider = "ollama"\n', "--proxy")
    assert refused.value.returncode == 2 and "--proxy:" in refused.value.stderr


def test_wrap_codex_passes_headroom_s_output_limit_unless_the_user_set_one(tmp_path: Path) -> None:
    """Codex then cuts a tool output at 40,000 bytes on every model (mcp_server.install._codex)."""
    ours = "tool_output_token_limit=10000"
    argv, _ = _wrap_codex(tmp_path / "a", "", "--no-proxy")
    assert argv[argv.index(ours) - 1] == "-c"
    argv, _ = _wrap_codex(tmp_path / "b", "tool_output_token_limit = 2500\n", "--no-proxy")
    assert not any(a.startswith("tool_output_token_limit") for a in argv), argv
    mine = ("-c", "tool_output_token_limit=500", "exec", "hi")
    argv, _ = _wrap_codex(tmp_path / "c", "", "--no-proxy", agent_args=mine)
    assert [a for a in argv if a.startswith("tool_output_token_limit")] == ["tool_output_token_limit=500"], argv
