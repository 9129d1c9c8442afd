"""Neural signal for the prose compressor: an optional token keep/drop model.

`TokenClassifier` (``HEADROOM_PROSE_MODEL``, off by default) plugs into
`compressors._prose_scoring.score_sentences` as an extra ``(signal, weight)``
entry (`NEURAL_SIGNALS`, given to the registered prose compressor,
`NeuralProseCompressor`): an ONNX token-classification model in the style of
LLMLingua-2, whose second label means "keep this token". Each sentence scores
the share of its words the model would keep. The prose compressor keeps or
drops whole sentences and lines, never single words: a dropped span needs a
marker to stay retrievable, and a marker costs more tokens than the few words
LLMLingua drops at a time, so the model's per-token verdicts decide which
sentences go, each gap with its marker, and line breaks stay where they were.

Sentence embeddings are not a signal: ranking the best lexical matches by
meaning kept no more of the answers on 70 prose, issue-thread and HTML samples
at three budgets (the same needles verbatim with and without, README: Semantic
search) and cost a compress call tens of milliseconds, so compression never
embeds anything.

The model's output is deterministic for a given environment (same model files,
same output); it caps the text it runs on per call, so a long document costs a
bounded time, and falls back to the lexical signals when the model is absent,
saying once in the log why.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccr import EmbeddingError
from ccr._hub import ModelFilesMissing, ModelRef, hub_offline, resolve_files
from compressors._prose import ProseCompressor
from compressors._prose_scoring import DEFAULT_SIGNALS, Signal

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_PROSE_FILE",
    "KEEP_WEIGHT",
    "NEURAL_SIGNALS",
    "NeuralProseCompressor",
    "TokenClassifier",
    "TokenClassifierConfig",
    "default_classifier",
    "keep_share",
]

_log = logging.getLogger(__name__)

DEFAULT_PROSE_FILE = "onnx/model.onnx"
_TOKENIZER_FILE = "tokenizer.json"
# Weight beside BM25 relevance (1.0) and density (0.15) in the sentence score.
KEEP_WEIGHT = 0.3
# Model tokens classified per call at most: about a second of one core.
_CLASSIFY_TOKEN_BUDGET = 8000
_WINDOW = 512
_WORD = re.compile(r"\S+")


# --- token keep/drop classification -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenClassifierConfig:
    """Which token-classification model to run (``model`` None: off)."""

    model: str | None = None
    file: str = DEFAULT_PROSE_FILE
    revision: str | None = None
    threads: int = 1

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TokenClassifierConfig:
        """``HEADROOM_PROSE_MODEL`` (a hub repository id; unset: off), ``HEADROOM_PROSE_FILE`` (default
        ``onnx/model.onnx``) and ``HEADROOM_PROSE_REVISION``."""
        env = os.environ if env is None else env
        return cls(
            model=env.get("HEADROOM_PROSE_MODEL", "").strip() or None,
            file=env.get("HEADROOM_PROSE_FILE", "").strip() or DEFAULT_PROSE_FILE,
            revision=env.get("HEADROOM_PROSE_REVISION", "").strip() or None,
        )


@dataclass(frozen=True, slots=True)
class _Loaded:
    session: Any
    tokenizer: Any
    input_names: tuple[str, ...]


class TokenClassifier:
    """Per-word keep probabilities from an ONNX token-classification model (label 1 = keep).

    Files come from the hub cache; when they are missing and downloads are allowed, one background
    thread fetches them (the caller carries on lexically meanwhile). Thread-safe once loaded.
    """

    def __init__(self, config: TokenClassifierConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._final: str | None = None  # why it can never load in this process
        self._said: str | None = None
        self._fetching: threading.Thread | None = None

    def available(self) -> bool:
        """Whether the model can run now (loads it from the cache on first call; never waits for a download)."""
        if self._loaded is not None:
            return True
        if self.config.model is None or self._final is not None:
            return False
        with self._lock:
            if self._loaded is None and self._final is None:
                self._try_load()
        return self._loaded is not None

    def _ref(self) -> ModelRef:
        assert self.config.model is not None
        return ModelRef(self.config.model, self.config.revision)

    def _say(self, reason: str, level: int) -> None:
        if reason != self._said:
            self._said = reason
            _log.log(level, "%s", reason)

    def _try_load(self) -> None:
        names = (self.config.file, _TOKENIZER_FILE)
        try:
            model_path, tokenizer_path = resolve_files(self._ref(), names, download=False)
        except ModelFilesMissing as exc:
            reason = f"prose token model off: {exc}; prose sentences are scored lexically"
            if exc.final:
                self._final = reason
            elif self._fetching is None:
                self._fetching = threading.Thread(target=self._fetch, name="headroom-prose-model", daemon=True)
                self._fetching.start()
            self._say(reason, logging.WARNING if exc.final else logging.INFO)
            return
        try:
            self._loaded = _open(model_path, tokenizer_path, self.config.threads)
        except Exception as exc:  # a broken file must not break compression
            self._final = f"prose token model off: {self.config.model} could not be loaded from {model_path}: {exc}"
            self._say(self._final, logging.WARNING)
            return
        _log.info("prose token model %s (%s) loaded", self.config.model, self.config.file)

    def _fetch(self) -> None:
        try:
            resolve_files(self._ref(), (self.config.file, _TOKENIZER_FILE), download=not hub_offline())
        except ModelFilesMissing as exc:
            self._final = f"prose token model off: {exc}"
            self._say(self._final, logging.WARNING)

    def word_keep_probabilities(self, text: str) -> list[tuple[int, int, float]]:
        """``(start, end, p)`` for each whitespace-separated word of `text`: its character span and the
        mean keep probability of its tokens. Text past `_WINDOW` tokens is read in further windows.

        Raises:
            EmbeddingError: the model is unavailable or failed.
        """
        return self.batch_keep_probabilities([text])[0]

    def batch_keep_probabilities(self, texts: Sequence[str]) -> list[list[tuple[int, int, float]]]:
        """`word_keep_probabilities` for several texts at once (batched by window)."""
        if not self.available() or self._loaded is None:
            raise EmbeddingError(self._final or self._said or "the prose token model is not configured")
        loaded = self._loaded
        windows: list[tuple[int, list[int], list[tuple[int, int]]]] = []
        for k, text in enumerate(texts):
            encoding = loaded.tokenizer.encode(text, add_special_tokens=False)
            ids, offsets = list(encoding.ids), list(encoding.offsets)
            for at in range(0, len(ids), _WINDOW):
                windows.append((k, ids[at : at + _WINDOW], offsets[at : at + _WINDOW]))
        token_probs: list[list[tuple[tuple[int, int], float]]] = [[] for _ in texts]
        for at in range(0, len(windows), 8):
            batch = windows[at : at + 8]
            try:
                probs = _keep_probs(loaded, [ids for _, ids, _ in batch])
            except Exception as exc:  # onnxruntime raises its own untyped failures
                raise EmbeddingError(f"{self.config.model}: inference failed: {exc}") from exc
            for row, (k, ids, offsets) in enumerate(batch):
                token_probs[k].extend(zip(offsets, (float(p) for p in probs[row, : len(ids)]), strict=True))
        return [_words(text, probs) for text, probs in zip(texts, token_probs, strict=True)]


def _words(text: str, token_probs: Sequence[tuple[tuple[int, int], float]]) -> list[tuple[int, int, float]]:
    """Mean token keep probability per whitespace-separated word (words without a token score 0.5)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    sums = [0.0] * len(words)
    counts = [0] * len(words)
    starts = [a for a, _ in words]
    for (a, b), p in token_probs:
        if b <= a:
            continue
        w = bisect.bisect_right(starts, a) - 1
        if 0 <= w < len(words) and a < words[w][1]:
            sums[w] += p
            counts[w] += 1
    return [(a, b, sums[i] / counts[i] if counts[i] else 0.5) for i, (a, b) in enumerate(words)]


