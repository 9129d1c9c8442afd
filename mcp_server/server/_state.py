"""The server's lifespan state: the store it owns, its options, its session id; and per-call helpers.

The store is opened when the server starts (not at import), on a thread of its own so that the ``initialize``
answer does not wait for it (the first call that needs the store does), and closed when the server stops,
whatever happened in between. Tools reach the state through ``ctx.request_context.lifespan_context``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from ccr import HeadroomError, SemanticIndex, Settings, Store

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.mcpserver import Context

    from mcp_server.server._options import ServerOptions

__all__ = [
    "AppState",
    "SharedState",
    "StoreOpening",
    "client_name",
    "contained",
    "heartbeat",
    "state_of",
    "tool_errors",
]

_log = logging.getLogger("headroom.server")
T = TypeVar("T")
# Worker threads tool calls may hold at once (the default pool has 40, shared with the transports).
TOOL_THREADS = 8


class StoreOpening:
    """The server's store and its semantic index, opened on a thread of their own (`start`) or given open (`of`).

    `store()` waits for the opening; a store that could not be opened raises its error at every use (as a tool
    error: the server stays up and says why), where it used to stop the server before it answered anything.
    """

    def __init__(self) -> None:
        self._done = threading.Event()
        self._store: Store | None = None
        self._semantic: SemanticIndex | None = None
        self._error: Exception | None = None

    @classmethod
    def start(cls, settings: Settings) -> StoreOpening:
        opening = cls()
        threading.Thread(target=opening._open, args=(settings,), name="headroom-open-store", daemon=True).start()
        return opening

    @classmethod
    def of(cls, store: Store, semantic: SemanticIndex | None = None) -> StoreOpening:
        opening = cls()
        opening._store, opening._semantic = store, semantic
        opening._done.set()
        return opening

    def _open(self, settings: Settings) -> None:
        try:
            store = Store(settings)
            self._semantic = open_semantic(store)
            self._store = store
            _log.info("store %s open", store.location)
        except Exception as exc:
            _log.error("the store could not be opened: %s", exc)
            self._error = exc
        finally:
            self._done.set()
        if self._store is not None:
            _warm_up(settings.encoding)

    def store(self) -> Store:
        self._done.wait()
        if self._store is None:
            if isinstance(self._error, HeadroomError):
                raise type(self._error)(str(self._error))
            raise HeadroomError(f"the store could not be opened: {self._error}")
        return self._store

    def semantic(self) -> SemanticIndex | None:
        self._done.wait()
        return self._semantic

    def close(self) -> None:
        self._done.wait()
        close_semantic(self._semantic)
        if self._store is not None:
            self._store.close()


@dataclass
class AppState:
    settings: Settings
    options: ServerOptions
    opening: StoreOpening
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    _threads: anyio.CapacityLimiter | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        """The store, once open (the first use after start waits for it)."""
        return self.opening.store()

    @property
    def semantic(self) -> SemanticIndex | None:
        """Search indexing and embeddings of new originals, in a background thread (`open_semantic`)."""
        return self.opening.semantic()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on a worker thread (the store and the compressors block), with panics contained.

        At most `TOOL_THREADS` calls run at once, on threads of their own, so the transports (which
        write replies on the default worker threads) always have threads left to answer ``ping``. A
        call taking longer than `options.call_timeout_s` fails with a message; its thread is left to
        finish on its own.

        Raises:
            HeadroomError: the call did not finish in time (or whatever `fn` raised).
        """
        if self._threads is None:
            self._threads = anyio.CapacityLimiter(TOOL_THREADS)
        limit = self.options.call_timeout_s
        with anyio.move_on_after(limit) as deadline:
            return await anyio.to_thread.run_sync(contained, fn, *args, abandon_on_cancel=True, limiter=self._threads)
        assert deadline.cancelled_caught
        name = getattr(fn, "__name__", "the call")
        raise HeadroomError(
            f"{name} did not finish within {limit:g} s (HEADROOM_CALL_TIMEOUT_S) and was abandoned; "
            "try a smaller input or a line range"
        )


