"""Neural prose scoring: a token keep/drop model (a tiny real ONNX graph in a hub cache, loaded the way a real one
is) and sentence embeddings (the real all-MiniLM-L6-v2, where the shared cache exists), through the pipeline."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tiny_models import keep_probability, token_classifier, write_hub_cache

import ccr._embeddings
import compressors._neural as neural
from ccr import Store, find_markers
from compressors import CompressContext, compress, get_compressor
from compressors._neural import (
    NEURAL_SIGNALS,
    NeuralProseCompressor,
    TokenClassifier,
    TokenClassifierConfig,
    default_classifier,
    keep_share,
)
from compressors._prose import ProseCompressor
from compressors._prose_scoring import DEFAULT_SIGNALS

ROOT = Path(__file__).resolve().parents[2]
HF_CACHE = ROOT.parent / "shared" / "models" / "hf-cache"
REPO = "tiny-org/keeper"
FACTS = "cluster node disk latency spiked during backup window seven replica lagged behind primary after failover"
FLUFF = "marketing brochure colour palette matched autumn campaign theme nine poster looked brighter than expected"
KEEP = {**dict.fromkeys(FACTS.split(), True), **dict.fromkeys(FLUFF.split(), False)}


def sentence(words: list[str], rng: random.Random) -> str:
    picked = rng.sample(words, 8)
    return " ".join([picked[0].capitalize(), *picked[1:]]) + "."


def report() -> tuple[str, list[str], list[str]]:
    """A one-section report: fluff, then a run of fact sentences, then fluff, all of one shape and density."""
    rng = random.Random(4)
    facts = [sentence(FACTS.split(), rng) for _ in range(30)]
    fluff = [sentence(FLUFF.split(), rng) for _ in range(170)]
    body = [*fluff[:100], *facts, *fluff[100:]]
    return "# Incident report\n\n" + "\n\n".join(body) + "\n", facts, fluff


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as opened:  # in this test's HEADROOM_HOME
        yield opened


@pytest.fixture
def classifier_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The tiny keep/drop model as a hub cache, offline, configured by HEADROOM_PROSE_MODEL."""
    home = write_hub_cache(tmp_path / "hf", REPO, token_classifier(KEEP))
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HEADROOM_PROSE_MODEL", REPO)
    monkeypatch.setattr(neural, "_default", None)
    yield home
    monkeypatch.setattr(neural, "_default", None)


def test_word_keep_probabilities_come_from_the_model_per_word(classifier_cache: Path) -> None:
    model = TokenClassifier(TokenClassifierConfig.from_env())
    assert model.available()
    text = "Replica lagged, marketing poster!"
    words = model.word_keep_probabilities(text)
    assert [text[a:b] for a, b, _ in words] == ["Replica", "lagged,", "marketing", "poster!"]
    # "lagged," is two tokens: the word and the comma (unknown, dropped); its probability is their mean.
    expected = [keep_probability(True), (keep_probability(True) + keep_probability(False)) / 2]
    expected += [keep_probability(False), keep_probability(False)]
    assert [p for _, _, p in words] == pytest.approx(expected, rel=1e-5)


def test_text_longer_than_one_window_is_read_in_several(classifier_cache: Path) -> None:
    model = TokenClassifier(TokenClassifierConfig.from_env())
    text = " ".join(["cluster", "poster"] * 700)  # 1,400 tokens: three windows of 512
    words = model.word_keep_probabilities(text)
    assert len(words) == 1400
    assert [round(p, 4) for _, _, p in words[1020:1024]] == [
        round(keep_probability(True), 4),
        round(keep_probability(False), 4),
    ] * 2


def test_keep_share_scores_sentences_by_the_words_the_model_keeps(classifier_cache: Path) -> None:
    shares = keep_share(["Cluster node disk latency", "Marketing brochure colour palette", "Cluster poster"], None)
    assert shares[0] == pytest.approx(keep_probability(True), rel=1e-5)
    assert shares[1] == pytest.approx(keep_probability(False), rel=1e-5)
    assert shares[2] == pytest.approx(0.5, rel=1e-5)


def test_with_the_token_model_prose_keeps_the_sentences_it_would_keep_and_marks_the_rest(
    classifier_cache: Path, store: Store
) -> None:
    text, facts, fluff = report()
    with_model = compress(text, store=store, content_type="markdown")
    kept_facts = [s for s in facts if s in with_model.compressed]
    kept_fluff = [s for s in fluff if s in with_model.compressed]
    assert with_model.compressor == "prose"
    assert len(kept_facts) >= 10 and len(kept_fluff) <= 2  # at most the section's lead and a neighbour
    markers = find_markers(with_model.compressed)
    assert markers and all(m.hash == with_model.hash and m.lines is not None for m in markers)
    shown = {line for line in with_model.compressed.splitlines() if not find_markers(line)}
    hidden = [s for s in facts + fluff if s not in shown]
    for line_text in hidden:  # every dropped sentence is inside some marker's range
        number = text.splitlines().index(line_text) + 1
        assert any(m.lines and m.lines[0] <= number <= m.lines[1] for m in markers)
    lexical = ProseCompressor(DEFAULT_SIGNALS).compress(text, _context(with_model.hash))
    assert len([s for s in facts if s in lexical]) < len(kept_facts)
    assert len([s for s in fluff if s in lexical]) > len(kept_fluff)


def _context(digest: str) -> CompressContext:
    return CompressContext(hash=digest, content_type="markdown")


