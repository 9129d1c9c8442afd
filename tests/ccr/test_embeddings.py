"""The sentence embedder, run on the real model from the shared hub cache, offline."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import ccr._embeddings
from ccr import EmbeddingError
from ccr._embeddings import DEFAULT_EMBED_MODEL, Embedder, EmbedderConfig, default_embedder

ROOT = Path(__file__).resolve().parents[2]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"
FP32_FILE = "onnx/model.onnx"
INT8_FILE = "onnx/model_qint8.onnx"

SENTENCES = [
    "The server refused the database connection.",
    "Connection to the Postgres database was rejected by the host.",
    "My grandmother bakes apple pie every Sunday.",
    "def parse_args(argv): return parser.parse_args(argv)",
    "SELECT id, name FROM users WHERE active = 1 ORDER BY name;",
    "2015-10-18 18:06:26,029 FATAL [IPC Server handler 13] Task exited: java.net.NoRouteToHostException",
    "La réunion est reportée à jeudi prochain.",
    "东京是日本的首都。",
    "404 Not Found: GET /api/v1/users/42",
    "Release 1.7.18 fixes a heap overflow in the parser.",
    "",
]


@pytest.fixture
def offline_cache(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared hub cache, offline; skips where the shared models folder is absent."""
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    monkeypatch.setenv("HF_HOME", str(HF_CACHE))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    return HF_CACHE