def contained(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, with a Rust panic (PyO3 raises it as a BaseException) turned into a `HeadroomError`.

    A panic is a bug, but over stdio it would otherwise end the server mid-request
    and leave the client waiting for an answer that never comes.
    """
    try:
        return fn(*args)
    except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        _log.error("internal error in %s", getattr(fn, "__name__", fn), exc_info=exc)
        raise HeadroomError(
            f"internal error ({type(exc).__name__}: {exc}); this input hit a bug in headroom, please report it"
        ) from exc


class SharedState:
    """One `AppState` per server, however many connections enter its lifespan.

    Streamable HTTP enters the lifespan once per process, SSE once per
    connection; counting users keeps one store open while any connection needs
    it and closes it when the last one leaves. Static resources, which get no
    request context, read the state from here.
    """

    def __init__(self, options: ServerOptions, session_id: str) -> None:
        self.options = options
        self.session_id = session_id
        self._lock = threading.Lock()
        self._state: AppState | None = None
        self._users = 0

    def current(self) -> AppState | None:
        return self._state

    def _acquire(self) -> AppState:
        with self._lock:
            if self._state is None:
                settings = Settings.from_env()
                self._state = AppState(
                    settings=settings,
                    options=self.options,
                    opening=StoreOpening.start(settings),
                    session_id=self.session_id,
                )
                _log.info("session %s", self.session_id)
            self._users += 1
            return self._state

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._state is not None:
                state, self._state = self._state, None
                state.opening.close()

    @asynccontextmanager
    async def lifespan(self, _server: MCPServer[AppState]) -> AsyncIterator[AppState]:
        """The server's lifespan: the store is open inside it and closed on the way out, whatever happened."""
        state = await anyio.to_thread.run_sync(self._acquire)
        try:
            yield state
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._release)


def open_semantic(store: Store) -> SemanticIndex | None:
    """The lifespan's semantic index for `store`: search indexing in a background thread (and, with
    ``HEADROOM_EMBEDDINGS=1``, the embedding model loaded in another).

    None (and a logged reason) when it cannot be set up, e.g. an unusable ``HEADROOM_EMBED*`` variable:
    the server then searches and retrieves lexically.
    """
    try:
        return SemanticIndex(store)
    except ValueError as exc:
        _log.warning("semantic index off: %s", exc)
        return None


def close_semantic(semantic: SemanticIndex | None) -> None:
    """Stop the background indexing (the original in hand is finished first)."""
    if semantic is not None and not semantic.close(timeout=5.0):
        _log.info("the indexer was still busy at shutdown; what it had not finished is indexed next time")


def _warm_up(encoding: str) -> None:
    """Spare the first tool call the one-off loading (`compressors.warm_up`); a failure here only costs that."""
    from compressors import warm_up

    try:
        warm_up(encoding)
    except Exception:
        _log.exception("warming up the compressors failed; the first call will load them")


def state_of(ctx: Context[AppState, Any]) -> AppState:
    return ctx.request_context.lifespan_context


def client_name(ctx: Context[AppState, Any]) -> str:
    """`HEADROOM_CLIENT`, else the name the client gave in its clientInfo, else "unknown"."""
    state = state_of(ctx)
    if state.options.client:
        return state.options.client
    params = ctx.request_context.session.client_params
    info = params.client_info if params is not None else None
    return info.name if info is not None and info.name else "unknown"


@contextlib.contextmanager
def tool_errors() -> Iterator[None]:
    """Our errors become tool errors whose text is our message (the SDK would hide anything else)."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except HeadroomError as exc:
        raise ToolError(str(exc)) from exc


async def heartbeat(ctx: Context[AppState, Any], work: Awaitable[T], *, label: str) -> T:
    """Await `work`, reporting progress when it starts, every second while it runs, and when it ends.

    Clients that reset their request timeout on progress keep waiting for long
    work; the progress value counts seconds, so it only ever grows.
    """
    seconds = 0

    async def tick() -> None:
        nonlocal seconds
        while True:
            await anyio.sleep(1)
            seconds += 1
            await ctx.report_progress(seconds, None, f"{label}: {seconds} s")

    failure: Exception | None = None
    await ctx.report_progress(0, None, f"{label}: started")
    async with anyio.create_task_group() as tg:
        tg.start_soon(tick)
        try:
            value = await work
        except Exception as exc:  # re-raised below, unwrapped by the task group
            failure = exc
        tg.cancel_scope.cancel()
    if failure is not None:
        raise failure
    await ctx.report_progress(seconds + 1, None, f"{label}: done")
    return value
