"""The JSON compressor: what it keeps, that its markers resolve, and that odd input never breaks it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import Settings, Store, find_markers
from compressors import CompressContext, CompressResult, compress
from compressors._json import JsonCompressor
from tests.conftest import Sample

# Targets from the compressor brief (not read off the implementation).
NEEDLE_FLOOR = 0.95
REDUCTION_FLOOR = 0.80
CATEGORY_REDUCTION_FLOOR = 0.60
JSON_CATEGORIES = ("json_api", "issue_thread")


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(Settings.from_env()) as s:
        yield s


def _ctx(text: str, query: str | None = None, budget: int | None = None) -> CompressContext:
    return CompressContext(hash=rustcore.content_hash(text), query=query, budget=budget, content_type="json")


def _run(text: str, query: str | None = None, budget: int | None = None) -> str:
    return JsonCompressor().compress(text, _ctx(text, query, budget))


def _check_markers(result: CompressResult, original: bytes, store: Store) -> None:
    n_lines = original.count(b"\n") + (0 if original.endswith(b"\n") else 1)
    for marker in find_markers(result.compressed):
        assert marker.hash == result.hash
        if marker.lines is not None:
            start, end = marker.lines
            assert 1 <= start <= end <= n_lines
            assert store.lines(result.hash, start, end).text
    assert store.get(result.hash) == original


def _runs(n: int, odd: dict[int, str], *, indent: int | None = 2) -> str:
    runs = [
        {
            "id": 5000 + i,
            "head_branch": f"topic-{i % 4}",
            "status": "completed",
            "conclusion": odd.get(i, "success"),
            "html_url": f"https://ci.example.test/runs/{5000 + i}",
            "run_number": i,
            "logs_url": f"https://api.example.test/runs/{5000 + i}/logs",
            "jobs_url": f"https://api.example.test/runs/{5000 + i}/jobs",
            "artifacts_url": f"https://api.example.test/runs/{5000 + i}/artifacts",
        }
        for i in range(n)
    ]
    separators = (",", ":") if indent is None else None
    return json.dumps({"total_count": n, "workflow_runs": runs}, indent=indent, separators=separators)


# ---- registry ----------------------------------------------------------------------------------


def test_a_json_api_page_is_compressed_by_the_json_compressor_through_the_pipeline(store: Store) -> None:
    text = _runs(300, {123: "the one odd record"})
    result = compress(text, store=store)
    _check_markers(result, text.encode(), store)
    assert (result.content_type, result.compressor) == ("json", "json")
    assert "the one odd record" in result.compressed and result.tokens_after < result.tokens_before / 2


# ---- what is kept ------------------------------------------------------------------------------


def test_failed_runs_are_kept_with_their_identifying_fields_verbatim(store: Store) -> None:
    text = _runs(60, {11: "failure", 47: "cancelled"})
    result = compress(text, store=store, content_type="json")
    out = result.compressed
    assert result.compressor == "json"
    assert result.tokens_after * 5 < result.tokens_before
    for i, conclusion in ((11, "failure"), (47, "cancelled")):
        assert f'"conclusion": "{conclusion}"' in out
        assert f'"html_url": "https://ci.example.test/runs/{5000 + i}"' in out
        assert f'"head_branch": "topic-{i % 4}"' in out
    _check_markers(result, text.encode(), store)


def test_a_map_of_records_with_an_odd_first_entry_is_thinned_keeping_the_entry_the_query_names(
    store: Store,
) -> None:
    """The project's own npm lock file: a root package `""` unlike the hundreds of `node_modules/...` after it."""
    text = (Path(__file__).resolve().parents[2] / "package-lock.json").read_text(encoding="utf-8")
    packages = json.loads(text)["packages"]
    name = random.Random(len(packages)).choice([k for k in packages if k.startswith("node_modules/")][1:-1])
    result = compress(text, store=store, query=f"Which version of {name.rsplit('/', 1)[-1]} is locked at {name}?")
    assert result.tokens_after * 5 < result.tokens_before, (result.tokens_before, result.tokens_after)
    assert f'"{name}": {{' in result.compressed
    assert f'"version": "{packages[name]["version"]}"' in result.compressed
    json.loads(result.compressed)


def test_fields_shared_by_every_record_are_stated_once() -> None:
    out = _run(_runs(40, {3: "failure"}))
    assert out.count('"status": "completed"') == 1
    assert "same in all 40 items" in out


