"""Fixtures for the server tests: the anyio backend, a project to serve, and helpers to call tools in memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import Implementation

from mcp_server.server import ServerOptions, build_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = (tmp_path / "project").resolve()
    (root / "src").mkdir(parents=True)
    return root


@pytest.fixture
def make_client(project: Path) -> Callable[..., Client]:
    """A factory of in-memory clients on a fresh server serving `project` (options overridable)."""

    def make(*, client_name: str = "pytest-agent", list_roots_callback: Any = None, **overrides: Any) -> Client:
        options = ServerOptions(**{"cwd": project, **overrides})
        return Client(
            build_server(options),
            raise_exceptions=True,
            client_info=Implementation(name=client_name, version="1.0"),
            list_roots_callback=list_roots_callback,
        )

    return make
