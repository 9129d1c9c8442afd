"""Sentence embeddings for semantic ranking: a small ONNX model, run on the CPU, from the Hugging Face hub.

The model (default ``sentence-transformers/all-MiniLM-L6-v2``: an int8 file of
its repository when the cache holds one, such as ``onnx/model_qint8.onnx``,
else ``onnx/model.onnx``, fp32) is run with onnxruntime and
tokenised with ``tokenizers``; pooling is done here: the mean of the token
states under the attention mask, scaled to unit length, so a dot product is a
cosine.

Semantic ranking is off unless ``HEADROOM_EMBEDDINGS=1``. Files come through
``huggingface_hub`` (see `ccr._hub`): from the cache when they are there;
downloaded into it only by a caller that passes ``download=True`` (the semantic
index's background loader), never by one answering a tool call, and never when
``HF_HUB_OFFLINE=1``. While the model is absent or semantic ranking is off, the
embedder says so once through ``logging`` and reports itself unavailable;
callers then rank lexically.

Every vector computed is remembered, keyed by a hash of the text it was made
from and the tokens read, in a bounded in-memory cache: a sentence, chunk or
query seen again (the same document compressed twice, a question asked again,
a chunk shared by two outputs) is not embedded again.

Importing this module loads neither onnxruntime, numpy nor tokenizers; the
first call that needs the model does, once, under a lock. After that the
embedder may be used from several threads at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import rustcore
from ccr._exceptions import EmbeddingError
from ccr._hub import ModelFilesMissing, ModelRef, resolve_files

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_EMBED_FILE",
    "DEFAULT_EMBED_MODEL",
    "INT8_EMBED_FILES",
    "Embedder",
    "EmbedderConfig",
    "EmbedderStatus",
    "default_embedder",
]

DEFAULT_EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_EMBED_FILE = "onnx/model.onnx"
# int8 quantizations of the same weights, preferred in this order when the cache holds one (`model_qint8` as a
# local quantization names it, then the hub repository's x86 and ARM files): about twice as fast and half the
# memory of fp32, for the same search hits on the questions benchmarks/embeddings.py measured.
INT8_EMBED_FILES = (
    "onnx/model_qint8.onnx",
    "onnx/model_quint8_avx2.onnx",
    "onnx/model_qint8_avx512.onnx",
    "onnx/model_qint8_arm64.onnx",
)
_TOKENIZER_FILE = "tokenizer.json"
# How long a model missing from the hub cache is taken as still missing before the cache is looked at again.
_RECHECK_MISSING_S = 10.0
# all-MiniLM-L6-v2 was trained on 128 tokens and sentence-transformers reads 256; tokenizer.json says 128.
_MAX_TOKENS = 256
# No wordpiece is shorter than one character of text, so this many characters per token always cover the
# tokens read.
_CHARS_PER_TOKEN = 32
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Unset means off: on the questions measured, meaning did not rank answers better than words (see README).
_OFF = ("", "0", "false", "no", "off")
_ON = ("1", "true", "yes", "on")

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmbedderConfig:
    """Which model to run and how.

    ``file`` is the ONNX file in the repository; None takes the first of `INT8_EMBED_FILES` the hub cache
    holds, else `DEFAULT_EMBED_FILE` (the one downloaded when none is there).
    ``revision`` is a branch, tag or commit of the hub repository (default: the cached ``main``).
    ``threads`` is onnxruntime's intra-op thread count: 1 lets the embedder run in a background
    thread without taking the server's cores. A batch holds at most ``batch_size`` texts and
    ``batch_tokens`` padded tokens: the model's working memory grows with the batch (about 750 MB
    at 32 texts of 256 tokens, 280 MB at 8), while larger batches barely run faster on a CPU.
    ``cache_size`` vectors (1.5 KB each at 384 dimensions) are remembered by text hash.
    """

    model: str = DEFAULT_EMBED_MODEL
    file: str | None = None
    revision: str | None = None
    threads: int = 1
    batch_size: int = 32
    batch_tokens: int = 2048
    cache_size: int = 8192
    enabled: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EmbedderConfig:
        """The configuration in `env` (default: the process environment).

        Reads ``HEADROOM_EMBEDDINGS`` (``1`` turns semantic ranking on; it is off by default), ``HEADROOM_EMBED_MODEL``,
        ``HEADROOM_EMBED_FILE``, ``HEADROOM_EMBED_REVISION`` and ``HEADROOM_EMBED_THREADS``.

        Raises:
            ValueError: a variable is set to something unusable; the message names it.
        """
        env = os.environ if env is None else env
        switch = env.get("HEADROOM_EMBEDDINGS", "").strip().lower()
        if switch not in _OFF + _ON:
            raise ValueError(f"HEADROOM_EMBEDDINGS={switch!r} must be 1 or 0")
        raw_threads = env.get("HEADROOM_EMBED_THREADS", "").strip() or "1"
        try:
            threads = int(raw_threads)
        except ValueError:
            raise ValueError(f"HEADROOM_EMBED_THREADS={raw_threads!r} is not a whole number") from None
        if threads < 1:
            raise ValueError(f"HEADROOM_EMBED_THREADS={raw_threads!r} must be at least 1")
        return cls(
            model=env.get("HEADROOM_EMBED_MODEL", "").strip() or DEFAULT_EMBED_MODEL,
            file=env.get("HEADROOM_EMBED_FILE", "").strip() or None,
            revision=env.get("HEADROOM_EMBED_REVISION", "").strip() or None,
            threads=threads,
            enabled=switch not in _OFF,
        )


@dataclass(frozen=True, slots=True)
class EmbedderStatus:
    """Whether embeddings can be computed, and if not, why (the text that was logged)."""

    available: bool
    model: str
    file: str | None  # the file loaded, or configured (None: the default choice)
    revision: str | None
    dim: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class _Loaded:
    session: Any
    tokenizer: Any
    input_names: tuple[str, ...]
    pooled: bool  # the graph already returns one vector per text
    dim: int


class Embedder:
    """Turns texts into unit-length float32 vectors; loads its model on first use.

    ``available()`` / ``status()`` say whether it can; ``embed()`` raises ``EmbeddingError``
    when it cannot, so a caller that did not ask still gets a clear error rather than zeros.
    """

    def __init__(self, config: EmbedderConfig | None = None, *, recheck_s: float = _RECHECK_MISSING_S) -> None:
        self.config = EmbedderConfig() if config is None else config
        self.recheck_s = recheck_s
        if min(self.config.threads, self.config.batch_size, self.config.batch_tokens) < 1:
            raise ValueError("threads, batch_size and batch_tokens must be at least 1")
        if self.config.cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._status: EmbedderStatus | None = None
        self._cache: OrderedDict[tuple[str, int], NDArray[np.float32]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # A status that may still change (the model may yet be downloaded) and when to look again.
        self._pending: tuple[EmbedderStatus, float] | None = None
        self._said: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Embedder:
        """An embedder configured by ``HEADROOM_EMBED*`` variables (see `EmbedderConfig.from_env`)."""
        return cls(EmbedderConfig.from_env(env))

    def status(self, *, download: bool = False) -> EmbedderStatus:
        """Load the model if not yet done, and say whether it can be used.

        With `download` (background threads only: a download takes minutes), files missing from the
        hub cache are downloaded unless ``HF_HUB_OFFLINE`` is set. Without it, a missing model is
        reported unavailable for now, and a call `recheck_s` seconds later (or one with `download`)
        looks in the cache again, so it finds a download that has landed since.
        """
        status = self._status
        if status is not None:
            return status
        pending = self._pending
        # Looking through the hub cache costs a few file-system calls, too many for every compress call.
        if pending is not None and not download and time.monotonic() < pending[1]:
            return pending[0]
        with self._lock:
            status = self._status
            if status is None:
                status, final = self._load(download)
                if final:
                    self._status = status
                else:
                    self._pending = (status, time.monotonic() + self.recheck_s)
        return status

    def available(self, *, download: bool = False) -> bool:
        """True when embeddings can be computed; loads the model on first use (see `status`)."""
        return self.status(download=download).available

    def loaded(self) -> bool:
        """Whether the model is loaded already (never loads it)."""
        return self._loaded is not None

    @property
    def dim(self) -> int:
        """The length of the vectors.

        Raises:
            EmbeddingError: the model is unavailable.
        """
        return self._require().dim

    def embed(self, texts: Sequence[str], *, max_tokens: int | None = None) -> NDArray[np.float32]:
        """Embed `texts`: an array of shape ``(len(texts), dim)``, each row of unit length.

        Texts longer than the model reads (256 tokens, or `max_tokens` when that is smaller: a caller
        on a time budget reads less) are embedded by their beginning. Texts embedded before (same
        text, same window) come from the cache; the rest are batched by similar length, so padding
        costs little.

        Raises:
            EmbeddingError: the model is unavailable, or onnxruntime failed on this input.
        """
        import numpy as np

        loaded = self._require()
        window = _window(max_tokens)
        out = np.zeros((len(texts), loaded.dim), dtype=np.float32)
        keys = [_cache_key(text, window) for text in texts]
        missing: dict[tuple[str, int], list[int]] = {}
        with self._cache_lock:
            for row, key in enumerate(keys):
                vector = self._cache.get(key)
                if vector is None:
                    missing.setdefault(key, []).append(row)
                else:
                    self._cache.move_to_end(key)
                    out[row] = vector
        if not missing:
            return out
        firsts = [rows[0] for rows in missing.values()]
        encodings = [_encode(loaded.tokenizer, texts[row], window) for row in firsts]
        computed = np.zeros((len(firsts), loaded.dim), dtype=np.float32)
        for batch in self._batches(sorted(range(len(firsts)), key=lambda i: len(encodings[i].ids)), encodings):
            try:
                computed[batch] = _run(loaded, [encodings[i] for i in batch])
            except Exception as exc:  # onnxruntime raises its own untyped failures
                raise EmbeddingError(f"{self.config.model}: inference failed: {exc}") from exc
        rustcore.trim_heap()
        with self._cache_lock:
            for (key, rows), vector in zip(missing.items(), computed, strict=True):
                out[rows] = vector
                if self.config.cache_size:
                    self._cache[key] = vector.copy()
            while len(self._cache) > self.config.cache_size:
                self._cache.popitem(last=False)
        return out

    def _batches(self, order: list[int], encodings: Sequence[Any]) -> Iterator[list[int]]:
        """Runs of `order` (sorted by length) within the batch's count and padded-token limits."""
        rows: list[int] = []
        for i in order:
            width = len(encodings[i].ids)  # the longest so far, since `order` is sorted
            if rows and (len(rows) == self.config.batch_size or (len(rows) + 1) * width > self.config.batch_tokens):
                yield rows
                rows = []
            rows.append(i)
        if rows:
            yield rows

    def token_counts(self, texts: Sequence[str], *, max_tokens: int | None = None) -> list[int]:
        """How many tokens of each text the model reads (at most 256, or `max_tokens`; [CLS] and [SEP]
        included).

        Raises:
            EmbeddingError: the model is unavailable.
        """
        tokenizer = self._require().tokenizer
        window = _window(max_tokens)
        return [len(_encode(tokenizer, text, window).ids) for text in texts]

    def cached(self) -> int:
        """How many vectors the cache holds."""
        with self._cache_lock:
            return len(self._cache)

    def clear_cache(self) -> None:
        """Forget every remembered vector (a benchmark measuring first calls needs this)."""
        with self._cache_lock:
            self._cache.clear()

    def embed_query(self, text: str, *, max_tokens: int | None = None) -> NDArray[np.float32]:
        """Embed one text: a vector of shape ``(dim,)`` (remembered like any other, see `embed`).

        Raises:
            EmbeddingError: as `embed`.
        """
        vector: NDArray[np.float32] = self.embed([text], max_tokens=max_tokens)[0]
        return vector

    def _require(self) -> _Loaded:
        status = self.status()
        if self._loaded is None:
            raise EmbeddingError(status.reason or "the embedding model is unavailable")
        return self._loaded

    def _unavailable(self, reason: str, level: int) -> EmbedderStatus:
        # Said once per process: a missing model is retried on later calls without repeating itself.
        if reason != self._said:
            self._said = reason
            _log.log(level, "%s", reason)
        c = self.config
        return EmbedderStatus(False, c.model, c.file, c.revision, reason=reason)

    def _load(self, download: bool) -> tuple[EmbedderStatus, bool]:
        """The status after trying to load, and whether it is final (no later call could change it)."""
        c = self.config
        if not c.enabled:
            reason = (
                "semantic ranking is off (HEADROOM_EMBEDDINGS=1 turns it on): query retrieval and search rank lexically"
            )
            return self._unavailable(reason, logging.INFO), True
        ref = ModelRef(c.model, c.revision)
        file = c.file or _cached_int8(ref) or DEFAULT_EMBED_FILE
        try:
            model_path, tokenizer_path = resolve_files(ref, (file, _TOKENIZER_FILE), download=download)
        except ModelFilesMissing as exc:
            reason = f"semantic ranking is off: {exc}; query retrieval and search rank lexically"
            if exc.final:
                reason += " (unset HEADROOM_EMBEDDINGS to silence this)"
            # Not final: the background indexer may download it; only its outcome is worth a warning.
            return self._unavailable(reason, logging.WARNING if exc.final else logging.INFO), exc.final
        try:
            self._loaded = self._open(model_path, tokenizer_path)
        except Exception as exc:  # any failure to load must leave the server running, lexically
            reason = (
                f"semantic ranking is off: {c.model} could not be loaded from {model_path}: {exc}; "
                "query retrieval and search rank lexically"
            )
            return self._unavailable(reason, logging.WARNING), True
        _log.info("embedding model %s (%s) loaded from %s", c.model, file, model_path)
        return EmbedderStatus(True, c.model, file, c.revision, dim=self._loaded.dim), True

    def _open(self, model_path: Path, tokenizer_path: Path) -> _Loaded:
        import onnxruntime
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.no_padding()  # tokenizer.json pads every text to 128; batches are padded here instead

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.config.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        # Idle pool threads would otherwise spin on a core between batches.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Batches come in ever new shapes, so a planned memory pattern is never reused, and an arena keeps the
        # largest batch's buffers for the life of the process; without either (and the heap trimmed after each
        # call, `rustcore.trim_heap`) the buffers go back once a call ends, at the same speed.
        options.enable_mem_pattern = False
        options.enable_cpu_mem_arena = False
        session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        # Loading parsed the whole file into buffers freed since.
        rustcore.trim_heap()

        input_names = tuple(i.name for i in session.get_inputs())
        unknown = set(input_names) - set(_INPUTS)
        if unknown:
            raise EmbeddingError(f"the model asks for inputs {sorted(unknown)} that a text encoder does not give")
        shape = session.get_outputs()[0].shape
        if len(shape) not in (2, 3):
            raise EmbeddingError(f"the model's first output has shape {shape}; expected token or text vectors")
        loaded = _Loaded(session, tokenizer, input_names, pooled=len(shape) == 2, dim=0)
        dim = shape[-1] if isinstance(shape[-1], int) else _run(loaded, [tokenizer.encode("probe")]).shape[1]
        return _Loaded(session, tokenizer, input_names, loaded.pooled, int(dim))


