"""The Makefile rebuilds the extension whenever its sources change, so `make test` never tests stale code, and
keeps the build's chatter out of `make demo` unless the build fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

RUST_FILES = sorted(p.relative_to(ROOT) for p in (ROOT / "rustcore" / "src").rglob("*.rs"))


def _rebuilds_after_touching(path: str) -> bool:
    # `-W` pretends the file was just modified; `-n` prints the recipe instead of running it.
    out = subprocess.run(
        ["make", "-n", "-W", path, ".venv/.built"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return "maturin develop" in out


def test_the_rust_sources_include_modules_in_subfolders() -> None:
    assert any(len(p.parts) > 3 for p in RUST_FILES), "expected Rust modules below rustcore/src/<dir>/"


@pytest.mark.parametrize("path", [str(p) for p in RUST_FILES])
def test_editing_any_rust_source_rebuilds_the_extension(path: str) -> None:
    assert _rebuilds_after_touching(path)


@pytest.mark.parametrize("path", ["rustcore/Cargo.toml", "rustcore/Cargo.lock", "pyproject.toml"])
def test_editing_the_packaging_rebuilds_the_extension(path: str) -> None:
    assert _rebuilds_after_touching(path)


def _build_with_a_stub_maturin(tmp_path: Path, status: int) -> subprocess.CompletedProcess[str]:
    """The extension's build rule run against a virtualenv whose `maturin` prints pip's chatter and exits `status`."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    maturin = venv / "bin" / "maturin"
    maturin.write_text(f"#!/bin/sh\necho 'Requirement already satisfied: mcp<3,>=2.3'\nexit {status}\n")
    maturin.chmod(0o755)
    # Run as a person runs it: under `make test` the inherited MAKELEVEL/MAKEFLAGS would add make's own
    # "Entering directory" lines, which are not the build's output.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    return subprocess.run(
        ["make", f"VENV={venv}", f"{venv}/.built"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env
    )


def test_a_build_that_succeeds_prints_one_line_not_pips_chatter(tmp_path: Path) -> None:
    done = _build_with_a_stub_maturin(tmp_path, 0)
    assert done.returncode == 0, done.stderr
    assert "Requirement already satisfied" not in done.stdout + done.stderr
    assert (
        done.stdout.strip() == f"building the extension into {tmp_path / 'venv'} (the first time takes a few minutes)"
    )
    assert (tmp_path / "venv" / ".built").exists()


def test_a_build_that_fails_shows_everything_it_printed_and_fails(tmp_path: Path) -> None:
    done = _build_with_a_stub_maturin(tmp_path, 3)
    assert done.returncode != 0
    assert "Requirement already satisfied: mcp<3,>=2.3" in done.stdout
    assert not (tmp_path / "venv" / ".built").exists()
