"""The Makefile rebuilds the extension whenever its sources change, so `make test` never tests stale code."""

from __future__ import annotations

import shutil
import subprocess

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
