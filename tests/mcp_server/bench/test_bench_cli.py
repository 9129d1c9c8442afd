"""`headroom bench` end to end on a tiny corpus written here: real store, real compressors, real outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mcp_server.bench import README_END, README_START
from mcp_server.cli import main


def log_text() -> str:
    lines = [f"2024-05-01 10:{i // 60:02d}:{i % 60:02d} INFO  worker {i % 7} handled request {i}" for i in range(600)]
    lines[137] = "2024-05-01 10:02:17 ERROR worker 4 lost connection to db-7 after 3 retries"
    lines[412] = "2024-05-01 10:06:52 ERROR worker 6 disk /var/data is full"
    return "\n".join(lines) + "\n"


def json_text() -> str:
    items = [{"id": i, "login": f"user{i}", "site_admin": False, "score": i * 3} for i in range(200)]
    items[123]["login"] = "KirinDave"
    return json.dumps(items, indent=2) + "\n"


SAMPLES = {
    "logs_errors": (
        "logs",
        log_text(),
        "Which errors did the workers log?",
        [
            "ERROR worker 4 lost connection to db-7 after 3 retries",
            "ERROR worker 6 disk /var/data is full",
        ],
    ),
    "json_user": ("json_api", json_text(), "What is the id of the user KirinDave?", ['"login": "KirinDave"']),
    "small_text": ("prose", "Short note: the release is on Friday.\n", "When is the release?", ["on Friday"]),
}


def write_corpus(root: Path) -> Path:
    for name, (category, text, query, needles) in SAMPLES.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "input.txt").write_text(text, encoding="utf-8")
        (folder / "meta.json").write_text(
            json.dumps({"category": category, "query": query, "needles": needles}), encoding="utf-8"
        )
    broken = root / "zz_broken"
    broken.mkdir()
    (broken / "input.txt").write_text("x\n", encoding="utf-8")
    (broken / "meta.json").write_text("{not json", encoding="utf-8")
    return root


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, json.loads(out) if out.strip() else {}, err


def test_the_bench_scores_every_good_sample_in_both_modes_and_writes_its_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    status, report, err = run_json(["bench", str(corpus), "--runs", "2", "--json", "--out", str(out)], capsys)
    assert status == 0
    assert "zz_broken" in err and "not valid JSON" in err
    assert report["samples"] == len(SAMPLES)
    assert [p["name"] for p in report["problems"]] == ["zz_broken"]
    systems = {(s["system"], s["mode"]): s for s in report["systems"]}
    assert set(systems) == {("headroom-mcp", "query"), ("headroom-mcp", "no-query")}
    for system in systems.values():
        by_name = {s["name"]: s for s in system["samples"]}
        assert set(by_name) == set(SAMPLES)
        for name, (_, text, _, needles) in SAMPLES.items():
            sample = by_name[name]
            assert sample["error"] is None
            assert sample["bytes"] == len(text.encode("utf-8"))
            assert sample["round_trip"] is True
            assert sample["deterministic"] is True
            assert sample["needles"]["total"] == len(needles)
            assert sample["tokens_after"] <= sample["tokens_before"]
            assert sample["median_ms"] > 0
            found = sample["needles"]["with_retrieval"]
            assert sample["needles"]["strict"] <= sample["needles"]["kept"] <= found <= len(needles)
        every = system["categories"]["ALL"]
        assert every["samples"] == len(SAMPLES)
        assert every["tokens_before"] == sum(s["tokens_before"] for s in system["samples"])
    assert (out / "bench.json").is_file()
    assert json.loads((out / "bench.json").read_text(encoding="utf-8"))["samples"] == len(SAMPLES)
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (out / "README-table.md").read_text(encoding="utf-8")
    assert "| **ALL** |" in table and "cores" in table


def test_tokens_are_counted_on_the_exact_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import rustcore

    corpus = write_corpus(tmp_path / "corpus")
    status, report, _ = run_json(["bench", str(corpus), "--runs", "1", "--json"], capsys)
    assert status == 0
    [system] = [s for s in report["systems"] if s["mode"] == "no-query"]
    for sample in system["samples"]:
        data = (corpus / sample["name"] / "input.txt").read_bytes()
        assert sample["tokens_before"] == rustcore.count_tokens(data, "o200k_base")


def test_no_query_measures_only_the_mode_without_the_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    status, report, _ = run_json(["bench", str(corpus), "--runs", "1", "--no-query", "--json"], capsys)
    assert status == 0
    assert [s["mode"] for s in report["systems"]] == ["no-query"]


def test_the_terminal_table_and_the_readme_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    readme = tmp_path / "README.md"
    readme.write_text(f"# Project\n\n{README_START}\nold\n{README_END}\n\nmore\n", encoding="utf-8")
    argv = ["bench", str(corpus), "--runs", "1", "--update-readme", str(readme)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for category in ("logs", "json_api", "prose", "ALL"):
        assert category in out
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text
    assert text.startswith("# Project\n") and text.endswith("\nmore\n")
    assert "| **ALL** |" in text
    assert (tmp_path / "README.md.bak").is_file()


def test_an_empty_corpus_is_an_error_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["bench", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "no samples in" in err and "input.txt and meta.json" in err


def test_a_corpus_of_only_malformed_samples_is_an_error_that_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad" / "one"
    bad.mkdir(parents=True)
    (bad / "input.txt").write_text("x\n", encoding="utf-8")
    assert main(["bench", str(tmp_path / "bad")]) == 1
    err = capsys.readouterr().err
    assert "skipped one: missing meta.json" in err
    assert "no usable sample" in err


@pytest.mark.slow
def test_the_command_runs_as_a_real_process_and_exits_non_zero_on_an_empty_corpus(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = subprocess.run(
        [sys.executable, "-P", "-m", "mcp_server", "bench", str(tmp_path / "empty")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HEADROOM_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 1
    assert "no samples in" in done.stderr


def test_without_a_corpus_argument_it_runs_the_dev_corpus_beside_the_working_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "shared" / "corpus" / "dev")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    status, report, _ = run_json(["bench", "--runs", "1", "--no-query", "--json"], capsys)
    assert status == 0
    assert report["samples"] == len(SAMPLES)
    assert report["corpus"] == str(Path("..", "shared", "corpus", "dev"))


def test_without_a_corpus_argument_or_a_dev_corpus_it_says_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp_server.bench import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "DEV_CORPUS", Path("no", "such", "corpus"))
    assert main(["bench"]) == 1
    err = capsys.readouterr().err
    assert "give the corpus folder" in err and "input.txt and meta.json" in err


def test_without_matplotlib_the_outputs_are_written_without_the_plot_and_it_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules is how Python itself makes an import fail: the same error as a missing package.
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    assert main(["bench", str(corpus), "--runs", "1", "--no-query", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "matplotlib is not installed" in err and "headroom-mcp[bench]" in err
    assert (out / "bench.json").is_file() and (out / "README-table.md").is_file()
    assert not (out / "bench.png").exists()


def test_the_peer_and_server_options_belong_to_the_source_checkouts_compare_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    with pytest.raises(SystemExit):
        main(["bench", str(corpus), "--peer-python", sys.executable])
    assert "unrecognized arguments: --peer-python" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert "make bench" in capsys.readouterr().out