def test_line_breaks_and_structure_stay_and_the_output_is_deterministic(classifier_cache: Path, store: Store) -> None:
    text, _, _ = report()
    first = compress(text, store=store, content_type="markdown").compressed
    again = compress(text, store=store, content_type="markdown").compressed
    assert first == again
    original = set(text.splitlines())
    for line in first.splitlines():
        assert line in original or re.fullmatch(
            r"\[\d+ lines omitted: retrieve hash=[0-9a-f]{16} lines=\d+-\d+\]", line
        )
    assert first.splitlines()[0] == "# Incident report"


def test_without_a_configured_model_the_neural_compressor_equals_the_lexical_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEADROOM_PROSE_MODEL", raising=False)
    assert default_classifier() is None
    assert isinstance(get_compressor("prose"), NeuralProseCompressor)
    text, _, _ = report()
    digest = store.put(text)
    for query in (None, "replica failover"):
        ctx = CompressContext(hash=digest, content_type="markdown", query=query)
        assert NeuralProseCompressor().compress(text, ctx) == ProseCompressor(DEFAULT_SIGNALS).compress(text, ctx)


def test_a_missing_model_offline_is_reported_once_and_never_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = TokenClassifier(TokenClassifierConfig(model="tiny-org/absent"))
    with caplog.at_level(logging.INFO, logger="compressors._neural"):
        assert not model.available()
        assert not model.available()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and "tiny-org/absent" in messages[0] and "HF_HUB_OFFLINE" in messages[0]
    assert model._fetching is None
    assert keep_share(["anything at all"], None) == [0.0]


def test_a_broken_model_file_leaves_prose_lexical_and_says_which_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, store: Store
) -> None:
    files = token_classifier(KEEP) | {"onnx/model.onnx": b"not a graph"}
    monkeypatch.setenv("HF_HOME", str(write_hub_cache(tmp_path / "hf", REPO, files)))
    monkeypatch.setenv("HEADROOM_PROSE_MODEL", REPO)
    monkeypatch.setattr(neural, "_default", None)
    text, _, _ = report()
    with caplog.at_level(logging.WARNING, logger="compressors._neural"):
        out = compress(text, store=store, content_type="markdown").compressed
    assert out == ProseCompressor(DEFAULT_SIGNALS).compress(text, _context(store.put(text)))
    assert any("could not be loaded" in r.getMessage() and "model.onnx" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(neural, "_default", None)


def test_the_token_model_settings_are_read_from_the_environment() -> None:
    assert TokenClassifierConfig.from_env({}) == TokenClassifierConfig()
    assert TokenClassifierConfig.from_env(
        {"HEADROOM_PROSE_MODEL": "org/m", "HEADROOM_PROSE_FILE": "m.onnx", "HEADROOM_PROSE_REVISION": "v1"}
    ) == TokenClassifierConfig(model="org/m", file="m.onnx", revision="v1")


# --- sentence embeddings (the real model) -------------------------------------------------------------------

QUESTION = "why can't I sign in to the database"
# Every note below names the database once; only this one answers the question, and it is the longest, so BM25
# ranks it last among them.
ANSWER = "Database logins fail once the vault credentials pass their ninety-day expiry; rotate them first."
DATABASE_NOTES = [
    "The database team has lunch in the canteen on Fridays.",
    "A poster of the database schema hangs by the lifts.",
    ANSWER,
    "The database migration course runs twice a year in room four.",
    "Old database servers are recycled by the facilities team.",
    "The database newsletter is printed on green paper.",
]


def office_guide() -> str:
    """Notes about the office; the database notes are spread among notes that share no word with the question."""
    rng = random.Random(11)
    places = ["Room", "Kitchen", "Studio", "Lounge", "Archive", "Workshop", "Library", "Terrace", "Atrium"]
    teams = ["facilities", "catering", "design", "finance", "security", "events", "legal", "reception"]
    notes = [
        f"{rng.choice(places)} {k} on level {rng.randint(1, 9)} is cleaned by the {rng.choice(teams)} team every week."
        for k in range(40)
    ]
    for k, note in enumerate(DATABASE_NOTES):
        notes.insert(5 + k * 6, note)
    return "# Office guide\n\n" + "\n\n".join(notes) + "\n"


GUIDE = office_guide()


@pytest.fixture
def embeddings(monkeypatch: pytest.MonkeyPatch) -> Iterator[ccr.Embedder]:
    """The default embedder on the real model, loaded (as the server loads it at start)."""
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    monkeypatch.setenv("HF_HOME", str(HF_CACHE))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HEADROOM_EMBEDDINGS", "1")
    monkeypatch.setattr(ccr._embeddings, "_default", None)
    embedder = ccr.default_embedder()
    assert embedder.available(), embedder.status().reason
    yield embedder
    monkeypatch.setattr(ccr._embeddings, "_default", None)


def test_with_meaning_on_and_the_model_loaded_compression_embeds_nothing_and_ranks_by_words(
    embeddings: ccr.Embedder, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded: list[str] = []
    real = embeddings.embed

    def counting(texts: list[str], **kwargs: object) -> object:
        embedded.extend(texts)
        return real(texts, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(embeddings, "embed", counting)
    monkeypatch.setattr(embeddings, "embed_query", counting)
    on = compress(GUIDE, store=store, query=QUESTION, content_type="markdown", budget=100)
    lexical = ProseCompressor(DEFAULT_SIGNALS).compress(
        GUIDE, CompressContext(hash=on.hash, query=QUESTION, content_type="markdown", budget=100)
    )
    assert embedded == []
    assert on.compressed == lexical


def test_the_neural_signals_extend_the_lexical_ones() -> None:
    assert NEURAL_SIGNALS[: len(DEFAULT_SIGNALS)] == DEFAULT_SIGNALS
    assert {signal for signal, _ in NEURAL_SIGNALS[len(DEFAULT_SIGNALS) :]} == {keep_share}
