"""What only the team store (PostgreSQL) has: namespaces the database keeps apart, its schema version, choosing it
by URL, team totals, and ranking alike with the SQLite file. (Everything else runs on both backends in the
`test_store*` modules.)"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccr import Event, Settings, Store, StoreError, UnknownHashError

psycopg = pytest.importorskip("psycopg")


def _namespace() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def team(pg_url: str, headroom_home: Path) -> Iterator[dict[str, Store]]:
    """Two stores on one database, in the namespaces of two teams."""
    stores = {
        name: Store(dataclasses.replace(Settings.from_env(), store_url=pg_url, namespace=_namespace()))
        for name in ("red", "blue")
    }
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture
def fresh_database(pg_url: str) -> Iterator[str]:
    """The URL of a database of its own, dropped afterwards."""
    name = f"headroom_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield pg_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_team_cannot_read_another_teams_originals_through_the_store(team: dict[str, Store]) -> None:
    secret = team["red"].put(b"red team: the deploy key is in vault/prod\n")
    team["blue"].put(b"blue team: nothing to see\n")
    with pytest.raises(UnknownHashError):
        team["blue"].get(secret)
    assert team["blue"].search("deploy key vault").hits == ()
    assert team["blue"].stats().entries == 1
    assert team["red"].get(secret).startswith(b"red team")


def test_the_database_itself_hides_other_namespaces_rows_from_a_teams_role(team: dict[str, Store], pg_url: str) -> None:
    team["red"].put(b"red original\n")
    blue = team["blue"].put(b"blue original\n")
    role = f"headroom_ns_{team['blue'].namespace}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'SET ROLE "{role}"')
        # No filter of ours: the policy alone decides what the role sees.
        rows = conn.execute("SELECT namespace, hash FROM headroom.originals").fetchall()
        assert rows == [(team["blue"].namespace, blue)]
        assert conn.execute("SELECT namespace FROM headroom.totals").fetchall() == [(team["blue"].namespace,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO headroom.originals (namespace, hash, size, tokens, lines, content_type, source, "
                "created_at, last_access, data) VALUES (%s, '00000000000000ff', 1, 1, 1, 'text', 'x', 0, 0, 'x')",
                (team["red"].namespace,),
            )


def test_team_totals_roll_up_per_namespace_and_per_client(team: dict[str, Store]) -> None:
    red, blue = team["red"], team["blue"]
    handle = red.put(b"some output\n")
    red.record(Event("compress", hash=handle, tokens_before=1000, tokens_after=100, client="claude-code"))
    red.record(Event("compress", hash=handle, tokens_before=500, tokens_after=50, client="codex"))
    red.record(Event("retrieve", hash=handle, tokens_after=20, client="codex"))
    blue.record(Event("compress", tokens_before=300, tokens_after=30, client="cursor"))
    stats = red.stats()
    assert stats.namespace == red.namespace
    assert {name: (c.calls, c.tokens_before, c.retrievals) for name, c in stats.by_client.items()} == {
        "claude-code": (1, 1000, 0),
        "codex": (1, 500, 1),
    }
    assert red.namespace is not None and blue.namespace is not None
    assert stats.by_namespace[red.namespace].tokens_before == 1500
    assert stats.by_namespace[red.namespace].tokens_retrieved == 20
    assert stats.by_namespace[blue.namespace].compressions == 1
    assert stats.by_namespace[blue.namespace].entries == 0
    assert stats.to_dict()["by_namespace"][blue.namespace]["tokens_saved"] == 270


def test_a_database_with_a_newer_schema_is_refused_and_left_untouched(fresh_database: str, headroom_home: Path) -> None:
    settings = dataclasses.replace(Settings.from_env(), store_url=fresh_database, namespace="alpha")
    with Store(settings) as store:
        handle = store.put(b"kept\n")
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("UPDATE headroom.schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer"):
        Store(settings)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM headroom.schema_version").fetchone() == (99,)
        conn.execute("UPDATE headroom.schema_version SET version = 1")
    with Store(settings) as store:
        assert store.get(handle) == b"kept\n"


def test_the_store_url_in_the_environment_chooses_the_backend(
    pg_url: str, headroom_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEADROOM_STORE_URL", pg_url)
    monkeypatch.setenv("HEADROOM_NAMESPACE", _namespace())
    with Store() as store:
        assert (store.backend, store.path) == ("postgresql", None)
        assert "postgresql://" in store.location
    monkeypatch.setenv("HEADROOM_STORE_URL", f"sqlite:{tmp_path / 'other.sqlite3'}")
    with Store() as store:
        assert (store.backend, store.path) == ("sqlite", tmp_path / "other.sqlite3")
    monkeypatch.setenv("HEADROOM_STORE_URL", "mysql://somewhere/db")
    with pytest.raises(StoreError, match="neither postgresql"):
        Store()


def test_a_password_in_the_url_never_shows_in_messages(pg_url: str, headroom_home: Path) -> None:
    url = pg_url.replace("postgres@", "postgres:hunter2@")
    with Store(dataclasses.replace(Settings.from_env(), store_url=url, namespace=_namespace())) as store:
        assert "hunter2" not in store.location
        with pytest.raises(UnknownHashError) as info:
            store.get("00000000000000ab")
        assert "hunter2" not in str(info.value)


def test_without_the_driver_a_postgresql_url_says_which_extra_to_install(
    headroom_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ccr._pg_backend", None)
    settings = dataclasses.replace(Settings.from_env(), store_url="postgresql://team@db.example/headroom")
    with pytest.raises(StoreError, match=r"headroom-mcp\[team\]"):
        Store(settings)


def test_an_unreachable_server_is_a_store_error_naming_it(headroom_home: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://nobody@127.0.0.1:{port}/none"
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        Store(dataclasses.replace(Settings.from_env(), store_url=url))


LOGS = (
    "2025-03-01 10:00:01 INFO PaymentGateway.charge ok order 4710\n" * 30
    + "2025-03-01 10:00:02 ERROR PaymentGateway.charge: card declined (order 4711)\n",
    "GET /api/orders 200 12ms\nGET /api/cards 500 3ms card service unavailable\n" * 20,
    "# Runbook\n\nWhen a card is declined, check the gateway status page first.\n",
)


# A name the question gives may lie in a chunk's context only (the second chunk of a file's hunk).
TWO_FILES = "".join(
    f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,73 @@\n"
    + "".join(f"+    skip blanks {k}\n" for k in range(70))
    for path in ("src/app/lexer/preproc.rs", "src/app/lexer.rs")
)


def test_both_backends_rank_a_search_alike(pg_url: str, headroom_home: Path, tmp_path: Path) -> None:
    results = []
    for settings in (
        dataclasses.replace(Settings.from_env(), store_url=f"sqlite:{tmp_path / 'alike.sqlite3'}"),
        dataclasses.replace(Settings.from_env(), store_url=pg_url, namespace=_namespace()),
    ):
        with Store(settings) as store:
            for text in LOGS:
                store.put(text)
            store.put(TWO_FILES, content_type="diff")
            for query in ("card declined `PaymentGateway.charge`", "How did src/app/lexer.rs change: skip blanks?"):
                result = store.search(query, limit=10)
                results.append([(h.hash, h.start_line, h.end_line, round(h.score, 6)) for h in result.hits])
    assert results[0] and results[1], "the search found nothing"
    assert results[:2] == results[2:]


def test_store_migrate_copies_a_local_store_into_the_team_store_once_byte_exact_with_its_times(
    pg_url: str, headroom_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from mcp_server.cli import main

    clock = [time.time() - 3600]
    originals = [b"first output\n", bytes(range(256)) * 40, "日本語の出力\r\n".encode() * 10]
    with Store(Settings.from_env(), clock=lambda: clock[0]) as local:
        handles = []
        for data in originals:
            handles.append(local.put(data, content_type="log", source="cli:test"))
            clock[0] += 60
        infos = [local.info(h) for h in handles]
    namespace = _namespace()
    command = ["store", "migrate", "--to", pg_url, "--namespace", namespace, "--json"]
    assert main(command) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["copied"], first["present"], first["copied_bytes"]) == (3, 0, sum(map(len, originals)))
    assert main(command) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["copied"], again["present"]) == (0, 3)
    with Store(dataclasses.replace(Settings.from_env(), store_url=pg_url, namespace=namespace)) as team:
        assert [team.info(h) for h in handles] == infos
        assert [team.get(h) for h in handles] == originals
    assert main(["--store", pg_url, "--namespace", namespace, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["namespace"], stats["entries"]) == (namespace, 3)


def test_two_mcp_servers_share_one_team_store_as_make_demo_team_shows(pg_url: str, headroom_home: Path) -> None:
    import subprocess

    root = Path(__file__).resolve().parents[2]
    namespace = _namespace()
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "demo_team.py"), "--url", pg_url, "--namespace", namespace],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "redeems A's marker" in out
    assert f"team stats (namespace {namespace}, store postgresql" in out
    # Agent B retrieved what agent A compressed: two clients, one namespace.
    assert re.search(r"client agent-a\s+2 calls", out)
    assert re.search(r"client agent-b\s+0 calls .* 2 retrievals", out)
    assert f"namespace {namespace}: " in out
