"""Many calls at once on one server, several clients on one HTTP server, two server processes on one store."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from server_helpers import free_port, noisy_log, running_server, serve_command, structured, tool_text

pytestmark = pytest.mark.anyio


async def test_many_parallel_calls_on_one_server_all_succeed_and_are_all_counted(
    make_client: Callable[..., Client],
) -> None:
    logs = [noisy_log(400 + i, needle=f"ERROR job {i} failed") for i in range(24)]
    results: dict[int, dict[str, Any]] = {}
    async with make_client() as client:

        async def one(i: int) -> None:
            out = tool_text(await client.call_tool("headroom_compress", {"content": logs[i], "query": f"job {i}"}))
            back = tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6}))
            assert back["body"] == logs[i]
            results[i] = out

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for i in range(len(logs)):
                    tg.start_soon(one, i)
        stats = structured(await client.call_tool("headroom_stats", {}))
    assert len({r["hash"] for r in results.values()}) == len(logs)
    assert stats["calls"] == len(logs) and stats["retrievals"] == len(logs)


@pytest.mark.slow
async def test_several_clients_share_one_http_server(tmp_path: Path) -> None:
    port, token = free_port(), "several-clients-token-0123456789"

    async def session(i: int) -> None:
        log = noisy_log(500, needle=f"ERROR client {i}")
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client,
        ):
            out = tool_text(await client.call_tool("headroom_compress", {"content": log}))
            assert (
                tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6}))[
                    "body"
                ]
                == log
            )

    with running_server("http", port, "--token", token, log=tmp_path / "err.log"), anyio.fail_after(180):
        async with anyio.create_task_group() as tg:
            for i in range(5):
                tg.start_soon(session, i)


@pytest.mark.slow
async def test_two_server_processes_share_one_store_through_headroom_home(project: Path) -> None:
    command = serve_command()

    def params(name: str) -> StdioServerParameters:
        env = {**os.environ, "HEADROOM_CLIENT": name}
        return StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(project))

    logs = {name: noisy_log(1500, needle=f"ERROR from {name}") for name in ("alpha", "beta")}
    with anyio.fail_after(180):
        async with Client(params("alpha")) as alpha, Client(params("beta")) as beta:
            clients = {"alpha": alpha, "beta": beta}
            hashes: dict[str, str] = {}

            async def compress(name: str) -> None:
                out = tool_text(await clients[name].call_tool("headroom_compress", {"content": logs[name]}))
                hashes[name] = out["hash"]

            async with anyio.create_task_group() as tg:
                for name in clients:
                    tg.start_soon(compress, name)
            # Each process redeems the other's handle.
            from_beta = tool_text(
                await alpha.call_tool("headroom_retrieve", {"hash": hashes["beta"], "max_tokens": 10**6})
            )
            from_alpha = tool_text(
                await beta.call_tool("headroom_retrieve", {"hash": hashes["alpha"], "max_tokens": 10**6})
            )
            alpha_session = structured(await alpha.call_tool("headroom_stats", {"scope": "session"}))
            lifetime = structured(await alpha.call_tool("headroom_stats", {"scope": "lifetime"}))
    assert from_beta["body"] == logs["beta"] and from_alpha["body"] == logs["alpha"]
    assert alpha_session["calls"] == 1 and lifetime["calls"] == 2
    assert lifetime["retrievals"] == 2 and lifetime["store_entries"] == 2