def test_record_matching_the_query_is_kept_whole() -> None:
    records = [{"number": i, "title": f"Routine chore {i}", "state": "open", "labels": []} for i in range(50)]
    records[31] = {"number": 31, "title": "ofClear uses inconsistent arguments", "state": "closed", "labels": ["api"]}
    text = json.dumps(records, indent=2)
    out = _run(text, query='Who filed "ofClear uses inconsistent arguments"?')
    whole = json.dumps(records[31], indent=2).replace("\n", "\n  ")
    assert whole in out


def test_superlative_question_keeps_the_record_with_the_extreme_value() -> None:
    rng = random.Random(7)
    stars = [rng.randrange(10, 900) for _ in range(80)]
    repos = [{"full_name": f"org/repo-{i}", "stargazers_count": n} for i, n in enumerate(stars)]
    top = stars.index(max(stars))
    text = json.dumps({"items": repos}, separators=(",", ":"))
    out = _run(text, query="Which repository has the most stars?")
    assert f'"full_name":"org/repo-{top}","stargazers_count":{max(stars)}' in out


def test_query_words_reach_values_through_their_inflections() -> None:
    files = [{"filename": f"src/mod_{i}.py", "status": "modified", "changes": i} for i in range(40)]
    for i in (5, 17, 33):
        files[i]["status"] = "added"
    out = _run(json.dumps(files, indent=2), query="Which files does this change add?")
    for i in (5, 17, 33):
        assert f'"filename": "src/mod_{i}.py"' in out


def test_compact_input_keeps_key_value_pairs_as_written() -> None:
    users = [
        {"login": f"user{i}", "id": i, "site_admin": False, "url": f"https://api.example.test/u/{i}"}
        for i in range(200)
    ]
    text = json.dumps(users, separators=(",", ":"))
    out = _run(text, query="What is the id of user 'user137'?")
    assert '{"login":"user137","id":137,' in out


def test_long_strings_keep_their_first_200_characters_and_mark_the_rest() -> None:
    body = "".join(f"word{i} " for i in range(800))
    comments = [{"id": i, "body": body if i == 2 else "ok"} for i in range(4)]
    text = json.dumps(comments, indent=2)
    out = _run(text)
    assert body[:200] in out
    chars = [m for m in find_markers(out) if m.unit == "chars"]
    assert chars
    assert len(out) < len(text)


def test_omitted_records_are_retrieved_exactly_by_the_marker_line_range(store: Store) -> None:
    text = _runs(30, {9: "failure"})
    result = compress(text, store=store, content_type="json")
    items = [m for m in find_markers(result.compressed) if m.unit == "items"]
    assert items
    for marker in items:
        assert marker.lines is not None
        excerpt = store.lines(result.hash, *marker.lines).text
        retrieved = json.loads("[" + excerpt.strip().rstrip(",") + "]")
        assert len(retrieved) == marker.count
        assert all(r["html_url"] not in result.compressed for r in retrieved)


def test_small_flat_lists_are_re_encoded_losslessly_as_rows() -> None:
    packages = [{"name": f"pkg-{i}", "version": f"1.{i}.0", "license": "MIT", "size": 1000 + i} for i in range(7)]
    text = json.dumps(packages, indent=2)
    out = _run(text)
    assert not find_markers(out)
    table = json.loads(out)
    assert [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]] == packages


def test_a_budget_is_honoured_most_relevant_first() -> None:
    text = _runs(300, {120: "failure"})
    for budget in (60, 200, 800):
        out = _run(text, query="which run failed?", budget=budget)
        assert rustcore.count_tokens(out) <= budget
    assert '"conclusion": "failure"' in _run(text, query="which run failed?", budget=200)


def test_valid_json_stays_valid_json() -> None:
    for text in (_runs(50, {4: "failure"}), _runs(50, {4: "failure"}, indent=None)):
        json.loads(_run(text, query="failed"))


def test_same_input_gives_the_same_bytes() -> None:
    text = _runs(120, {3: "failure", 77: "timed_out"})
    assert _run(text, "timed out runs", 500) == _run(text, "timed out runs", 500)


# ---- odd input -------------------------------------------------------------------------------


def test_empty_and_one_line_inputs_come_back_unchanged() -> None:
    assert _run("") == ""
    assert _run('{"ok": true}') == '{"ok": true}'
    assert _run("[]\n") == "[]\n"


