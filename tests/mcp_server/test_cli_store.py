"""`headroom compress`, `retrieve` and `stats` as scripts use them: real subprocesses on one store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import rustcore
from ccr import find_markers
from tests.conftest import Sample
from tests.mcp_server.cli_helpers import HEADROOM, headroom


def run(args: list[str], home: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return headroom(args, home, stdin, text=False)


def compress_json(args: list[str], home: Path, stdin: bytes | None = None) -> dict[str, object]:
    done = run(["compress", "--json", *args], home, stdin)
    assert done.returncode == 0, done.stderr.decode()
    payload: dict[str, object] = json.loads(done.stdout)
    return payload


@pytest.mark.slow
@pytest.mark.corpus
def test_every_corpus_file_round_trips_byte_exact_with_exact_token_counts(
    corpus: list[Sample], headroom_home: Path
) -> None:
    for sample in corpus:
        result = compress_json([str(sample.input_path), "--query", sample.query], headroom_home)
        original = sample.read_bytes()
        assert result["hash"] == rustcore.content_hash(original)
        assert result["tokens_before"] == rustcore.count_tokens(original)
        assert result["tokens_after"] == rustcore.count_tokens(str(result["compressed"]))
        assert set(result) >= {"compressed", "hash", "tokens_before", "tokens_after", "compressor", "elapsed_ms"}
        assert result["markers"] == len(find_markers(str(result["compressed"])))
        back = run(["retrieve", str(result["hash"])], headroom_home)
        assert back.returncode == 0, back.stderr.decode()
        assert back.stdout == original, sample.name


def test_stdin_with_invalid_utf8_is_stored_exactly(headroom_home: Path) -> None:
    data = b"caf\xe9 latin-1 line\n" * 200 + b"\xff\xfe tail\n"
    result = compress_json(["-"], headroom_home, stdin=data)
    assert run(["retrieve", str(result["hash"])], headroom_home).stdout == data


def test_unknown_hash_exits_nonzero_with_one_line_reason(headroom_home: Path) -> None:
    done = run(["retrieve", "0123456789abcdef"], headroom_home)
    assert done.returncode != 0
    reason = done.stderr.decode().strip()
    assert reason.count("\n") == 0 and "0123456789abcdef" in reason


def test_malformed_hash_and_bad_range_are_explained(headroom_home: Path) -> None:
    assert b"hash" in run(["retrieve", "nothex"], headroom_home).stderr
    stored = compress_json(["-"], headroom_home, stdin=b"one\ntwo\nthree\n")
    done = run(["retrieve", str(stored["hash"]), "--lines", "3-1"], headroom_home)
    assert done.returncode != 0
    assert b"A-B" in done.stderr or b"<=" in done.stderr


def test_line_range_retrieval_prints_numbered_lines(headroom_home: Path) -> None:
    text = "".join(f"line number {i}\n" for i in range(1, 301)).encode()
    stored = compress_json(["-"], headroom_home, stdin=text)
    done = run(["retrieve", str(stored["hash"]), "--lines", "120-122", "--json"], headroom_home)
    payload = json.loads(done.stdout)
    rendered = json.dumps(payload)
    assert "line number 120" in rendered and "line number 122" in rendered and "line number 123" not in rendered


def test_query_retrieval_finds_the_line_that_answers(headroom_home: Path) -> None:
    lines = [f"2024-05-01T10:{i % 60:02d}:00 INFO request {i} served in {i % 7} ms\n" for i in range(3000)]
    lines[1777] = "2024-05-01T10:37:00 ERROR payment gateway refused card for order 99812\n"
    stored = compress_json(["-"], headroom_home, stdin="".join(lines).encode())
    done = run(["retrieve", str(stored["hash"]), "--query", "why was the payment refused?"], headroom_home)
    assert done.returncode == 0
    assert b"payment gateway refused card for order 99812" in done.stdout
    assert b"1778" in done.stdout


def test_empty_and_binary_input_are_refused_and_nothing_is_recorded(headroom_home: Path) -> None:
    empty = run(["compress", "-"], headroom_home, stdin=b"")
    assert empty.returncode != 0 and b"empty" in empty.stderr
    binary = run(["compress", "-"], headroom_home, stdin=bytes(range(256)) * 40)
    assert binary.returncode != 0 and b"binary" in binary.stderr


def test_stats_counts_compressions_and_retrievals(headroom_home: Path) -> None:
    text = "".join(f"INFO worker {i % 3} heartbeat ok\n" for i in range(2000)).encode()
    stored = compress_json(["-"], headroom_home, stdin=text)
    run(["retrieve", str(stored["hash"])], headroom_home)
    done = run(["stats", "--json"], headroom_home)
    stats = json.loads(done.stdout)
    flat = json.dumps(stats)
    assert done.returncode == 0
    assert stats["tokens_before"] == stored["tokens_before"]
    assert '"retrievals": 1' in flat and '"compressions": 1' in flat


def _peak_rss_kb(done: subprocess.CompletedProcess[bytes]) -> int:
    """The child's peak RSS as GNU time reports it (`-f %M`), from the last line of stderr."""
    return int(done.stderr.decode().strip().splitlines()[-1])


