"""The server's lifespan state: one store per process however many connections, and contained panics."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from mcp_server.server import ServerOptions, build_server
from mcp_server.server._state import SharedState, StoreOpening

pytestmark = pytest.mark.anyio


async def test_connections_share_one_store_which_closes_when_the_last_one_leaves() -> None:
    from ccr import StoreError

    shared = SharedState(ServerOptions(), "s1")
    server = build_server()
    async with shared.lifespan(server) as first:
        async with shared.lifespan(server) as second:
            assert second is first and shared.current() is first
            digest = first.store.put(b"kept\n")
        assert first.store.get(digest) == b"kept\n"
    assert shared.current() is None
    with pytest.raises(StoreError):
        first.store.get(digest)


class _Panic(BaseException):
    """What PyO3 raises for a Rust panic: a BaseException, so `except Exception` lets it through."""


def test_a_panic_in_worker_code_becomes_a_headroom_error_naming_it() -> None:
    from ccr import HeadroomError
    from mcp_server.server._state import contained

    def explode() -> None:
        raise _Panic("index out of bounds")

    with pytest.raises(HeadroomError, match=r"internal error \(_Panic: index out of bounds\)") as caught:
        contained(explode)
    assert isinstance(caught.value.__cause__, _Panic)
    with pytest.raises(KeyboardInterrupt):
        contained(lambda: (_ for _ in ()).throw(KeyboardInterrupt()))


async def test_a_call_past_its_time_limit_fails_with_a_message_and_frees_the_caller(tmp_path: Path) -> None:
    import threading

    from ccr import HeadroomError, Settings, Store
    from mcp_server.server import AppState, ServerOptions

    release = threading.Event()

    def stuck() -> str:
        release.wait(30)
        return "late"

    with Store(Settings(home=tmp_path / "home")) as store:
        options = ServerOptions(cwd=tmp_path, call_timeout_s=0.3)
        state = AppState(settings=store.settings, options=options, opening=StoreOpening.of(store))
        try:
            with anyio.fail_after(20):
                with pytest.raises(HeadroomError, match=r"did not finish within 0\.3 s"):
                    await state.call(stuck)
                assert await state.call(lambda: "next") == "next"
        finally:
            release.set()


def test_a_store_that_cannot_be_opened_is_named_at_every_use_and_the_state_still_closes(tmp_path: Path) -> None:
    from ccr import Settings, StoreError

    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file where the store should be\n")
    opening = StoreOpening.start(Settings(home=not_a_folder))
    for _ in range(2):
        with pytest.raises(StoreError, match="is not a directory"):
            opening.store()
    assert opening.semantic() is None
    opening.close()
