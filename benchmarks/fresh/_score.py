"""Scoring fresh samples quickly, per category: one `compress()` per sample and mode, one query retrieval.

The figures mean what `headroom bench` reports (same scorer, same o200k_base token counts, same 2,000-token
retrieval) without its repeated timed runs, so the tests and the seed sweep stay fast. An input compress() refuses
(an `InputError`: coloured output read as binary) scores nothing kept, saved or found, with the reason first among
its missing needles.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import FreshSample

__all__ = ["CategoryScore", "SampleScore", "score_samples", "summarize_scores"]


@dataclass(frozen=True, slots=True)
class SampleScore:
    name: str
    category: str
    kind: str
    mode: str
    tokens_before: int
    tokens_after: int
    needles: int
    kept: int
    strict: int
    with_retrieval: int
    round_trip: bool
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """A category's figures in one mode: reduction over its tokens, needle rates over its needles."""

    category: str
    mode: str
    samples: int
    reduction: float
    kept: float
    strict: float
    with_retrieval: float
    round_trips: int

    def line(self) -> str:
        return (
            f"{self.category:<14} {self.mode:<8} {self.samples:>3} samples  reduction {self.reduction:6.1%}  "
            f"kept {self.kept:6.1%}  strict {self.strict:6.1%}  kept + 1 retrieval {self.with_retrieval:6.1%}"
        )


def score_samples(samples: Sequence[FreshSample], modes: Iterable[str] = ("query", "no-query")) -> list[SampleScore]:
    """Each sample compressed in each mode into a store in a temporary home, scored on its needles."""
    import rustcore
    from ccr import InputError, Settings, Store
    from compressors import compress
    from mcp_server.bench import ENCODING, RETRIEVAL_MAX_TOKENS, score_needles

    out: list[SampleScore] = []
    with tempfile.TemporaryDirectory(prefix="headroom-fresh-score-") as home, Store(Settings(home=Path(home))) as store:
        for mode in modes:
            for sample in samples:
                data = sample.text.encode("utf-8")
                try:
                    result = compress(data, store=store, query=sample.query if mode == "query" else None)
                except InputError as exc:
                    # Refused (colored output read as binary): nothing kept, nothing to retrieve, nothing saved.
                    out.append(_refused(sample, mode, rustcore.count_tokens(sample.text, ENCODING), str(exc)))
                    continue
                excerpt = store.query(result.hash, sample.query, max_tokens=RETRIEVAL_MAX_TOKENS)
                score = score_needles(sample.needles, result.compressed, excerpt.text)
                out.append(
                    SampleScore(
                        name=sample.name,
                        category=sample.category,
                        kind=sample.kind,
                        mode=mode,
                        tokens_before=rustcore.count_tokens(sample.text, ENCODING),
                        tokens_after=rustcore.count_tokens(result.compressed, ENCODING),
                        needles=score.total,
                        kept=score.kept,
                        strict=score.strict,
                        with_retrieval=score.with_retrieval or 0,
                        round_trip=store.get(result.hash) == data,
                        missing=score.missing,
                    )
                )
    return out


def _refused(sample: FreshSample, mode: str, tokens: int, why: str) -> SampleScore:
    return SampleScore(
        name=sample.name,
        category=sample.category,
        kind=sample.kind,
        mode=mode,
        tokens_before=tokens,
        tokens_after=tokens,
        needles=len(sample.needles),
        kept=0,
        strict=0,
        with_retrieval=0,
        round_trip=False,
        missing=(f"(refused: {why[:120]})", *sample.needles),
    )


def summarize_scores(scores: Iterable[SampleScore], key: str = "category") -> list[CategoryScore]:
    """Per (category or kind, mode): token-weighted reduction and needle rates, sorted."""
    groups: dict[tuple[str, str], list[SampleScore]] = {}
    for s in scores:
        groups.setdefault((getattr(s, key), s.mode), []).append(s)
    out = []
    for (name, mode), items in sorted(groups.items()):
        before = sum(s.tokens_before for s in items)
        needles = sum(s.needles for s in items) or 1
        out.append(
            CategoryScore(
                category=name,
                mode=mode,
                samples=len(items),
                reduction=1 - sum(s.tokens_after for s in items) / before if before else 0.0,
                kept=sum(s.kept for s in items) / needles,
                strict=sum(s.strict for s in items) / needles,
                with_retrieval=sum(s.with_retrieval for s in items) / needles,
                round_trips=sum(s.round_trip for s in items),
            )
        )
    return out
