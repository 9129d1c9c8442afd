"""`make bench`'s full comparison (benchmarks/compare.py): our figures, the peer's beside them, the servers'."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.compare import main
from benchmarks.peer import _inside_venv
from mcp_server.bench import load_corpus

PEER_PYTHON = Path(__file__).resolve().parents[2] / ".venv-peer" / "bin" / "python"


def write_corpus(root: Path) -> Path:
    lines = [f"2024-05-01 10:00:{i % 60:02d} INFO worker {i % 7} handled request {i}" for i in range(400)]
    lines[211] = "2024-05-01 10:00:31 ERROR worker 3 lost connection to db-7 after 3 retries"
    samples = {
        "logs_error": ("logs", "\n".join(lines) + "\n", "Which error did a worker log?", [lines[211][20:]]),
        "note": ("prose", "Short note: the release is on Friday.\n", "When is the release?", ["on Friday"]),
    }
    for name, (category, text, query, needles) in samples.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "input.txt").write_text(text, encoding="utf-8")
        meta = {"category": category, "query": query, "needles": needles}
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return root


def test_without_the_peer_and_the_server_it_reports_our_figures_like_headroom_bench(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert main([str(corpus), "--runs", "1", "--no-peer", "--skip-server", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {(s["system"], s["mode"]) for s in report["systems"]} == {
        ("headroom-mcp", "query"),
        ("headroom-mcp", "no-query"),
    }
    assert report["server"] is None and report["peer_error"] is None


def test_a_peer_that_cannot_run_is_reported_and_our_figures_still_come_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # This interpreter has no `headroom` package (the peer's), so the peer script fails for real.
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    status = main([str(corpus), "--runs", "1", "--skip-server", "--peer-python", sys.executable, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert "the peer run failed" in captured.err
    assert "headroom-mcp" in captured.out
    report = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert {s["system"] for s in report["systems"]} == {"headroom-mcp"}


def test_a_peer_python_that_does_not_exist_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert main([str(corpus), "--peer-python", str(tmp_path / "nope")]) == 1
    assert "not an executable file" in capsys.readouterr().err


def test_the_peer_note_names_its_token_file_inside_its_venv_not_the_machines_folders() -> None:
    python = Path("/home/someone/project/.venv-peer/bin/python")
    where = "/home/someone/project/.venv-peer/lib/python3.11/site-packages/litellm/tokenizers"
    assert _inside_venv(where, python) == "site-packages/litellm/tokenizers"
    assert _inside_venv("/home/someone/project/.venv-peer/share/tk", python) == "share/tk"
    assert _inside_venv("/elsewhere/cache/tiktoken", python) == "tiktoken"


@pytest.mark.slow
def test_the_server_is_measured_as_a_real_subprocess_from_a_folder_of_its_own() -> None:
    from benchmarks.server_measure import measure_server

    numbers = measure_server(runs=3)
    assert numbers.measured, numbers.reason
    assert numbers.startup_ms is not None and numbers.startup_ms > 0
    assert [t.size_bytes for t in numbers.round_trips] == [1024, 100 * 1024, 1024 * 1024]


@pytest.mark.slow
@pytest.mark.skipif(not PEER_PYTHON.is_file(), reason="the peer is not installed (make bench-peer)")
def test_the_peer_runs_offline_and_is_scored_with_the_same_scorer(tmp_path: Path) -> None:
    import rustcore
    from benchmarks.peer import run_peer

    corpus = load_corpus(write_corpus(tmp_path / "corpus"))
    run = run_peer(PEER_PYTHON, corpus.samples, runs=1)
    assert run.system == "headroom-ai" and run.mode == "no-query"
    assert [r.name for r in run.samples] == [s.name for s in corpus.samples]
    for result, sample in zip(run.samples, corpus.samples, strict=True):
        assert result.error is None
        assert result.median_ms > 0
        assert result.needles.total == len(sample.needles)
        assert result.tokens_before == rustcore.count_tokens(sample.data, "o200k_base")
        assert result.tokens_after > 0
        assert result.needles.with_retrieval is None


@pytest.mark.slow
@pytest.mark.skipif(not PEER_PYTHON.is_file(), reason="the peer is not installed (make bench-peer)")
def test_the_peer_server_starts_offline_and_answers_initialize() -> None:
    from benchmarks.peer import measure_peer_server

    numbers = measure_peer_server(PEER_PYTHON, runs=3)
    assert numbers.measured
    assert numbers.startup_ms is not None and numbers.startup_ms > 0
    assert numbers.idle_rss_bytes is not None and numbers.idle_rss_bytes > 1_000_000
