"""Reading a corpus: good samples load, malformed ones are reported and skipped, a missing folder is an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ccr import InputError
from mcp_server.bench import load_corpus


def write_sample(root: Path, name: str, text: str, meta: object | str | None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "input.txt").write_text(text, encoding="utf-8")
    if meta is not None:
        body = meta if isinstance(meta, str) else json.dumps(meta)
        (folder / "meta.json").write_text(body, encoding="utf-8")
    return folder


def good_meta(needles: list[str], category: str = "logs") -> dict[str, object]:
    return {"category": category, "query": "What failed?", "needles": needles, "source": "test", "notes": ""}


def test_malformed_samples_are_reported_and_skipped_while_the_others_load(tmp_path: Path) -> None:
    write_sample(tmp_path, "a_good", "INFO ok\nERROR disk full\n", good_meta(["ERROR disk full"]))
    write_sample(tmp_path, "b_no_meta", "INFO ok\n", None)
    write_sample(tmp_path, "c_bad_json", "INFO ok\n", '{"category": "logs", "query": ')
    write_sample(tmp_path, "d_needle_absent", "INFO ok\n", good_meta(["ERROR never logged"]))
    write_sample(tmp_path, "e_no_query", "INFO ok\n", {"category": "logs", "needles": ["INFO ok"]})
    (write_sample(tmp_path, "f_no_input", "x", good_meta(["x"])) / "input.txt").unlink()
    write_sample(tmp_path, "g_needles_not_a_list", "INFO ok\n", {**good_meta([]), "needles": "INFO ok"})
    write_sample(tmp_path, "h_good", '{"id": 7}\n', good_meta(['"id": 7'], category="json_api"))

    corpus = load_corpus(tmp_path)

    assert [s.name for s in corpus.samples] == ["a_good", "h_good"]
    reasons = {p.name: p.reason for p in corpus.problems}
    assert set(reasons) == {
        "b_no_meta",
        "c_bad_json",
        "d_needle_absent",
        "e_no_query",
        "f_no_input",
        "g_needles_not_a_list",
    }
    assert "meta.json" in reasons["b_no_meta"]
    assert "not valid JSON" in reasons["c_bad_json"]
    assert "does not occur" in reasons["d_needle_absent"] and "ERROR never logged" in reasons["d_needle_absent"]
    assert "'query'" in reasons["e_no_query"]
    assert "input.txt" in reasons["f_no_input"]
    assert "'needles'" in reasons["g_needles_not_a_list"]
    assert corpus.categories == ("json_api", "logs")


def test_a_sample_keeps_its_exact_bytes(tmp_path: Path) -> None:
    text = "line one\r\nline two\twith tab\n\n"
    write_sample(tmp_path, "crlf", text, good_meta(["line two"]))
    [sample] = load_corpus(tmp_path).samples
    assert sample.data == text.encode("utf-8")
    assert sample.needles == ("line two",)


def test_non_utf8_and_empty_inputs_are_reported(tmp_path: Path) -> None:
    (write_sample(tmp_path, "latin1", "x", good_meta(["x"])) / "input.txt").write_bytes(b"caf\xe9 x\n")
    (write_sample(tmp_path, "empty", "x", good_meta(["x"])) / "input.txt").write_bytes(b"")
    corpus = load_corpus(tmp_path)
    assert corpus.samples == ()
    reasons = {p.name: p.reason for p in corpus.problems}
    assert "UTF-8" in reasons["latin1"]
    assert "empty" in reasons["empty"]


def test_hidden_folders_and_loose_files_are_not_samples(tmp_path: Path) -> None:
    write_sample(tmp_path, ".cache", "x", None)
    (tmp_path / "README.md").write_text("corpus notes\n", encoding="utf-8")
    write_sample(tmp_path, "only", "ERROR x\n", good_meta(["ERROR x"]))
    corpus = load_corpus(tmp_path)
    assert [s.name for s in corpus.samples] == ["only"]
    assert corpus.problems == ()


def test_a_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        load_corpus(tmp_path / "file.txt")


def test_the_dev_corpus_loads_without_problems(corpus: list[Any]) -> None:
    loaded = load_corpus(corpus[0].path.parent)
    assert loaded.problems == ()
    assert [s.name for s in loaded.samples] == [s.name for s in corpus]
    assert all(s.needles == tuple(c.needles) for s, c in zip(loaded.samples, corpus, strict=True))
