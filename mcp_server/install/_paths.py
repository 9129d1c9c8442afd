"""Where each MCP client keeps its config, per operating system.

Everything is computed from a `HostEnv` value (platform plus the handful of
environment variables clients honour), never from ``sys.platform`` directly,
so every OS layout can be resolved and tested on any machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["PLATFORMS", "HostEnv", "Platform"]

Platform = Literal["linux", "darwin", "win32"]
PLATFORMS: tuple[Platform, ...] = ("linux", "darwin", "win32")


def _current_platform() -> Platform:
    if sys.platform.startswith("win"):
        return "win32"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def _dir(environ: Mapping[str, str], name: str) -> Path | None:
    # Relative values are ignored, as the XDG spec asks; clients do the same.
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_absolute() else None


@dataclass(frozen=True, slots=True)
class HostEnv:
    """The facts that decide where client configs live on one machine."""

    platform: Platform
    home: Path
    appdata: Path
    localappdata: Path
    xdg_config_home: Path | None = None
    claude_config_dir: Path | None = None
    codex_home: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, platform: str | None = None) -> HostEnv:
        """Read `environ` (default: the process environment) as `platform` would (default: this one).

        Raises:
            ValueError: `platform` is not one of linux, darwin, win32.
        """
        environ = os.environ if environ is None else environ
        plat = _current_platform() if platform is None else platform
        if plat not in PLATFORMS:
            raise ValueError(f"platform {plat!r} is not one of {', '.join(PLATFORMS)}")
        if plat == "win32":
            home = _dir(environ, "USERPROFILE") or _dir(environ, "HOME") or Path.home()
        else:
            home = _dir(environ, "HOME") or Path.home()
        return cls(
            platform=plat,
            home=home,
            appdata=_dir(environ, "APPDATA") or home / "AppData" / "Roaming",
            localappdata=_dir(environ, "LOCALAPPDATA") or home / "AppData" / "Local",
            xdg_config_home=_dir(environ, "XDG_CONFIG_HOME"),
            claude_config_dir=_dir(environ, "CLAUDE_CONFIG_DIR"),
            codex_home=_dir(environ, "CODEX_HOME"),
        )

    # --- per-platform base directories --------------------------------------

    @property
    def config_home(self) -> Path:
        """``$XDG_CONFIG_HOME`` or ``~/.config`` (Linux conventions; also where several tools live on macOS)."""
        return self.xdg_config_home or self.home / ".config"

    @property
    def code_user_dir(self) -> Path:
        """VS Code's user settings directory."""
        if self.platform == "darwin":
            return self.home / "Library" / "Application Support" / "Code" / "User"
        if self.platform == "win32":
            return self.appdata / "Code" / "User"
        return self.config_home / "Code" / "User"

    @property
    def claude_desktop_dir(self) -> Path:
        """Claude Desktop's config directory; on Windows the packaged (MSIX) one when it is installed."""
        if self.platform == "darwin":
            return self.home / "Library" / "Application Support" / "Claude"
        if self.platform == "win32":
            packages = self.localappdata / "Packages"
            try:
                packaged = sorted(p for p in packages.glob("Claude_*") if p.is_dir())
            except OSError:
                packaged = []
            if packaged:
                # MSIX apps see %APPDATA% redirected into their package; they never read the real one.
                return packaged[0] / "LocalCache" / "Roaming" / "Claude"
            return self.appdata / "Claude"
        return self.config_home / "Claude"

    @property
    def claude_code_dir(self) -> Path:
        """Where Claude Code keeps ``.claude.json``: ``$CLAUDE_CONFIG_DIR`` or the home directory."""
        return self.claude_config_dir or self.home

    @property
    def codex_dir(self) -> Path:
        return self.codex_home or self.home / ".codex"

    @property
    def zed_dir(self) -> Path:
        if self.platform == "win32":
            return self.appdata / "Zed"
        if self.platform == "darwin":
            return self.home / ".config" / "zed"
        return self.config_home / "zed"

    @property
    def goose_dir(self) -> Path:
        if self.platform == "win32":
            return self.appdata / "Block" / "goose" / "config"
        return self.config_home / "goose"

    @property
    def cline_extension_dir(self) -> Path:
        return self.code_user_dir / "globalStorage" / "saoudrizwan.claude-dev"

    @property
    def cline_cli_dir(self) -> Path:
        return self.home / ".cline"
