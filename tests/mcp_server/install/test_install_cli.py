"""`headroom mcp install|uninstall|status` end to end, in a subprocess with a temporary HOME."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mcp_server.install import CLIENTS

Run = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run(headroom_exe: list[str], subprocess_env: dict[str, str], home: Path) -> Run:
    def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*headroom_exe, "mcp", *args],
            capture_output=True,
            text=True,
            env=subprocess_env,
            cwd=cwd or home,
            timeout=120,
            check=False,
        )

    return _run


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.headroom-backup-*"))


def test_install_with_no_client_detected_names_the_clients_and_fails(run: Run) -> None:
    done = run("install")
    assert done.returncode == 1
    assert "no MCP clients detected" in done.stderr
    assert "claude-desktop" in done.stderr and "--client" in done.stderr


def test_install_targets_detected_clients_says_which_and_is_idempotent(
    run: Run, home: Path, subprocess_env: dict[str, str]
) -> None:
    (home / ".cursor").mkdir()
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text('# mine\nmodel = "o3"\n', encoding="utf-8")
    done = run("install")
    assert done.returncode == 0, done.stderr
    assert "detected: cursor, codex" in done.stdout
    cursor = _json(home / ".cursor" / "mcp.json")["mcpServers"]["headroom"]
    assert Path(cursor["command"]).is_absolute()
    assert cursor["env"] == {"HEADROOM_CLIENT": "cursor", "HEADROOM_HOME": subprocess_env["HEADROOM_HOME"]}
    codex_text = (home / ".codex" / "config.toml").read_text(encoding="utf-8")
    assert codex_text.startswith('# mine\nmodel = "o3"\n')
    assert tomllib.loads(codex_text)["mcp_servers"]["headroom"]["env"]["HEADROOM_CLIENT"] == "codex"
    assert not (home / ".config").exists()  # undetected clients are left alone

    again = run("install")
    assert again.returncode == 0
    assert "cursor: already installed" in again.stdout and "codex: already installed" in again.stdout
    assert len(_backups(home / ".codex")) == 1
    assert _backups(home / ".cursor") == []


def test_dry_run_prints_the_diff_and_writes_nothing(run: Run, home: Path) -> None:
    done = run("install", "--client", "zed", "--dry-run")
    assert done.returncode == 0, done.stderr
    settings = home / ".config" / "zed" / "settings.json"
    assert done.stdout.startswith(f"--- /dev/null\n+++ {settings}\n")
    assert '+  "context_servers": {' in done.stdout
    assert not settings.exists()
    assert not (home / ".config").exists()


def test_a_named_client_without_project_scope_is_an_error(run: Run, home: Path) -> None:
    done = run("install", "--client", "windsurf", "--scope", "project")
    assert done.returncode == 1
    assert "Windsurf has no project scope" in done.stderr


def test_project_scope_writes_into_the_project(run: Run, home: Path, project: Path) -> None:
    done = run("install", "--client", "cursor", "--client", "vscode", "--scope", "project", cwd=project)
    assert done.returncode == 0, done.stderr
    assert _json(project / ".cursor" / "mcp.json")["mcpServers"]["headroom"]["env"]["HEADROOM_CLIENT"] == "cursor"
    assert _json(project / ".vscode" / "mcp.json")["servers"]["headroom"]["type"] == "stdio"
    assert not (home / ".cursor").exists()


def test_http_transport_writes_the_url_and_skips_clients_that_cannot_use_it(run: Run, home: Path) -> None:
    (home / ".gemini").mkdir()
    (home / ".config" / "Claude").mkdir(parents=True)
    done = run("install", "--transport", "http", "--url", "http://127.0.0.1:9000/mcp")
    assert done.returncode == 0, done.stderr
    assert "claude-desktop: skipped" in done.stdout
    token = (Path(os.environ["HEADROOM_HOME"]) / "http-token").read_text().strip()
    # As `gemini mcp add -t http` writes it (Gemini CLI 0.61), with the token's header.
    assert _json(home / ".gemini" / "settings.json")["mcpServers"]["headroom"] == {
        "url": "http://127.0.0.1:9000/mcp",
        "type": "http",
        "headers": {"Authorization": f"Bearer {token}"},
    }
    assert not (home / ".config" / "Claude" / "claude_desktop_config.json").exists()


def test_a_bad_url_is_refused_by_the_parser(run: Run) -> None:
    done = run("install", "--client", "cursor", "--transport", "http", "--url", "ftp://x")
    assert done.returncode == 2
    assert "not an http(s) URL" in done.stderr


def test_a_broken_config_fails_that_client_only_and_stays_untouched(run: Run, home: Path) -> None:
    (home / ".cursor").mkdir()
    broken = '{\n  "mcpServers": {\n    "a": 1,,\n  }\n}\n'
    (home / ".cursor" / "mcp.json").write_text(broken, encoding="utf-8")
    (home / ".lmstudio").mkdir()
    done = run("install")
    assert done.returncode == 1
    assert f"{home / '.cursor' / 'mcp.json'}: not valid JSON" in done.stderr
    assert "line 3, column 12" in done.stderr
    assert (home / ".cursor" / "mcp.json").read_text(encoding="utf-8") == broken
    assert "headroom" in _json(home / ".lmstudio" / "mcp.json")["mcpServers"]


def test_a_read_only_config_gives_a_clear_error(run: Run, home: Path) -> None:
    (home / ".cursor").mkdir()
    path = home / ".cursor" / "mcp.json"
    path.write_text("{}\n", encoding="utf-8")
    path.chmod(0o444)
    done = run("install", "--client", "cursor")
    assert done.returncode == 1
    assert "is read-only" in done.stderr
    assert path.read_text(encoding="utf-8") == "{}\n"


def test_uninstall_without_a_client_removes_our_entry_wherever_it_is(run: Run, home: Path) -> None:
    (home / ".gemini").mkdir()
    original = '{\n  "theme": "Default",\n  "mcpServers": {\n    "other": {"command": "x"}\n  }\n}\n'
    (home / ".gemini" / "settings.json").write_text(original, encoding="utf-8")
    assert run("install", "--client", "gemini", "--client", "goose").returncode == 0
    done = run("uninstall")
    assert done.returncode == 0, done.stderr
    assert "gemini: removed from" in done.stdout and "goose: removed from" in done.stdout
    assert "cursor" not in done.stdout
    assert (home / ".gemini" / "settings.json").read_text(encoding="utf-8") == original
    assert run("uninstall").stdout == ""


def test_status_json_lists_every_client_and_where_we_are_installed(run: Run, home: Path) -> None:
    assert run("install", "--client", "windsurf").returncode == 0
    done = run("status", "--json", "--no-probe")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == len(CLIENTS)
    windsurf = next(r for r in rows if r["client"] == "windsurf")
    assert windsurf["state"] == "matches"
    assert windsurf["path"] == str(home / ".codeium" / "windsurf" / "mcp_config.json")
    assert windsurf["runs"] is None


def test_status_text_marks_detected_clients(run: Run, home: Path) -> None:
    (home / ".lmstudio").mkdir()
    done = run("status", "--no-probe")
    assert done.returncode == 0
    line = next(ln for ln in done.stdout.splitlines() if " lmstudio " in ln)
    assert line.startswith("*") and line.endswith("no config file")


def test_an_http_entry_reaches_the_running_server_with_its_token_and_status_shows_the_token(
    run: Run, home: Path, subprocess_env: dict[str, str], headroom_exe: list[str], tmp_path: Path
) -> None:
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mcp"
    assert run("install", "--client", "cursor", "--transport", "http", "--url", url).returncode == 0
    token = (Path(os.environ["HEADROOM_HOME"]) / "http-token").read_text().strip()
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [*headroom_exe, "mcp", "serve", "--transport", "http", "--port", str(port)],
            env=subprocess_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.05)
        done = run("status", "--timeout", "60")
    finally:
        server.terminate()
        server.wait(timeout=30)
    line = next(ln for ln in done.stdout.splitlines() if ln.lstrip("* ").startswith("cursor"))
    assert "installed;" in line and "runs (" in line, done.stdout
    assert f": {token}" in done.stdout


def test_backups_of_project_files_are_kept_out_of_the_project(
    run: Run, project: Path, subprocess_env: dict[str, str]
) -> None:
    (project / ".mcp.json").write_text('{"mcpServers": {}}\n', encoding="utf-8")
    done = run("install", "--client", "claude-code", "--scope", "project", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not [p for p in project.rglob("*") if "headroom-backup" in p.name]
    (backup,) = (Path(subprocess_env["HEADROOM_HOME"]) / "backups").glob("*.headroom-backup-*")
    assert backup.read_text(encoding="utf-8") == '{"mcpServers": {}}\n'
    assert str(project.absolute()).strip("/").replace("/", "%") in backup.name


def test_the_client_names_the_command_line_offers_are_the_installers_clients_in_order() -> None:
    # The command line keeps its own copies so `headroom --help` does not import the installer.
    from mcp_server.hooks import cli as hooks_cli
    from mcp_server.install import CLIENTS
    from mcp_server.install import cli as install_cli
    from mcp_server.install._hooks import HOOK_CLIENTS

    assert sorted(install_cli._CLIENT_NAMES) == sorted(CLIENTS)
    assert list(hooks_cli._HOOK_CLIENTS) == list(HOOK_CLIENTS)
