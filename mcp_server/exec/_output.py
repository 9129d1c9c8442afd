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
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_THRESHOLD", "THRESHOLD_ENV", "Rendered", "render_output"]

THRESHOLD_ENV = "HEADROOM_EXEC_MIN_TOKENS"
DEFAULT_THRESHOLD = 2000


@dataclass(frozen=True)
class Rendered:
    """The bytes to print, and what happened (for the hooks' statistics and tests)."""

    data: bytes
    compressed: bool
    reason: str
    hash: str | None = None
    tokens_before: int = 0
    tokens_after: int = 0
    elapsed_ms: float = 0.0


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
    del text
    _add_site_packages()
    from ccr import Settings, Store
    from compressors import compress, type_for_name
    from mcp_server._header import header_line

    named = {type_for_name(os.path.basename(f)) for f in files}
    name_hint = named.pop() if len(named) == 1 else None

    settings = Settings.from_env()
    with Store(settings) as store:
        if store.produced(raw) is not None:  # a text headroom printed (a retrieve, a compressed output): as it is
            return Rendered(raw, False, "headroom output")
        result = compress(
            raw,
            store=store,
            query=query,
            source=source,
            client=client,
            session=session,
            hint=hint,
            name_hint=name_hint,
            tokens=counted[0] if counted and encoding == settings.encoding else None,
        )
        tokens = result.tokens_before
        if tokens < threshold:
            return Rendered(raw, False, "small")
        if result.compressor == "none" or result.tokens_after >= tokens:
            return Rendered(raw, False, "not smaller", result.hash, tokens, tokens)
        out = header_line(result) + result.compressed
        if not out.endswith("\n"):
            out += "\n"
        store.remember_output(out, result.hash)
    elapsed = (time.perf_counter() - started) * 1000
    return Rendered(
        out.encode("utf-8"), True, "compressed", result.hash, result.tokens_before, result.tokens_after, elapsed
    )


def _add_site_packages() -> None:
    """Under ``python -S`` (the hooks' fast start) the dependencies' directories join sys.path only now."""
    if sys.flags.no_site:
        import site

        site.main()
