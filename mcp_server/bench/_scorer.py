"""Needle scoring: does a compressed text still hold the substrings an answer needs?

Three levels, each stricter one implying the looser:

- strict: the needle occurs byte for byte;
- kept: it occurs once every whitespace run is collapsed to one space on both
  sides, or, for a needle made only of JSON ``"key": value`` pairs, every key
  and every value occurs as a whole token somewhere in the text (``36`` does
  not count inside ``361``, nor ``merged`` inside ``merged_at``). The second rule is
  the one the peer's published figures use (a lossless table re-encoding
  moves keys into a header and values into rows); it is looser than it looks,
  which is why strict is always reported beside it;
- with retrieval: kept in the compressed text or in the excerpt of one
  query-scoped retrieval.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["KeyValue", "Needle", "NeedleScore", "json_pairs", "normalize_whitespace", "score_needles"]

_WS = re.compile(r"\s+")
_PAIR = re.compile(
    r'"(?P<key>(?:[^"\\]|\\.)*)"\s*:\s*'
    r'(?P<value>"(?:[^"\\]|\\.)*(?:"|$)|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)'
)
# What may sit between the pairs of a needle that is "only pairs": the start or end of an object or array.
_JSON_GLUE = re.compile(r"[\s{}\[\],]*")


def normalize_whitespace(text: str) -> str:
    """`text` with every run of whitespace (spaces, tabs, newlines) collapsed to one space."""
    return _WS.sub(" ", text)


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One ``"key": value`` pair of a needle; `values` are the spellings that count (escaped and decoded)."""

    key: str
    values: tuple[str, ...]


def _spellings(raw: str) -> tuple[str, ...]:
    if not raw.startswith('"'):
        return (raw,)
    closed = len(raw) >= 2 and raw.endswith('"') and not raw.endswith('\\"')
    inner = raw[1:-1] if closed else raw[1:]
    out = [inner]
    if closed:
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, str) and decoded != inner:
            out.append(decoded)
    return tuple(s for s in out if s.strip())


def json_pairs(needle: str) -> tuple[KeyValue, ...]:
    """The ``"key": value`` pairs `needle` consists of, or () when it holds anything else.

    A string value cut off at the needle's end (needles are capped at 200
    characters) counts with what is there.
    """
    pairs: list[KeyValue] = []
    pos = 0
    for m in _PAIR.finditer(needle):
        if not _JSON_GLUE.fullmatch(needle, pos, m.start()):
            return ()
        values = _spellings(m["value"])
        if not m["key"].strip() or not values:
            return ()
        pairs.append(KeyValue(m["key"], values))
        pos = m.end()
    if not pairs or not _JSON_GLUE.fullmatch(needle, pos):
        return ()
    return tuple(pairs)


def _token_pattern(text: str) -> re.Pattern[str]:
    """`text` as a whole token: not glued to a word character (nor, after a number, to a decimal part).

    A JSON escape such as ``\\n`` just before it is a separator, not a word: a table whose rows were
    re-encoded as an escaped string still holds its values.
    """
    text = normalize_whitespace(text).strip()
    head = r"(?:(?<!\w)|(?<=\\[nrt]))" if re.match(r"\w", text) else ""
    tail = r"(?!\w)" if re.search(r"\w$", text) else ""
    if re.fullmatch(r"-?\d+", text):
        tail += r"(?!\.\d)"
    return re.compile(head + re.escape(text) + tail)


@dataclass(frozen=True, slots=True)
class Needle:
    """A needle compiled once for matching against many texts."""

    text: str
    normalised: str
    pairs: tuple[tuple[re.Pattern[str], tuple[re.Pattern[str], ...]], ...]

    @classmethod
    def compile(cls, text: str) -> Needle:
        pairs = tuple((_token_pattern(kv.key), tuple(_token_pattern(v) for v in kv.values)) for kv in json_pairs(text))
        return cls(text=text, normalised=normalize_whitespace(text).strip(), pairs=pairs)

    def strict_in(self, text: str) -> bool:
        return self.text in text

    def kept_in(self, normalised_text: str) -> bool:
        """Whether the needle counts as kept in `normalised_text` (already passed through `normalize_whitespace`)."""
        if self.normalised in normalised_text:
            return True
        if not self.pairs:
            return False
        return all(
            key.search(normalised_text) and any(v.search(normalised_text) for v in values) for key, values in self.pairs
        )


@dataclass(frozen=True, slots=True)
class NeedleScore:
    """How many of a sample's needles survived; `with_retrieval` is None when no retrieval was made."""

    total: int
    strict: int
    kept: int
    with_retrieval: int | None
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "strict": self.strict,
            "kept": self.kept,
            "with_retrieval": self.with_retrieval,
            "missing": list(self.missing),
        }


def score_needles(needles: Sequence[str | Needle], compressed: str, retrieved: str | None = None) -> NeedleScore:
    """Score `needles` against a compressed text and, when given, the text one retrieval returned."""
    compiled = [n if isinstance(n, Needle) else Needle.compile(n) for n in needles]
    norm = normalize_whitespace(compressed)
    norm_retrieved = normalize_whitespace(retrieved) if retrieved is not None else None
    strict = kept = found = 0
    missing: list[str] = []
    for needle in compiled:
        strict += needle.strict_in(compressed)
        if needle.kept_in(norm):
            kept += 1
            found += 1
        else:
            missing.append(needle.text)
            if norm_retrieved is not None and needle.kept_in(norm_retrieved):
                found += 1
    return NeedleScore(
        total=len(compiled),
        strict=strict,
        kept=kept,
        with_retrieval=found if retrieved is not None else None,
        missing=tuple(missing),
    )
