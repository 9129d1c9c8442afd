"""The tools that touch the user's machine: headroom_read (a file) and headroom_run (a shell command).

Both are confined to the roots (see `_paths`): the client's declared roots,
asked for through the SDK's `ListRoots` resolver so it works on every protocol
revision, else the server's working directory, plus `--root` directories.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp_types import CallToolResult, ListRootsResult, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from ccr import BinaryInputError, InputError, RunDisabledError
from mcp_server._header import header_line
from mcp_server.server._models import READ_ONLY
from mcp_server.server._options import MAX_RUN_TIMEOUT_S
from mcp_server.server._paths import allowed_roots, confine, file_uri_paths, read_confined
from mcp_server.server._retrieve import resolve_ref, retrieve, store_original
from mcp_server.server._state import AppState, client_name, heartbeat, state_of, tool_errors
from mcp_server.server._tools import (
    MARKER_NOTE,
    MaxTokens,
    Query,
    answer,
    compress_text,
    record_event,
)

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon


__all__ = ["register_local_tools", "type_for_path"]

Ctx = Context[AppState, Any]

_RUN_DISABLED = (
    "headroom_run is disabled on this server; restart it with `headroom mcp serve --allow-run` or set "
    "HEADROOM_ALLOW_RUN=1 in its environment (then it runs shell commands inside the allowed roots)"
)


def type_for_path(path: Path) -> str | None:
    """The content type a file's name suggests: a hint the detector weighs against the content."""
    from compressors import type_for_name

    return type_for_name(path.name)


async def _client_roots(ctx: Ctx) -> ListRoots | None:
    """Ask the client for its roots when it declared it has some and the connection can carry the question."""
    caps = ctx.client_capabilities
    if caps is None or caps.roots is None:
        return None
    if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS and not ctx.session.can_send_request:
        return None
    return ListRoots()


async def _client_roots_for_run(ctx: Ctx) -> ListRoots | None:
    """As `_client_roots`, but a disabled headroom_run asks nothing before it refuses."""
    if not state_of(ctx).options.allow_run:
        return None
    return await _client_roots(ctx)


def _roots(state: AppState, answer: ListRootsResult | None) -> tuple[Path, ...]:
    declared = file_uri_paths(str(root.uri) for root in answer.roots) if answer and answer.roots else None
    return allowed_roots(state.options.roots, state.options.cwd, declared)


async def headroom_read(
    path: Annotated[
        str, Field(description="The file to read; relative paths start at the first allowed root (the project).")
    ],
    ctx: Ctx,
    roots: Annotated[ListRootsResult | None, Resolve(_client_roots)],
    query: Query = None,
    lines: Annotated[
        str | None,
        Field(description="Only these lines 'A-B' (1-based, inclusive), verbatim with line numbers, not compressed."),
    ] = None,
    max_tokens: MaxTokens = None,
) -> CallToolResult:
    state = state_of(ctx)
    with tool_errors():
        allowed = _roots(state, roots)
        real, data = await state.call(read_confined, path, allowed, state.settings.max_input_bytes)
        if lines is not None:
            return await _read_lines(ctx, real, data, lines, max_tokens)
        result = await compress_text(
            ctx,
            data,
            query=query,
            content_type="auto",
            name_hint=type_for_path(real),
            budget=max_tokens,
            source=f"mcp:read:{real}",
        )
        text = header_line(result, f" path={real}") + result.compressed
        return await state.call(answer, state, text, result.hash)


def _detected_type(data: bytes, hint: str | None) -> str:
    """What the content of a file is, its name taken as a hint (as a compressed read would route it)."""
    from compressors import detect

    return detect(data.decode("utf-8", errors="replace"), name_hint=hint).content_type


async def _read_lines(ctx: Ctx, real: Path, data: bytes, lines: str, max_tokens: int | None) -> CallToolResult:
    state = state_of(ctx)
    started = time.perf_counter()
    content_type = await state.call(_detected_type, data, type_for_path(real))
    digest, _ = await state.call(store_original, state.store, data, content_type, f"mcp:read:{real}")
    excerpt = await state.call(partial(retrieve, max_tokens=max_tokens), state.store, resolve_ref(digest, lines=lines))
    await state.call(record_event, state, "read", digest, excerpt.tokens, "lines", client_name(ctx), started)
    return await state.call(answer, state, excerpt.render(f" path={real}"), digest)