def test_json_lines_with_a_bad_line_keep_the_bad_line(store: Store) -> None:
    rows = [json.dumps({"ts": f"10:00:{i:02d}", "level": "info", "msg": f"served request {i}"}) for i in range(80)]
    rows[40] = '{"ts": "10:00:40", "level": "info", "msg": unterminated'
    text = "\n".join(rows) + "\n"
    result = compress(text, store=store, content_type="json")
    assert rows[40] in result.compressed
    assert result.tokens_after < result.tokens_before
    _check_markers(result, text.encode(), store)


@pytest.mark.parametrize(
    "text",
    [
        _runs(40, {2: "failure"})[:-700],  # cut off mid-record
        _runs(40, {2: "failure"}).replace("}", ",}"),  # trailing commas everywhere
        "{ this: looks, like: json ]\n" * 300,
        '[{"a": 1}, {"a": 2}, oops, {"a": 3}]\n' * 100,
        "\x01\x02binary-ish\x7f{[" * 200,
    ],
    ids=["truncated", "trailing-commas", "not-json", "broken-array", "binary-looking"],
)
def test_invalid_json_that_looks_like_json_never_raises(text: str, store: Store) -> None:
    out = _run(text)
    assert isinstance(out, str)
    if text.isprintable() or "\n" in text:
        result = compress(text, store=store, content_type="json")
        assert result.tokens_after <= result.tokens_before
        _check_markers(result, text.encode(), store)


def test_ten_thousand_levels_of_nesting_do_not_overflow_the_stack(store: Store) -> None:
    text = "[" * 10_000 + "1" + "]" * 10_000
    result = compress(text, store=store, content_type="json")
    assert find_markers(result.compressed)
    _check_markers(result, text.encode(), store)
    obj = '{"a":' * 10_000 + "null" + "}" * 10_000
    assert find_markers(_run(obj))


def test_a_document_too_dense_to_hold_as_values_is_compressed_as_lines_with_its_original_intact(
    store: Store,
) -> None:
    # 2.2 million one-digit numbers: past the core's cap of one value per ten bytes (and past its floor).
    text = "[" + ",".join(str(i % 10) for i in range(2_200_000)) + "]"
    result = compress(text, store=store, content_type="json")
    # Cut as one long line (a chars marker), not thinned as a list of items.
    assert {m.unit for m in find_markers(result.compressed)} == {"chars"}
    assert result.tokens_after < result.tokens_before // 10
    _check_markers(result, text.encode(), store)


def test_crlf_line_endings_are_kept() -> None:
    text = _runs(40, {5: "failure"}).replace("\n", "\r\n")
    out = _run(text)
    assert "\n" in out
    assert out.count("\n") == out.count("\r\n")


def test_mixed_encodings_are_compressed_and_the_original_bytes_kept(store: Store) -> None:
    records = [{"id": i, "name": f"caf\u00e9-{i}", "note": "ok"} for i in range(60)]
    raw = json.dumps(records, indent=2, ensure_ascii=False).encode()
    raw = raw.replace("caf\u00e9-7".encode(), b"caf\xe9-7")  # one Latin-1 byte among UTF-8
    result = compress(raw, store=store, content_type="json")
    assert result.tokens_after < result.tokens_before
    _check_markers(result, raw, store)


def test_very_long_lines_are_shortened_with_a_chars_marker() -> None:
    text = json.dumps({"id": 1, "blob": "x" * 1_000_000})
    out = _run(text)
    assert len(out) < 5_000
    assert any(m.unit == "chars" and m.count > 900_000 for m in find_markers(out))


@pytest.mark.slow
def test_ten_megabytes_compress_to_a_page(store: Store) -> None:
    text = _runs(32_000, {1234: "failure", 20_000: "cancelled"}, indent=None)
    assert len(text) > 10_000_000
    result = compress(text, store=store, content_type="json", query="failed or cancelled runs")
    assert '"conclusion":"failure"' in result.compressed
    assert '"conclusion":"cancelled"' in result.compressed
    assert result.tokens_after < 5_000
    _check_markers(result, text.encode(), store)


# ---- properties ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=40),
    st.sampled_from(["success", "failure", "open", "closed", "error", "https://x.test/a/1"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=12) | st.dictionaries(st.sampled_from([*"abcdefgh", "id", "state"]), inner, max_size=8)
    ),
    max_leaves=60,
)


