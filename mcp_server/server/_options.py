"""How one server process is configured: roots, `headroom_run`, limits, pricing, client name.

Flags win over the environment; everything is validated here, at start-up, so a
bad value stops the server with a message instead of failing a tool call later.

    HEADROOM_ROOTS       extra directories headroom_read/headroom_run may use (os.pathsep-separated)
    HEADROOM_ALLOW_RUN   1/true/yes/on enables headroom_run (default off)
    HEADROOM_CLIENT      client name recorded with stats events (default: the client's clientInfo.name)
    HEADROOM_CALL_TIMEOUT_S   the most seconds one tool call's work may take (default 600)
    HEADROOM_RUN_CONFINE 0 runs headroom_run commands without filesystem confinement (default 1, see _sandbox)
    HEADROOM_MODEL, HEADROOM_PRICE_PER_MTOK   what a saved token is worth (see _pricing)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mcp_server.server._pricing import Pricing

__all__ = ["DEFAULT_CALL_TIMEOUT_S", "DEFAULT_RUN_TIMEOUT_S", "MAX_RUN_TIMEOUT_S", "ServerOptions", "parse_flag"]

DEFAULT_RUN_TIMEOUT_S = 120.0
MAX_RUN_TIMEOUT_S = 600.0
# Compressing the largest input on a slow, loaded machine takes well under a minute; ten is for a stuck call.
DEFAULT_CALL_TIMEOUT_S = 600.0

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def parse_flag(name: str, raw: str | None) -> bool:
    """An on/off environment variable.

    Raises:
        ValueError: anything but 1/true/yes/on or 0/false/no/off (or empty).
    """
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a switch; use 1 or 0")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise ValueError(f"{name}={raw!r} must be a positive number of seconds")
    return value


def _resolve_root(raw: str, origin: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    real = Path(os.path.realpath(path))
    if not real.is_dir():
        raise ValueError(f"{origin} {raw!r} is not a directory")
    return real


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """One server's policy; `roots` are real (symlink-free) directories."""

    roots: tuple[Path, ...] = ()
    allow_run: bool = False
    cwd: Path = field(default_factory=lambda: Path(os.path.realpath(Path.cwd())))
    run_timeout_s: float = DEFAULT_RUN_TIMEOUT_S
    call_timeout_s: float = DEFAULT_CALL_TIMEOUT_S
    run_confine: bool = True
    client: str | None = None
    pricing: Pricing = field(default_factory=lambda: Pricing.from_env({}))

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        roots: Sequence[str] = (),
        allow_run: bool = False,
    ) -> ServerOptions:
        """Options from command-line values plus the environment (default: this process's).

        `roots` and `allow_run` come from `--root` / `--allow-run`; they add to
        `HEADROOM_ROOTS` / `HEADROOM_ALLOW_RUN`, never take away.

        Raises:
            ValueError: a root that is not a directory, or an unusable variable; the message names it.
        """
        env = os.environ if env is None else env
        resolved: list[Path] = [_resolve_root(r, "--root") for r in roots]
        for raw in (env.get("HEADROOM_ROOTS") or "").split(os.pathsep):
            if raw.strip():
                resolved.append(_resolve_root(raw.strip(), "HEADROOM_ROOTS entry"))
        client = (env.get("HEADROOM_CLIENT") or "").strip() or None
        return cls(
            roots=tuple(dict.fromkeys(resolved)),
            allow_run=allow_run or parse_flag("HEADROOM_ALLOW_RUN", env.get("HEADROOM_ALLOW_RUN")),
            call_timeout_s=_seconds(env, "HEADROOM_CALL_TIMEOUT_S", DEFAULT_CALL_TIMEOUT_S),
            run_confine=parse_flag("HEADROOM_RUN_CONFINE", env.get("HEADROOM_RUN_CONFINE") or "1"),
            client=client,
            pricing=Pricing.from_env(env),
        )
