"""Fixtures for the store tests: a clock tests can move, and stores on a private file per test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_helpers import FakeClock, StoreFactory

from ccr import Settings, Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_store(headroom_home: Path, clock: FakeClock) -> Iterator[StoreFactory]:
    """Open stores on ``$HEADROOM_HOME/ccr.sqlite3`` with the test's clock; `Settings` fields as keywords."""
    opened: list[Store] = []

    def make(**overrides: Any) -> Store:
        settings = dataclasses.replace(Settings.from_env(), **overrides)
        store = Store(settings, clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()
