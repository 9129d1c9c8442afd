"""Settings read from the environment, once, into a frozen value.

Every variable is documented in the README's Configuration section; keep
the two in step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_NAMESPACE", "Settings", "check_namespace"]

_HOUR = 3600
# A namespace becomes part of a PostgreSQL role name (``headroom_ns_<namespace>``, at most 63 bytes).
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
DEFAULT_NAMESPACE = "default"


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
    # HEADROOM_STORE_URL: postgresql://... for a team's store, sqlite:PATH for another file; None: `db_path`.
    store_url: str | None = None
    # HEADROOM_NAMESPACE: the team or project whose originals a PostgreSQL store holds (enforced by the database).
    namespace: str = DEFAULT_NAMESPACE

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
        namespace = env.get("HEADROOM_NAMESPACE", "").strip() or DEFAULT_NAMESPACE
        try:
            check_namespace(namespace)
        except ValueError as exc:
            raise ValueError(f"HEADROOM_NAMESPACE: {exc}") from None
        return cls(
            home=Path(home).expanduser() if home else _default_home(),
            ttl_seconds=_number(env, "HEADROOM_TTL_HOURS", 7 * 24) * _HOUR,
            max_store_bytes=int(_number(env, "HEADROOM_MAX_STORE_MB", 2048) * 1024**2),
            max_input_bytes=int(_number(env, "HEADROOM_MAX_INPUT_MB", 64) * 1024**2),
            encoding=encoding,
            client=env.get("HEADROOM_CLIENT", "cli"),
            store_url=env.get("HEADROOM_STORE_URL", "").strip() or None,
            namespace=namespace,
        )


def check_namespace(namespace: str) -> str:
    """`namespace` when it can name a team's namespace.

    Raises:
        ValueError: it is not 1-40 lowercase letters, digits or underscores.
    """
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"namespace {namespace!r} must be 1-40 lowercase letters, digits or underscores, "
            "starting with a letter or digit"
        )
    return namespace
