"""A question naming a key of a map keyed by data (a package in `npm ls --json`) keeps that key's item.

Real `npm ls --all --json` of the project's node_modules, captured at test time. Every package the tree
holds is asked about ("Which version of P does the dependency tree hold?"); the needle is an entry of P as
printed, its key line and its version line. Packages held under most of their siblings (`@inquirer/type`
under every `@inquirer/*` prompt) single no item out by rarity and were the ones lost.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ccr import Settings, Store
from compressors import compress
from mcp_server.bench import score_needles

PROJECT = Path(__file__).resolve().parents[2]
_ENTRY = re.compile(r'"(?P<name>[^"]+)": \{\n\s*"version": "(?P<version>[^"]+)"')


@pytest.fixture(scope="module")
def npm_ls_json() -> str:
    npm = shutil.which("npm")
    if npm is None or not (PROJECT / "node_modules").is_dir():
        pytest.skip("npm or the project's node_modules (make dev) is absent")
    run = subprocess.run(
        [npm, "ls", "--all", "--json"], cwd=PROJECT, capture_output=True, text=True, timeout=60, check=False
    )
    if run.returncode not in (0, 1) or not run.stdout.strip():
        pytest.skip(f"npm ls failed: {run.stderr[-300:]}")
    return run.stdout


def test_every_package_of_npm_ls_json_asked_about_keeps_an_entry_with_its_version(
    npm_ls_json: str, tmp_path: Path
) -> None:
    entries: dict[str, list[str]] = {}
    for m in _ENTRY.finditer(npm_ls_json):
        entries.setdefault(m["name"], []).append(m[0])
    assert len(entries) >= 20
    missing = []
    with Store(Settings(home=tmp_path / "home")) as store:
        for name, spellings in sorted(entries.items()):
            result = compress(npm_ls_json, query=f"Which version of {name} does the dependency tree hold?", store=store)
            assert result.compressor == "json"
            # Any one of the package's entries answers (a deduped package is listed under each dependent).
            if all(score_needles([s], result.compressed).missing for s in spellings):
                missing.append(name)
    assert not missing, f"{len(missing)} of {len(entries)} packages lost: {missing}"