@pytest.fixture(scope="module")
def loaded() -> Iterator[tuple[Embedder, Embedder]]:
    """The fp32 and int8 embedders, loaded once for the module from the shared cache."""
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(HF_CACHE))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.delenv("HF_HUB_CACHE", raising=False)
        fp32, int8 = Embedder(EmbedderConfig(file=FP32_FILE)), Embedder(EmbedderConfig(file=INT8_FILE))
        assert fp32.available(), fp32.status().reason
        assert int8.available(), int8.status().reason
    yield fp32, int8


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_vectors_have_the_model_dimension_and_unit_length(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    vectors = fp32.embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384) == (len(SENTENCES), fp32.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    refused, rejected, pie = fp32.embed(SENTENCES[:3])
    assert cosine(refused, rejected) > cosine(refused, pie) + 0.3
    assert cosine(refused, rejected) > cosine(rejected, pie) + 0.3


def test_a_query_is_nearest_the_sentence_that_answers_it(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    candidates = fp32.embed(SENTENCES)
    query = fp32.embed_query("why did the task die with a network error")
    assert int(np.argmax(candidates @ query)) == SENTENCES.index(SENTENCES[5])


def test_the_int8_model_agrees_with_fp32_within_0_99_cosine(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, int8 = loaded
    texts = [*SENTENCES, " ".join(SENTENCES) * 3]
    for text, a, b in zip(texts, fp32.embed(texts), int8.embed(texts), strict=True):
        assert cosine(a, b) >= 0.99, text


def test_batching_and_padding_do_not_change_a_vector(loaded: tuple[Embedder, Embedder], offline_cache: Path) -> None:
    fp32, _ = loaded
    together = fp32.embed(SENTENCES)
    alone = np.stack([fp32.embed_query(s) for s in SENTENCES])
    np.testing.assert_allclose(together, alone, atol=1e-4)
    small_batches = Embedder(EmbedderConfig(file=FP32_FILE, batch_size=3, batch_tokens=40))
    np.testing.assert_allclose(small_batches.embed(SENTENCES), alone, atol=1e-4)


def test_text_beyond_what_the_model_reads_does_not_change_the_vector(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    head = "The scheduler retried the job because the worker lost its lease. " * 40
    a, b = fp32.embed([head + "Totally different ending about cooking pasta.", head + "Tail on quantum physics."])
    assert cosine(a, b) > 0.9999
    short_a, short_b = fp32.embed(["Job retried. Cooking pasta.", "Job retried. Quantum physics."])
    assert cosine(short_a, short_b) < 0.99


def test_a_shorter_window_reads_only_the_first_tokens_and_still_ends_the_text(
    loaded: tuple[Embedder, Embedder],
) -> None:
    fp32, _ = loaded
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"]
    long = " ".join(words * 20)
    assert fp32.token_counts([long], max_tokens=8) == [8]
    head = " ".join(words[:6])  # [CLS] + six one-token words + [SEP]
    assert fp32.token_counts([head]) == [8]
    assert cosine(fp32.embed([long], max_tokens=8)[0], fp32.embed_query(head)) > 0.9999
    with pytest.raises(ValueError, match="max_tokens"):
        fp32.embed(["x"], max_tokens=1)


def test_a_text_embedded_again_comes_from_the_cache_without_running_the_model(
    offline_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = Embedder(EmbedderConfig(cache_size=3))
    first = embedder.embed(SENTENCES[:3])
    assert embedder.cached() == 3

    def refuse(*_: object) -> object:
        raise AssertionError("the model ran for a text it had embedded already")

    with monkeypatch.context() as patched:
        patched.setattr(ccr._embeddings, "_run", refuse)
        np.testing.assert_array_equal(embedder.embed(list(reversed(SENTENCES[:3]))), first[::-1])
        np.testing.assert_array_equal(embedder.embed_query(SENTENCES[1]), first[1])
    # Another window is another vector; the least recently used text leaves the cache first.
    embedder.embed([SENTENCES[0]], max_tokens=4)
    assert embedder.cached() == 3
    with monkeypatch.context() as patched:
        patched.setattr(ccr._embeddings, "_run", refuse)
        embedder.embed([SENTENCES[0], SENTENCES[1]])
        with pytest.raises(EmbeddingError, match="embedded already"):
            embedder.embed([SENTENCES[2]])
    embedder.clear_cache()
    assert embedder.cached() == 0


def test_repeated_texts_in_one_call_are_embedded_once(offline_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = Embedder(EmbedderConfig(cache_size=0))
    rows: list[int] = []
    real = ccr._embeddings._run

    def counting(loaded: object, encodings: list[object]) -> object:
        rows.append(len(encodings))
        return real(loaded, encodings)  # type: ignore[arg-type]

    monkeypatch.setattr(ccr._embeddings, "_run", counting)
    vectors = embedder.embed([SENTENCES[0], SENTENCES[1], SENTENCES[0]])
    assert sum(rows) == 2
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert embedder.cached() == 0


def test_no_texts_give_an_empty_array(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    assert fp32.embed([]).shape == (0, 384)


def test_threads_using_one_embedder_at_once_get_the_same_vectors(offline_cache: Path) -> None:
    embedder = Embedder()  # not loaded yet: the threads race to load it
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(embedder.embed(SENTENCES[:4]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(results) == 4
    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], atol=1e-6)


def test_an_absent_model_is_unavailable_with_one_clear_log_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    embedder = Embedder()
    with caplog.at_level(logging.INFO, logger="ccr._embeddings"):
        assert embedder.available() is False
        assert embedder.available() is False
        status = embedder.status()
    records = [r for r in caplog.records if r.name == "ccr._embeddings"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    message = records[0].getMessage()
    assert DEFAULT_EMBED_MODEL in message
    assert str(tmp_path / "hub") in message
    assert "lexically" in message
    assert f"hf download {DEFAULT_EMBED_MODEL}" in message
    assert status.reason == message
    assert status.dim is None
    with pytest.raises(EmbeddingError, match="not in the Hugging Face cache"):
        embedder.embed(["anything"])


@pytest.mark.parametrize("env", [{}, {"HEADROOM_EMBEDDINGS": "0"}])
def test_embeddings_are_off_unless_asked_for_and_say_how_to_turn_them_on(
    offline_cache: Path, caplog: pytest.LogCaptureFixture, env: dict[str, str]
) -> None:
    embedder = Embedder.from_env(env)
    with caplog.at_level(logging.INFO, logger="ccr._embeddings"):
        assert not embedder.available()
    assert [r.getMessage() for r in caplog.records] == [embedder.status().reason]
    assert "HEADROOM_EMBEDDINGS=1" in (embedder.status().reason or "")
    with pytest.raises(EmbeddingError, match="HEADROOM_EMBEDDINGS=1"):
        embedder.embed_query("anything")
    assert not embedder.loaded()


def test_a_revision_that_is_not_cached_is_unavailable(offline_cache: Path) -> None:
    embedder = Embedder(EmbedderConfig(revision="0123456789abcdef0123456789abcdef01234567"))
    assert not embedder.available()
    assert "--revision 0123456789abcdef0123456789abcdef01234567" in (embedder.status().reason or "")


def make_cache(root: Path, repo: str, files: dict[str, Path | bytes]) -> Path:
    """A hub cache holding `files` for `repo` at a made-up revision, laid out as huggingface_hub writes it."""
    revision = "f" * 40
    repo_dir = root / "hub" / ("models--" + repo.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(revision)
    for name, content in files.items():
        target = repo_dir / "snapshots" / revision / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.symlink_to(content)
    return root


def real_file(name: str) -> Path:
    snapshots = HF_CACHE / "hub" / "models--sentence-transformers--all-MiniLM-L6-v2" / "snapshots"
    return next(snapshots.iterdir()) / name


def test_another_model_and_file_are_found_by_their_configured_names(
    offline_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files: dict[str, Path | bytes] = {
        "weights/encoder.onnx": real_file(INT8_FILE),
        "tokenizer.json": real_file("tokenizer.json"),
    }
    monkeypatch.setenv("HF_HOME", str(make_cache(tmp_path, "example-org/tiny-encoder", files)))
    embedder = Embedder.from_env(
        {
            "HEADROOM_EMBEDDINGS": "1",
            "HEADROOM_EMBED_MODEL": "example-org/tiny-encoder",
            "HEADROOM_EMBED_FILE": "weights/encoder.onnx",
        }
    )
    assert embedder.available(), embedder.status().reason
    assert embedder.status().model == "example-org/tiny-encoder"
    assert embedder.embed_query("hello").shape == (384,)


@pytest.mark.parametrize(
    ("configured", "cached", "loaded_file"),
    [
        (None, (FP32_FILE, INT8_FILE), INT8_FILE),
        (None, (FP32_FILE,), FP32_FILE),
        (FP32_FILE, (FP32_FILE, INT8_FILE), FP32_FILE),
    ],
)
def test_an_int8_file_in_the_cache_is_loaded_unless_another_file_is_configured(
    offline_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    configured: str | None,
    cached: tuple[str, ...],
    loaded_file: str,
) -> None:
    files: dict[str, Path | bytes] = {name: real_file(name) for name in (*cached, "tokenizer.json")}
    monkeypatch.setenv("HF_HOME", str(make_cache(tmp_path, DEFAULT_EMBED_MODEL, files)))
    embedder = Embedder(EmbedderConfig(file=configured))
    assert embedder.available(), embedder.status().reason
    assert embedder.status().file == loaded_file


def test_a_broken_model_file_is_unavailable_and_names_the_file(
    offline_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files: dict[str, Path | bytes] = {
        "onnx/model.onnx": b"not an onnx graph",
        "tokenizer.json": real_file("tokenizer.json"),
    }
    monkeypatch.setenv("HF_HOME", str(make_cache(tmp_path, "example-org/broken", files)))
    embedder = Embedder(EmbedderConfig(model="example-org/broken"))
    with caplog.at_level(logging.WARNING, logger="ccr._embeddings"):
        assert not embedder.available()
    assert len(caplog.records) == 1
    assert "could not be loaded" in caplog.records[0].getMessage()
    assert "model.onnx" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, EmbedderConfig(enabled=False)),
        ({"HEADROOM_EMBEDDINGS": "off"}, EmbedderConfig(enabled=False)),
        ({"HEADROOM_EMBEDDINGS": "1", "HEADROOM_EMBED_THREADS": "2"}, EmbedderConfig(threads=2)),
        (
            {
                "HEADROOM_EMBEDDINGS": "on",
                "HEADROOM_EMBED_MODEL": "a/b",
                "HEADROOM_EMBED_FILE": "m.onnx",
                "HEADROOM_EMBED_REVISION": "v2",
            },
            EmbedderConfig(model="a/b", file="m.onnx", revision="v2"),
        ),
    ],
)
def test_configuration_is_read_from_the_environment(env: dict[str, str], expected: EmbedderConfig) -> None:
    assert EmbedderConfig.from_env(env) == expected


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HEADROOM_EMBEDDINGS": "maybe"}, "HEADROOM_EMBEDDINGS"),
        ({"HEADROOM_EMBED_THREADS": "two"}, "HEADROOM_EMBED_THREADS"),
        ({"HEADROOM_EMBED_THREADS": "0"}, "HEADROOM_EMBED_THREADS"),
    ],
)
def test_unusable_configuration_is_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        EmbedderConfig.from_env(env)


def test_the_default_embedder_is_one_per_process() -> None:
    assert default_embedder() is default_embedder()


def test_importing_the_semantic_layer_loads_no_model_runtime() -> None:
    code = (
        "import sys, ccr, ccr._embeddings, ccr._semantic, ccr._indexer, ccr._hybrid, ccr._chunks; "
        "ccr.Embedder(); ccr.default_embedder(); "
        "print(sorted(m for m in ('numpy', 'onnxruntime', 'tokenizers', 'huggingface_hub') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(
    shutil.which("hf") is None and not (Path(sys.executable).parent / "hf").exists(), reason="no hf CLI"
)
def test_the_suggested_download_command_exists() -> None:
    hf = shutil.which("hf") or str(Path(sys.executable).parent / "hf")
    out = subprocess.run([hf, "download", "--help"], capture_output=True, text=True, check=True)
    assert "--revision" in out.stdout


def test_token_counts_stop_at_the_window_the_model_reads(loaded: tuple[Embedder, Embedder]) -> None:
    fp32, _ = loaded
    short, long = fp32.token_counts(["hello world", "word " * 1000])
    assert short == 4  # [CLS] hello world [SEP]
    assert long == 256


def test_a_model_that_lands_in_the_cache_is_found_after_the_recheck_interval_not_on_every_call(
    offline_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Online (downloads allowed later), so a missing model is not final and is looked for again.
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    patient, eager = Embedder(recheck_s=3600), Embedder(recheck_s=0)
    assert not patient.available()
    assert not eager.available()
    files: dict[str, Path | bytes] = {
        "onnx/model.onnx": real_file("onnx/model.onnx"),
        "tokenizer.json": real_file("tokenizer.json"),
    }
    make_cache(tmp_path, DEFAULT_EMBED_MODEL, files)
    assert eager.available(), eager.status().reason
    assert not patient.available()
    # A background download asks with download=True, which always looks again (and finds the files).
    assert patient.available(download=True), patient.status().reason
