"""What `headroom exec` prints for a large output: within the window of the client that ran it, search results
grouped by directory with every match recoverable, and one statistics event per output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import Store
from mcp_server.exec._fit import CLIENT_WINDOWS, group_matches
from mcp_server.exec._output import render_output

_FIELD = re.compile(r":\d+:")


def expand(text: str) -> list[str]:
    """The lines of grouped search results written out again (a ``dir/`` line holding no ``:N:``, then its matches
    indented)."""
    out: list[str] = []
    folder = None
    for line in text.split("\n"):
        if line.endswith("/") and not line.startswith((" ", "[")) and not _FIELD.search(line):
            folder = line
            continue
        if folder is not None and line.startswith("  "):
            out.append(folder + line[2:])
            continue
        folder = None
        out.append(line)
    return out


def grep_output(files: int, per_file: int, depth: str = "usr/lib/python3/site-packages/pkg") -> str:
    rows = [
        f"/{depth}/mod{f // 4}/file_{f}.py:{10 * m + 3}:    def handler_{f}_{m}(self, request, *args): # note {f * m}"
        for f in range(files)
        for m in range(per_file)
    ]
    return "\n".join(rows) + "\n"


_dirs = st.sampled_from(["src/", "src/core/", "/usr/lib/python3/", "a b/c/", ""])
_match = st.tuples(
    _dirs,
    st.from_regex(r"[a-z_]{1,8}\.(py|rs|js)", fullmatch=True),
    st.integers(1, 99_999),
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=30),
)


@given(st.lists(_match, min_size=1, max_size=40))
def test_grouping_search_results_loses_no_match_and_changes_no_other_line(
    rows: list[tuple[str, str, int, str]],
) -> None:
    text = "\n".join(f"{d}{name}:{no}:{rest}" for d, name, no, rest in rows)
    grouped = group_matches(text)
    if grouped is None:
        return
    assert expand(grouped) == text.split("\n")
    assert len(grouped) < len(text) + len(rows)


def test_text_that_is_not_search_output_and_single_matches_are_not_grouped() -> None:
    assert group_matches("2024-05-01 10:00:01 INFO start\n2024-05-01 10:00:02 INFO done\n") is None
    assert group_matches("src/a.py:1:x\nlib/b.py:2:y\nREADME:3:z\n") is None


def test_search_results_through_exec_keep_every_match_in_fewer_tokens() -> None:
    raw = grep_output(files=60, per_file=3)
    rendered = render_output(raw.encode(), threshold=500, hint="search", client="claude-code/Bash")
    assert rendered.compressed
    body = rendered.data.decode().split("\n", 1)[1]
    assert set(raw.split("\n")) <= set(expand(body))
    assert rustcore.count_tokens(body) < 0.8 * rustcore.count_tokens(raw)


def test_an_output_is_fitted_to_the_window_of_the_client_that_ran_it() -> None:
    raw = grep_output(files=900, per_file=4, depth="x").encode()
    anyone = render_output(raw, threshold=500, hint="search", client="exec")
    assert anyone.compressed and len(anyone.data) > CLIENT_WINDOWS["claude-code"]
    for client, window in CLIENT_WINDOWS.items():
        rendered = render_output(raw, threshold=500, hint="search", client=f"{client}/shell")
        assert rendered.compressed and len(rendered.data.decode()) <= window
        with Store() as store:
            assert store.get(rendered.hash or "") == raw


def test_a_codex_output_is_fitted_to_the_limit_codex_runs_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = grep_output(files=900, per_file=4, depth="x").encode()
    monkeypatch.setenv("CODEX_HOME", str(tmp_path))  # no config.toml: headroom's limit, 40,000 bytes
    for limit, window in ((None, 40_000), ("2500", 10_000)):
        if limit is not None:
            monkeypatch.setenv("HEADROOM_CODEX_OUTPUT_LIMIT", limit)  # as `headroom wrap codex` passes it
        rendered = render_output(raw, threshold=500, hint="search", client="codex/exec_command")
        assert rendered.compressed and window // 2 < len(rendered.data) <= window
        with Store() as store:
            assert store.get(rendered.hash or "") == raw


def test_one_output_is_counted_once_in_the_statistics() -> None:
    raw = grep_output(files=900, per_file=4, depth="x").encode()
    with Store() as store:
        before = store.stats().calls.get("compress", 0)
    render_output(raw, threshold=500, hint="search", client="claude-code/Bash")
    with Store() as store:
        summary = store.stats()
    assert summary.calls.get("compress", 0) == before + 1
    assert summary.by_client["claude-code/Bash"].calls == 1


def test_a_budgeted_search_output_never_falls_to_one_marker_for_everything() -> None:
    """exec fits a large output to a window by compressing it again with a smaller budget; a plan that came back a
    few tokens over must shrink, not give way to one marker for the whole output (real `grep -rn` output here)."""
    import subprocess
    import sysconfig

    from compressors import compress

    stdlib = sysconfig.get_paths()["stdlib"]
    raw = subprocess.run(["grep", "-rn", "def handle", stdlib], capture_output=True, check=False).stdout
    with Store() as store:
        full = compress(raw, store=store, record=False).tokens_before
        for budget in range(600 + 31 * 173, min(full, 10_100), 173):
            result = compress(raw, store=store, budget=budget, hint="search", record=False)
            assert result.tokens_after <= budget
            assert result.tokens_after > budget // 2, (budget, result.tokens_after)
