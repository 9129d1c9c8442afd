"""The log compressor: failures, anomalies and summaries survive verbatim; repeats collapse into counted templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import find_markers
from compressors import compress
from tests.compressors.lines_helpers import (
    assert_compresses_within_budget,
    assert_corpus_shrinks_deterministically_without_a_query,
    assert_corpus_shrinks_keeping_needles,
    assert_every_line_accounted_for,
    assert_kept_lines_verbatim,
    assert_markers_resolve,
    check_result,
    compress_with,
    open_store,
)
from tests.conftest import Sample

LOG_CATEGORIES = ("logs", "test_output")


def _run(text: str, query: str | None = None, budget: int | None = None) -> str:
    return compress_with("log", text, query, budget)


def _service_log(n: int = 600, anomaly_at: int = 377) -> tuple[str, str]:
    lines = []
    anomaly = "2024-03-01 10:06:17,204 ERROR [pool-3] db.Pool: connection to 10.0.4.17:5432 refused (attempt 3)"
    for i in range(n):
        lines.append(
            f"2024-03-01 10:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d} INFO [worker-{i % 8}] "
            f"http.Access: GET /api/items/{1000 + i} 200 {3 + i % 40}ms"
        )
        if i == anomaly_at:
            lines.append(anomaly)
    return "\n".join(lines) + "\n", anomaly


def test_a_service_log_is_compressed_by_the_log_compressor_through_the_pipeline() -> None:
    text, anomaly = _service_log()
    with open_store() as store:
        result = compress(text, store=store)
        check_result(result, text, store)
    assert (result.content_type, result.compressor) == ("log", "log")
    assert anomaly in result.compressed and result.tokens_after < result.tokens_before / 2


def test_repeated_lines_collapse_and_the_error_among_them_survives_verbatim() -> None:
    text, anomaly = _service_log()
    out = _run(text)
    assert anomaly + "\n" in out
    assert rustcore.count_tokens(out) < rustcore.count_tokens(text) / 5
    assert_kept_lines_verbatim(text, out)
    assert_every_line_accounted_for(text, out)


def test_a_collapsed_template_marker_counts_and_redeems_every_line_of_it() -> None:
    text, _ = _service_log(n=600)
    store = open_store()
    result = compress(text, store=store)
    [marker] = [m for m in find_markers(result.compressed) if m.template is not None and m.count >= 600]
    rows = store.template(result.hash, marker.template).rows  # type: ignore[arg-type]
    assert len(rows) == marker.count
    assert all("http.Access: GET" in row for _, row in rows)
    # The template marker stands for its lines: no line marker repeats them one stretch at a time.
    assert sum(1 for m in find_markers(result.compressed) if m.lines is not None) <= 3


def test_a_template_seen_once_in_a_repetitive_log_is_kept_as_news() -> None:
    text, _ = _service_log(n=800, anomaly_at=10_000)
    rare = "2024-03-01 10:13:20,000 INFO [main] cache.Warmup: rebuilt index shard 7 from snapshot"
    lines = text.splitlines(keepends=True)
    lines.insert(500, rare + "\n")
    out = _run("".join(lines))
    assert rare in out


def test_a_line_the_query_names_is_kept_even_when_it_is_routine() -> None:
    text, _ = _service_log()
    out = _run(text, query="what happened to item 1234?")
    assert "GET /api/items/1234 200" in out


def test_excluded_words_in_the_query_do_not_pull_lines_in() -> None:
    noisy = [f"10:00:{i % 60:02d} INFO gmetad: data source bn{i} unreachable, retrying" for i in range(300)]
    noisy.insert(150, "10:02:30 INFO kernel: eth1 link failed to come up")
    text = "\n".join(noisy) + "\n"
    out = _run(text, query="Which devices failed during boot (ignore the gmetad data source warnings)?")
    assert "eth1 link failed to come up" in out
    assert out.count("gmetad") <= 6


PYTEST_RUN = """============================= test session starts ==============================
platform linux -- Python 3.12.1, pytest-8.2.0, pluggy-1.5.0
rootdir: /home/dev/app
collected 120 items

tests/test_api.py ..........................................                [ 35%]
tests/test_db.py ......................F.................                  [ 68%]
tests/test_util.py ......................................                  [100%]

=================================== FAILURES ===================================
______________________________ test_pool_reuse _______________________________

    def test_pool_reuse():
        pool = Pool(size=2)
        a = pool.get()
>       assert pool.get() is a
E       AssertionError: assert <Conn 0x7f3a> is <Conn 0x7f2b>
E        +  where <Conn 0x7f3a> = <bound method Pool.get of <Pool size=2>>()