async def headroom_run(
    command: Annotated[str, Field(description="A shell command line, run with /bin/sh -c, e.g. 'pytest -x -q'.")],
    ctx: Ctx,
    roots: Annotated[ListRootsResult | None, Resolve(_client_roots_for_run)],
    cwd: Annotated[
        str | None, Field(description="Directory to run in, inside the allowed roots (default: the first root).")
    ] = None,
    query: Query = None,
    timeout_s: Annotated[
        float | None,
        Field(gt=0, le=MAX_RUN_TIMEOUT_S, description="Kill the command after this many seconds (default 120)."),
    ] = None,
    max_tokens: MaxTokens = None,
) -> CallToolResult:
    from mcp_server.server._run import run_command

    state = state_of(ctx)
    limit = timeout_s or state.options.run_timeout_s
    with tool_errors():
        if not state.options.allow_run:
            raise RunDisabledError(_RUN_DISABLED)
        allowed = _roots(state, roots)
        workdir = confine(cwd or ".", allowed)
        if not workdir.is_dir():
            raise InputError(f"cwd {workdir} is not a directory; pass a directory inside the allowed roots")
        outcome = await heartbeat(
            ctx,
            run_command(
                command,
                cwd=workdir,
                timeout_s=limit,
                output_cap=state.settings.max_input_bytes,
                roots=allowed,
                confine=state.options.run_confine,
                spool_dir=state.settings.home,
            ),
            label=f"running {command[:60]}",
        )
        status = _run_status(outcome.exit_code, outcome.timed_out, outcome.truncated, limit)
        if not outcome.confinement.startswith("confined"):
            status += f" ({outcome.confinement})"
        if not outcome.output.strip():
            return answer(state, f"[headroom: {status}; no output]\n", None)
        try:
            result = await compress_text(
                ctx, outcome.output, query=query, content_type="auto", budget=max_tokens, source="mcp:run"
            )
        except BinaryInputError:
            # The exit code still matters; keep the bytes and say where they are.
            binary, _ = await state.call(store_original, state.store, outcome.output, "text", "mcp:run")
            text = (
                f"[headroom hash={binary}: {status}; binary output, {len(outcome.output):,} bytes, not shown: "
                f"read it as the resource headroom://original/{binary}]\n"
            )
            return await state.call(answer, state, text, binary)
        text = header_line(result, status=status) + result.compressed
        return await state.call(answer, state, text, result.hash)


def _run_status(exit_code: int | None, timed_out: bool, truncated: bool, timeout_s: float) -> str:
    if timed_out:
        return f"killed after the {timeout_s:g} s timeout, the output so far"
    if truncated:
        return "stopped: output exceeded the size cap (HEADROOM_MAX_INPUT_MB), the output so far"
    if exit_code is not None and exit_code < 0:
        return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


_READ_DOC = (
    "Read a local text file and get it back compressed, so the whole file never enters your context: source files "
    "come back as a skeleton (imports, signatures, docstrings) with the parts relevant to `query` in full; logs, "
    "JSON and docs as headroom_compress would return them. Prefer this to your own file-reading tool for files over "
    "a couple of hundred lines or when you need only part of one; pass `lines` to read an exact range verbatim. "
    + MARKER_NOTE
    + " Only files inside the client's roots (or the server's working directory and --root directories) are readable."
)
_RUN_DOC = (
    "Run a shell command on the user's machine (test suites, builds, linters, grep, git log/diff, package managers) "
    "and get its output compressed: failures, errors and lines relevant to `query` are kept; the rest is marked and "
    "retrievable. Prefer this to your own shell tool for commands whose output can be long. Returns the exit code. "
    "Runs with /bin/sh -c in `cwd` (default: the first allowed root), stdin closed, stderr merged into stdout. "
)


def register_local_tools(
    server: MCPServer[AppState], *, allow_run: bool, icons: list[Icon], confine: bool = True
) -> None:
    """Add headroom_read and headroom_run to `server` (run is listed either way; disabled, it refuses)."""
    from mcp_server.server._sandbox import confinement_summary

    run_doc = f"{_RUN_DOC}{confinement_summary(confine)} {MARKER_NOTE}"
    if not allow_run:
        run_doc += " Disabled on this server: it was not started with --allow-run."
    server.add_tool(
        headroom_read,
        name="headroom_read",
        title="Read a file, compressed",
        description=_READ_DOC,
        icons=icons,
        annotations=READ_ONLY,
        structured_output=False,
    )
    server.add_tool(
        headroom_run,
        name="headroom_run",
        title="Run a command, output compressed",
        description=run_doc,
        icons=icons,
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
        ),
        structured_output=False,
    )