class _Encoded(NamedTuple):
    """A tokenised text cut to a shorter window (what `_run` reads of a `tokenizers.Encoding`)."""

    ids: list[int]
    attention_mask: list[int]
    type_ids: list[int]


def _cached_int8(ref: ModelRef) -> str | None:
    """The first of `INT8_EMBED_FILES` the hub cache holds for `ref` (never downloads)."""
    for name in INT8_EMBED_FILES:
        try:
            resolve_files(ref, (name, _TOKENIZER_FILE), download=False)
        except ModelFilesMissing:
            continue
        return name
    return None


def _window(max_tokens: int | None) -> int:
    """The tokens read of each text: the model's window, or less when a caller asks for less."""
    if max_tokens is None:
        return _MAX_TOKENS
    if max_tokens < 2:
        raise ValueError(f"max_tokens={max_tokens} leaves no room for a word beside [CLS] and [SEP]")
    return min(max_tokens, _MAX_TOKENS)


def _cache_key(text: str, window: int) -> tuple[str, int]:
    # Only the characters the model can read count: a longer tail does not change the vector.
    head = text[: window * _CHARS_PER_TOKEN].encode("utf-8", errors="surrogatepass")
    return rustcore.content_hash(head), window


def _encode(tokenizer: Any, text: str, window: int) -> Any:
    """`text` tokenised, cut to `window` tokens with its closing special tokens ([SEP]) kept."""
    encoding = tokenizer.encode(text[: window * _CHARS_PER_TOKEN])
    if len(encoding.ids) <= window:
        return encoding
    special = encoding.special_tokens_mask
    tail = 0
    while tail < len(special) - 1 and special[len(special) - 1 - tail]:
        tail += 1
    keep = list(range(window - tail)) + list(range(len(special) - tail, len(special)))
    return _Encoded(
        [encoding.ids[i] for i in keep],
        [encoding.attention_mask[i] for i in keep],
        [encoding.type_ids[i] for i in keep],
    )


def _run(loaded: _Loaded, encodings: Sequence[Any]) -> NDArray[np.float32]:
    """Unit vectors for one batch of encodings, padded to the longest."""
    import numpy as np

    width = max(len(e.ids) for e in encodings)
    feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUTS}
    for r, e in enumerate(encodings):
        n = len(e.ids)
        feeds["input_ids"][r, :n] = e.ids
        feeds["attention_mask"][r, :n] = e.attention_mask
        feeds["token_type_ids"][r, :n] = e.type_ids
    states = loaded.session.run(None, {name: feeds[name] for name in loaded.input_names})[0]
    if loaded.pooled:
        vectors = states.astype(np.float32)
    else:
        weights = feeds["attention_mask"][:, :, None].astype(np.float32)
        vectors = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: NDArray[np.float32] = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result


_default: Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide embedder, configured from the environment (not loaded yet).

    One model is loaded per process however many users it has; a change of the ``HEADROOM_EMBED*``
    variables since the last call gives a new embedder for the new configuration.

    Raises:
        ValueError: a ``HEADROOM_EMBED*`` variable is unusable.
    """
    global _default
    config = EmbedderConfig.from_env()
    with _default_lock:
        if _default is None or _default.config != config:
            _default = Embedder(config)
        return _default