tests/test_db.py:41: AssertionError
=========================== short test summary info ============================
FAILED tests/test_db.py::test_pool_reuse - AssertionError: assert <Conn 0x7f3a> is <Conn 0x7f2b>
======================== 1 failed, 119 passed in 3.21s =========================
"""


def test_a_pytest_failure_keeps_its_test_id_assertion_and_result_line() -> None:
    text = PYTEST_RUN.replace("tests/test_util.py", "tests/test_util.py").replace(
        "collected 120 items\n",
        "collected 120 items\n" + "".join(f"tests/test_x{i}.py ....  [ 1%]\n" for i in range(80)),
    )
    out = _run(text)
    for needed in (
        "______________________________ test_pool_reuse _______________________________",
        "E       AssertionError: assert <Conn 0x7f3a> is <Conn 0x7f2b>",
        "FAILED tests/test_db.py::test_pool_reuse - AssertionError",
        "======================== 1 failed, 119 passed in 3.21s =========================",
    ):
        assert needed in out
    assert "tests/test_x40.py" not in out


def _mocha_run(passing: int) -> str:
    lines = ["", "  Router"]
    lines += [f"    ✔ should route case {i}" for i in range(passing)]
    lines += [
        "",
        f"  {passing} passing (2s)",
        "  1 failing",
        "",
        "  1) Router",
        "       .use",
        "         should reject a string as middleware:",
        "     Error: expected [Function] to throw TypeError",
        "      at Context.<anonymous> (test/Router.js:412:14)",
        "      at process.processImmediate (node:internal/timers:483:21)",
        "",
    ]
    return "\n".join(lines) + "\n"


def test_a_mocha_failure_keeps_its_title_lines_and_error_and_drops_passing_tests() -> None:
    text = _mocha_run(400)
    out = _run(text)
    assert "should reject a string as middleware:" in out
    assert "Error: expected [Function] to throw TypeError" in out
    assert "1 failing" in out
    assert "should route case 200" not in out
    # The passing tests collapse into one marker (a range of lines, or their template).
    assert any(m.count > 300 for m in find_markers(out))


def test_tap_go_and_cargo_failures_are_kept() -> None:
    tap = (
        "".join(f"ok {i} suite case {i}\n" for i in range(1, 300))
        + "not ok 300 suite breaks on empty input\n  ---\n# tests 300\n# fail 1\n"
    )
    go = "".join(f"=== RUN   TestCase{i}\n--- PASS: TestCase{i} (0.00s)\n" for i in range(200))
    go += "=== RUN   TestParse\n    parse_test.go:31: got 3, want 4\n"
    go += "--- FAIL: TestParse (0.00s)\nFAIL\tgithub.com/x/y\t0.12s\n"
    cargo = "".join(f"test tests::case_{i} ... ok\n" for i in range(200))
    cargo += "test tests::parses_empty ... FAILED\n\nfailures:\n\n---- tests::parses_empty stdout ----\n"
    cargo += "thread 'tests::parses_empty' panicked at src/lib.rs:9:5:\nassertion failed: x.is_empty()\n"
    cargo += "\ntest result: FAILED. 200 passed; 1 failed; 0 ignored\n"
    for text, needed in (
        (tap, ["not ok 300 suite breaks on empty input", "# fail 1"]),
        (go, ["--- FAIL: TestParse (0.00s)", "parse_test.go:31: got 3, want 4", "FAIL\tgithub.com/x/y\t0.12s"]),
        (cargo, ["test tests::parses_empty ... FAILED", "panicked at src/lib.rs:9:5", "test result: FAILED."]),
    ):
        out = _run(text)
        for n in needed:
            assert n in out, (n, out)


def test_a_python_traceback_keeps_its_start_and_its_exception() -> None:
    frames = "".join(f'  File "/app/mod{i}.py", line {10 + i}, in step{i}\n    step{i + 1}(x)\n' for i in range(60))
    text = "".join(f"12:00:{i % 60:02d} INFO tick {i}\n" for i in range(200))
    text += "Traceback (most recent call last):\n" + frames + "KeyError: 'user_id'\n"
    out = _run(text)
    assert "Traceback (most recent call last):" in out
    assert "KeyError: 'user_id'" in out


def test_compiler_errors_survive_with_their_location() -> None:
    text = "".join(f"   Compiling dep{i} v0.1.{i}\n" for i in range(150))
    text += 'error[E0308]: mismatched types\n  --> src/main.rs:4:18\n   |\n4  |     let x: u32 = "a";\n'
    text += 'error: could not compile `app` (bin "app") due to 1 previous error\n'
    out = _run(text)
    assert "error[E0308]: mismatched types" in out
    assert "error: could not compile `app`" in out


def test_a_real_pytest_run_keeps_every_failure_and_why_it_failed(tmp_path: Path) -> None:
    """Output made here by a real pytest run with known failures, not a sample."""
    failing = {i: f"checksum mismatch in case {i * 7919 % 1000}" for i in range(0, 120, 9)}
    body_lines = []
    for i in range(120):
        if i in failing:
            body_lines += [f"def test_case_{i}():", f"    value = {i}", f"    assert value < 0, {failing[i]!r}", ""]
        else:
            params = f"@pytest.mark.parametrize('x', range({1 + i % 5}))"
            body_lines += [params, f"def test_case_{i}(x):", "    assert x >= 0", ""]
    (tmp_path / "test_sample.py").write_text("import pytest\n\n" + "\n".join(body_lines))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    text = run.stdout
    assert f"{len(failing)} failed" in text
    with open_store() as store:
        result = compress(text, store=store)
        check_result(result, text, store)
    assert result.compressor == "log" and result.tokens_after < result.tokens_before
    for i, message in failing.items():
        assert f"FAILED test_sample.py::test_case_{i} - " in result.compressed
        assert f"AssertionError: {message}" in result.compressed
    assert f"{len(failing)} failed," in result.compressed


def test_a_budget_is_honoured_and_failures_outrank_everything_else() -> None:
    text = PYTEST_RUN.replace(
        "collected 120 items\n",
        "collected 120 items\n" + "".join(f"WARNING: slow fixture db_{i} took {i}s\n" for i in range(200)),
    )
    out = _run(text, budget=120)
    assert rustcore.count_tokens(out) <= 120
    assert "1 failed, 119 passed" in out


def test_crlf_line_endings_are_kept() -> None:
    text, anomaly = _service_log()
    crlf = text.replace("\n", "\r\n")
    out = _run(crlf)
    assert anomaly + "\r\n" in out
    assert_markers_resolve(crlf, out, rustcore.content_hash(crlf))


def test_a_very_long_line_is_shortened_with_a_chars_marker() -> None:
    text, _ = _service_log(n=100)
    long_line = "2024-03-01 10:00:00,000 ERROR dump: " + "ab" * 10_000
    whole = (text + long_line + "\n").encode()
    out = _run(whole.decode())
    chars = [m for m in find_markers(out) if m.unit == "chars"]
    assert chars and chars[0].bytes is not None
    first, last = chars[0].bytes
    kept = out[: chars[0].span[0]].rsplit("\n", 1)[-1]
    # The marker names exactly the bytes cut from the end of that line.
    assert kept.encode() + whole[first : last + 1] == long_line.encode()
    assert long_line[:300] in out


def test_empty_and_one_line_inputs_come_back_unchanged() -> None:
    assert _run("") == ""
    assert _run("12:00:00 ERROR only line\n") == "12:00:00 ERROR only line\n"


def test_binary_looking_text_and_odd_bytes_never_raise() -> None:
    junk = "".join(chr(c) for c in range(1, 0x2FF) if c not in (0xD800,)) * 20
    out = _run(junk)
    assert isinstance(out, str)
    assert_markers_resolve(junk, out, rustcore.content_hash(junk))


def test_mixed_encodings_are_compressed_and_the_exact_bytes_kept() -> None:
    text, anomaly = _service_log()
    raw = text.encode() + b"10:59:59 ERROR caf\xe9 latin-1 bytes in a utf-8 log\n"
    with open_store() as store:
        result = compress(raw, store=store, content_type="log")
        check_result(result, raw, store)
        assert anomaly in result.compressed
        assert "latin-1 bytes in a utf-8 log" in result.compressed


@pytest.mark.slow
def test_ten_megabytes_of_log_compress_to_a_few_pages() -> None:
    text, anomaly = _service_log(n=125_000, anomaly_at=77_777)
    assert len(text) > 10_000_000
    out = _run(text)
    assert anomaly in out
    assert rustcore.count_tokens(out) <= 10_000


def test_same_input_and_query_give_the_same_bytes() -> None:
    text, _ = _service_log()
    assert _run(text, query="refused connections") == _run(text, query="refused connections")


_LOG_LINE = st.one_of(
    st.sampled_from(
        [
            "INFO started",
            "ERROR failed to open /tmp/x",
            "WARN disk at 91%",
            "Traceback (most recent call last):",
            '  File "a.py", line 3, in f',
            "ValueError: bad",
            "✔ passes",
            "not ok 3 breaks",
            "===== 1 failed, 2 passed in 0.1s =====",
            "",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"), max_size=80),
)


@given(
    lines=st.lists(_LOG_LINE, max_size=120),
    query=st.one_of(st.none(), st.text(max_size=30)),
    budget=st.one_of(st.none(), st.integers(min_value=40, max_value=3000)),
    crlf=st.booleans(),
)
def test_any_log_compresses_within_budget_with_every_line_accounted_for(
    lines: list[str], query: str | None, budget: int | None, crlf: bool
) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    assert_compresses_within_budget("log", text, query, budget)


@pytest.mark.corpus
def test_corpus_logs_and_test_runs_shrink_and_keep_their_needles(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_keeping_needles(corpus, LOG_CATEGORIES, "log", each_sample_shrinks=True)


@pytest.mark.corpus
def test_corpus_logs_without_a_query_still_shrink_deterministically(corpus: list[Sample]) -> None:
    assert_corpus_shrinks_deterministically_without_a_query(corpus, LOG_CATEGORIES, each_sample_shrinks=True)
