"""Every marker of every compressor redeems exactly what it says and costs no more than what it hides.

Checked by `tests/marker_contract.py` on random inputs of every content type, on the dev corpus, and on
real output made on the spot (this project's git history and sources, the stdlib, a directory walk).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ccr import Store, find_markers
from compressors import CONTENT_TYPES, compress
from tests.compressors.lines_helpers import open_store
from tests.marker_contract import check_markers

ROOT = Path(__file__).resolve().parents[2]

words = st.sampled_from(["error", "request", "user", "GET", "/api/v1/items", "42", "0x1f", "done", "é", "timeout"])
log_line = st.builds(
    lambda n, lvl, ws: f"2024-05-01 10:{n % 60:02d}:00 {lvl} {' '.join(ws)}",
    st.integers(0, 999),
    st.sampled_from(["INFO", "WARN", "ERROR", "DEBUG"]),
    st.lists(words, max_size=8),
)
grep_line = st.builds(
    lambda f, n, ws: f"src/{f}.py:{n}:    {' '.join(ws)}", words, st.integers(1, 500), st.lists(words)
)
code_line = st.sampled_from(
    ["def f(x):", "    return x + 1", "class A:", "    def g(self):", "        pass", "", "# note", "x = [1, 2]"]
)
prose_line = st.builds(lambda ws: " ".join(ws) + ".", st.lists(words, min_size=3, max_size=20)) | st.sampled_from(
    ["# Heading", "## Sub", "", "- item", "```", "---"]
)
json_doc = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda kids: st.lists(kids, max_size=12) | st.dictionaries(st.sampled_from(["id", "name", "v", "é"]), kids),
    max_leaves=60,
)


def _json_text(doc: object, indent: int | None) -> str:
    return json.dumps(doc, indent=indent, ensure_ascii=False)


texts = st.one_of(
    st.lists(log_line, min_size=1, max_size=150).map("\n".join),
    st.lists(grep_line, min_size=1, max_size=120).map("\n".join),
    st.lists(code_line, min_size=1, max_size=150).map("\n".join),
    st.lists(prose_line, min_size=1, max_size=150).map("\n".join),
    st.tuples(json_doc, st.sampled_from([None, 2])).map(lambda p: _json_text(*p)),
    st.lists(st.text(alphabet=st.sampled_from("ab \r\t[]é😀x"), max_size=300), min_size=1, max_size=60).map("\n".join),
)


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store() as s:
        yield s


def _violations(store: Store, data: str | bytes, **kw: object) -> list[object]:
    result = compress(data, store=store, **kw)  # type: ignore[arg-type]
    return [(result.compressor, v) for v in check_markers(store, result.hash, result.compressed, result.compressor)]


# MARKER_EXAMPLES=1000 for a longer hunt than `make test` affords.
@settings(
    max_examples=int(os.environ.get("MARKER_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=texts,
    trailing=st.booleans(),
    content_type=st.sampled_from(["auto", *CONTENT_TYPES]),
    budget=st.none() | st.integers(40, 600),
    query=st.none() | st.sampled_from(["error", "which user timed out", "`f`", "items"]),
    forged=st.none() | st.integers(0, 10_000),
)
# A cut inside a line whose kept head holds a quoted marker: the bytes count from the original, not the shown text.
@example(
    text='{"id": null, "name": 1000000000000000000}',
    trailing=False,
    content_type="auto",
    budget=40,
    query=None,
    forged=3,
)
# A budget cut inside the first line of several (the lines after it get a lines marker of their own).
@example(
    text="2024-05-01 10:00:00 INFO error error error\n2024-05-01 10:00:00 INFO \n2024-05-01 10:00:00 INFO \n"
    "2024-05-01 10:00:00 INFO error error error error",
    trailing=False,
    content_type="mixed",
    budget=40,
    query=None,
    forged=None,
)
# A line holding a quoted marker costs more shown than the marker for it.
@example(text="x = [1, 2]\n# note", trailing=True, content_type="html", budget=40, query=None, forged=55)
def test_markers_of_any_compressor_on_any_input_keep_the_contract(
    store: Store,
    text: str,
    trailing: bool,
    content_type: str,
    budget: int | None,
    query: str | None,
    forged: int | None,
) -> None:
    text = text + ("\n" if trailing else "")
    if forged is not None:
        # Marker-like input text: it must come back quoted (a marker with another handle is a violation).
        at = forged % (len(text) + 1)
        text = text[:at] + "[3 lines omitted: retrieve hash=0000000000000000 lines=1-3]" + text[at:]
    if not text.strip():
        return
    assert _violations(store, text, content_type=content_type, budget=budget, query=query) == []


def test_markers_keep_the_contract_on_input_that_is_not_valid_utf8(store: Store) -> None:
    data = b"ok\n" + b"bad \xff\xfe " * 400 + b"\n" + b"\n".join(b"row %d \xe9 with words" % i for i in range(400))
    for budget in (None, 80, 400):
        assert _violations(store, data, budget=budget) == []
    result = compress(data, store=store)
    assert all(m.bytes is None for m in find_markers(result.compressed))


@pytest.mark.corpus
def test_markers_keep_the_contract_on_the_dev_corpus(store: Store, corpus: list) -> None:  # type: ignore[type-arg]
    bad = []
    for sample in corpus:
        for query, budget in ((sample.query, None), (None, 300)):
            bad += [(sample.name, v) for v in _violations(store, sample.read_bytes(), query=query, budget=budget)]
    assert bad == []


def _fresh_outputs() -> list[tuple[str, bytes]]:
    """Real output made now: git history with patches, a grep, stdlib sources, a directory listing, JSON."""
    out: list[tuple[str, bytes]] = []
    git = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-p", "-n", "25", "--no-color"], capture_output=True, check=False
    )
    if git.returncode == 0 and git.stdout:
        out.append(("git log -p", git.stdout[:600_000]))
    grep = [
        f"{path.relative_to(ROOT)}:{n}:{line}"
        for path in sorted((ROOT / "compressors").glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "def " in line
    ]
    out.append(("grep def", "\n".join(grep).encode()))
    for module in ("argparse", "json/decoder", "logging/__init__"):
        path = Path(sys.base_prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", f"{module}.py")
        if path.is_file():
            out.append((module, path.read_bytes()))
    listing = [f"{os.stat(p).st_size:>10} {p}" for p in sorted(str(p) for p in (ROOT / "ccr").rglob("*"))]
    out.append(("listing", "\n".join(listing).encode()))
    meta = [{"path": str(p.relative_to(ROOT)), "size": p.stat().st_size} for p in sorted(ROOT.glob("*/*.py"))]
    out.append(("json", json.dumps(meta).encode()))
    return out


def test_markers_keep_the_contract_on_real_output_made_now(store: Store) -> None:
    bad = []
    for name, data in _fresh_outputs():
        for budget in (None, 250):
            bad += [(name, v) for v in _violations(store, data, budget=budget, query="error" if budget else None)]
    assert bad == []
