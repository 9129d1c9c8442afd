"""`headroom search QUERY`: find earlier tool output across every original in the store, from the shell.

The same search as the MCP tool ``headroom_search``: lexical over the store's
chunk index (originals not indexed yet are indexed first, a bounded amount per
call); with ``HEADROOM_EMBEDDINGS=1`` the best candidates are ranked by meaning
too, embedded with the model from the local cache only (nothing is
downloaded). `--json` keys are stable.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["SEARCH_CONTENT_TYPES", "add_parser", "parse_since"]

SEARCH_CONTENT_TYPES = (
    *("json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing", "config"),
)

_AGE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float) -> float:
    """`text` as Unix time: an age such as ``30m``, ``2h``, ``3d``, ``1w`` (that long before `now`), or an
    ISO 8601 date or time (UTC unless it names a zone).

    Raises:
        InputError: neither.
    """
    from ccr import InputError

    match = _AGE.fullmatch(text)
    if match:
        return now - float(match[1]) * _UNIT_SECONDS[match[2][0]]
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"since={text!r} is neither an age (30m, 2h, 3d, 1w) nor an ISO 8601 time (2025-06-01T14:00)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "search",
        help="search earlier tool output stored by any agent or command sharing this store",
        description="Find the chunks of stored originals that best answer QUERY, with their handles and lines "
        "(fetch more with: headroom retrieve HASH --lines A-B).",
    )
    p.add_argument("query", help="what you are looking for, in words or identifiers")
    p.add_argument("--limit", type=_limit, default=5, help="how many chunks to show, 1-50 (default 5)")
    p.add_argument("--since", help="only output stored or used since: an age (30m, 2h, 3d, 1w) or an ISO 8601 time")
    p.add_argument("--type", dest="content_type", choices=SEARCH_CONTENT_TYPES, help="only this content type")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_search)


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return value


def _search(args: argparse.Namespace) -> int:
    from ccr import SemanticIndex, Settings, Store

    since = parse_since(args.since, time.time()) if args.since else None
    with Store(Settings.from_env()) as store:
        # Nothing is queued, so no background thread starts; a model is loaded only if a question needs it.
        semantic = SemanticIndex(store, catch_up=False, load=False)
        try:
            result = store.search(args.query, limit=args.limit, since=since, content_type=args.content_type)
        finally:
            semantic.close()
    if args.json:
        payload: dict[str, Any] = result.to_dict()
        print(json.dumps(payload, ensure_ascii=False))
    else:
        sys.stdout.write(result.render())
        sys.stdout.write("\n")
    return 0 if result.hits else 1
