"""benchmarks/embeddings.py (run by `make bench`): its search-quality part alone, on a tiny corpus, without a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.embeddings import command_of, main


def sample(root: Path, name: str, query: str, needles: list[str], text: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "input.txt").write_text(text, encoding="utf-8")
    meta = {"category": "logs", "query": query, "needles": needles}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def test_search_only_splits_questions_asked_alike_and_lists_what_it_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "no-model"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    filler = "".join(f"INFO worker {k} processed a batch\n" for k in range(60))
    sample(corpus, "a", "Which job failed?", ["ERROR job alpha failed"], filler + "ERROR job alpha failed\n")
    sample(corpus, "b", "Which job failed?", ["ERROR job beta failed"], filler + "ERROR job beta failed\n")
    sample(corpus, "c", "Where is the gamma checksum?", ["checksum gamma=77"], "checksum gamma=77\n" + filler)
    sample(corpus, "d", "What did the zeta sync print?", ["nothing"], "zeta sync done\n")
    misses = tmp_path / "misses.txt"
    assert main(["--corpus", str(corpus), "--search-only", "--misses", str(misses)]) == 0
    out = capsys.readouterr().out
    assert "lexical (off)" in out and "lexical, no commands" in out and "hybrid" not in out  # no model: lexical
    # c and d are the questions no other sample asks; c is found, d's needle is nowhere.
    assert "top-5 in one store 50.0% of the 2 questions" in out
    listed = misses.read_text(encoding="utf-8")
    assert "corpus/d: What did the zeta sync print?" in listed and "corpus/c:" not in listed


def test_compress_only_times_each_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "no-model"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    sample(corpus, "a", "Which job failed?", ["ERROR"], "".join(f"INFO step {k}\n" for k in range(300)) + "ERROR x\n")
    assert main(["--corpus", str(corpus), "--compress-only"]) == 0
    out = capsys.readouterr().out
    assert "no model in the cache: on = off" in out
    assert [line.split()[:2] for line in out.splitlines() if line.startswith(("logs", "all"))] == [
        ["logs", "1"],
        ["all", "1"],
    ]


def test_a_sample_is_stored_with_its_command_line_only_where_its_source_is_one() -> None:
    assert command_of("cat /etc/hosts (a note on how it was made)") == "cat /etc/hosts"
    assert command_of("LC_ALL=C cat /etc/hosts") == "LC_ALL=C cat /etc/hosts"
    assert command_of("the project's git log as a REST-style commits list (json.dumps)") is None
    assert command_of("madler/zlib@cacf7f1d:zlib.h") is None
    assert command_of("") is None