def _open(model_path: Path, tokenizer_path: Path, threads: int) -> _Loaded:
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    names = tuple(i.name for i in session.get_inputs())
    unknown = set(names) - {"input_ids", "attention_mask", "token_type_ids"}
    if unknown:
        raise EmbeddingError(f"the model asks for inputs {sorted(unknown)} that a token classifier does not need")
    shape = session.get_outputs()[0].shape
    if len(shape) != 3:
        raise EmbeddingError(f"the model's first output has shape {shape}; expected per-token label logits")
    return _Loaded(session, tokenizer, names)


def _keep_probs(loaded: _Loaded, batch: Sequence[Sequence[int]]) -> NDArray[np.float32]:
    """Softmax probability of label 1 (keep) for each token of each padded row."""
    import numpy as np

    width = max((len(ids) for ids in batch), default=0) or 1
    feeds = {name: np.zeros((len(batch), width), dtype=np.int64) for name in loaded.input_names}
    for r, ids in enumerate(batch):
        if "input_ids" in feeds:
            feeds["input_ids"][r, : len(ids)] = ids
        if "attention_mask" in feeds:
            feeds["attention_mask"][r, : len(ids)] = 1
    logits = loaded.session.run(None, feeds)[0].astype(np.float64)
    if logits.shape[-1] < 2:
        raise EmbeddingError(f"the model gives {logits.shape[-1]} label per token; keep/drop needs two")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    keep: NDArray[np.float32] = (exp[..., 1] / exp.sum(axis=-1)).astype(np.float32)
    return keep


