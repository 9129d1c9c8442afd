"""`headroom search` as a real subprocess on a real store: it finds what `headroom compress` stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccr import InputError
from mcp_server._cmd_search import parse_since
from tests.mcp_server.cli_helpers import headroom

NOW = 1_750_000_000.0


def build_log() -> str:
    rows = [f"[{k:04d}] compiling module_{k}.c ... ok" for k in range(800)]
    rows[612] = "[0612] compiling module_612.c ... error: undefined reference to `sqlite3_open_v2'"
    return "\n".join(rows) + "\n"


def test_search_finds_a_line_from_output_a_one_shot_compress_stored(headroom_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    log.write_text(build_log())
    stored = headroom(["compress", str(log), "--json"], headroom_home)
    assert stored.returncode == 0, stored.stderr
    digest = json.loads(stored.stdout)["hash"]
    found = headroom(["search", "undefined reference sqlite3_open_v2"], headroom_home)
    assert found.returncode == 0, found.stderr
    assert f"[1] hash={digest} lines=" in found.stdout
    assert "  613| [0612] compiling module_612.c ... error: undefined reference to `sqlite3_open_v2'" in found.stdout
    assert "cli:build.log" in found.stdout


def test_json_output_has_stable_keys(headroom_home: Path) -> None:
    headroom(["compress", "--json"], headroom_home, build_log())
    found = headroom(["search", "sqlite3_open_v2", "--json", "--limit", "1", "--type", "log"], headroom_home)
    assert found.returncode == 0, found.stderr
    out = json.loads(found.stdout)
    assert set(out) == {"query", "mode", "hits", "notes", "pending", "text"}
    assert out["mode"] == "lexical" and len(out["hits"]) == 1
    assert set(out["hits"][0]) == {
        "hash",
        "lines",
        "score",
        "lexical",
        "semantic",
        "content_type",
        "source",
        "client",
        "created_at",
        "age_seconds",
        "text",
    }
    assert out["hits"][0]["client"] == "cli"


def test_nothing_found_exits_1_and_says_so(headroom_home: Path) -> None:
    headroom(["compress"], headroom_home, build_log())
    found = headroom(["search", "kubernetes"], headroom_home)
    assert found.returncode == 1
    assert "no stored output matches 'kubernetes'" in found.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--limit", "0"], "between 1 and 50"), (["--since", "yesterday-ish"], "neither an age")],
)
def test_bad_arguments_are_refused_with_a_clear_message(headroom_home: Path, args: list[str], message: str) -> None:
    out = headroom(["search", "anything", *args], headroom_home)
    assert out.returncode != 0
    assert message in out.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", NOW - 90),
        ("30m", NOW - 1800),
        ("2 h", NOW - 7200),
        ("1.5d", NOW - 1.5 * 86400),
        ("1w", NOW - 604800),
        ("2025-06-01T12:00:00Z", 1748779200.0),
        ("2025-06-01T14:00:00+02:00", 1748779200.0),
        ("2025-06-01", 1748736000.0),
    ],
)
def test_since_takes_an_age_or_an_iso_time(text: str, expected: float) -> None:
    assert parse_since(text, NOW) == pytest.approx(expected)


def test_since_refuses_anything_else() -> None:
    with pytest.raises(InputError, match="neither an age"):
        parse_since("soon", NOW)


HF_CACHE = Path(__file__).resolve().parents[3] / "shared" / "models" / "hf-cache"
NOTES = (
    "# Runbook\n\n"
    "The database team has lunch in the canteen on Fridays.\n"
    "A poster of the database schema hangs by the lifts.\n"
    "Database logins fail once the vault credentials pass their ninety-day expiry; rotate them first.\n"
    "The database newsletter is printed on green paper.\n"
    + "".join(f"Filler line {k} about lunch and parking.\n" for k in range(60))
)


def test_with_meaning_turned_on_the_cli_search_ranks_by_meaning_and_a_query_retrieval_by_words(
    headroom_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (HF_CACHE / "hub").is_dir():
        pytest.skip(f"{HF_CACHE} is absent: the shared model cache is needed for real embeddings")
    from ccr import Store

    monkeypatch.setenv("HF_HOME", str(HF_CACHE))
    with Store() as store:
        digest = store.put(NOTES, content_type="markdown")  # stored, never indexed: the CLI catches up
    question = "why can't I sign in to the database"
    monkeypatch.setenv("HEADROOM_EMBEDDINGS", "1")
    retrieved = headroom(["retrieve", digest, "--query", question, "--max-tokens", "100"], headroom_home)
    searched = headroom(["search", question, "--json"], headroom_home)
    monkeypatch.setenv("HEADROOM_EMBEDDINGS", "0")
    lexical = headroom(["retrieve", digest, "--query", question, "--max-tokens", "100"], headroom_home)
    assert retrieved.returncode == 0, retrieved.stderr
    assert retrieved.stdout == lexical.stdout
    assert json.loads(searched.stdout)["mode"] == "hybrid"
    assert json.loads(searched.stdout)["hits"][0]["hash"] == digest
