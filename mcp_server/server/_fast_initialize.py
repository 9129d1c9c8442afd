"""Recognising an ``initialize`` request the SDK would accept, and writing the answer it would give.

Standard library only, so the stdio front can answer while the SDK is still
importing. The recogniser is deliberately narrower than the SDK's pydantic
models: it says yes only to requests whose every field has the type both the
SDK's wire schema (2025-11-25) and its version-free model accept, and to JSON
the SDK's parser reads the same way as ``json.loads``. Anything it is unsure
of (a ``_meta`` envelope, a lone surrogate, a float where an object belongs,
a duplicate key) is left for the SDK to answer. Unknown keys inside
``clientInfo``, ``capabilities`` and ``params`` are fine: every model involved
ignores extra keys. A property test feeds generated requests to both.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from mcp_server.server._identity import initialize_result

__all__ = ["InitializeCall", "initialize_reply", "recognise_initialize"]

# Deeper JSON is left to the SDK: its parser has a nesting limit of its own.
MAX_DEPTH = 32
# Integers beyond 64 bits are left to the SDK (arbitrary-precision handling may differ).
_INT_LIMIT = 2**63
_ENVELOPE_KEYS = frozenset({"jsonrpc", "id", "method", "params"})


class _Unsure(Exception):
    """The request may be judged differently by the SDK: let the SDK answer it."""


@dataclass(frozen=True, slots=True)
class InitializeCall:
    """An ``initialize`` request the SDK would accept: its id and the protocol version the client asked for."""

    request_id: int | str
    protocol_version: str


def recognise_initialize(line: str) -> InitializeCall | None:
    """The ``initialize`` request on `line` (one JSON-RPC message), or None when the SDK must judge it."""
    try:
        message = json.loads(line, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
        _check_values(message, 0)
        return _check_request(message)
    except (_Unsure, ValueError, RecursionError):
        return None


def initialize_reply(call: InitializeCall, *, allow_run: bool) -> str:
    """The JSON-RPC response line (newline-terminated) the SDK server sends for `call`."""
    result = initialize_result(call.protocol_version, allow_run=allow_run)
    response = {"jsonrpc": "2.0", "id": call.request_id, "result": result}
    return json.dumps(response, ensure_ascii=False, separators=(",", ":")) + "\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Unsure("duplicate key")
    return out


def _no_constants(name: str) -> Any:
    raise _Unsure(f"non-standard JSON constant {name}")


def _check_values(value: Any, depth: int) -> None:
    """Every string encodable as UTF-8, every number finite and within 64 bits, nesting bounded."""
    if depth > MAX_DEPTH:
        raise _Unsure("nested too deeply")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -_INT_LIMIT < value < _INT_LIMIT:
            raise _Unsure("integer beyond 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Unsure("number out of range")
    elif isinstance(value, list):
        for item in value:
            _check_values(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_values(item, depth + 1)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Unsure("lone surrogate") from None


def _check_request(message: Any) -> InitializeCall | None:
    if not isinstance(message, dict) or set(message) != _ENVELOPE_KEYS:
        return None
    if message["jsonrpc"] != "2.0" or message["method"] != "initialize":
        return None
    request_id = message["id"]
    # The SDK's request id is a strict int (so not a bool) or a string.
    if type(request_id) is not int and type(request_id) is not str:
        return None
    params = _object(message["params"])
    if "_meta" in params:
        raise _Unsure("_meta: a request envelope is the SDK's to read")
    version = params.get("protocolVersion")
    if not isinstance(version, str):
        return None
    _implementation(params.get("clientInfo"))
    _capabilities(params.get("capabilities"))
    return InitializeCall(request_id, version)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Unsure("an object was expected")
    return value


def _optional_object(value: Any) -> dict[str, Any] | None:
    return None if value is None else _object(value)


def _optional_text(value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise _Unsure("a string was expected")


def _implementation(value: Any) -> None:
    info = _object(value)
    if not isinstance(info.get("name"), str) or not isinstance(info.get("version"), str):
        raise _Unsure("clientInfo needs a name and a version")
    for key in ("title", "description", "websiteUrl"):
        _optional_text(info.get(key))
    icons = info.get("icons")
    if icons is None:
        return
    if not isinstance(icons, list):
        raise _Unsure("icons must be a list")
    for item in icons:
        icon = _object(item)
        if not isinstance(icon.get("src"), str):
            raise _Unsure("an icon needs a src")
        _optional_text(icon.get("mimeType"))
        if icon.get("theme") not in (None, "light", "dark"):
            raise _Unsure("unknown icon theme")
        sizes = icon.get("sizes")
        if sizes is not None and not (isinstance(sizes, list) and all(isinstance(s, str) for s in sizes)):
            raise _Unsure("icon sizes must be strings")


def _capabilities(value: Any) -> None:
    caps = _object(value)
    for key in ("experimental", "extensions"):
        table = _optional_object(caps.get(key))
        for entry in (table or {}).values():
            _object(entry)
    for key, members in (("sampling", ("context", "tools")), ("elicitation", ("form", "url"))):
        _members(caps.get(key), members)
    roots = _optional_object(caps.get("roots"))
    if roots is not None and type(roots.get("listChanged")) not in (bool, type(None)):
        raise _Unsure("roots.listChanged must be a boolean")
    tasks = _optional_object(caps.get("tasks"))
    if tasks is None:
        return
    _members(tasks, ("list", "cancel"))
    requests = _optional_object(tasks.get("requests"))
    if requests is not None:
        _members(requests.get("sampling"), ("createMessage",))
        _members(requests.get("elicitation"), ("create",))


def _members(value: Any, names: tuple[str, ...]) -> None:
    """`value` is absent, or an object whose `names` are each absent or objects."""
    table = _optional_object(value)
    if table is not None:
        for name in names:
            _optional_object(table.get(name))
