"""Shared fixtures: an isolated store home per test, the dev corpus, hypothesis profiles."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Tests never reach the network: model files come from a hub cache or not at all. Semantic ranking is off unless a
# test turns it on (the semantic layer's own tests do), so other tests see the lexical output they assert and no
# background thread embeds their inputs. Set here, before anything imports huggingface_hub, and inherited by the
# subprocesses tests start.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HEADROOM_EMBEDDINGS", "0")

settings.register_profile("fast", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "fast"))

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus" / "dev"


@dataclass(frozen=True)
class Sample:
    name: str
    path: Path
    category: str
    query: str
    needles: list[str]

    @property
    def input_path(self) -> Path:
        return self.path / "input.txt"

    def read_bytes(self) -> bytes:
        return self.input_path.read_bytes()

    def read_text(self) -> str:
        return self.input_path.read_text(encoding="utf-8")


def load_corpus() -> list[Sample]:
    """The dev corpus samples, or [] where ../shared/ is absent (a plain clone)."""
    if not CORPUS_DIR.is_dir():
        return []
    out = []
    for d in sorted(CORPUS_DIR.iterdir()):
        meta_path = d / "meta.json"
        if not meta_path.is_file():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        out.append(Sample(d.name, d, meta["category"], meta["query"], list(meta["needles"])))
    return out


@pytest.fixture(scope="session")
def corpus() -> list[Sample]:
    samples = load_corpus()
    if not samples:
        pytest.skip("../shared/corpus/dev/ is absent")
    return samples


@pytest.fixture(autouse=True)
def headroom_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own store directory; nothing touches the user's real data dir."""
    home = tmp_path_factory.mktemp("headroom-home")
    monkeypatch.setenv("HEADROOM_HOME", str(home))
    # A developer's team store must never receive test data.
    monkeypatch.delenv("HEADROOM_STORE_URL", raising=False)
    monkeypatch.delenv("HEADROOM_NAMESPACE", raising=False)
    yield home
