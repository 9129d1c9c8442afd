"""Terms and BM25 ranking behind query-scoped retrieval (`ccr._retrieval`)."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ccr._retrieval
from ccr._retrieval import query_phrases, query_terms, rank, terms

# Letters (several scripts, with case), digits, every joiner, quote and bracket the term and phrase rules look at.
_LETTERS = "abcdegiklmnorstuyzABCDHISTXYZ0179 ._:/-'\"`()[]?!,;\n\téßÇñøΩσπЖжд中文データ"
_text = st.text(alphabet=st.sampled_from(list(_LETTERS)), max_size=60)


def test_camel_case_and_snake_case_identifiers_yield_their_parts_and_the_whole() -> None:
    assert {"getusername", "get", "user", "nam"} <= set(terms("getUserName"))
    assert {"httpserver", "http", "serv"} <= set(terms("HTTPServer"))
    assert {"user_id", "user", "id"} <= set(terms("user_id"))


def test_dotted_names_paths_and_versions_stay_whole_as_well_as_split() -> None:
    assert {"session.get", "sess", "get"} <= set(terms("Session.get"))
    assert {"src/flask/app.py", "flask", "app", "py"} <= set(terms("src/flask/app.py"))
    assert {"0.26.0", "0", "26"} <= set(terms("0.26.0"))


def test_numbers_are_kept_and_letters_and_digits_are_not_split_apart() -> None:
    assert "71" in terms("see #71")
    assert "utf8" in terms("utf8")
    assert "53b8f08218796d" in terms("commit 53b8f08218796d")


def test_plural_past_and_derived_forms_meet_their_stem() -> None:
    assert set(terms("classes")) == set(terms("class"))
    assert set(terms("failed")) == set(terms("fails")) == set(terms("fail")) == set(terms("failures"))
    assert set(terms("configured")) == set(terms("configuration")) == set(terms("configure"))


def test_query_terms_drop_function_words_and_single_letter_fragments() -> None:
    assert query_terms("Which tests failed in this CPython run?") == ["test", "fail", "cpython", "python", "run"]


def test_a_query_of_only_function_words_still_has_terms() -> None:
    assert query_terms("what is this") != []


def test_a_version_is_a_query_term_whole_and_in_its_numbers() -> None:
    terms = query_terms("which packages pin 13.7.0 on port 8080")
    assert terms == ["packag", "pin", "13.7.0", "13", "7", "0", "port", "8080"]


def test_quoted_backticked_and_hash_like_query_parts_are_phrases() -> None:
    assert query_phrases("Which tests are 'not ok'? What does `res.append` take? Commit 53b8f08218?") == [
        "not ok",
        "res.append",
        "53b8f08218",
    ]
    assert query_phrases("Gson's handling, and don't split") == []


def test_a_rare_term_outranks_a_common_one() -> None:
    chunks = ["request ok", "request ok", "request ok", "request failed", "request ok"]
    scores = rank(chunks, "which request failed")
    assert max(range(len(chunks)), key=scores.__getitem__) == 3


def test_chunks_sharing_nothing_with_the_query_score_zero() -> None:
    assert rank(["alpha", "beta gamma", ""], "delta") == [0.0, 0.0, 0.0]


def test_an_exact_phrase_outranks_its_words_apart() -> None:
    chunks = ["ok 1 not tested here", "not ok 2", "ok 3", "ok 4 not this"]
    scores = rank(chunks, "'not ok'")
    assert max(range(len(chunks)), key=scores.__getitem__) == 1


@given(
    chunks=st.lists(st.text(alphabet=st.sampled_from("abc XYZ_.1\n"), max_size=30), max_size=30),
    query=st.text(alphabet=st.sampled_from("abc XYZ_.1'"), max_size=20),
)
def test_scores_are_one_per_chunk_and_never_negative(chunks: list[str], query: str) -> None:
    scores = rank(chunks, query)
    assert len(scores) == len(chunks)
    assert all(s >= 0.0 for s in scores)


def test_the_substring_path_for_huge_inputs_agrees_on_the_best_match(monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [f"2024-01-01 worker {i % 7} handled request {i} in {i % 13} ms" for i in range(3000)]
    chunks[1234] = "2024-01-01 worker 3 crashed: segmentation fault in handler"
    chunks[10] = "2024-01-01 networkerd started"  # "worker" only as a substring
    exact = rank(chunks, "which worker crashed with a segmentation fault?")
    monkeypatch.setattr(ccr._retrieval, "EXACT_CANDIDATES", 10)
    approximate = rank(chunks, "which worker crashed with a segmentation fault?")
    best = max(range(len(chunks)), key=exact.__getitem__)
    assert best == 1234
    assert max(range(len(chunks)), key=approximate.__getitem__) == best
    # The two paths really differ: only substring counting sees "worker" inside "networkerd".
    assert exact[10] == 0.0 < approximate[10]


def _bm25(chunks: list[str], query: str) -> list[float]:
    """BM25 written out plainly from the documented rule: k1 1.2, b 0.3 over characters, query terms
    counted among each chunk's terms, phrases counted as substrings of its lowercase at double weight, and
    each function word of the query as a JSON key (`"once":`) counted as a substring at a word's weight."""
    words = set(query_terms(query))
    phrases = query_phrases(query)
    # A stop word is a word the terms drop (beside another word: a query of only stop words keeps them).
    keys = dict.fromkeys(
        f'"{w.lower()}":' for w in re.split(r"[^A-Za-z]+", query) if len(w) >= 2 and query_terms(f"{w} x9") == ["x9"]
    )
    counts: list[dict[tuple[bool, str], int]] = []
    for chunk in chunks:
        tf: dict[tuple[bool, str], int] = {}
        for term in terms(chunk):
            if term in words:
                tf[(False, term)] = tf.get((False, term), 0) + 1
        for phrase in phrases:
            if found := chunk.lower().count(phrase):
                tf[(True, phrase)] = found
        for key in keys:
            if found := chunk.lower().count(key):
                tf[(False, key)] = found
        counts.append(tf)
    n = len(chunks)
    df = Counter(key for tf in counts for key in tf)
    average = sum(map(len, chunks)) / n or 1.0
    scores = []
    for chunk, tf in zip(chunks, counts, strict=True):
        norm = 1.2 * (1 - 0.3 + 0.3 * len(chunk) / average)
        scores.append(
            sum(
                (2.0 if is_phrase else 1.0) * math.log(1 + (n - df[key] + 0.5) / (df[key] + 0.5)) * f * 2.2 / (f + norm)
                for key, f in tf.items()
                for is_phrase in (key[0],)
            )
        )
    return scores


