"""The session benchmark's needle rules (benchmarks/session.py) read what their kind says, and nothing else."""

from __future__ import annotations

from benchmarks.session import entry_size, needles_for

LS = """/usr/lib/x:
total 120
drwxr-xr-x  3 root root   4096 May  9  2026 .
-rw-r--r--  1 root root  91234 May  9  2026 big.py
-rw-r--r-- 12 root root    512 May  9  2026 many_links.py
-rwxr-xr-x  1 1000 1000  40960 May  9  2026 numeric_owner.py
crw-rw-rw-  1 root root   1, 3 May  9  2026 null
-rw-r--r--  1 root root    100 May  9  2026 last.py
"""


def test_the_largest_listing_rows_are_read_from_the_size_column_of_a_long_ls() -> None:
    needles = needles_for("listing", LS, "what is there?")
    assert needles[:2] == ["/usr/lib/x:", "-rw-r--r--  1 root root    100 May  9  2026 last.py"]
    assert needles[2:] == [
        "-rw-r--r--  1 root root  91234 May  9  2026 big.py",
        "-rwxr-xr-x  1 1000 1000  40960 May  9  2026 numeric_owner.py",
        "drwxr-xr-x  3 root root   4096 May  9  2026 .",
    ]


def test_du_rows_give_their_first_field_as_the_size() -> None:
    text = "8\tpkg/a.js\n1200\tpkg/b.js\n30\tpkg/c.js\n1238\tpkg\n"
    assert needles_for("listing", text, "which files are largest?") == [
        "8\tpkg/a.js",
        "1238\tpkg",
        "1200\tpkg/b.js",
        "30\tpkg/c.js",
    ]


def test_numbers_that_are_not_sizes_give_no_largest_rows() -> None:
    """File modes (`git ls-files -s`), numbers in commit subjects and `total` lines are not sizes."""
    index = "".join(
        f"{mode} {i:040x} 0\tsrc/f{i}.py\n" for i, mode in enumerate(["100644", "100755", "100644", "120000"])
    )
    history = "a1b2c3d Raise the limit to 65536 bytes\n0f0f0f0 Fix 3 tests\n9e9e9e9 Start\n"
    for text in (index, history):
        lines = text.splitlines()
        assert needles_for("listing", text, "what is there?") == [lines[0], lines[-1]]
    assert entry_size("total 120") is None
    assert entry_size("crw-rw-rw-  1 root root   1, 3 May  9  2026 null") is None


def test_codex_cut_keeps_half_the_budget_from_each_end_of_an_output_over_it() -> None:
    """As the real Codex 0.171 cut a 114,000-byte output (tests/fake_provider): 20,000 bytes from each end and
    `…18500 tokens truncated…` between, with the limit at 10,000 tokens; 5,000 from each end at 2,500."""
    from benchmarks.session import CODEX, codex_cut

    text = "".join(f"line {i:06d} the quick brown fox jumps\n" for i in range(3000))
    assert codex_cut(text[:40_000]) == text[:40_000]
    cut = codex_cut(text)
    assert cut == text[:20_000] + "…18500 tokens truncated…" + text[-20_000:]
    CODEX["limit"] = 2500
    try:
        assert codex_cut(text) == text[:5000] + "…26000 tokens truncated…" + text[-5000:]
    finally:
        CODEX["limit"] = 10_000
