"""`compress()`: validate, store the original, route, compress, enforce the guarantees, record."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import rustcore
from ccr import (
    BinaryInputError,
    EmptyInputError,
    HeadroomError,
    InputError,
    InputTooLargeError,
    count_lines,
    escape_foreign_markers,
    find_markers,
)
from ccr._numbered import number_column, renumber
from compressors._base import CompressContext
from compressors._bounded import BOUNDED_FROM_LINES
from compressors._fit import fit_budget
from compressors._registry import get_compressor
from compressors._router import COMPRESSOR_FOR_TYPE, Detection, resolve_content_type

if TYPE_CHECKING:
    from ccr import Marker, Store

__all__ = ["MIN_BUDGET", "PRODUCED_BY_US", "CompressResult", "compress", "fit_budget", "to_bytes", "warm_up"]

_log = logging.getLogger(__name__)


def _is_bug(exc: BaseException, *, ours: bool = False) -> bool:
    """Whether `exc` is an internal failure the pipeline should survive by falling back.

    A Rust panic surfaces as pyo3's PanicException, which derives from
    BaseException, so the net is cast wide and the exits, cancellations and
    (unless `ours`) our own deliberate errors are thrown back.
    """
    passthrough: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit, GeneratorExit)
    if not ours:
        passthrough += (HeadroomError,)
    return not isinstance(exc, passthrough) and type(exc).__name__ != "CancelledError"


# The compressor name of an input passed through because it is one of the store's own outputs.
PRODUCED_BY_US = "headroom-output"
# Below this a marker alone would not fit, so no output could honour the budget.
MIN_BUDGET = 40
# How much of the input the binary check looks at.
_SNIFF_BYTES = 64 * 1024
# Control bytes other than tab, newline, vertical tab, form feed and carriage return (counted at C speed).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


@dataclass(frozen=True, slots=True)
class CompressResult:
    compressed: str
    hash: str
    tokens_before: int
    tokens_after: int
    compressor: str
    content_type: str
    elapsed_ms: float
    markers: int
    language: str | None = None

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after


def to_bytes(data: str | bytes) -> bytes:
    """The exact bytes an input stands for: text as UTF-8 (lone surrogates from surrogateescape mapped back)."""
    if isinstance(data, bytes):
        return data
    try:
        return data.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return data.encode("utf-8", errors="surrogatepass")


def _bytes_and_text(data: str | bytes) -> tuple[bytes, str, bool]:
    """The exact bytes of `data`, the text compressors read, and whether byte offsets in that text are offsets in
    the bytes. Text that is valid Unicode is its own text (no second copy); bytes are decoded (invalid UTF-8
    replaced, and then offsets differ: markers name lines, not bytes)."""
    if isinstance(data, str):
        try:
            return data.encode("utf-8"), data, True
        except UnicodeEncodeError:
            data = to_bytes(data)
    try:
        return data, data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data, data.decode("utf-8", errors="replace"), False


def _check_text(raw: bytes, limit: int) -> None:
    if not raw:
        raise EmptyInputError("nothing to compress: the content is empty")
    if len(raw) > limit:
        raise InputTooLargeError(
            f"the content is {len(raw):,} bytes, over the {limit:,}-byte limit (HEADROOM_MAX_INPUT_MB); "
            "split it, or raise the limit"
        )
    sample = raw[:_SNIFF_BYTES]
    nuls = sample.count(0)
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if nuls or controls > len(sample) // 10:
        raise BinaryInputError(
            f"the content looks binary ({nuls} NUL and {controls} other control bytes in the first "
            f"{len(sample):,}); headroom compresses text such as logs, JSON, code and command output"
        )


def compress(
    data: str | bytes,
    *,
    store: Store,
    query: str | None = None,
    content_type: str | None = "auto",
    budget: int | None = None,
    source: str = "api",
    client: str | None = None,
    session: str | None = None,
    hint: str | None = None,
    name_hint: str | None = None,
    tokens: int | None = None,
    record: bool = True,
) -> CompressResult:
    """Compress `data`, keeping the exact original in `store` under the returned hash.

    Every marker in the output resolves in `store` when this returns and is
    this call's own: marker-like text from the input is quoted
    (`ccr.escape_foreign_markers`). Output that would not be smaller is the
    input unchanged (but for that quoting); the same input, query and budget
    give the same output. The output is remembered (`Store.remember_output`):
    an input that is byte for byte a text this store produced passes through
    unchanged, under the handle of the original it came from (compressor
    `PRODUCED_BY_US`), unless it is over `budget`.
    `name_hint` and `hint` (for `content_type="auto"`) name the content type the text's file name
    declares and the one its producer usually prints; neither overrides the content, and a
    producer's hint only settles a close call (`compressors._router.detect`).
    `tokens`: the exact token count of `data` in the store's encoding, when the caller has it (`headroom exec`
    counts while it imports the rest): the input is then not counted again.
    `record`: count the call in the store's statistics (`headroom exec` fits one output to the client's window in
    up to three calls and records the one it prints).

    Raises:
        EmptyInputError, BinaryInputError, InputTooLargeError: the input cannot be compressed.
        InputError: `budget` is below `MIN_BUDGET`.
        CompressorError: `content_type` names no known type.
    """
    started = time.perf_counter()
    settings = store.settings
    raw, text, exact_bytes = _bytes_and_text(data)
    _check_text(raw, settings.max_input_bytes)
    if budget is not None and budget < MIN_BUDGET:
        raise InputError(f"a budget of {budget} tokens is too small: use at least {MIN_BUDGET}")
    tokens_before = rustcore.count_tokens(text, settings.encoding) if tokens is None else tokens
    produced_from = store.produced(raw)
    if produced_from is not None and (budget is None or tokens_before <= budget):
        return _pass_through(store, text, produced_from, tokens_before, started, client, session)
    bounded = count_lines(raw) > BOUNDED_FROM_LINES
    # A number column (`cat -n`, an agent's file read) is no listing: what follows it is compressed as what it is.
    numbered = None if bounded else number_column(text)
    body = text if numbered is None else numbered.body
    try:
        detection = resolve_content_type(content_type, body, hint, name_hint=name_hint)
    except BaseException as exc:
        if not _is_bug(exc):
            raise
        # A bug in detection must not cost the user the compression, let alone the original.
        _log.error("content detection failed (%s); treating the input as text", exc)
        detection = Detection("text")
    digest = store.put(raw, content_type=detection.content_type, source=source, tokens=tokens_before)
    # Stored: our own UTF-8 copy of a text input is not needed again (64 MB less to hold while compressing).
    del raw
    ctx = CompressContext(
        hash=digest,
        query=query or None,
        budget=budget,
        content_type=detection.content_type,
        language=detection.language,
        encoding=settings.encoding,
        # Byte offsets in the body are not the original's: its markers name lines.
        exact_bytes=exact_bytes and numbered is None,
    )
    name = COMPRESSOR_FOR_TYPE.get(detection.content_type, "fallback")
    if bounded:
        name = "bounded"
    ran = _run(name, body, ctx)
    if ran is None and name != "fallback":
        name = "fallback"
        ran = _run(name, body, ctx)
    kept = text if ran is None else ran[0] if numbered is None else renumber(ran[0], numbered)
    del body
    # Marker-like text from the input is quoted in every output: only this call's markers are markers.
    out = escape_foreign_markers(kept, digest)
    tokens_after = ctx.tokens(out)
    # Quoting only adds text, so the quoted input costs at least `tokens_before`: it is counted (another pass of
    # the tokenizer over the whole input) only when the output is not already smaller than that.
    if tokens_after >= tokens_before:
        plain = escape_foreign_markers(text)
        tokens_plain = tokens_before if plain is text else ctx.tokens(plain)
        if tokens_after >= tokens_plain:
            name, out, tokens_after = "none", plain, tokens_plain
    if budget is not None and tokens_after > budget:
        out = fit_budget(text, budget, ctx, out)
        tokens_after = ctx.tokens(out)
    if out != text:
        store.remember_output(out, digest)
    elapsed_ms = (time.perf_counter() - started) * 1000
    result = CompressResult(
        compressed=out,
        hash=digest,
        tokens_before=tokens_before,
        tokens_after=tokens_after,
        compressor=name,
        content_type=detection.content_type,
        elapsed_ms=elapsed_ms,
        markers=len(find_markers(out)),
        language=detection.language,
    )
    if record:
        _record(store, result, client, session)
    return result


def _pass_through(
    store: Store,
    text: str,
    original: str,
    tokens: int,
    started: float,
    client: str | None,
    session: str | None,
) -> CompressResult:
    """An input that is one of this store's own outputs, as it is: compressing it again would only mark
    what its markers already stand for. Its handle is the original its markers redeem in."""
    result = CompressResult(
        compressed=text,
        hash=original,
        tokens_before=tokens,
        tokens_after=tokens,
        compressor=PRODUCED_BY_US,
        content_type=store.info(original).content_type,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        markers=sum(1 for m in find_markers(text) if m.hash == original),
    )
    _record(store, result, client, session)
    return result


def _record(store: Store, result: CompressResult, client: str | None, session: str | None) -> None:
    from ccr import Event

    store.record(
        Event(
            kind="compress",
            hash=result.hash,
            tokens_before=result.tokens_before,
            tokens_after=result.tokens_after,
            compressor=result.compressor,
            client=client or store.settings.client,
            elapsed_ms=result.elapsed_ms,
            session=session,
        )
    )


def _run(name: str, text: str, ctx: CompressContext) -> tuple[str, list[Marker]] | None:
    """The compressor's output and its markers, or None when it failed or broke the marker contract."""
    try:
        out = get_compressor(name).compress(text, ctx)
    except BaseException as exc:
        if not _is_bug(exc, ours=True):
            raise
        _log.exception("compressor %s failed; falling back", name)
        return None
    markers = find_markers(out)
    # Markers already present in the input may pass through; any other must be ours. A substring
    # test stands in for parsing the whole input again: a foreign handle the input does not hold is caught.
    if any(m.hash != ctx.hash and f"hash={m.hash}" not in text for m in markers):
        _log.error("compressor %s wrote markers for another original; falling back", name)
        return None
    return out, markers


def warm_up(encoding: str = rustcore.DEFAULT_ENCODING) -> None:
    """Load now what the first `compress` call would otherwise wait for.

    Building the tokenizer's tables and importing the built-in compressors
    (tree-sitter among them) costs 50-100 ms once per process; a long-running
    server calls this on a background thread when it starts.
    """
    rustcore.count_tokens("warm up", encoding)
    for name in sorted({*COMPRESSOR_FOR_TYPE.values(), "fallback"}):
        get_compressor(name)