@given(
    chunks=st.lists(_text, min_size=1, max_size=12),
    query=st.text(alphabet=st.sampled_from(list("abcinoXYZ01 ._'`\"?:")), max_size=20),
)
def test_scores_are_bm25_over_the_index_terms(chunks: list[str], query: str) -> None:
    assert rank(chunks, query) == pytest.approx(_bm25(chunks, query), rel=1e-12, abs=1e-12)


def test_a_document_of_ranked_lines_scores_as_plain_bm25_says() -> None:
    chunks = [
        "The Session object persists parameters across requests.",
        "Use `Session.get` to send a GET request; see #71.",
        "Retries are configured on the HTTPAdapter, not the session.",
        "A 53b8f08218 commit changed how sessions merge settings.",
        "",
    ]
    query = "How does `Session.get` merge settings from commit 53b8f08?"
    assert rank(chunks, query) == pytest.approx(_bm25(chunks, query), rel=1e-12)
    assert max(range(len(chunks)), key=rank(chunks, query).__getitem__) in (1, 3)


def test_a_function_word_of_the_question_ranks_a_json_key_spelled_exactly_like_it() -> None:
    chunks = ['"once": {', '"version": "1.4.0",', '"note": "run once, then which"', '"wrappy": {']
    scores = rank(chunks, "Which version of once does the tree hold?")
    assert scores[0] == max(scores) > scores[2] == 0.0
    assert scores == pytest.approx(_bm25(chunks, "Which version of once does the tree hold?"), rel=1e-12)
    assert "once" not in query_terms("Which version of once does the tree hold?")
