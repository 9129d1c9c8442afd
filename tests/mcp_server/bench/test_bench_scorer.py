"""The needle scorer: what counts as kept, what does not, and the three levels' invariants."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mcp_server.bench import Needle, json_pairs, normalize_whitespace, score_needles

LOG = "\n".join(
    [
        "2024-05-01 10:00:00 INFO  worker 1 started",
        "2024-05-01 10:00:01 ERROR worker 2 lost connection to db-7",
        "2024-05-01 10:00:02 INFO  worker 3 started",
    ]
)


def test_a_needle_missing_from_the_compressed_text_scores_missing() -> None:
    needle = "ERROR worker 2 lost connection to db-7"
    compressed = "2024-05-01 10:00:00 INFO  worker 1 started\n[2 lines omitted: retrieve hash=0123456789abcdef]"
    score = score_needles([needle], compressed)
    assert (score.total, score.strict, score.kept) == (1, 0, 0)
    assert score.missing == (needle,)


def test_a_needle_present_verbatim_is_kept_and_strict() -> None:
    needle = "ERROR worker 2 lost connection to db-7"
    score = score_needles([needle], LOG)
    assert (score.strict, score.kept, score.missing) == (1, 1, ())


def test_a_needle_cut_short_in_the_output_is_missing() -> None:
    score = score_needles(["lost connection to db-7"], "lost connection to db-")
    assert score.kept == 0


def test_whitespace_runs_are_collapsed_on_both_sides_but_strict_needs_the_exact_bytes() -> None:
    needle = "def request(self, method,\n            url, params=None):"
    compressed = "class Session:\n    def request(self,   method, url,\tparams=None):\n        ..."
    score = score_needles([needle], compressed)
    assert score.kept == 1
    assert score.strict == 0


def test_whitespace_is_not_invented_where_the_output_has_none() -> None:
    assert score_needles(["status = 500"], "status=500").kept == 0


def test_normalize_whitespace_turns_every_run_into_one_space() -> None:
    assert normalize_whitespace("a \t\n  b\r\nc") == "a b c"


def test_a_compact_json_needle_counts_when_its_keys_and_values_occur_in_a_table() -> None:
    needle = '{"login":"KirinDave","id":36,'
    table = "[3]{login:str,id:int,site_admin:bool}\nmojombo,1,false\nKirinDave,36,false\ndefunkt,3,false\n"
    score = score_needles([needle], table)
    assert score.kept == 1
    assert score.strict == 0


def test_a_json_needle_whose_value_is_only_part_of_a_longer_number_is_missing() -> None:
    table = "[2]{login:str,id:int}\nKirinDave,361\nother,4\n"
    assert score_needles(['{"login":"KirinDave","id":36,'], table).kept == 0


def test_a_json_needle_counts_in_a_table_re_encoded_as_an_escaped_string() -> None:
    escaped = '"[3]{name:string,version:string}\\nattrs,26.1.0\\nidna,3.13\\nJinja2,3.1.6"'
    assert score_needles(['{"name": "idna", "version": "3.13"}'], escaped).kept == 1
    assert score_needles(['{"name": "idna", "version": "3.12"}'], escaped).kept == 0


def test_a_json_value_inside_a_longer_word_does_not_count() -> None:
    assert score_needles(['"event": "merged"'], '{"event": "closed", "merged_at": null}').kept == 0


def test_a_json_needle_whose_key_is_absent_is_missing() -> None:
    assert score_needles(['"stargazers_count": 3036'], '{"watchers": 3036}').kept == 0


def test_a_json_needle_with_pretty_spacing_matches_compact_output() -> None:
    assert score_needles(['"head_branch": "x_spam_flag"'], '[{"head_branch":"x_spam_flag","id":1}]').kept == 1


def test_an_escaped_json_string_value_counts_in_its_decoded_form() -> None:
    needle = '"title": "Say \\"hi\\" \\u00e9"'
    [pair] = json_pairs(needle)
    assert 'Say "hi" é' in pair.values
    assert score_needles([needle], 'title | Say "hi" é').kept == 1


def test_a_string_value_cut_off_at_the_needle_end_counts_with_what_is_there() -> None:
    needle = '"body": "Fix available in #3377. This adds the'
    [pair] = json_pairs(needle)
    assert pair.key == "body"
    assert pair.values == ("Fix available in #3377. This adds the",)


def test_the_json_rule_applies_only_to_needles_made_of_pairs() -> None:
    prose = 'Set "timeout": 30 in the config and restart'
    assert json_pairs(prose) == ()
    # Every word of the needle is present, but not in order: prose needles need the text itself.
    assert score_needles([prose], "restart timeout 30 Set config in the and").kept == 0


def test_retrieval_text_adds_the_needles_the_compressed_text_lost() -> None:
    needles = ["INFO  worker 1 started", "ERROR worker 2 lost connection to db-7"]
    compressed = "2024-05-01 10:00:00 INFO  worker 1 started\n[2 lines omitted: retrieve hash=0123456789abcdef]"
    retrieved = "2024-05-01 10:00:01 ERROR worker 2 lost connection to db-7"
    score = score_needles(needles, compressed, retrieved)
    assert (score.kept, score.with_retrieval) == (1, 2)
    assert score_needles(needles, compressed).with_retrieval is None


text_chars = st.characters(codec="utf-8")


@given(text=st.text(text_chars, min_size=1, max_size=200), data=st.data())
def test_any_substring_of_the_output_is_kept_and_strict(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    needle = text[start:end]
    if not needle.strip():
        return
    score = score_needles([needle], text)
    assert (score.strict, score.kept) == (1, 1)


@given(
    words=st.lists(st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=8), min_size=1, max_size=8),
    seps=st.lists(st.sampled_from([" ", "  ", "\n", "\t", " \n  "]), min_size=8, max_size=8),
    other=st.lists(st.sampled_from([" ", "\n\n", "\t \t"]), min_size=8, max_size=8),
)
def test_respacing_the_whitespace_never_changes_whether_a_needle_is_kept(
    words: list[str], seps: list[str], other: list[str]
) -> None:
    needle = "".join(w + s for w, s in zip(words, seps, strict=False)).strip()
    respaced = "".join(w + s for w, s in zip(words, other, strict=False))
    assert score_needles([needle], f"head\n{respaced}\ntail").kept == 1


@given(
    needles=st.lists(st.text(text_chars, min_size=1, max_size=20).filter(str.strip), min_size=1, max_size=6),
    compressed=st.text(text_chars, max_size=200),
    retrieved=st.text(text_chars, max_size=200),
)
def test_the_levels_are_ordered_strict_kept_retrieval_total(
    needles: list[str], compressed: str, retrieved: str
) -> None:
    score = score_needles(needles, compressed, retrieved)
    assert score.with_retrieval is not None
    assert 0 <= score.strict <= score.kept <= score.with_retrieval <= score.total == len(needles)
    assert len(score.missing) == score.total - score.kept


@given(
    key=st.text(st.characters(categories=("L", "N")), min_size=1, max_size=12),
    value=st.one_of(
        st.integers(-(10**9), 10**9),
        st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=30).filter(str.strip),
        st.booleans(),
    ),
)
def test_a_serialised_pair_is_found_in_its_own_serialisation(key: str, value: object) -> None:
    for needle in (json.dumps({key: value})[1:-1], json.dumps({key: value}, separators=(",", ":"))):
        compiled = Needle.compile(needle)
        assert compiled.pairs, needle
        assert compiled.kept_in(normalize_whitespace(json.dumps([{key: value}], indent=2)))


def test_every_dev_corpus_needle_is_found_strictly_in_its_own_input(corpus: list[Any]) -> None:
    for sample in corpus:
        score = score_needles(sample.needles, sample.read_bytes().decode("utf-8"))
        assert (score.strict, score.kept) == (len(sample.needles), len(sample.needles)), sample.name


def test_a_dev_corpus_needle_is_missing_once_its_line_is_cut_out(corpus: list[Any]) -> None:
    for sample in corpus:
        text = sample.read_bytes().decode("utf-8")
        needle = sample.needles[0]
        start = text.index(needle)
        cut = text[:start] + text[start + len(needle) :]
        if normalize_whitespace(needle).strip() in normalize_whitespace(cut) or json_pairs(needle):
            # The needle occurs twice (as written, or spaced otherwise: `README.md | 2 +-` in two commits' stats),
            # or its key and value occur elsewhere in the input.
            continue
        assert score_needles([needle], cut).kept == 0, sample.name
