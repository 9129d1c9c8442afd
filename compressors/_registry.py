"""Name → compressor class, built lazily; third parties register through an entry point.

Built-ins are named by import path so that importing the registry (on the
server's start-up path) loads no compressor module, and with it no
tree-sitter grammar or ONNX runtime.
"""

from __future__ import annotations

import importlib
import logging
import threading

from ccr import UnknownCompressorError
from compressors._base import Compressor

__all__ = ["ENTRY_POINT_GROUP", "available", "get_compressor", "register"]

ENTRY_POINT_GROUP = "headroom.compressors"

_BUILTINS: dict[str, str] = {
    "bounded": "compressors._bounded:BoundedCompressor",
    "code": "compressors._code:CodeCompressor",
    "config": "compressors._config:ConfigCompressor",
    "diff": "compressors._diff:DiffCompressor",
    "fallback": "compressors._fallback:FallbackCompressor",
    "html": "compressors._html:HtmlCompressor",
    "json": "compressors._json:JsonCompressor",
    "listing": "compressors._listing:ListingCompressor",
    "log": "compressors._logs:LogCompressor",
    "mixed": "compressors._mixed:MixedCompressor",
    "prose": "compressors._neural:NeuralProseCompressor",
    "search": "compressors._search:SearchCompressor",
}

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_classes: dict[str, type[Compressor] | str] = dict(_BUILTINS)
_instances: dict[str, Compressor] = {}
_plugins_loaded = False


def register(cls: type[Compressor], *, replace: bool = False) -> type[Compressor]:
    """Add a compressor class under `cls.name` (usable as a decorator)."""
    with _lock:
        if not replace and cls.name in _classes:
            raise ValueError(f"a compressor named {cls.name!r} is already registered")
        _classes[cls.name] = cls
        _instances.pop(cls.name, None)
    return cls


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points  # tens of milliseconds to import: only when a plugin is looked for

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _classes:
            _log.warning("compressor plugin %s ignored: the name is taken", ep.value)
            continue
        _classes[ep.name] = ep.value


def available() -> list[str]:
    """Names of every registered compressor, sorted."""
    with _lock:
        _load_plugins()
        return sorted(_classes)


def get_compressor(name: str) -> Compressor:
    """The shared instance of the compressor called `name`.

    Raises:
        UnknownCompressorError: no such name; the message lists the available ones.
    """
    with _lock:
        if name not in _BUILTINS:
            # Scanning every installed distribution's entry points costs tens of milliseconds on each
            # `headroom exec`; a plugin cannot take a built-in's name, so only another name needs the scan.
            _load_plugins()
        inst = _instances.get(name)
        if inst is not None:
            return inst
        target = _classes.get(name)
        if target is None:
            raise UnknownCompressorError(f"unknown compressor {name!r}; available: {', '.join(sorted(_classes))}")
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            target = getattr(importlib.import_module(module_name), attr)
            if not (isinstance(target, type) and issubclass(target, Compressor)):
                raise UnknownCompressorError(f"{name!r} does not name a Compressor subclass")
            _classes[name] = target
        inst = target()
        _instances[name] = inst
        return inst
