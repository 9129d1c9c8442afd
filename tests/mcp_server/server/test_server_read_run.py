"""headroom_read and headroom_run through an in-memory MCP client: confinement, roots, limits, results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import ListRootsResult, Root
from server_helpers import noisy_log, structured, text_of, tool_text

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., Client]


def _roots_answer(*paths: Path) -> Callable[[Any], Any]:
    async def answer(_ctx: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=p.as_uri()) for p in paths])  # type: ignore[arg-type]

    return answer


async def test_a_file_inside_the_project_is_read_compressed_and_its_original_kept(
    make_client: MakeClient, project: Path
) -> None:
    log = noisy_log()
    (project / "build.log").write_text(log)
    async with make_client() as client:
        result = await client.call_tool("headroom_read", {"path": "build.log", "query": "payment declined"})
        out = tool_text(result)
        whole = tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6}))
    assert out["extra"] == f" path={project / 'build.log'}"
    assert out["tokens_after"] < out["tokens_before"]
    assert whole["body"] == log


async def test_a_source_file_is_read_as_code(make_client: MakeClient, project: Path) -> None:
    source = "".join(f"def handler_{i}(request):\n    return {{'status': {i}}}\n\n\n" for i in range(300))
    (project / "src" / "handlers.py").write_text(source)
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_read", {"path": "src/handlers.py", "query": "handler_42"}))
    assert ", code via " in out["what"]


async def test_a_log_saved_as_txt_is_read_as_a_log_not_as_text(make_client: MakeClient, project: Path) -> None:
    log = noisy_log()
    (project / "build-output.txt").write_text(log)
    async with make_client() as client:
        # The verbatim read comes first so that the original is filed under the type it detected.
        lines = tool_text(await client.call_tool("headroom_read", {"path": "build-output.txt", "lines": "1-2"}))
        out = tool_text(await client.call_tool("headroom_read", {"path": "build-output.txt"}))
        hit = structured(await client.call_tool("headroom_search", {"query": "payment declined"}))["hits"][0]
    assert ", log via log" in out["what"]
    assert hit["hash"] == lines["hash"] and hit["content_type"] == "log"


async def test_a_file_name_is_a_hint_the_content_can_overrule(make_client: MakeClient, project: Path) -> None:
    (project / "settings.py").write_text('{"debug": true, "items": [' + ", ".join(str(i) for i in range(400)) + "]}\n")
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_read", {"path": "settings.py"}))
    assert ", json via " in out["what"]


async def test_a_line_range_is_read_verbatim_with_line_numbers(make_client: MakeClient, project: Path) -> None:
    (project / "notes.txt").write_text("".join(f"note {i}\n" for i in range(1, 101)))
    async with make_client() as client:
        out = tool_text(await client.call_tool("headroom_read", {"path": "notes.txt", "lines": "10-12"}))
    assert out["body"].splitlines() == ["   10| note 10", "   11| note 11", "   12| note 12"]
    assert out["extra"] == f" path={project / 'notes.txt'}" and "lines 10-12 of 100" in out["what"]


async def test_a_path_outside_the_roots_is_refused_and_the_message_names_the_roots(
    make_client: MakeClient, project: Path
) -> None:
    secret = project.parent / "secret.txt"
    secret.write_text("hunter2\n")
    async with make_client() as client:
        for path in (str(secret), "../secret.txt"):
            result = await client.call_tool("headroom_read", {"path": path})
            assert result.is_error
            assert "outside the allowed roots" in text_of(result) and str(project) in text_of(result)
            assert "hunter2" not in text_of(result)


async def test_a_symlink_out_of_the_project_is_refused(make_client: MakeClient, project: Path) -> None:
    (project.parent / "secret.txt").write_text("hunter2\n")
    (project / "link.txt").symlink_to(project.parent / "secret.txt")
    async with make_client() as client:
        result = await client.call_tool("headroom_read", {"path": "link.txt"})
    assert result.is_error and "outside the allowed roots" in text_of(result)


async def test_configured_roots_are_readable_besides_the_working_directory(
    make_client: MakeClient, project: Path, tmp_path: Path
) -> None:
    shared = (tmp_path / "shared").resolve()
    shared.mkdir()
    (shared / "doc.md").write_text(noisy_log())
    async with make_client(roots=(shared,)) as client:
        out = tool_text(await client.call_tool("headroom_read", {"path": str(shared / "doc.md")}))
    assert out["extra"] == f" path={shared / 'doc.md'}"


async def test_the_clients_declared_roots_replace_the_working_directory(
    make_client: MakeClient, project: Path, tmp_path: Path
) -> None:
    workspace = (tmp_path / "workspace").resolve()
    workspace.mkdir()
    (workspace / "a.log").write_text(noisy_log())
    (project / "b.log").write_text(noisy_log())
    async with make_client(list_roots_callback=_roots_answer(workspace)) as client:
        inside = await client.call_tool("headroom_read", {"path": "a.log"})
        outside = await client.call_tool("headroom_read", {"path": str(project / "b.log")})
    assert tool_text(inside)["extra"] == f" path={workspace / 'a.log'}"
    assert outside.is_error and str(workspace) in text_of(outside)


async def test_client_roots_that_do_not_exist_here_do_not_fall_back_to_the_working_directory(
    make_client: MakeClient, project: Path, tmp_path: Path
) -> None:
    (project / "b.log").write_text(noisy_log())
    async with make_client(list_roots_callback=_roots_answer(tmp_path / "elsewhere")) as client:
        result = await client.call_tool("headroom_read", {"path": "b.log"})
    assert result.is_error and "no directory is allowed" in text_of(result)


@pytest.mark.parametrize(
    ("path", "message"),
    [("missing.txt", "no such file"), ("src", "is a directory"), ("", "empty")],
)
async def test_unreadable_paths_are_error_results_saying_why(make_client: MakeClient, path: str, message: str) -> None:
    async with make_client() as client:
        result = await client.call_tool("headroom_read", {"path": path})
    assert result.is_error and message in text_of(result)


async def test_run_is_refused_unless_enabled_and_the_message_says_how_to_enable_it(
    make_client: MakeClient, project: Path
) -> None:
    async with make_client() as client:
        result = await client.call_tool("headroom_run", {"command": f"touch {project / 'ran'}"})
    assert result.is_error
    assert "--allow-run" in text_of(result) and "HEADROOM_ALLOW_RUN=1" in text_of(result)
    assert not (project / "ran").exists()


async def test_run_returns_the_exit_code_and_compressed_output_whose_original_is_kept(
    make_client: MakeClient, project: Path
) -> None:
    log = noisy_log()
    (project / "app.log").write_text(log)
    async with make_client(allow_run=True) as client:
        result = await client.call_tool("headroom_run", {"command": "cat app.log; exit 7", "query": "declined"})
        out = tool_text(result)
        whole = tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6}))
    assert out["what"].startswith("exit code 7")
    assert out["tokens_after"] < out["tokens_before"]
    assert whole["body"] == log


async def test_a_command_without_output_still_reports_its_exit_code(make_client: MakeClient) -> None:
    async with make_client(allow_run=True) as client:
        out = tool_text(await client.call_tool("headroom_run", {"command": "false"}))
    assert out["what"].startswith("exit code 1") and out["what"].endswith("; no output")
    assert (out["hash"], out["body"]) == (None, "")


async def test_a_command_past_its_timeout_is_reported_as_timed_out(make_client: MakeClient) -> None:
    async with make_client(allow_run=True) as client:
        out = tool_text(await client.call_tool("headroom_run", {"command": "echo begun; sleep 30", "timeout_s": 1}))
    assert out["what"].startswith("killed after the 1 s timeout") and out["body"] == "begun\n"


async def test_run_in_a_directory_outside_the_roots_is_refused(make_client: MakeClient, project: Path) -> None:
    async with make_client(allow_run=True) as client:
        result = await client.call_tool("headroom_run", {"command": "pwd", "cwd": str(project.parent)})
    assert result.is_error and "outside the allowed roots" in text_of(result)


async def test_run_starts_in_a_subdirectory_of_the_project_when_asked(make_client: MakeClient, project: Path) -> None:
    async with make_client(allow_run=True) as client:
        out = tool_text(await client.call_tool("headroom_run", {"command": "pwd", "cwd": "src"}))
    assert out["body"].strip() == str(project / "src")


async def test_binary_command_output_keeps_the_exit_code_and_stores_the_bytes(make_client: MakeClient) -> None:
    import base64
    import sys

    command = f'{sys.executable} -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)"; exit 5'
    async with make_client(allow_run=True) as client:
        out = tool_text(await client.call_tool("headroom_run", {"command": command}))
        resource = await client.read_resource(f"headroom://original/{out['hash']}")
    assert out["what"].startswith("exit code 5") and "; binary output, 1,024 bytes" in out["what"]
    assert f"headroom://original/{out['hash']}" in out["what"]
    assert base64.b64decode(getattr(resource.contents[0], "blob", "")) == bytes(range(256)) * 4


async def test_a_verbatim_line_read_counts_as_a_read_not_a_retrieval(make_client: MakeClient, project: Path) -> None:
    (project / "notes.txt").write_text("".join(f"note {i}\n" for i in range(1, 101)))
    async with make_client() as client:
        tool_text(await client.call_tool("headroom_read", {"path": "notes.txt", "lines": "1-2"}))
        stats = structured(await client.call_tool("headroom_stats", {}))
    assert stats["calls_by_kind"] == {"read": 1} and stats["retrievals"] == 0
