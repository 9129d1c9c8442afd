"""The background search indexer: off the caller's thread, bounded, failure-tolerant, quiet while calls run."""

from __future__ import annotations

import logging
import threading

import pytest

from ccr import BackgroundIndexer

H1, H2, H3 = "1" * 16, "2" * 16, "3" * 16


class Recorder:
    """An index function that records which thread indexed which original; `gone` originals return None."""

    def __init__(self, gone: frozenset[str] = frozenset()) -> None:
        self.done: list[str] = []
        self.threads: set[str] = set()
        self.gone = gone

    def __call__(self, digest: str) -> object:
        self.threads.add(threading.current_thread().name)
        if digest in self.gone:
            return None
        self.done.append(digest)
        return [digest]


def test_originals_are_indexed_off_the_callers_thread_once_each() -> None:
    index = Recorder(gone=frozenset({H3}))
    indexer = BackgroundIndexer(index, quiet_s=0)
    try:
        assert indexer.submit(H1)
        assert indexer.submit(H2)
        assert indexer.submit(H1)  # already queued: not twice
        assert indexer.submit(H3)  # gone before its turn: skipped
        assert indexer.flush(timeout=60)
        assert index.done == [H1, H2]
        assert index.threads == {"headroom-indexer"}
        stats = indexer.stats()
        assert (stats.indexed, stats.skipped, stats.failed, stats.pending) == (2, 1, 0, 0)
    finally:
        assert indexer.close(timeout=30)
    assert not indexer.submit(H1)
    assert indexer.stats().dropped == 1


def test_a_failing_original_is_logged_and_the_indexer_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []

    def index(digest: str) -> object:
        if digest == H1:
            raise RuntimeError("chunker exploded")
        done.append(digest)
        return digest

    indexer = BackgroundIndexer(index, quiet_s=0)
    with caplog.at_level(logging.WARNING, logger="ccr._indexer"):
        indexer.submit(H1)
        indexer.submit(H2)
        assert indexer.flush(timeout=60)
    assert indexer.close(timeout=30)
    assert done == [H2]
    assert (indexer.stats().failed, indexer.stats().indexed) == (1, 1)
    assert any(H1 in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_full_queue_drops_new_originals_instead_of_blocking() -> None:
    release = threading.Event()
    started = threading.Event()

    def index(digest: str) -> object:
        started.set()
        assert release.wait(timeout=60)
        return digest

    indexer = BackgroundIndexer(index, max_pending=2, quiet_s=0)
    try:
        assert indexer.submit(H1)
        assert started.wait(timeout=60)
        assert indexer.submit(H2)
        assert not indexer.submit(H3)
        assert not indexer.flush(timeout=0)
        release.set()
        assert indexer.flush(timeout=60)
        assert (indexer.stats().indexed, indexer.stats().dropped) == (2, 1)
    finally:
        release.set()
        indexer.close(timeout=30)


def test_work_waits_until_the_caller_has_been_quiet_and_closing_does_not() -> None:
    patient_index = Recorder()
    patient = BackgroundIndexer(patient_index, quiet_s=3600)
    patient.note_activity()
    patient.submit(H1)
    assert not patient.flush(timeout=0.2)
    assert patient.close(timeout=30)
    assert patient_index.done == []
    assert patient.stats().dropped == 1

    prompt_index = Recorder()
    prompt = BackgroundIndexer(prompt_index, quiet_s=0)
    prompt.note_activity()
    prompt.submit(H1)
    assert prompt.flush(timeout=60)
    assert prompt.close(timeout=30)
    assert prompt_index.done == [H1]


def test_no_original_is_indexed_while_a_busy_call_runs_however_long_it_takes() -> None:
    index = Recorder()
    indexer = BackgroundIndexer(index, quiet_s=0)
    try:
        with indexer.busy():
            assert indexer.submit(H1)
            # The call outlasts any quiet time: the original still waits for the call to end.
            assert not indexer.flush(timeout=0.5)
            assert index.done == []
        assert indexer.flush(timeout=60)
        assert index.done == [H1]
    finally:
        assert indexer.close(timeout=30)
