"""The bundle's launcher: environment clean-up and finding an installed headroom-mcp."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.install._launcher import clean_env, find_server

LAUNCHER = Path(__file__).resolve().parents[3] / "mcp_server" / "install" / "_launcher.py"


def _script(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "headroom"
    path.write_text(body, encoding="utf-8")
    path.chmod(0o755)
    return path


OURS = (
    "#!/bin/sh\n# from mcp_server.cli import main\n"
    'echo "ours $* client=$HEADROOM_CLIENT ttl=${HEADROOM_TTL_HOURS-unset}"\n'
)
PEERS = "#!/bin/sh\n# from headroom.cli import main\necho peer\n"


def test_empty_and_unexpanded_settings_are_dropped_and_the_client_is_named() -> None:
    env = {"HEADROOM_HOME": "", "HEADROOM_TTL_HOURS": "${user_config.ttl_hours}", "HEADROOM_MAX_STORE_MB": "512"}
    clean_env(env)
    assert env == {"HEADROOM_MAX_STORE_MB": "512", "HEADROOM_CLIENT": "claude-desktop"}


def test_the_package_in_this_interpreter_is_used_first(tmp_path: Path) -> None:
    assert find_server({"PATH": ""}, "/py/bin/python3", have_package=True) == [
        "/py/bin/python3",
        "-P",
        "-m",
        "mcp_server.cli",
        "mcp",
        "serve",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts")
def test_a_headroom_script_from_another_project_is_not_mistaken_for_ours(tmp_path: Path) -> None:
    peer = _script(tmp_path / "peer-bin", PEERS)
    ours = _script(tmp_path / "home" / ".local" / "bin", OURS)
    env = {"PATH": str(peer.parent), "HOME": str(tmp_path / "home")}
    assert find_server(env, sys.executable, have_package=False) == [str(ours), "mcp", "serve"]


def test_uvx_is_the_fallback_when_no_script_is_installed(tmp_path: Path) -> None:
    uvx = tmp_path / "bin" / "uvx"
    uvx.parent.mkdir()
    uvx.write_text("")
    uvx.chmod(0o755)
    env = {"PATH": str(uvx.parent), "HOME": str(tmp_path / "home")}
    assert find_server(env, sys.executable, have_package=False) == [
        str(uvx),
        "--from",
        "headroom-mcp",
        "headroom",
        "mcp",
        "serve",
    ]


def _run_isolated(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # -I -S: the launcher's interpreter does not see this virtualenv, like a stock python3 on the user's machine.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(LAUNCHER)], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_with_nothing_installed_the_launcher_says_how_to_install_and_fails(tmp_path: Path) -> None:
    done = _run_isolated({"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)}, tmp_path)
    assert done.returncode == 1
    assert "uv tool install headroom-mcp" in done.stderr
    assert done.stdout == ""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts")
def test_the_launcher_hands_over_to_an_installed_script_with_a_cleaned_environment(tmp_path: Path) -> None:
    ours = _script(tmp_path / "bin", OURS)
    env = {"PATH": f"{ours.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "HEADROOM_TTL_HOURS": "${user_config.x}"}
    done = _run_isolated(env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ours mcp serve client=claude-desktop ttl=unset"
