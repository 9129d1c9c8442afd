"""`headroom exec`: exact exit status, streams merged in order, small outputs untouched, large ones retrievable."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustcore
from ccr import Store
from mcp_server.exec._output import render_output
from mcp_server.exec._policy import content_hint, leave_alone_reason, printed_files

ROOT = Path(__file__).resolve().parents[3]
BOOT = [sys.executable, "-S", str(ROOT / "mcp_server" / "_boot.py"), "exec"]
HEADER = re.compile(r"^\[headroom hash=([0-9a-f]{16}): [\d,]+ -> [\d,]+ tokens")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*BOOT, *args], capture_output=True, timeout=60, env={**os.environ, **(env or {})}, check=False
    )


@pytest.mark.parametrize("status", [0, 1, 3, 255])
def test_exit_status_is_the_commands_own(status: int) -> None:
    assert run("--", "sh", "-c", f"exit {status}").returncode == status


def test_a_command_ended_by_a_signal_exits_128_plus_its_number() -> None:
    assert run("--shell", "kill -TERM $$").returncode == 128 + signal.SIGTERM


def test_small_output_is_printed_byte_for_byte_with_both_streams_in_order() -> None:
    done = run("--shell", "printf 'a\\r\\n'; printf 'b' >&2; printf '\\xff c'")
    assert done.stdout == b"a\r\nb\xff c"
    assert done.stderr == b""


def test_a_missing_program_exits_127() -> None:
    done = run("--", "no-such-program-headroom")
    assert done.returncode == 127 and b"command not found" in done.stderr


def test_large_output_is_compressed_under_a_header_whose_handle_returns_the_exact_output(tmp_path: Path) -> None:
    command = f"git -C {ROOT} log -p -n 30 --no-color"
    raw = subprocess.run(["/bin/bash", "-c", command], capture_output=True, check=True).stdout
    done = run("--shell", command)
    assert done.returncode == 0
    match = HEADER.match(done.stdout.decode())
    assert match, done.stdout[:200]
    assert len(done.stdout) < len(raw) / 2
    with Store() as store:
        assert store.get(match.group(1)) == raw


@pytest.mark.parametrize("how", ["shell", "argv"])
def test_an_original_is_kept_under_the_command_line_that_printed_it(how: str) -> None:
    script = "import sys\nfor i in range(4000): print('row', i, sys.argv[1:])"
    argv = [sys.executable, "-c", script, "--name", "with space"]
    line = " ".join(argv).replace("\n", " ")
    done = run("--shell", subprocess.list2cmdline(argv)) if how == "shell" else run("--", *argv)
    match = HEADER.match(done.stdout.decode())
    assert match, done.stdout[:200]
    with Store() as store:
        source = store.info(match.group(1)).source
    assert source.startswith("exec:") and "\n" not in source and len(source) <= 5 + 300
    if how == "argv":
        assert source == f"exec:{line}"
    else:
        assert "--name" in source and "print('row', i, sys.argv[1:])" in source


@pytest.mark.parametrize("lines", [400, 30_000])
def test_the_header_counts_the_outputs_tokens_exactly_whether_exec_or_compress_counted_them(lines: int) -> None:
    """Near the threshold exec counts before compressing and hands compress() its count; far above it compress()
    counts: either way the header's count is the exact one."""
    command = f"seq -f 'row %g of the report' 1 {lines}"
    raw = subprocess.run(["/bin/bash", "-c", command], capture_output=True, check=True).stdout
    header = run("--shell", command).stdout.decode().split("\n", 1)[0]
    assert HEADER.match(header), header
    assert header.split(": ", 1)[1].startswith(f"{rustcore.count_tokens(raw):,} -> ")


def test_a_text_headroom_printed_passes_through_a_second_time_unchanged(tmp_path: Path) -> None:
    first = run("--shell", f"git -C {ROOT} log -p -n 20 --no-color").stdout
    assert HEADER.match(first.decode())
    saved = tmp_path / "printed.txt"
    saved.write_bytes(first)
    assert run("--shell", f"cat {saved}").stdout == first


def test_threshold_is_configurable_by_option_and_environment() -> None:
    line = "seq 1 3000"
    assert HEADER.match(run("--shell", line).stdout.decode())
    assert not HEADER.match(run("--threshold", "100000", "--shell", line).stdout.decode())
    assert not HEADER.match(run("--shell", line, env={"HEADROOM_EXEC_MIN_TOKENS": "100000"}).stdout.decode())


@pytest.mark.parametrize("line", ["seq 1 30000 | head -n 30000", "seq 1 30000 | tail -n +1", "seq 1 30000 &&  true"])
def test_output_already_cut_or_excluded_passes_through_untouched(line: str) -> None:
    env = {"HEADROOM_EXEC_EXCLUDE": "seq 1 30000"}
    raw = subprocess.run(["/bin/bash", "-c", line], capture_output=True, check=True).stdout
    assert run("--shell", line, env=env).stdout == raw


