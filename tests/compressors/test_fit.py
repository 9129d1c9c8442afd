"""Cutting an output to a budget: the one marker added names exactly the original lines the cut hid."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import rustcore
from ccr import find_markers, format_marker, split_lines
from compressors._base import CompressContext
from compressors._fit import fit_budget

H = "0123456789abcdef"


def _ctx(**kw: object) -> CompressContext:
    return CompressContext(hash=H, **kw)  # type: ignore[arg-type]


def _accounted(original: str, out: str) -> list[int]:
    """Each original line the output shows verbatim or marks, in output order (a line counted twice shows twice)."""
    lines = split_lines(original)
    seen: list[int] = []
    cursor = 1
    for line in split_lines(out):
        markers = [m for m in find_markers(line) if m.hash == H and m.lines is not None]
        if markers:
            for m in markers:
                assert m.lines is not None
                assert m.count == m.lines[1] - m.lines[0] + 1
                seen += range(m.lines[0], m.lines[1] + 1)
                cursor = m.lines[1] + 1
            continue
        while cursor <= len(lines) and lines[cursor - 1] != line:
            cursor += 1
        assert cursor <= len(lines), f"{line!r} is not an original line"
        seen.append(cursor)
        cursor += 1
    return seen


def test_a_text_within_budget_is_unchanged() -> None:
    assert fit_budget("a\nb\n", 100, _ctx()) == "a\nb\n"


def test_cutting_an_original_keeps_head_and_tail_and_marks_the_middle_lines() -> None:
    original = "".join(f"line {i} of a long listing with some words\n" for i in range(1, 201))
    out = fit_budget(original, 120, _ctx())
    assert rustcore.count_tokens(out) <= 120
    assert _accounted(original, out) == list(range(1, 201))
    assert out.startswith("line 1 of") and out.endswith("line 200 of a long listing with some words\n")


def test_cutting_a_compressed_output_keeps_its_markers_and_names_what_the_cut_hid() -> None:
    original = "".join(f"row {i}: value {i * 7}\n" for i in range(1, 301))
    lines = original.splitlines(keepends=True)
    out = "".join(lines[:20]) + format_marker(250, "lines", H, (21, 270)) + "\n" + "".join(lines[270:])
    cut = fit_budget(original, 150, _ctx(), out)
    assert rustcore.count_tokens(cut) <= 150
    assert _accounted(original, cut) == list(range(1, 301))


def test_an_output_that_does_not_map_onto_the_original_is_replaced_by_a_cut_of_the_original() -> None:
    original = "".join(f'{{"id": {i}, "name": "item number {i}"}}\n' for i in range(1, 200))
    rewritten = original.replace('"id": ', '"id":')
    cut = fit_budget(original, 100, _ctx(), rewritten)
    assert _accounted(original, cut) == list(range(1, 200))


def test_one_long_line_is_cut_inside_with_a_bytes_marker_for_the_rest() -> None:
    original = "é" + "word " * 3000
    cut = fit_budget(original, 80, _ctx())
    [marker] = find_markers(cut)
    assert marker.bytes is not None
    head = cut[: marker.span[0]].rstrip(" ")
    raw = original.encode()
    assert head.encode() + raw[marker.bytes[0] : marker.bytes[1] + 1] == raw
    assert not _ctx(exact_bytes=False).exact_bytes
    whole = fit_budget(original, 80, _ctx(exact_bytes=False))
    assert [m.lines for m in find_markers(whole)] == [(1, 1)]


def test_a_marker_is_never_glued_to_a_last_line_without_a_newline() -> None:
    original = "\n".join(f"entry {i} with a few more words to cost tokens" for i in range(100))
    cut = fit_budget(original, 100, _ctx())
    for m in find_markers(cut):
        assert m.span[0] == 0 or cut[m.span[0] - 1] == "\n"


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.text(alphabet=st.sampled_from("abc xyz019\r"), max_size=40), min_size=1, max_size=120),
    budget=st.integers(40, 400),
    trailing=st.booleans(),
)
def test_any_cut_within_budget_accounts_for_every_original_line_once(
    rows: list[str], budget: int, trailing: bool
) -> None:
    original = "\n".join(rows) + ("\n" if trailing else "")
    cut = fit_budget(original, budget, _ctx())
    assert rustcore.count_tokens(cut) <= budget
    if len(find_markers(cut)) == 1 and find_markers(cut)[0].bytes is not None:
        return
    assert sorted(_accounted(original, cut)) == list(range(1, len(split_lines(original)) + 1))