@st.composite
def _json_texts(draw: st.DrawFn) -> str:
    value = draw(_values)
    style = draw(st.sampled_from(["pretty", "compact", "lines", "cut", "crlf"]))
    if style == "lines":
        rows = draw(st.lists(_values, min_size=1, max_size=20))
        return "\n".join(json.dumps(r) for r in rows) + "\n"
    text = json.dumps(value, indent=None if style == "compact" else 2)
    if style == "cut":
        return text[: draw(st.integers(0, len(text)))] or "["
    if style == "crlf":
        return text.replace("\n", "\r\n")
    return text


_queries = st.one_of(
    st.none(), st.sampled_from(["failure", "which are open?", "most a", "id 3", '"https://x.test/a/1"'])
)


@given(text=_json_texts(), query=_queries, budget=st.one_of(st.none(), st.integers(40, 600)))
def test_any_json_compresses_within_budget_with_resolvable_markers_and_exact_retrieval(
    text: str, query: str | None, budget: int | None
) -> None:
    with Store(Settings.from_env()) as s:
        result = compress(text, store=s, content_type="json", query=query, budget=budget)
        if budget is not None:
            assert result.tokens_after <= budget
        _check_markers(result, text.encode(), s)
        again = compress(text, store=s, content_type="json", query=query, budget=budget)
        assert again.compressed == result.compressed


@given(value=_values, compact=st.booleans(), query=_queries)
def test_valid_json_in_gives_valid_json_out(value: object, compact: bool, query: str | None) -> None:
    text = json.dumps(value, indent=None if compact else 2)
    json.loads(_run(text, query=query))


@given(text=_json_texts(), query=_queries, budget=st.integers(40, 600))
def test_the_compressor_itself_keeps_within_the_budget(text: str, query: str | None, budget: int) -> None:
    assert rustcore.count_tokens(_run(text, query, budget)) <= budget


@given(text=st.text(max_size=300), query=_queries, budget=st.one_of(st.none(), st.integers(1, 200)))
def test_the_compressor_never_raises_on_any_text(text: str, query: str | None, budget: int | None) -> None:
    assert isinstance(_run(text, query, budget), str)


# ---- the dev corpus ------------------------------------------------------------------------


def _json_samples(corpus: list[Sample]) -> list[Sample]:
    out = []
    for sample in corpus:
        if sample.category not in JSON_CATEGORIES:
            continue
        try:
            json.loads(sample.read_text())
        except ValueError:
            continue  # changelogs in issue_thread are Markdown, not ours
        out.append(sample)
    return out


@pytest.mark.corpus
def test_corpus_json_shrinks_keeps_needles_and_every_marker_resolves(corpus: list[Sample], store: Store) -> None:
    samples = _json_samples(corpus)
    assert samples
    kept = total = 0
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for sample in samples:
        raw = sample.read_bytes()
        result = compress(raw, store=store, content_type="json", query=sample.query)
        assert result.compressor == "json", sample.name
        assert result.tokens_after < result.tokens_before, sample.name
        json.loads(result.compressed)
        _check_markers(result, raw, store)
        kept += sum(needle in result.compressed for needle in sample.needles)
        total += len(sample.needles)
        before[sample.category] = before.get(sample.category, 0) + result.tokens_before
        after[sample.category] = after.get(sample.category, 0) + result.tokens_after
    assert kept / total >= NEEDLE_FLOOR
    assert 1 - sum(after.values()) / sum(before.values()) >= REDUCTION_FLOOR
    for category in before:
        assert 1 - after[category] / before[category] >= CATEGORY_REDUCTION_FLOOR, category


@pytest.mark.corpus
def test_corpus_json_needles_all_found_with_one_query_retrieval(corpus: list[Sample], store: Store) -> None:
    for sample in _json_samples(corpus):
        result = compress(sample.read_bytes(), store=store, content_type="json", query=sample.query)
        excerpt = store.query(result.hash, sample.query, max_tokens=2000).text
        missing = [n for n in sample.needles if n not in result.compressed and n not in excerpt]
        assert not missing, sample.name


@pytest.mark.corpus
def test_corpus_json_without_a_query_still_shrinks_deterministically(corpus: list[Sample], store: Store) -> None:
    for sample in _json_samples(corpus):
        raw = sample.read_bytes()
        first = compress(raw, store=store, content_type="json")
        second = compress(raw, store=store, content_type="json")
        assert first.compressed == second.compressed
        assert first.tokens_after < first.tokens_before
        _check_markers(first, raw, store)
