"""What `headroom exec` prints for a command's output: the bytes as they were, or a header line and the compressed text.

Small outputs never reach the tokenizer: a text of n bytes has at most n tokens, so anything under the threshold in
bytes is printed at once. Larger ones are counted, and only those over the threshold in tokens import the
compressors and open the store. Whatever goes wrong on that path prints the original bytes (fail open).
"""

from __future__ import annotations

import os
import sys
import threading
import time

# `dataclasses` (inspect, ast, dis) and `typing` cost more than a small output's whole path: classes by hand, and
# not `typing`'s TYPE_CHECKING (mypy reads any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ccr import Store
    from compressors import CompressResult

__all__ = ["DEFAULT_THRESHOLD", "THRESHOLD_ENV", "Rendered", "render_output"]

THRESHOLD_ENV = "HEADROOM_EXEC_MIN_TOKENS"
DEFAULT_THRESHOLD = 2000
# Search output up to this size is kept as text for grouping by directory (`_fit.group_matches`).
_GROUP_MAX_BYTES = 8 << 20
# The header line above the body: its longest form, for fitting the whole within a client's window.
_HEADER_CHARS = 120


class Rendered:
    """The bytes to print, and what happened (for the hooks' statistics and tests)."""

    __slots__ = ("compressed", "data", "elapsed_ms", "hash", "reason", "tokens_after", "tokens_before")

    def __init__(
        self,
        data: bytes,
        compressed: bool,
        reason: str,
        hash: str | None = None,
        tokens_before: int = 0,
        tokens_after: int = 0,
        elapsed_ms: float = 0.0,
    ) -> None:
        self.data = data
        self.compressed = compressed
        self.reason = reason
        self.hash = hash
        self.tokens_before = tokens_before
        self.tokens_after = tokens_after
        self.elapsed_ms = elapsed_ms


