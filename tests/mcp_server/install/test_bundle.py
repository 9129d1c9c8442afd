"""manifests/: the MCPB manifest (checked with the official mcpb CLI), the registry server.json, and `pack`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from mcp_server.install import (
    REGISTRY_SCHEMA,
    BundleError,
    build_manifest,
    build_server_json,
    find_mcpb,
    pack_bundle,
    package_version,
)

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / "manifests"
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TOOL_NAMES = {
    "headroom_compress",
    "headroom_retrieve",
    "headroom_stats",
    "headroom_read",
    "headroom_run",
    "headroom_search",
}

# The parts of the registry's published server.json schema (2025-12-11) that a pypi stdio package touches,
# transcribed from https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json.
_INPUT = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "isRequired": {"type": "boolean"},
        "isSecret": {"type": "boolean"},
        "format": {"enum": ["string", "number", "boolean", "filepath"]},
        "value": {"type": "string"},
        "default": {"type": "string"},
        "placeholder": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "string"}},
    },
}
REGISTRY_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "version"],
    "properties": {
        "$schema": {"const": REGISTRY_SCHEMA},
        "name": {"type": "string", "pattern": r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", "minLength": 3, "maxLength": 200},
        "description": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {"type": "string", "maxLength": 255, "not": {"pattern": r"^[\^~>=<]|[x*]$|latest"}},
        "repository": {
            "type": "object",
            "required": ["url", "source"],
            "properties": {"url": {"type": "string", "format": "uri"}, "source": {"type": "string"}},
        },
        "packages": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["registryType", "identifier", "version", "transport"],
                "properties": {
                    "registryType": {"type": "string"},
                    "registryBaseUrl": {"type": "string"},
                    "identifier": {"type": "string"},
                    "version": {"type": "string", "minLength": 1, "not": {"const": "latest"}},
                    "fileSha256": {"type": "string", "pattern": "^[a-f0-9]{64}$"},
                    "runtimeHint": {"type": "string"},
                    "transport": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["stdio"]}},
                    },
                    "runtimeArguments": {"type": "array"},
                    "packageArguments": {
                        "type": "array",
                        "items": {
                            "allOf": [
                                _INPUT,
                                {
                                    "required": ["type"],
                                    "properties": {"type": {"enum": ["positional", "named"]}},
                                },
                            ]
                        },
                    },
                    "environmentVariables": {
                        "type": "array",
                        "items": {
                            "allOf": [_INPUT, {"required": ["name"], "properties": {"name": {"type": "string"}}}]
                        },
                    },
                },
            },
        },
    },
}


def _node_or_skip() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed; the official mcpb CLI needs them")


def _mcpb() -> str:
    _node_or_skip()
    found = find_mcpb()
    assert found is not None, "node_modules/.bin/mcpb is missing: run `make dev` (npm ci) in the checkout"
    return found


def _validate_with_mcpb(path: Path) -> None:
    done = subprocess.run([_mcpb(), "validate", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Manifest schema validation passes" in done.stdout


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_the_checked_in_manifests_are_what_the_code_builds_for_the_pyproject_version() -> None:
    manifest = json.loads((MANIFESTS / "manifest.json").read_text(encoding="utf-8"))
    server = json.loads((MANIFESTS / "server.json").read_text(encoding="utf-8"))
    assert manifest == build_manifest(PYPROJECT_VERSION), "refresh with: headroom mcp pack --manifests manifests"
    assert server == build_server_json(PYPROJECT_VERSION), "refresh with: headroom mcp pack --manifests manifests"


def test_the_installed_package_version_is_the_pyproject_version() -> None:
    assert package_version() == PYPROJECT_VERSION


def test_the_mcpb_manifest_passes_the_official_validator() -> None:
    _validate_with_mcpb(MANIFESTS / "manifest.json")


def test_the_mcpb_validator_rejects_a_broken_manifest(tmp_path: Path) -> None:
    broken = build_manifest(PYPROJECT_VERSION)
    del broken["author"]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    done = subprocess.run([_mcpb(), "validate", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "author" in done.stdout + done.stderr


def test_the_mcpb_manifest_lists_the_tools_and_launches_the_bundled_launcher() -> None:
    manifest = json.loads((MANIFESTS / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == "0.3"
    assert {t["name"] for t in manifest["tools"]} == TOOL_NAMES
    assert all(t["description"] for t in manifest["tools"])
    server = manifest["server"]
    assert server["type"] == "python"
    assert server["mcp_config"]["args"] == ["${__dirname}/" + server["entry_point"]]
    env = server["mcp_config"]["env"]
    assert env["HEADROOM_CLIENT"] == "claude-desktop"
    for value in env.values():
        for key in re.findall(r"\$\{user_config\.(\w+)\}", value):
            assert key in manifest["user_config"]


def test_server_json_fits_the_registry_schema_and_names_our_pypi_package() -> None:
    server = json.loads((MANIFESTS / "server.json").read_text(encoding="utf-8"))
    jsonschema.validate(server, REGISTRY_SHAPE)
    assert server["name"] == "io.github.headroom-mcp/headroom-mcp"
    assert server["version"] == PYPROJECT_VERSION
    [package] = server["packages"]
    assert (package["registryType"], package["identifier"], package["version"]) == (
        "pypi",
        "headroom-mcp",
        PYPROJECT_VERSION,
    )
    assert package["transport"] == {"type": "stdio"}
    assert [a["value"] for a in package["packageArguments"]] == ["mcp", "serve"]
    names = {v["name"] for v in package["environmentVariables"]}
    assert {"HEADROOM_HOME", "HEADROOM_TTL_HOURS"} <= names


def test_the_registry_command_exists_as_a_console_script() -> None:
    # Registry clients run `uvx <identifier> <packageArguments>`, which needs a script named like the package.
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    [package] = build_server_json(PYPROJECT_VERSION)["packages"]
    assert scripts[package["identifier"]] == "mcp_server.cli:main"


def test_server_json_uses_camel_case_names_only() -> None:
    server = json.loads((MANIFESTS / "server.json").read_text(encoding="utf-8"))
    for key in _keys(server):
        assert key == "$schema" or re.fullmatch(r"[a-z][a-zA-Z0-9]*", key), key


def test_the_registry_shape_check_can_fail() -> None:
    server = build_server_json(PYPROJECT_VERSION)
    server["description"] = "x" * 101
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(server, REGISTRY_SHAPE)
    server = build_server_json(PYPROJECT_VERSION)
    server["packages"][0]["environment_variables"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(server, REGISTRY_SHAPE)


def _bundle_manifest(bundle: Path, tmp_path: Path) -> Path:
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "server/launcher.py"} <= names
        out = tmp_path / "unpacked"
        archive.extractall(out)
    return out / "manifest.json"


def test_pack_with_zipfile_builds_a_bundle_with_a_valid_manifest_and_the_launcher(tmp_path: Path) -> None:
    result = pack_bundle(tmp_path / "out" / "headroom.mcpb", builder="zip", version=PYPROJECT_VERSION)
    assert result.builder == "zip"
    manifest = _bundle_manifest(result.path, tmp_path)
    assert json.loads(manifest.read_text(encoding="utf-8")) == build_manifest(PYPROJECT_VERSION)
    _validate_with_mcpb(manifest)
    launcher = manifest.parent / "server" / "launcher.py"
    assert launcher.read_text(encoding="utf-8") == (ROOT / "mcp_server" / "install" / "_launcher.py").read_text()


def test_pack_with_the_mcpb_cli_builds_a_bundle_it_can_read_back(tmp_path: Path) -> None:
    mcpb = _mcpb()
    result = pack_bundle(tmp_path / "headroom.mcpb", builder="mcpb", version=PYPROJECT_VERSION)
    assert result.builder == "mcpb"
    _validate_with_mcpb(_bundle_manifest(result.path, tmp_path))
    info = subprocess.run([mcpb, "info", str(result.path)], capture_output=True, text=True, check=False)
    assert info.returncode == 0, info.stdout + info.stderr


def test_pack_refuses_an_unwritable_destination(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BundleError, match="cannot write"):
        pack_bundle(blocker / "sub" / "headroom.mcpb", builder="zip", version=PYPROJECT_VERSION)


def test_the_cli_says_clearly_when_the_mcpb_cli_is_asked_for_but_missing(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    env = {**subprocess_env, "PATH": str(tmp_path / "empty")}
    cmd = [
        sys.executable,
        "-P",
        "-m",
        "mcp_server.cli",
        "mcp",
        "pack",
        "--builder",
        "mcpb",
        "--out",
        str(tmp_path / "x"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert "mcpb CLI was not found" in done.stderr
    assert not (tmp_path / "x").exists()


def test_the_cli_writes_the_manifests_it_checks_in(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    cmd = [sys.executable, "-P", "-m", "mcp_server.cli", "mcp", "pack", "--manifests", str(tmp_path / "m")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=subprocess_env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    for name in ("manifest.json", "server.json"):
        assert (tmp_path / "m" / name).read_text(encoding="utf-8") == (MANIFESTS / name).read_text(encoding="utf-8")
