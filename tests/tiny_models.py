"""Tiny real models for tests: ONNX graphs built with `onnx`, word-level tokenizers built with `tokenizers`,
laid out as a Hugging Face hub cache, and a loopback HTTP server that serves them the way the hub does.

Imported by name (the test folders are not packages; tests/ is on sys.path through its conftest).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

REVISION = "a" * 40


def word_tokenizer_json(words: list[str]) -> bytes:
    """A tokenizer.json: lower-cased words split on whitespace and punctuation, [UNK] = 0."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(dict.fromkeys(words))}}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer.to_str().encode("utf-8")


def _gather_graph(table: np.ndarray, output: str) -> bytes:
    """An ONNX graph that maps input_ids [batch, seq] to table[input_ids] [batch, seq, width]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    width = table.shape[1]
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], [output], axis=0)],
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", "seq", width])],
        [numpy_helper.from_array(table.astype(np.float32), "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def token_classifier(keep: Mapping[str, bool], unknown_keeps: bool = False) -> dict[str, bytes]:
    """A keep/drop token classifier: each word of `keep` gets logits favouring keep (label 1) or drop (label 0),
    with a known probability (`keep_probability`). Files: ``onnx/model.onnx`` and ``tokenizer.json``."""
    words = list(keep)
    table = np.zeros((len(words) + 1, 2), dtype=np.float32)
    table[0] = [0.0, 2.0] if unknown_keeps else [2.0, 0.0]
    for i, word in enumerate(words, start=1):
        table[i] = [0.0, 2.0] if keep[word] else [2.0, 0.0]
    return {"onnx/model.onnx": _gather_graph(table, "logits"), "tokenizer.json": word_tokenizer_json(words)}


def keep_probability(kept: bool) -> float:
    """What the tiny classifier says for a word it keeps (or drops): softmax of logits (0, 2)."""
    p = float(np.exp(2.0) / (1.0 + np.exp(2.0)))
    return p if kept else 1.0 - p


def sentence_encoder(words: list[str], dim: int = 8, seed: int = 7) -> dict[str, bytes]:
    """A token-state encoder: one random vector per word; the embedder mean-pools them."""
    table = np.random.default_rng(seed).standard_normal((len(words) + 1, dim)).astype(np.float32)
    return {
        "onnx/model.onnx": _gather_graph(table, "last_hidden_state"),
        "tokenizer.json": word_tokenizer_json(words),
    }


def write_hub_cache(home: Path, repo: str, files: Mapping[str, bytes], revision: str = REVISION) -> Path:
    """Lay `files` out under ``home/hub`` as huggingface_hub does (blobs, snapshot links, refs/main); returns home."""
    repo_dir = home / "hub" / ("models--" + repo.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(revision)
    for name, content in files.items():
        blob = repo_dir / "blobs" / hashlib.sha256(content).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(content)
        link = repo_dir / "snapshots" / revision / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(blob)
    return home


@dataclass
class FakeHub:
    """A hub on 127.0.0.1 serving `repos` (repo id -> {file: bytes}); `requests` records (method, path)."""

    repos: dict[str, dict[str, bytes]]
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def fake_hub(repos: dict[str, dict[str, bytes]]) -> Iterator[FakeHub]:
    """Serve `repos` at ``/{repo}/resolve/{revision}/{file}`` with the headers hf_hub_download reads."""
    hub = FakeHub(repos)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _find(self) -> bytes | None:
            hub.requests.append((self.command, self.path))
            path = self.path.split("?", 1)[0]
            for repo, files in hub.repos.items():
                prefix = f"/{repo}/resolve/"
                if path.startswith(prefix):
                    _, _, name = path[len(prefix) :].partition("/")
                    return files.get(name)
            return None

        def _headers(self, body: bytes | None) -> None:
            if body is None:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("X-Repo-Commit", REVISION)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("X-Repo-Commit", REVISION)
            self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()

        def do_HEAD(self) -> None:
            self._headers(self._find())

        def do_GET(self) -> None:
            body = self._find()
            self._headers(body)
            if body is not None:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
