"""Settings read from the environment, once, into a frozen value.

Every variable is documented in the README's Configuration section; keep
the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]

_HOUR = 3600


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive")
    return value


def _default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("headroom-mcp", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    ttl_seconds: float = 7 * 24 * _HOUR
    max_store_bytes: int = 2 * 1024**3
    max_input_bytes: int = 64 * 1024**2
    encoding: str = "o200k_base"
    client: str = "cli"

    @property
    def db_path(self) -> Path:
        return self.home / "ccr.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from `env` (default: the process environment).

        Raises:
            ValueError: a variable is set to something unusable; the message names it.
        """
        import rustcore

        env = os.environ if env is None else env
        home = env.get("HEADROOM_HOME")
        encoding = env.get("HEADROOM_ENCODING", rustcore.DEFAULT_ENCODING)
        if encoding not in rustcore.ENCODINGS:
            raise ValueError(f"HEADROOM_ENCODING={encoding!r} is not one of {', '.join(rustcore.ENCODINGS)}")
        return cls(
            home=Path(home).expanduser() if home else _default_home(),
            ttl_seconds=_number(env, "HEADROOM_TTL_HOURS", 7 * 24) * _HOUR,
            max_store_bytes=int(_number(env, "HEADROOM_MAX_STORE_MB", 2048) * 1024**2),
            max_input_bytes=int(_number(env, "HEADROOM_MAX_INPUT_MB", 64) * 1024**2),
            encoding=encoding,
            client=env.get("HEADROOM_CLIENT", "cli"),
        )
