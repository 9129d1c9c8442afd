"""Where each client's config resolves on each OS, from a fake HOME / APPDATA / LOCALAPPDATA / XDG."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.install import CLIENTS, PLATFORMS, HostEnv, get_client

# Expected locations, written from each client's documentation (relative to the fake home, APPDATA and so on).
USER_PATHS: dict[str, dict[str, str]] = {
    "claude-desktop": {
        "linux": "HOME/.config/Claude/claude_desktop_config.json",
        "darwin": "HOME/Library/Application Support/Claude/claude_desktop_config.json",
        "win32": "APPDATA/Claude/claude_desktop_config.json",
    },
    "claude-code": {p: "HOME/.claude.json" for p in PLATFORMS},
    "cursor": {p: "HOME/.cursor/mcp.json" for p in PLATFORMS},
    "windsurf": {p: "HOME/.codeium/windsurf/mcp_config.json" for p in PLATFORMS},
    "vscode": {
        "linux": "HOME/.config/Code/User/mcp.json",
        "darwin": "HOME/Library/Application Support/Code/User/mcp.json",
        "win32": "APPDATA/Code/User/mcp.json",
    },
    "codex": {p: "HOME/.codex/config.toml" for p in PLATFORMS},
    "gemini": {p: "HOME/.gemini/settings.json" for p in PLATFORMS},
    "zed": {
        "linux": "HOME/.config/zed/settings.json",
        "darwin": "HOME/.config/zed/settings.json",
        "win32": "APPDATA/Zed/settings.json",
    },
    "cline": {
        "linux": "HOME/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        "darwin": "HOME/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/"
        "cline_mcp_settings.json",
        "win32": "APPDATA/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    },
    "continue": {p: "HOME/.continue/config.yaml" for p in PLATFORMS},
    "goose": {
        "linux": "HOME/.config/goose/config.yaml",
        "darwin": "HOME/.config/goose/config.yaml",
        "win32": "APPDATA/Block/goose/config/config.yaml",
    },
    "lmstudio": {p: "HOME/.lmstudio/mcp.json" for p in PLATFORMS},
    "qwen": {p: "HOME/.qwen/settings.json" for p in PLATFORMS},
    "opencode": {p: "HOME/.config/opencode/opencode.json" for p in PLATFORMS},
}

PROJECT_PATHS = {
    "claude-code": ".mcp.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".vscode/mcp.json",
    "codex": ".codex/config.toml",
    "gemini": ".gemini/settings.json",
    "zed": ".zed/settings.json",
    "continue": ".continue/mcpServers/headroom.yaml",
    "qwen": ".qwen/settings.json",
    "opencode": "opencode.json",
}


def _environ(tmp_path: Path, platform: str) -> tuple[dict[str, str], dict[str, Path]]:
    roots = {
        "HOME": tmp_path / "home",
        "APPDATA": tmp_path / "appdata-roaming",
        "LOCALAPPDATA": tmp_path / "appdata-local",
    }
    environ = {"HOME": str(roots["HOME"])}
    if platform == "win32":
        environ = {"USERPROFILE": str(roots["HOME"]), "APPDATA": str(roots["APPDATA"])}
        environ["LOCALAPPDATA"] = str(roots["LOCALAPPDATA"])
    return environ, roots


def _expand(template: str, roots: dict[str, Path]) -> Path:
    head, _, rest = template.partition("/")
    return roots[head] / rest


def test_the_table_covers_every_client() -> None:
    assert set(USER_PATHS) == set(CLIENTS)
    assert {name for name, c in CLIENTS.items() if c.project_path is not None} == set(PROJECT_PATHS)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", sorted(USER_PATHS))
def test_each_clients_user_config_resolves_per_platform(tmp_path: Path, platform: str, name: str) -> None:
    environ, roots = _environ(tmp_path, platform)
    host = HostEnv.from_environ(environ, platform=platform)
    assert get_client(name).config_path(host, "user", tmp_path) == _expand(USER_PATHS[name][platform], roots)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_project_scope_resolves_inside_the_project_or_is_absent(tmp_path: Path, platform: str, name: str) -> None:
    environ, _ = _environ(tmp_path, platform)
    host = HostEnv.from_environ(environ, platform=platform)
    project = tmp_path / "repo"
    expected = project / PROJECT_PATHS[name] if name in PROJECT_PATHS else None
    assert get_client(name).config_path(host, "project", project) == expected


def test_windows_packaged_claude_desktop_reads_its_msix_folder_when_installed(tmp_path: Path) -> None:
    environ, roots = _environ(tmp_path, "win32")
    packaged = roots["LOCALAPPDATA"] / "Packages" / "Claude_pzs8sxrjxfjjc"
    packaged.mkdir(parents=True)
    (roots["LOCALAPPDATA"] / "Packages" / "Microsoft.WindowsTerminal_8wekyb3d8bbwe").mkdir()
    host = HostEnv.from_environ(environ, platform="win32")
    expected = packaged / "LocalCache" / "Roaming" / "Claude" / "claude_desktop_config.json"
    assert get_client("claude-desktop").user_path(host) == expected


def test_windows_claude_desktop_uses_appdata_without_a_packaged_install(tmp_path: Path) -> None:
    environ, roots = _environ(tmp_path, "win32")
    (roots["LOCALAPPDATA"] / "Packages").mkdir(parents=True)
    host = HostEnv.from_environ(environ, platform="win32")
    assert get_client("claude-desktop").user_path(host) == roots["APPDATA"] / "Claude" / "claude_desktop_config.json"


def test_windows_without_appdata_variables_falls_back_to_the_profile_folders(tmp_path: Path) -> None:
    profile = tmp_path / "Users" / "ada"
    host = HostEnv.from_environ({"USERPROFILE": str(profile)}, platform="win32")
    assert get_client("zed").user_path(host) == profile / "AppData" / "Roaming" / "Zed" / "settings.json"
    assert get_client("cursor").user_path(host) == profile / ".cursor" / "mcp.json"


def test_xdg_config_home_moves_the_linux_locations(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    host = HostEnv.from_environ({"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(xdg)}, platform="linux")
    assert get_client("claude-desktop").user_path(host) == xdg / "Claude" / "claude_desktop_config.json"
    assert get_client("vscode").user_path(host) == xdg / "Code" / "User" / "mcp.json"
    assert get_client("zed").user_path(host) == xdg / "zed" / "settings.json"
    assert get_client("goose").user_path(host) == xdg / "goose" / "config.yaml"


def test_a_relative_xdg_config_home_is_ignored_as_the_spec_requires(tmp_path: Path) -> None:
    host = HostEnv.from_environ({"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/dir"}, platform="linux")
    assert get_client("zed").user_path(host) == tmp_path / ".config" / "zed" / "settings.json"


def test_claude_config_dir_relocates_claude_codes_file(tmp_path: Path) -> None:
    relocated = tmp_path / "claude-profile"
    host = HostEnv.from_environ({"HOME": str(tmp_path / "home"), "CLAUDE_CONFIG_DIR": str(relocated)}, "linux")
    assert get_client("claude-code").user_path(host) == relocated / ".claude.json"


def test_codex_home_relocates_codexs_config(tmp_path: Path) -> None:
    relocated = tmp_path / "codex-home"
    host = HostEnv.from_environ({"HOME": str(tmp_path / "home"), "CODEX_HOME": str(relocated)}, "darwin")
    assert get_client("codex").user_path(host) == relocated / "config.toml"


def test_cline_uses_the_cli_settings_when_only_the_cline_cli_is_installed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".cline").mkdir(parents=True)
    host = HostEnv.from_environ({"HOME": str(home)}, platform="linux")
    expected = home / ".cline" / "data" / "settings" / "cline_mcp_settings.json"
    assert get_client("cline").user_path(host) == expected
    assert get_client("cline").is_detected(host)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_client_is_detected_only_once_its_config_location_exists(tmp_path: Path, name: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    host = HostEnv.from_environ({"HOME": str(home)}, platform="linux")
    client = get_client(name)
    assert not client.is_detected(host)
    # Claude Code's file sits in the home directory itself, so its ~/.claude folder is what shows it is there.
    folder = home / ".claude" if name == "claude-code" else client.user_path(host).parent
    folder.mkdir(parents=True, exist_ok=True)
    assert client.is_detected(host)


def test_claude_code_is_detected_by_its_dot_claude_json_alone(tmp_path: Path) -> None:
    host = HostEnv.from_environ({"HOME": str(tmp_path)}, platform="darwin")
    assert not get_client("claude-code").is_detected(host)
    (tmp_path / ".claude.json").write_text("{}")
    assert get_client("claude-code").is_detected(host)


def test_only_the_three_platforms_are_accepted() -> None:
    with pytest.raises(ValueError, match="freebsd"):
        HostEnv.from_environ({"HOME": "/h"}, platform="freebsd")


def test_unknown_client_names_list_the_known_ones() -> None:
    with pytest.raises(KeyError, match="claude-desktop"):
        get_client("notepad")
