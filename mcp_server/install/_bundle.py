"""The distribution manifests and the ``.mcpb`` bundle.

`build_manifest` (MCPB, for Claude Desktop) and `build_server_json` (the MCP
registry) are the single source of both documents; ``manifests/`` holds their
output, checked in, and a test keeps the two in step. `pack_bundle` stages the
manifest and the launcher and zips them with the official ``mcpb`` CLI when it
is available, else with ``zipfile``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mcp_server._errors import BundleError

__all__ = [
    "PYPI_NAME",
    "REGISTRY_NAME",
    "REGISTRY_SCHEMA",
    "TOOLS",
    "Builder",
    "PackResult",
    "build_manifest",
    "build_server_json",
    "find_mcpb",
    "pack_bundle",
    "package_version",
    "write_manifests",
]

PYPI_NAME = "headroom-mcp"
REGISTRY_NAME = "io.github.headroom-mcp/headroom-mcp"
REGISTRY_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
_REPOSITORY = "https://github.com/headroom-mcp/headroom-mcp"
_DESCRIPTION = "Compresses bulky tool output for AI agents; every original stays retrievable."
_LAUNCHER = "server/launcher.py"

TOOLS: tuple[tuple[str, str], ...] = (
    ("headroom_compress", "Compress bulky tool output (logs, JSON, grep, diffs, code, docs) keeping what matters."),
    ("headroom_retrieve", "Get back what a marker left out (lines, bytes, a template), or a query's part."),
    ("headroom_stats", "Tokens saved so far, per client, compressor and content type."),
    ("headroom_read", "Read a file and return it compressed, with the original kept for retrieval."),
    ("headroom_run", "Run a command and return its output compressed, with the original kept for retrieval."),
    ("headroom_search", "Search earlier tool output stored by any agent sharing the store; hits name hash and lines."),
)

# (variable, description, default) passed through to the server; documented in the README.
_ENVIRONMENT: tuple[tuple[str, str, str | None], ...] = (
    ("HEADROOM_HOME", "Directory of the store of originals (default: the platform's user data dir).", None),
    ("HEADROOM_TTL_HOURS", "Hours an original is kept after its last access.", "168"),
    ("HEADROOM_MAX_STORE_MB", "Size cap of the store; least recently used originals go first.", "2048"),
    ("HEADROOM_ENCODING", "Token encoding for counts and budgets: o200k_base or cl100k_base.", "o200k_base"),
)

Builder = Literal["auto", "mcpb", "zip"]


def package_version() -> str:
    """The installed headroom-mcp version."""
    return importlib.metadata.version(PYPI_NAME)


def build_manifest(version: str) -> dict[str, Any]:
    """The MCPB ``manifest.json`` (manifest_version 0.3) for `version`."""
    return {
        "manifest_version": "0.3",
        "name": PYPI_NAME,
        "display_name": "Headroom",
        "version": version,
        "description": _DESCRIPTION,
        "long_description": (
            "Headroom gives agents a compress tool for bulky tool output: logs, JSON, grep results, diffs, "
            "source and docs come back much smaller, with markers where something was left out. Every "
            "original is kept in a local SQLite store and can be retrieved whole, by line range, or by "
            "query. Nothing leaves the machine. The extension starts the headroom-mcp package installed "
            "on this computer (uv tool install headroom-mcp)."
        ),
        "author": {"name": "headroom-mcp developers"},
        "repository": {"type": "git", "url": _REPOSITORY},
        "license": "MIT",
        "keywords": ["compression", "context", "tokens", "logs", "json", "retrieval"],
        "server": {
            "type": "python",
            "entry_point": _LAUNCHER,
            "mcp_config": {
                "command": "python3",
                "args": [f"${{__dirname}}/{_LAUNCHER}"],
                "env": {
                    "HEADROOM_CLIENT": "claude-desktop",
                    "HEADROOM_HOME": "${user_config.store_dir}",
                    "HEADROOM_TTL_HOURS": "${user_config.ttl_hours}",
                },
                "platform_overrides": {"win32": {"command": "python"}},
            },
        },
        "tools": [{"name": name, "description": text} for name, text in TOOLS],
        "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": ">=3.11"}},
        "user_config": {
            "store_dir": {
                "type": "directory",
                "title": "Store directory",
                "description": "Where originals are kept. Leave empty to share the store of the headroom CLI.",
                "required": False,
            },
            "ttl_hours": {
                "type": "number",
                "title": "Keep originals for (hours)",
                "description": "Hours an original stays retrievable after its last access.",
                "required": False,
                "default": 168,
                "min": 1,
            },
        },
    }


def build_server_json(version: str) -> dict[str, Any]:
    """The MCP registry ``server.json`` for `version` (schema 2025-12-11)."""
    environment = []
    for name, description, default in _ENVIRONMENT:
        variable: dict[str, Any] = {"name": name, "description": description, "isRequired": False, "isSecret": False}
        if name == "HEADROOM_HOME":
            variable["format"] = "filepath"
        if default is not None:
            variable["default"] = default
        environment.append(variable)
    return {
        "$schema": REGISTRY_SCHEMA,
        "name": REGISTRY_NAME,
        "description": _DESCRIPTION,
        "repository": {"url": _REPOSITORY, "source": "github"},
        "version": version,
        "packages": [
            {
                "registryType": "pypi",
                "identifier": PYPI_NAME,
                "version": version,
                "runtimeHint": "uvx",
                "transport": {"type": "stdio"},
                "packageArguments": [
                    {"type": "positional", "value": "mcp"},
                    {"type": "positional", "value": "serve"},
                ],
                "environmentVariables": environment,
            }
        ],
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_manifests(folder: Path, version: str | None = None) -> list[Path]:
    """Write ``manifest.json`` and ``server.json`` into `folder` (how ``manifests/`` is refreshed).

    Raises:
        BundleError: the folder cannot be written.
    """
    version = version or package_version()
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in (("manifest.json", build_manifest(version)), ("server.json", build_server_json(version))):
            path = folder / name
            path.write_text(_dump(document), encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise BundleError(f"cannot write manifests into {folder}: {exc.strerror or exc}") from exc
    return written


def find_mcpb() -> str | None:
    """The official ``mcpb`` CLI: on PATH, or in this checkout's (or the working directory's) node_modules."""
    if shutil.which("node") is None:
        return None
    on_path = shutil.which("mcpb")
    if on_path:
        return on_path
    checkout = Path(__file__).resolve().parents[2]
    for root in (checkout, Path.cwd()):
        candidate = root / "node_modules" / ".bin" / ("mcpb.cmd" if os.name == "nt" else "mcpb")
        if candidate.is_file():
            return str(candidate)
    return None


@dataclass(frozen=True, slots=True)
class PackResult:
    path: Path
    builder: Literal["mcpb", "zip"]
    version: str


def _stage(folder: Path, version: str) -> None:
    (folder / "server").mkdir(parents=True)
    (folder / "manifest.json").write_text(_dump(build_manifest(version)), encoding="utf-8")
    launcher = folder / _LAUNCHER
    launcher.write_text(Path(__file__).with_name("_launcher.py").read_text(encoding="utf-8"), encoding="utf-8")
    launcher.chmod(0o755)


def _zip(stage: Path, out: Path) -> None:
    tmp = out.with_name(f".{out.name}.headroom-tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (path.stat().st_mode & 0o777) << 16
                archive.writestr(info, path.read_bytes())
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def pack_bundle(out: Path, *, builder: Builder = "auto", version: str | None = None) -> PackResult:
    """Build the ``.mcpb`` bundle at `out`: with the ``mcpb`` CLI (`builder` "mcpb"), zipfile ("zip"), or
    the CLI when it is available ("auto").

    Raises:
        BundleError: the mcpb CLI was asked for and is missing or failed, or `out` cannot be written.
    """
    version = version or package_version()
    mcpb = find_mcpb() if builder in ("auto", "mcpb") else None
    if builder == "mcpb" and mcpb is None:
        raise BundleError("the mcpb CLI was not found (npm install in the checkout, or npm i -g @anthropic-ai/mcpb)")
    out = out.absolute()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="headroom-mcpb-") as tmp:
            stage = Path(tmp) / PYPI_NAME
            _stage(stage, version)
            if mcpb is None:
                _zip(stage, out)
                return PackResult(out, "zip", version)
            done = subprocess.run([mcpb, "pack", str(stage), str(out)], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BundleError(f"cannot write {out}: {exc.strerror or exc}") from exc
    if done.returncode != 0 or not out.is_file():
        said = (done.stdout + done.stderr).strip()[-800:]
        raise BundleError(f"mcpb pack failed with status {done.returncode}: {said}")
    return PackResult(out, "mcpb", version)
