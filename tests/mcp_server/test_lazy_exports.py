"""The lazily re-exporting packages: each public name is the object of the module its TYPE_CHECKING import names."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

LAZY = ["ccr", "mcp_server.bench", "mcp_server.install", "mcp_server.proxy", "mcp_server.server"]


def _declared(package: str) -> dict[str, str]:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    return {a.asname or a.name: s.module for s in block.body if isinstance(s, ast.ImportFrom) for a in s.names}


@pytest.mark.parametrize("package", LAZY)
def test_every_declared_name_is_exported_and_is_its_home_modules_object(package: str) -> None:
    module = importlib.import_module(package)
    declared = _declared(package)
    assert sorted(module.__all__) == sorted(declared)
    for name, home in declared.items():
        assert getattr(module, name) is getattr(importlib.import_module(home), name)
        assert name in dir(module)


@pytest.mark.parametrize("package", LAZY)
def test_an_undeclared_name_is_an_attribute_error(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = module.no_such_name


def test_importing_the_packages_imports_none_of_their_modules() -> None:
    code = (
        "import sys\nimport ccr, mcp_server.bench, mcp_server.install, mcp_server.proxy, mcp_server.server\n"
        "print(sorted(m for m in sys.modules if m.startswith(('ccr.', 'mcp_server.bench.', 'mcp_server.install.',"
        " 'mcp_server.proxy.', 'mcp_server.server.', 'mcp.', 'httpx')) and m != 'ccr._lazy'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
