"""`headroom compress`, `headroom retrieve`, `headroom stats` and `headroom store migrate`: the store from the shell.

Scripts and our own checks depend on these: `--json` output keys are stable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

from mcp_server.cli import positive_float, positive_int

__all__ = ["add_parser"]

# The router's CONTENT_TYPES plus "auto", spelled out so `headroom --help` imports no compressor (a test keeps
# them in step).
_TYPES = ("auto", "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing", "config")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compress", help="compress a file or stdin; the original is kept for retrieval")
    p.add_argument("file", nargs="?", default="-", help="file to compress, or - for stdin (default)")
    p.add_argument("--query", help="what you want to know; relevant parts are kept")
    p.add_argument("--type", dest="content_type", default="auto", choices=_TYPES, help="content type (default: detect)")
    p.add_argument("--budget", type=positive_int, help="hard ceiling on output tokens (at least 40)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    p.set_defaults(func=_compress)

    r = sub.add_parser(
        "retrieve",
        help="print what a marker left out: the original, its lines, bytes, a template's lines, or a query's part",
        description="Give what a marker says: `headroom retrieve hash=H lines=A-B`, the whole marker in quotes, "
        "or `headroom retrieve H --lines A-B`. Without a selector the whole original is printed exactly.",
    )
    r.add_argument("ref", nargs="+", metavar="HASH", help="a handle, or a marker's words (hash=H lines=A-B)")
    r.add_argument("--query", help="return only the parts relevant to this question")
    r.add_argument("--lines", help="line range A-B (1-based, inclusive)")
    r.add_argument("--bytes", dest="byte_range", help="byte range A-B (0-based, inclusive)")
    r.add_argument("--template", help="template key (8 hex digits): every line of that repeated pattern")
    r.add_argument(
        "--max-tokens", type=positive_int, help="token cap (default: none; 2000 for --query); past it a marker"
    )
    r.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    r.set_defaults(func=_retrieve)

    s = sub.add_parser("stats", help="what compression saved, lifetime totals")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument("--since-hours", type=positive_float, help="only events from the last N hours")
    s.set_defaults(func=_stats)

    store = sub.add_parser("store", help="manage the store itself")
    store_sub = store.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    m = store_sub.add_parser(
        "migrate",
        help="copy the originals of one store into another (e.g. your local file into the team store)",
        description="Copy every live original, byte for byte with its access times, from one store into another. "
        "Running it again copies nothing twice. Stats events stay where they were recorded.",
    )
    m.add_argument(
        "--from",
        dest="source",
        metavar="STORE",
        help="sqlite:PATH or postgresql://... (default: the local file, $HEADROOM_HOME/ccr.sqlite3)",
    )
    m.add_argument("--to", dest="target", metavar="STORE", required=True, help="postgresql://... or sqlite:PATH")
    m.add_argument("--namespace", help="the team namespace of a PostgreSQL store (default: $HEADROOM_NAMESPACE)")
    m.add_argument("--json", action="store_true", help="print one JSON object")
    m.set_defaults(func=_migrate)


def _open_store() -> Any:
    from ccr import Settings, Store

    return Store(Settings.from_env())


def _read_input(name: str, limit: int) -> bytes:
    """The bytes of file `name` (``-``: stdin), never more than `limit` of them read.

    A regular file's size is checked before it is read; a pipe, a device (``/dev/zero``) or stdin is
    read until `limit` + 1 bytes, then refused. A directory is refused.

    Raises:
        InputTooLargeError: over `limit`.
        InputError: missing, a directory, or unreadable.
    """
    from ccr import InputError

    shown = "stdin" if name == "-" else name
    try:
        if name == "-":
            return _read_bounded(sys.stdin.buffer.fileno(), shown, limit)
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from exc
    try:
        return _read_bounded(fd, shown, limit)
    finally:
        os.close(fd)


def _read_bounded(fd: int, shown: str, limit: int) -> bytes:
    from ccr import InputError, InputTooLargeError

    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{shown} is a directory; name a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputTooLargeError(f"{shown} is {info.st_size:,} bytes, over the {limit:,}-byte limit{_ADVICE}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from exc
    if size > limit:
        raise InputTooLargeError(f"{shown} gave more than {limit:,} bytes, the limit; reading stopped there{_ADVICE}")
    return b"".join(chunks)


_ADVICE = " (HEADROOM_MAX_INPUT_MB); compress a part of it, or raise the limit"


def _compress(args: argparse.Namespace) -> int:
    from ccr import Settings
    from compressors import compress

    data: str | bytes = _read_input(args.file, Settings.from_env().max_input_bytes)
    with contextlib.suppress(UnicodeDecodeError):
        # Valid UTF-8 goes in as its text (the same bytes again when stored) and the bytes are let go: the
        # pipeline reads text, and holding both through the call cost one more copy of the input at its peak.
        data = data.decode("utf-8") if isinstance(data, bytes) else data
    with _open_store() as store:
        result = compress(
            data,
            store=store,
            query=args.query,
            content_type=args.content_type,
            budget=args.budget,
            source="cli" if args.file == "-" else f"cli:{Path(args.file).name}",
        )
    if args.json:
        payload = {
            "compressed": result.compressed,
            "hash": result.hash,
            "tokens_before": result.tokens_before,
            "tokens_after": result.tokens_after,
            "compressor": result.compressor,
            "content_type": result.content_type,
            "elapsed_ms": round(result.elapsed_ms, 3),
            "markers": result.markers,
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        sys.stdout.write(result.compressed)
        if not result.compressed.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        print(_summary(result), file=sys.stderr)
    return 0


def _summary(result: Any) -> str:
    """One line for a person at a terminal: the handle to retrieve with and what was saved."""
    saved = 100 * (result.tokens_before - result.tokens_after) / result.tokens_before if result.tokens_before else 0
    markers = f", {result.markers} marker{'s' if result.markers != 1 else ''}" if result.markers else ""
    return (
        f"headroom: hash={result.hash} {result.tokens_before:,} -> {result.tokens_after:,} tokens "
        f"({saved:.0f}% saved), {result.content_type} via {result.compressor}{markers}; "
        f"headroom retrieve {result.hash} gives the original"
    )


def _retrieve(args: argparse.Namespace) -> int:
    from ccr import Event
    from mcp_server.server._retrieve import resolve_ref, retrieve

    ref = resolve_ref(" ".join(args.ref), lines=args.lines, bytes=args.byte_range, template=args.template)
    started = time.perf_counter()
    with _open_store() as store:
        whole = not (args.query or ref.lines or ref.bytes or ref.template) and args.max_tokens is None
        if whole:
            original = store.get(ref.hash)
            tokens = store.info(ref.hash).tokens
        elif args.query:
            got = retrieve(store, ref, query=args.query, max_tokens=args.max_tokens)
        else:
            got = retrieve(store, ref, max_tokens=args.max_tokens, default_cap=None)
        store.record(
            Event(
                kind="retrieve",
                hash=ref.hash,
                tokens_before=tokens if whole else got.tokens,
                tokens_after=tokens if whole else got.tokens,
                compressor="",
                client=store.settings.client,
                elapsed_ms=(time.perf_counter() - started) * 1000,
                session=None,
            )
        )
    if whole:
        if args.json:
            text = original.decode("utf-8", errors="replace")
            exact = text.encode("utf-8") == original
            print(json.dumps({"hash": ref.hash, "text": text, "exact": exact, "bytes": len(original)}))
        else:
            sys.stdout.buffer.write(original)
            sys.stdout.buffer.flush()
        return 0
    if args.json:
        payload = {
            "hash": got.hash,
            "mode": got.mode,
            "described": got.described,
            "text": got.text,
            "tokens": got.tokens,
            "truncated": got.truncated,
            "exact": got.exact,
            "total_lines": got.total_lines,
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        sys.stdout.write(got.text)
        if not got.text.endswith("\n"):
            sys.stdout.write("\n")
    return 0


def _stats(args: argparse.Namespace) -> int:
    since = time.time() - args.since_hours * 3600 if args.since_hours else None
    with _open_store() as store:
        summary = store.stats(since=since)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(summary.render())
        sys.stdout.write("\n")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    import dataclasses

    from ccr import InputError, Settings, Store
    from ccr._config import check_namespace
    from ccr._migrate import migrate_store

    settings = Settings.from_env()
    if args.namespace:
        try:
            settings = dataclasses.replace(settings, namespace=check_namespace(args.namespace))
        except ValueError as exc:
            raise InputError(f"--namespace: {exc}") from None
    source_url = args.source or f"sqlite:{settings.db_path}"
    if source_url.startswith("sqlite:"):
        path = Path(source_url.removeprefix("sqlite:").removeprefix("//")).expanduser()
        if not path.is_file():
            raise InputError(f"--from {source_url}: there is no store file at {path}")
    if source_url == args.target:
        raise InputError("--from and --to name the same store")
    with (
        Store(dataclasses.replace(settings, store_url=source_url)) as source,
        Store(dataclasses.replace(settings, store_url=args.target)) as target,
    ):
        result = migrate_store(source, target)
        where = target.location + (f" (namespace {target.namespace})" if target.namespace else "")
        origin = source.location
    if args.json:
        print(json.dumps({"from": origin, "to": where, **result.to_dict()}))
    else:
        print(
            f"copied {result.copied:,} originals ({result.copied_bytes:,} bytes) from {origin} to {where}; "
            f"{result.present:,} were there already, {result.expired:,} had expired"
        )
    return 0
