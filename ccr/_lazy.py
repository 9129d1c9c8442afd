"""Lazy re-exports (PEP 562) for the packages that every `headroom` start imports.

`headroom --help`, the server's start and every hook import a submodule of `mcp_server.server`,
`mcp_server.install` or `mcp_server.bench`, which runs the package's ``__init__`` first; that must not pay
for the MCP SDK, the installer's parsers or the benchmark's plotting. So those packages import nothing at
run time and name their public surface once, as the imports of their ``if TYPE_CHECKING:`` block, written
``from module import Name as Name`` (the explicit re-export type checkers read). `lazy_exports` reads that
block from the package's own source and imports a name's module the first time the name is used; ``__all__``
is that block's names, sorted. It lives in `ccr`, the lowest Python layer, so any package above can use it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_exports"]


def _homes(source: str) -> dict[str, tuple[str, str]]:
    """Exported name -> (module, name there), from the imports of the ``if TYPE_CHECKING:`` block."""
    import ast  # only when a name is first asked for: ccr is imported by every hook and `headroom exec`

    homes: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
                    for alias in statement.names:
                        homes[alias.asname or alias.name] = (statement.module, alias.name)
    return homes


def lazy_exports(package: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of `package`, whose public names are its TYPE_CHECKING imports.

    Call it from the package's ``__init__``: ``__getattr__, __dir__ = lazy_exports(__name__)``.
    """
    module = sys.modules[package]
    table: dict[str, tuple[str, str]] | None = None

    def homes() -> dict[str, tuple[str, str]]:
        nonlocal table
        if table is None:
            assert module.__file__ is not None
            with open(module.__file__, encoding="utf-8") as source:
                table = _homes(source.read())
        return table

    def __getattr__(name: str) -> Any:
        if name == "__all__":
            value: Any = sorted(homes(), key=lambda n: (not n.isupper(), n))
        elif name in homes():
            home, original = homes()[name]
            value = getattr(importlib.import_module(home), original)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(module), *homes()})

    return __getattr__, __dir__
