"""Where a wrapped agent's model requests go, so `headroom wrap AGENT --proxy` can put the proxy in front of them.

- Claude Code: ``ANTHROPIC_BASE_URL`` (else Anthropic's API); the agent gets the proxy's URL in that variable.
- Codex: the model provider the run will use: the last ``-c model_provider=ID`` among the agent's arguments, else
  that of the profile (``--profile P`` / ``-p P``, else the config's ``profile``), else the config's
  ``model_provider``, else ``openai``. A provider of the config (``[model_providers.ID]``, Codex's own file at
  ``$CODEX_HOME/config.toml``, else ``~/.codex/config.toml``) gets the proxy as its ``base_url`` by one more
  ``-c model_providers.ID.base_url=…`` and the proxy forwards to the ``base_url`` it had (a ``-c`` among the
  agent's arguments counts). The built-in ``openai`` provider reads ``OPENAI_BASE_URL`` (else the public API), and
  only when Codex signs in with an API key: signed in with ChatGPT it talks to ChatGPT's own backend, which the
  proxy does not stand in front of, and the run is refused rather than sent elsewhere. Codex's local providers
  (``--oss``, ``oss``, ``ollama``, ``lmstudio``) are refused too.

The proxy keeps the path the agent sends after its base URL, so the upstream is the base URL itself, path and all.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CodexRoute", "ProxyRefused", "claude_upstream", "codex_route"]

_OPENAI_API = "https://api.openai.com/v1"
_LOCAL_PROVIDERS = frozenset({"oss", "ollama", "lmstudio"})


class ProxyRefused(ValueError):
    """The agent's model requests cannot go through the proxy as it is configured (the message says why)."""


@dataclass(frozen=True, slots=True)
class CodexRoute:
    """``upstream``: the base URL Codex would have used; ``provider``: the config's provider to point at the proxy
    with a ``-c`` override, or None for the built-in ``openai`` (pointed by ``OPENAI_BASE_URL``)."""

    upstream: str
    provider: str | None

    def agent_args(self, proxy_url: str) -> list[str]:
        if self.provider is None:
            return []
        return ["-c", f"model_providers.{self.provider}.base_url={json.dumps(proxy_url)}"]

    def env(self, proxy_url: str) -> dict[str, str]:
        return {"OPENAI_BASE_URL": proxy_url} if self.provider is None else {}


def codex_route(agent_args: Sequence[str], env: Mapping[str, str]) -> CodexRoute:
    """Where a Codex run with these arguments and environment sends its model requests.

    Raises:
        ProxyRefused: a provider the proxy cannot stand in front of, or one without a base URL.
    """
    home = Path(env.get("CODEX_HOME") or Path(env.get("HOME") or Path.home()) / ".codex")
    config = _toml(home / "config.toml")
    overrides = _overrides(agent_args)
    profile = _profile(agent_args) or overrides.get("profile") or config.get("profile")
    profiles = config.get("profiles")
    chosen = profiles.get(profile) if isinstance(profile, str) and isinstance(profiles, dict) else None
    provider = (
        overrides.get("model_provider")
        or (chosen.get("model_provider") if isinstance(chosen, dict) else None)
        or config.get("model_provider")
        or "openai"
    )
    if "--oss" in agent_args:
        provider = "oss"
    if not isinstance(provider, str):
        raise ProxyRefused(f"codex: model_provider is not a name: {provider!r}")
    if provider in _LOCAL_PROVIDERS:
        raise ProxyRefused(f"codex: the local provider {provider!r} is not an API the proxy fronts")
    providers = config.get("model_providers")
    entry = providers.get(provider) if isinstance(providers, dict) else None
    if provider == "openai" or not isinstance(entry, dict):
        if provider != "openai":
            raise ProxyRefused(f"codex: no [model_providers.{provider}] in {home / 'config.toml'}")
        if not _signs_in_with_api_key(home, env):
            raise ProxyRefused(
                "codex is signed in with ChatGPT, whose backend the proxy does not front; sign in with an API key "
                "(`codex login --with-api-key`) or use a model provider with a base_url"
            )
        return CodexRoute((env.get("OPENAI_BASE_URL") or "").strip() or _OPENAI_API, None)
    base = overrides.get(f"model_providers.{provider}.base_url") or entry.get("base_url")
    if not isinstance(base, str) or not base.strip():
        raise ProxyRefused(f"codex: the model provider {provider!r} has no base_url")
    return CodexRoute(base.strip(), provider)


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProxyRefused(f"codex: cannot read {path}: {exc}") from exc


def _overrides(agent_args: Sequence[str]) -> dict[str, Any]:
    """The agent's ``-c key=value`` / ``--config key=value`` overrides, values read as TOML the way Codex reads them
    (a value that is not TOML is a string)."""
    found: dict[str, Any] = {}
    args = list(agent_args)
    for n, arg in enumerate(args):
        if arg in ("-c", "--config") and n + 1 < len(args):
            raw = args[n + 1]
        elif arg.startswith("--config="):
            raw = arg.removeprefix("--config=")
        else:
            continue
        key, sep, value = raw.partition("=")
        if not sep:
            continue
        try:
            found[key.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            found[key.strip()] = value.strip()
    return found


def _profile(agent_args: Sequence[str]) -> str | None:
    args = list(agent_args)
    for n, arg in enumerate(args):
        if arg in ("-p", "--profile") and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith("--profile="):
            return arg.removeprefix("--profile=")
    return None


def _signs_in_with_api_key(home: Path, env: Mapping[str, str]) -> bool:
    """Whether Codex will send an API key (not a ChatGPT sign-in): a key in its environment, or one in its
    ``auth.json`` (only whether a key is there is read; nothing is kept)."""
    if (env.get("OPENAI_API_KEY") or env.get("CODEX_API_KEY") or "").strip():
        return True
    try:
        auth = json.loads((home / "auth.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True  # not signed in at all: Codex asks for a key, and that goes to the API
    except (OSError, ValueError):
        return False
    if not isinstance(auth, dict):
        return False
    key = auth.get("OPENAI_API_KEY")
    return (isinstance(key, str) and bool(key.strip())) or not auth.get("tokens")


def claude_upstream(env: Mapping[str, str]) -> str | None:
    """The base URL Claude Code would have used (None: the proxy's default)."""
    return (env.get("ANTHROPIC_BASE_URL") or "").strip() or None