_default: TokenClassifier | None = None
_default_lock = threading.Lock()


def default_classifier() -> TokenClassifier | None:
    """The process-wide token classifier for ``HEADROOM_PROSE_*`` (None when ``HEADROOM_PROSE_MODEL`` is unset)."""
    global _default
    config = TokenClassifierConfig.from_env()
    if config.model is None:
        return None
    with _default_lock:
        if _default is None or _default.config != config:
            _default = TokenClassifier(config)
        return _default


def keep_share(sentences: Sequence[str], query: str | None) -> list[float]:
    """The share of each sentence's words the token model keeps (mean word keep probability), in [0, 1].

    Sentences past the per-call token budget (in document order), and all of them without the model,
    score 0: no opinion, so the other signals decide alone.
    """
    del query  # LLMLingua-style models judge a token by its context, not by a question
    out = [0.0] * len(sentences)
    classifier = default_classifier()
    if classifier is None or not sentences or not classifier.available():
        return out
    budget = _CLASSIFY_TOKEN_BUDGET * 4  # characters: about four per token
    chosen: list[int] = []
    for i, sentence in enumerate(sentences):
        if budget - len(sentence) < 0:
            break
        chosen.append(i)
        budget -= len(sentence)
    try:
        words = classifier.batch_keep_probabilities([sentences[i] for i in chosen])
    except EmbeddingError as exc:
        _log.warning("prose token model failed, scoring lexically: %s", exc)
        return out
    for i, scored in zip(chosen, words, strict=True):
        if scored:
            out[i] = sum(p for _, _, p in scored) / len(scored)
    return out


# The prose compressor's sentence signals: the lexical ones, plus the token model's, which scores every
# sentence 0 (changing nothing) when its model is absent.
NEURAL_SIGNALS: tuple[tuple[Signal, float], ...] = (*DEFAULT_SIGNALS, (keep_share, KEEP_WEIGHT))


class NeuralProseCompressor(ProseCompressor):
    """The prose compressor with `NEURAL_SIGNALS`: what the registry builds for "prose"."""

    description = (
        "headings kept; sentences kept by relevance to the question (BM25), position, density and an optional "
        "token keep/drop model; near-duplicates dropped"
    )

    def __init__(self, signals: Sequence[tuple[Signal, float]] = NEURAL_SIGNALS) -> None:
        super().__init__(signals)