@pytest.mark.slow
def test_a_sparse_file_over_the_cap_is_refused_before_it_is_read(headroom_home: Path, tmp_path: Path) -> None:
    huge = tmp_path / "sparse.log"
    with huge.open("wb") as f:
        f.truncate(2 * 1024**3)
    env = {**os.environ, "HEADROOM_HOME": str(headroom_home), "HEADROOM_MAX_INPUT_MB": "1"}
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *HEADROOM, "compress", str(huge)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert b"is 2,147,483,648 bytes, over the 1,048,576-byte limit" in done.stderr
    assert _peak_rss_kb(done) < 400 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("source", ["/dev/zero", "-"])
def test_an_endless_stream_is_read_only_to_the_cap_then_refused(source: str, headroom_home: Path) -> None:
    env = {**os.environ, "HEADROOM_HOME": str(headroom_home), "HEADROOM_MAX_INPUT_MB": "2"}
    with subprocess.Popen(["yes"], stdout=subprocess.PIPE) as yes:
        done = subprocess.run(
            [*HEADROOM, "compress", source],
            stdin=yes.stdout,
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
        yes.kill()
    assert done.returncode == 1
    shown = "stdin" if source == "-" else source
    assert f"{shown} gave more than 2,097,152 bytes, the limit; reading stopped there".encode() in done.stderr


def test_a_directory_is_refused_with_a_reason(headroom_home: Path, tmp_path: Path) -> None:
    done = run(["compress", str(tmp_path)], headroom_home)
    assert done.returncode == 1
    assert b"is a directory" in done.stderr


def _source_with_markers(home: Path) -> tuple[bytes, dict[str, object]]:
    """Source text compressed with a query: what is left out is ranges of lines."""
    data = "".join(f"def handler_{i}(req):\n    value = req.get({i})\n    return value\n\n\n" for i in range(300))
    return data.encode(), compress_json(["-", "--query", "handler_42"], home, stdin=data.encode())


def _log_with_markers(home: Path) -> tuple[bytes, dict[str, object]]:
    rows = [f"2024-05-01T10:{i % 60:02d}:00 INFO request {i} served in {i % 7} ms\n" for i in range(2000)]
    rows[700] = "2024-05-01T10:40:00 ERROR disk full on /var/lib/data\n"
    data = "".join(rows).encode()
    return data, compress_json(["-", "--query", "disk full"], home, stdin=data)


def test_retrieve_accepts_what_a_marker_says_in_every_form_a_person_copies(headroom_home: Path) -> None:
    data, result = _source_with_markers(headroom_home)
    lines = data.decode().splitlines()
    marker = next(m for m in find_markers(str(result["compressed"])) if m.lines is not None)
    assert marker.lines is not None
    first, last = marker.lines
    text = str(result["compressed"])[marker.span[0] : marker.span[1]]
    forms = [
        [f"hash={marker.hash}", f"lines={first}-{last}"],
        [text],
        [f"retrieve hash={marker.hash} lines={first}-{last}"],
        [marker.hash, "--lines", f"{first}-{last}"],
        [marker.hash, f"lines={first}-{last}"],
    ]
    for form in forms:
        done = run(["retrieve", *form, "--json"], headroom_home)
        assert done.returncode == 0, (form, done.stderr.decode())
        payload = json.loads(done.stdout)
        assert payload["mode"] == "lines"
        assert lines[first - 1] in payload["text"] and lines[last - 1] in payload["text"], form


def test_retrieve_by_bytes_and_by_template_prints_what_those_selectors_name(headroom_home: Path) -> None:
    data, result = _log_with_markers(headroom_home)
    h = str(result["hash"])
    part = run(["retrieve", h, "--bytes", "5-24"], headroom_home)
    assert part.returncode == 0 and part.stdout.rstrip(b"\n") == data[5:25]
    key = rustcore.template_keys(data.decode())[0]
    assert key is not None
    rows = run(["retrieve", f"hash={h}", f"template={key}", "lines=1-10", "--json"], headroom_home)
    payload = json.loads(rows.stdout)
    assert payload["mode"] == "template" and "served in" in payload["text"]
    assert (
        "disk full" not in run(["retrieve", h, "--template", key, "--max-tokens", "200"], headroom_home).stdout.decode()
    )


def test_retrieve_refuses_a_quoted_marker_and_two_different_selectors(headroom_home: Path) -> None:
    _, result = _log_with_markers(headroom_home)
    h = str(result["hash"])
    quoted = run(["retrieve", f"[2 lines omitted: (quoted) retrieve hash={h} lines=1-2]"], headroom_home)
    assert quoted.returncode != 0 and b"quoted" in quoted.stderr
    both = run(["retrieve", f"hash={h}", "lines=1-2", "--lines", "3-4"], headroom_home)
    assert both.returncode != 0 and b"twice" in both.stderr
    mixed = run(["retrieve", h, "--lines", "1-2", "--bytes", "0-4"], headroom_home)
    assert mixed.returncode != 0 and b"one selector" in mixed.stderr
