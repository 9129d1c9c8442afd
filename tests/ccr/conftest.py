"""Fixtures for the store tests: a clock tests can move, and stores on both backends.

Every test of a ``test_store*`` module that takes `store` or `make_store` runs twice: on a private SQLite
file, and on PostgreSQL in a namespace of its own (so tests sharing one server never see each other's
rows). The PostgreSQL server is the one ``HEADROOM_TEST_PG_URL`` names (``make test`` starts a temporary one,
see benchmarks/temp_postgres.py), else one this test process starts itself; where none can be started, the
PostgreSQL runs skip with the reason (they fail instead with ``HEADROOM_REQUIRE_PG=1``, as in CI). Tests of
what only a file has (its permissions, moving a corrupt file aside, WAL checkpoints) are marked ``sqlite_only``.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_helpers import FakeClock, StoreFactory

from ccr import Settings, Store

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: tests what only the SQLite file has; not run on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if "store_backend" in metafunc.fixturenames and module.startswith("test_store"):
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("store_backend", ["sqlite"] if only_sqlite else BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL server's URL for the whole run (skips when none can be had)."""
    url = os.environ.get("HEADROOM_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        from benchmarks.temp_postgres import PostgresUnavailable, TempPostgres
    except ImportError as exc:  # pragma: no cover - the benchmarks package sits beside the tests
        pytest.skip(f"no PostgreSQL for the store tests: {exc}")
    try:
        server = TempPostgres()
        url = server.start()
    except PostgresUnavailable as exc:
        if os.environ.get("HEADROOM_REQUIRE_PG") == "1":
            pytest.fail(f"HEADROOM_REQUIRE_PG=1 but no PostgreSQL could be started: {exc}")
        pytest.skip(f"no PostgreSQL for the store tests: {exc}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store_settings(store_backend: str, request: pytest.FixtureRequest) -> Settings:
    """`Settings.from_env()` for the test's backend: its own namespace on PostgreSQL."""
    settings = Settings.from_env()
    if store_backend == "postgresql":
        url = request.getfixturevalue("pg_url")
        settings = dataclasses.replace(settings, store_url=url, namespace=f"t{uuid.uuid4().hex[:12]}")
    return settings


@pytest.fixture
def make_store(headroom_home: Path, clock: FakeClock, store_settings: Settings) -> Iterator[StoreFactory]:
    """Open stores of the test's backend (on SQLite: ``$HEADROOM_HOME/ccr.sqlite3``) with the test's clock;
    `Settings` fields as keywords."""
    opened: list[Store] = []

    def make(**overrides: Any) -> Store:
        settings = dataclasses.replace(store_settings, **overrides)
        store = Store(settings, clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()
