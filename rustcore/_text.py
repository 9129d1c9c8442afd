"""Handing Python text to the core: lone surrogates cannot cross into Rust as UTF-8.

Text decoded with ``surrogateescape`` (or built by hand) may hold lone
surrogates; the binding refuses them with `UnicodeEncodeError`. Each one
becomes ``?``, one character for one, so positions still line up. Trying the
call first and cleaning only on refusal costs clean text nothing: checking
first would encode the whole text on every call (18 ms per 10 MB of non-ASCII
text), while the binding's own conversion is cached on the string.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["clean", "replace_surrogates", "with_text", "with_texts"]

_T = TypeVar("_T")


def replace_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by ``?``."""
    return text.encode("utf-8", errors="replace").decode("utf-8")


def clean(text: str) -> str:
    """`text`, checked first and cleaned if needed (for short values such as a query)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return replace_surrogates(text)
    return text


def with_text(call: Callable[[str], _T], text: str) -> _T:
    """`call(text)`, or `call` on the cleaned text when the binding refuses it."""
    try:
        return call(text)
    except UnicodeEncodeError:
        return call(replace_surrogates(text))


def with_texts(call: Callable[[Sequence[str]], _T], texts: Sequence[str]) -> _T:
    """`call(texts)`, or `call` on the cleaned texts when the binding refuses one.

    A sequence other than a list or tuple (a lazy view such as `ccr.LineIndex.lines`) is listed first:
    the binding reads a list at C speed, a view one Python call per item.
    """
    if not isinstance(texts, list | tuple):
        texts = list(texts)
    try:
        return call(texts)
    except UnicodeEncodeError:
        return call([replace_surrogates(t) for t in texts])
