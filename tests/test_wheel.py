"""The wheel holds the four packages a user runs, and nothing of the checkout's benchmarks, peer or tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

MATURIN = Path(sys.executable).parent / "maturin"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if not MATURIN.is_file() or shutil.which("cargo") is None:
        pytest.skip("maturin or cargo is not installed")
    out = tmp_path_factory.mktemp("wheel")
    # The fast profile reuses what `make dev` compiled; what goes into the wheel is the same as a release's.
    subprocess.run(
        [str(MATURIN), "build", "--profile", "fastbuild", "--out", str(out), "--quiet"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_holds_only_the_four_packages_and_its_metadata(wheel_names: list[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"ccr", "compressors", "mcp_server", "rustcore"}


def test_the_wheel_holds_no_benchmark_peer_test_or_rust_source(wheel_names: list[str]) -> None:
    unwanted = [
        name
        for name in wheel_names
        if name.startswith(("benchmarks/", "tests/"))
        or "peer" in name
        or "measure" in name
        or name.endswith((".rs", "Cargo.toml", "Cargo.lock"))
    ]
    assert unwanted == []
