"""Model files through huggingface_hub: downloaded in the background from a hub (a real HTTP server on loopback),
never by a caller's own thread, and never with HF_HUB_OFFLINE=1.

huggingface_hub reads HF_HUB_OFFLINE and HF_ENDPOINT when it is imported, and this test process runs offline, so
every download runs in a subprocess with its own environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tiny_models import fake_hub, sentence_encoder, write_hub_cache

from ccr._hub import ModelFilesMissing, ModelRef, cache_dir, download_hint, hub_offline, resolve_files

ROOT = Path(__file__).resolve().parents[2]
REPO = "tiny-org/encoder"
WORDS = ["payment", "declined", "card", "worker", "started", "job", "the", "was"]


def run_python(code: str, env: dict[str, str]) -> dict[str, object]:
    """Run `code` in a fresh interpreter with `env`; it prints one JSON object last."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=180
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


def online_env(tmp_path: Path, endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HEADROOM_", "TRANSFORMERS_"))}
    env.update(
        HF_HOME=str(tmp_path / "hf"),
        HF_ENDPOINT=endpoint,
        HEADROOM_HOME=str(tmp_path / "home"),
        HEADROOM_EMBED_MODEL=REPO,
        HEADROOM_EMBEDDINGS="1",
        HF_HUB_DISABLE_TELEMETRY="1",
    )
    return env


CALLER = """
    import json, logging
    logging.basicConfig(level=logging.INFO)
    from ccr import Embedder
    embedder = Embedder.from_env()
    status = embedder.status()
    again = embedder.available()
    print(json.dumps({"available": status.available, "again": again, "reason": status.reason}))
"""

BACKGROUND = """
    import dataclasses, json
    from ccr import SemanticIndex, Store
    store = Store()
    semantic = SemanticIndex(store)
    digest = store.put("the payment was declined\\nworker started job\\n", content_type="log")
    assert semantic.flush(120)
    if semantic._loader is not None:
        semantic._loader.join(120)
    result = store.search("card declined", limit=3)
    print(json.dumps({
        "stats": dataclasses.asdict(semantic.stats()),
        "mode": result.mode,
        "hits": [[h.hash, h.start_line, h.end_line, h.semantic] for h in result.hits],
        "digest": digest,
    }))
    semantic.close()
    store.close()
"""


def test_a_caller_that_may_not_download_asks_the_hub_nothing_and_is_told_why(tmp_path: Path) -> None:
    with fake_hub({REPO: sentence_encoder(WORDS)}) as hub:
        out = run_python(CALLER, online_env(tmp_path, hub.url))
    assert hub.requests == []
    assert out["available"] is False and out["again"] is False
    reason = str(out["reason"])
    assert "not in the Hugging Face cache" in reason and "background" in reason
    assert f"hf download {REPO}" in reason
    assert not (tmp_path / "hf" / "hub" / f"models--{REPO.replace('/', '--')}").exists()


def test_with_meaning_on_the_background_loader_downloads_the_model_then_search_ranks_by_it(tmp_path: Path) -> None:
    with fake_hub({REPO: sentence_encoder(WORDS)}) as hub:
        out = run_python(BACKGROUND, online_env(tmp_path, hub.url))
    fetched = {path.rsplit("/", 1)[-1] for method, path in hub.requests if method == "GET"}
    assert fetched == {"model.onnx", "tokenizer.json"}
    snapshot = tmp_path / "hf" / "hub" / f"models--{REPO.replace('/', '--')}" / "snapshots"
    assert {p.name for p in next(snapshot.iterdir()).rglob("*") if p.is_file()} >= {"model.onnx", "tokenizer.json"}
    assert out["stats"]["indexed"] == 1  # type: ignore[index]
    assert out["mode"] == "hybrid"
    assert out["hits"][0][0] == out["digest"] and out["hits"][0][3] is not None  # type: ignore[index]


def test_with_meaning_off_nothing_is_asked_of_the_hub_and_search_is_lexical(tmp_path: Path) -> None:
    with fake_hub({REPO: sentence_encoder(WORDS)}) as hub:
        out = run_python(BACKGROUND, online_env(tmp_path, hub.url) | {"HEADROOM_EMBEDDINGS": "0"})
    assert hub.requests == []
    assert out["mode"] == "lexical" and out["stats"]["indexed"] == 1  # type: ignore[index]
    assert out["hits"][0][0] == out["digest"]  # type: ignore[index]


def test_once_cached_the_model_is_found_offline_with_no_request(tmp_path: Path) -> None:
    with fake_hub({REPO: sentence_encoder(WORDS)}) as hub:
        run_python(BACKGROUND, online_env(tmp_path, hub.url))
        first = len(hub.requests)
        env = online_env(tmp_path, hub.url) | {"HF_HUB_OFFLINE": "1"}
        out = run_python(CALLER, env)
        online_again = run_python(CALLER, online_env(tmp_path, hub.url))
    assert out["available"] is True and online_again["available"] is True
    assert len(hub.requests) == first  # a cached model costs no round trip, online or not


def test_offline_a_missing_model_is_not_fetched_and_the_reason_says_offline(tmp_path: Path) -> None:
    with fake_hub({REPO: sentence_encoder(WORDS)}) as hub:
        out = run_python(BACKGROUND, online_env(tmp_path, hub.url) | {"HF_HUB_OFFLINE": "1"})
    assert hub.requests == []
    assert out["mode"] == "lexical" and out["stats"]["indexed"] == 1  # type: ignore[index]
    assert "HF_HUB_OFFLINE" in str(out["stderr"])


def test_a_failed_download_is_reported_once_and_search_still_works_lexically(tmp_path: Path) -> None:
    files = sentence_encoder(WORDS)
    del files["onnx/model.onnx"]  # the hub answers 404 for it
    with fake_hub({REPO: files}) as hub:
        out = run_python(BACKGROUND, online_env(tmp_path, hub.url))
    assert any(path.endswith("/model.onnx") for _, path in hub.requests)
    assert out["mode"] == "lexical"
    stderr = str(out["stderr"])
    assert stderr.count("could not be downloaded") == 1, stderr
    assert "HF_HUB_OFFLINE=1" in stderr


def test_resolve_files_finds_a_cached_snapshot_and_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(write_hub_cache(tmp_path, REPO, sentence_encoder(WORDS))))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub_offline() and cache_dir() == tmp_path / "hub"
    model, tokenizer = resolve_files(ModelRef(REPO), ["onnx/model.onnx", "tokenizer.json"], download=True)
    assert model.read_bytes() == sentence_encoder(WORDS)["onnx/model.onnx"]
    assert tokenizer.name == "tokenizer.json"
    with pytest.raises(ModelFilesMissing, match=r"weights\.bin") as caught:
        resolve_files(ModelRef(REPO), ["weights.bin"], download=True)
    assert caught.value.final  # offline: no later call can fetch it


def test_the_download_hint_names_the_files_and_the_revision() -> None:
    assert download_hint(ModelRef("a/b", "v2"), ["m.onnx", "tokenizer.json"]) == (
        "hf download a/b m.onnx tokenizer.json --revision v2"
    )
