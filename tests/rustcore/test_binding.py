"""The Python face of the Rust core: counts, estimates and handles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore


def test_hello_world_is_two_tokens_in_both_encodings() -> None:
    assert rustcore.count_tokens("hello world") == 2
    assert rustcore.count_tokens("hello world", "cl100k_base") == 2


def test_unknown_encoding_error_lists_the_available_ones() -> None:
    with pytest.raises(ValueError, match="o200k_base"):
        rustcore.count_tokens("x", "gpt2")


@given(st.text(max_size=400))
def test_count_equals_the_number_of_encoded_ids(text: str) -> None:
    for enc in rustcore.ENCODINGS:
        assert rustcore.count_tokens(text, enc) == len(rustcore.encode(text, enc))


def test_large_input_counted_across_threads_matches_the_sum_of_its_lines() -> None:
    line = "2024-05-01T10:00:00Z worker-7 ERROR upstream timed out after 30s /api/v1/items?id=42\n"
    text = line * 60_000  # ~5 MB, well past the parallel threshold
    assert rustcore.count_tokens(text) == rustcore.count_tokens(line) * 60_000


def test_bytes_and_text_share_a_handle() -> None:
    assert rustcore.content_hash("naïve\n") == rustcore.content_hash("naïve\n".encode())


@given(st.binary(max_size=2048))
def test_every_handle_has_the_fixed_shape(data: bytes) -> None:
    h = rustcore.content_hash(data)
    assert len(h) == rustcore.HASH_HEX_LEN == 16
    assert rustcore.is_hash(h)


def test_non_utf8_bytes_are_counted_as_the_replacement_text() -> None:
    raw = b"caf\xe9 ok"
    assert rustcore.count_tokens(raw) == rustcore.count_tokens(raw.decode("utf-8", "replace"))


def test_lone_surrogates_are_counted_as_replacement_characters() -> None:
    text = "log line \udcff\udce9 end"
    clean = text.encode("utf-8", "replace").decode("utf-8")
    assert rustcore.count_tokens(text) == rustcore.count_tokens(clean)
    assert rustcore.encode(text) == rustcore.encode(clean)
    assert rustcore.estimate_tokens(text) == rustcore.estimate_tokens(clean)


def test_estimate_is_within_forty_percent_of_the_exact_count_on_code_and_logs() -> None:
    text = (
        "def compress(text: str, *, budget: int | None = None) -> str:\n"
        '    """Return a smaller text."""\n'
        "    return text[: budget or 100]\n"
        "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4\n"
    ) * 100
    exact = rustcore.count_tokens(text)
    assert abs(rustcore.estimate_tokens(text) - exact) / exact < 0.4


def test_trimming_the_heap_keeps_every_live_object_and_counts_unchanged() -> None:
    kept = [bytes([i]) * 100_000 for i in range(32)]
    before = rustcore.count_tokens("trim the heap, then count again")
    garbage = [bytearray(1_000_000) for _ in range(16)]
    del garbage
    assert isinstance(rustcore.trim_heap(), bool)
    assert all(block == bytes([i]) * 100_000 for i, block in enumerate(kept))
    assert rustcore.count_tokens("trim the heap, then count again") == before
