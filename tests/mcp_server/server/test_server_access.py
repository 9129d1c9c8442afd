"""Another local user cannot drive the network transports: loopback is no boundary, the token is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from server_helpers import free_port, http_status, running_server

from ccr import AccessError, StoreError, access_token, token_path

pytestmark = pytest.mark.slow

# Run as `nobody` with the system interpreter (stdlib only): the test's own venv may not be readable by others.
_OTHER_USER_SCRIPT = r"""
import http.client, json, sys
port, token_file = int(sys.argv[1]), sys.argv[2]
out = {}
try:
    open(token_file).read()
    out["read_token"] = "read"
except OSError as exc:
    out["read_token"] = type(exc).__name__
def post(body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/mcp", body=json.dumps(body), headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers})
    response = conn.getresponse()
    return response.status, response.read().decode(errors="replace")
init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "intruder", "version": "0"}}}
run = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
       "params": {"name": "headroom_run", "arguments": {"command": "id"}}}
out["initialize"] = post(init, {})
out["run"] = post(run, {})
out["guessed"] = post(init, {"Authorization": "Bearer " + "0" * 43})
print(json.dumps(out))
"""


def _other_user_command() -> list[str]:
    python = shutil.which("python3", path="/usr/bin:/bin")
    setpriv = shutil.which("setpriv")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or setpriv is None or python is None:
        pytest.skip("needs root, setpriv and /usr/bin/python3 to act as a second user")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", python, "-c", _OTHER_USER_SCRIPT]


def test_a_second_user_on_this_machine_can_neither_read_the_token_nor_call_the_server(
    tmp_path: Path, headroom_home: Path
) -> None:
    command = _other_user_command()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HEADROOM_TOKEN"}
    with running_server("http", port, "--allow-run", "--root", str(tmp_path), env=env, log=tmp_path / "err.log"):
        token = token_path(headroom_home).read_text().strip()
        done = subprocess.run(
            [*command, str(port), str(token_path(headroom_home))], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        # The owner, with the token, is served.
        assert http_status(port, "/mcp", headers={"Authorization": f"Bearer {token}"}) != 401
    assert seen["read_token"] == "PermissionError"
    for attempt in ("initialize", "run", "guessed"):
        status, body = seen[attempt]
        assert status == 401, (attempt, body)
        assert "uid=" not in body


def test_the_token_is_made_once_owner_only_and_shared_by_every_process(headroom_home: Path) -> None:
    first = access_token(headroom_home)
    assert len(first) >= 43
    assert access_token(headroom_home) == first
    assert token_path(headroom_home).stat().st_mode & 0o777 == 0o600
    assert headroom_home.stat().st_mode & 0o777 == 0o700
    assert access_token(headroom_home, "a-token-given-by-hand-123") == "a-token-given-by-hand-123"
    with pytest.raises(AccessError, match="at least 16"):
        access_token(headroom_home, "short")


def test_a_token_file_others_may_read_is_refused_not_used(headroom_home: Path) -> None:
    access_token(headroom_home)
    token_path(headroom_home).chmod(0o644)
    with pytest.raises(AccessError, match="readable by others"):
        access_token(headroom_home)


def test_a_token_planted_as_a_symlink_is_refused(headroom_home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "planted"
    elsewhere.write_text("planted-token-planted-token\n")
    elsewhere.chmod(0o600)
    token_path(headroom_home).symlink_to(elsewhere)
    with pytest.raises(AccessError):
        access_token(headroom_home)


def test_a_store_directory_others_may_enter_is_tightened_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ccr import Settings, Store

    home = tmp_path / "loose"
    home.mkdir()
    home.chmod(0o777)
    with Store(Settings(home=home)):
        pass
    assert home.stat().st_mode & 0o777 == 0o700
    assert "tightened to 0700" in caplog.text


def test_a_loose_store_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to make a directory another user owns")
    from ccr import Settings, Store

    home = tmp_path / "theirs"
    home.mkdir()
    home.chmod(0o777)
    os.chown(home, 65534, 65534)
    with pytest.raises(StoreError, match="belongs to another user"):
        Store(Settings(home=home))
    assert home.stat().st_mode & 0o777 == 0o777