def test_signals_reach_the_command_and_its_status_comes_back(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    script = (
        "import signal, sys, pathlib, time\n"
        "signal.signal(signal.SIGTERM, lambda s, f: (print('got', s), sys.exit(5)))\n"
        f"pathlib.Path({str(ready)!r}).write_text('1')\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([*BOOT, "--", sys.executable, "-c", script], stdout=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 5
    assert out == b"got 15\n"


@given(st.binary(max_size=1999))
def test_anything_under_the_threshold_in_bytes_is_printed_as_it_was(raw: bytes) -> None:
    rendered = render_output(raw, threshold=2000)
    assert rendered.data == raw and not rendered.compressed


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from("a0 \n.xé日"), min_size=1, max_size=3000), st.integers(1, 400))
def test_an_output_under_the_threshold_in_tokens_is_printed_as_it_was(text: str, threshold: int) -> None:
    raw = text.encode()
    rendered = render_output(raw, threshold=threshold)
    if rustcore.count_tokens(text) < threshold:
        assert rendered.data == raw and not rendered.compressed


@given(
    st.lists(
        st.sampled_from(["ERROR disk full on /dev/sda1", "INFO request ok 200", "WARN slow 1.2s"]),
        min_size=400,
        max_size=600,
    )
)
def test_a_compressed_output_names_a_handle_holding_the_exact_bytes(lines: list[str]) -> None:
    raw = ("\n".join(f"{i:05d} {line}" for i, line in enumerate(lines)) + "\n").encode()
    rendered = render_output(raw, threshold=500, hint="log")
    assert rendered.compressed and rendered.hash is not None
    assert rendered.data.decode().startswith(f"[headroom hash={rendered.hash}:")
    with Store() as store:
        assert store.get(rendered.hash) == raw


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("vim notes.txt", "interactive"),
        ("python3", "interactive"),
        ("cd src && make", "state"),
        ("export A=1; ls", "state"),
        ("git log | head -20", "piped"),
        ("cat big.json | jq .items", "piped"),
        ("git rebase -i HEAD~3", "interactive"),
        ("sleep 100 &", "background"),
        ("cat <<EOF\nx\nEOF", "here-document"),
        ("echo 'unterminated", "split"),
    ],
)
def test_commands_that_need_the_terminal_or_the_shell_are_left_alone(line: str, why: str) -> None:
    reason = leave_alone_reason(line, exclude="")
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "line",
    [
        "pytest -q tests",
        "git diff HEAD~1",
        "rg -n foo src",
        "ls -la",
        "make -j2",
        "python3 -m pytest",
        "FOO=1 sudo -E npm test",
        "git log --oneline -n 5",
    ],
)
def test_ordinary_commands_go_through(line: str) -> None:
    assert leave_alone_reason(line, exclude="") is None


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("pytest -q", "log"),
        ("uv run pytest", "log"),
        ("python -m pytest -x", "log"),
        ("git diff", "diff"),
        ("git log -p -n 3", "diff"),
        ("rg -n TODO", "search"),
        ("grep -rn x .", "search"),
        ("cargo build", "log"),
        ("ls -la", None),
        ("git log --oneline", None),
        ("cat x | grep -n y", "search"),
    ],
)
def test_the_command_line_hints_at_the_kind_of_output(line: str, hint: str | None) -> None:
    assert content_hint(line) == hint


@pytest.mark.parametrize(
    ("line", "files"),
    [
        ("cat src/app.py", ["src/app.py"]),
        ("cat -n a.rs b.rs", ["a.rs", "b.rs"]),
        ("head -n 80 'my dir/x.ts'", ["my dir/x.ts"]),
        ("bat -l py notes", ["notes"]),
        ("sudo tail -n 200 /var/log/syslog", ["/var/log/syslog"]),
        ("cat x.py | grep def", []),
        ("cat a.py > b.py", []),
        ("cat - x.py", []),
        ("python x.py", []),
        ("ls x.py", []),
    ],
)
def test_the_files_a_command_prints_as_they_are_are_read_from_its_line(line: str, files: list[str]) -> None:
    assert printed_files(line) == files


def test_the_name_of_the_file_a_command_printed_decides_what_its_output_is(tmp_path: Path) -> None:
    """A Python module holding a log as test data reads like a log; `cat` of a `.py` file says it is code."""
    lines = ['"""A service log, kept as test data."""', "", "import re", ""]
    for i in range(6):
        lines += ["", f"def parse_{i}(line):", f'    """Fields of a line of kind {i}."""']
        lines += [f'    fields = re.split(r"\\s+", line, maxsplit={i % 5 + 1})', f"    if len(fields) < {i % 5 + 2}:"]
        lines += ["        raise ValueError(line)", "    return fields"]
    lines += ["", 'SAMPLE = """']
    lines += [f"2024-05-01 10:00:{i % 60:02d} INFO worker {i % 7} handled request {i}" for i in range(300)]
    module = tmp_path / "replay.py"
    module.write_text("\n".join([*lines, '"""']) + "\n", encoding="utf-8")
    named = run("--shell", f"cat {module}").stdout.decode().split("\n", 1)[0]
    unnamed = run("--shell", f"cat < {module}").stdout.decode().split("\n", 1)[0]
    assert HEADER.match(named) and HEADER.match(unnamed)
    assert named.endswith(" code via code, 6 markers]"), named
    assert " log via log, " in unnamed, unnamed


def test_a_hint_settles_plain_text_and_close_calls_only() -> None:
    from compressors._router import resolve_content_type

    diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
    assert resolve_content_type("auto", diff, "search").content_type == "diff"
    assert resolve_content_type("auto", "plain words here\nand more words\n", "log").content_type == "log"