def threshold_from_env() -> int:
    raw = os.environ.get(THRESHOLD_ENV, "").strip()
    try:
        value = int(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD
    return max(value, 0)


def render_output(
    raw: bytes,
    *,
    threshold: int,
    hint: str | None = None,
    query: str | None = None,
    client: str = "exec",
    session: str | None = None,
    source: str = "exec",
    files: Sequence[str] = (),
) -> Rendered:
    """``raw`` verbatim when it is under ``threshold`` tokens, else compressed with a header line naming its handle.

    ``files``: the files the command printed as they are (`_policy.printed_files`); their names hint at the type.
    """
    if len(raw) < threshold:
        return Rendered(raw, False, "small")
    if b"\0" in raw:
        return Rendered(raw, False, "binary")
    started = time.perf_counter()
    try:
        return _compressed(raw, threshold, hint, query, client, session, source, files, started)
    except Exception as exc:  # fail open: the command's output is never lost to a compression problem
        print(f"headroom exec: output left as it was ({type(exc).__name__}: {exc})", file=sys.stderr)
        return Rendered(raw, False, f"error: {type(exc).__name__}")


def _compressed(
    raw: bytes,
    threshold: int,
    hint: str | None,
    query: str | None,
    client: str,
    session: str | None,
    source: str,
    files: Sequence[str],
    started: float,
) -> Rendered:
    import rustcore

    text = raw.decode("utf-8", errors="replace")
    encoding = os.environ.get("HEADROOM_ENCODING") or rustcore.DEFAULT_ENCODING
    if encoding not in rustcore.ENCODINGS:
        encoding = rustcore.DEFAULT_ENCODING  # Settings reports the bad name; this count is then not used
    # compress() counts the tokens exactly; counting here first costs the tokenizer's tables and a pass over the
    # output, so only an output the estimate puts near the threshold is counted now, and compress() is handed that
    # count rather than making its own.
    counted: list[int] = []
    if rustcore.estimate_tokens(text) < 2 * threshold:
        counted.append(rustcore.count_tokens(text, encoding))
        if counted[0] < threshold:
            return Rendered(raw, False, "small")
    else:
        # The tokenizer's tables take tens of milliseconds to build, without the GIL: built beside the imports below.
        threading.Thread(target=rustcore.count_tokens, args=("warm up",), daemon=True).start()
    searched = text if hint == "search" and len(raw) <= _GROUP_MAX_BYTES else None
    del text
    _add_site_packages()
    from ccr import Event, Settings, Store
    from compressors import type_for_name
    from mcp_server._header import header_line
    from mcp_server.exec._fit import window_chars

    named = {type_for_name(os.path.basename(f)) for f in files}
    name_hint = named.pop() if len(named) == 1 else None

    settings = Settings.from_env()
    exact = counted[0] if counted and encoding == settings.encoding else None
    with Store(settings) as store:
        if store.produced(raw) is not None:  # a text headroom printed (a retrieve, a compressed output): as it is
            return Rendered(raw, False, "headroom output")
        printed = _fitted(raw, searched, store, window_chars(client), exact, (query, source, hint, name_hint))
        result = printed.result
        tokens = result.tokens_before
        if tokens < threshold:
            return Rendered(raw, False, "small")
        if result.compressor == "none" or printed.tokens >= tokens:
            return Rendered(raw, False, "not smaller", result.hash, tokens, tokens)
        from dataclasses import replace

        shown = replace(result, compressed=printed.body, tokens_after=printed.tokens)
        out = header_line(shown) + printed.body
        if not out.endswith("\n"):
            out += "\n"
        store.remember_output(out, result.hash)
        elapsed = (time.perf_counter() - started) * 1000
        store.record(
            Event(
                kind="compress",
                hash=result.hash,
                tokens_before=tokens,
                tokens_after=printed.tokens,
                compressor=result.compressor,
                client=client,
                elapsed_ms=elapsed,
                session=session,
            )
        )
    return Rendered(out.encode("utf-8"), True, "compressed", result.hash, tokens, printed.tokens, elapsed)


class _Printed:
    """A compressor's result and the body exec prints for it (grouped search results: fewer tokens)."""

    __slots__ = ("body", "result", "tokens")

    def __init__(self, result: CompressResult, body: str, tokens: int) -> None:
        self.result = result
        self.body = body
        self.tokens = tokens


def _fitted(
    raw: bytes,
    searched: str | None,
    store: Store,
    window: int | None,
    tokens: int | None,
    how: tuple[str | None, str, str | None, str | None],
) -> _Printed:
    """The compressed body exec prints: search results grouped by directory and given their larger share, and
    the whole within the client's window (`_fit`): compressed again with a budget scaled to the window when the
    first plan comes out over it (twice at most)."""
    import rustcore
    from ccr import escape_foreign_markers
    from compressors import MIN_BUDGET, CompressResult, compress
    from mcp_server.exec._fit import SEARCH_SHARE, group_matches, window_tokens

    encoding = store.settings.encoding
    query, source, hint, name_hint = how

    def run(budget: int | None) -> _Printed:
        result = compress(
            raw,
            store=store,
            query=query,
            source=source,
            hint=hint,
            name_hint=name_hint,
            budget=budget,
            tokens=tokens,
            record=False,
        )
        body = result.compressed
        if searched is not None and (grouped := group_matches(body)) is not None:
            return _Printed(result, grouped, rustcore.count_tokens(grouped, encoding))
        return _Printed(result, body, result.tokens_after)

    budget = None
    if searched is not None and (grouped := group_matches(searched)) is not None:
        total = tokens if tokens is not None else rustcore.count_tokens(searched, encoding)
        # The matches are what the agent asked for: all of them while they fit the client's window.
        room = int(SEARCH_SHARE * total) if window is None else window_tokens(window, len(searched), total)
        whole = rustcore.count_tokens(grouped, encoding)
        if whole <= room and (window is None or len(grouped.encode("utf-8")) + _HEADER_CHARS <= window):
            started = time.perf_counter()
            digest = store.put(raw, content_type="search", source=source, tokens=total)
            body = escape_foreign_markers(grouped, digest)
            result = CompressResult(
                compressed=body,
                hash=digest,
                tokens_before=total,
                tokens_after=whole,
                compressor="search",
                content_type="search",
                elapsed_ms=(time.perf_counter() - started) * 1000,
                markers=0,
            )
            store.remember_output(body, digest)
            return _Printed(result, body, whole if body is grouped else rustcore.count_tokens(body, encoding))
        budget = max(MIN_BUDGET, room * total // max(whole, 1))
    printed = run(budget)
    for _ in range(2):
        size = len(printed.body.encode("utf-8")) + _HEADER_CHARS
        if window is None or size <= window:
            break
        smaller = max(MIN_BUDGET, printed.result.tokens_after * window * 19 // (20 * size))
        if smaller >= printed.result.tokens_after:
            break
        printed = run(smaller)
    return printed


def _add_site_packages() -> None:
    """Under ``python -S`` (the hooks' fast start) the dependencies' directories join sys.path only now."""
    if sys.flags.no_site:
        import site

        site.main()
