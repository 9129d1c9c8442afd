"""Routing real output by its content: logs that declare a level in a leading field but carry no time stamp
(npm's debug log: `12 silly placeDep ...`), and plain text that is not prose, reach the line/log path; XML
documents reach the config outline, which keeps their nesting; the kernel's messages with a facility/level or
priority prefix before their stamp (`dmesg -x`, `dmesg -r`, as this machine prints them) reach the log path; a
command's help (rows of options) reaches the listing path and `sysctl -a` (`name = value` settings) the config one.

The npm log is made at test time (`benchmarks.fresh`'s npm_debug_log: an offline `npm install --loglevel silly`
of scratch local packages), the XML files are this machine's (xml_file); the seed is today's date, printed on
failure (HEADROOM_FRESH_SEED repeats it).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.fresh import default_seed, generate
from ccr import Settings, Store
from compressors import compress, detect

SEED = os.environ.get("HEADROOM_FRESH_SEED") or default_seed()


@pytest.fixture
def store() -> Iterator[Store]:
    with tempfile.TemporaryDirectory(prefix="headroom-detect-") as home, Store(Settings(home=Path(home))) as s:
        yield s


def test_an_npm_debug_log_is_routed_to_the_log_compressor_and_keeps_its_errors_and_end(store: Store) -> None:
    run = generate(SEED, per_category=3, kinds=["npm_debug_log"], slow=False)
    if "npm_debug_log" in run.unavailable:
        pytest.skip(f"npm cannot run here: {run.skipped}")
    assert run.samples, f"seed {SEED}: no npm debug log; skipped {run.skipped}"
    for sample in run.samples:
        where = f"seed {SEED} {sample.name}"
        assert detect(sample.text).content_type == "log", where
        result = compress(sample.text, store=store)
        assert result.compressor == "log", where
        assert result.tokens_after * 2 < result.tokens_before, f"{where}: {result.tokens_after}/{result.tokens_before}"
        lines = sample.text.splitlines()
        for line in [*(x for x in lines if " error " in x[:12]), lines[-1]]:
            assert line in result.compressed, f"{where}: {line!r} lost"


def test_plain_text_of_structured_lines_is_compressed_as_lines_not_as_prose(store: Store) -> None:
    # Fields without a level or a time: nothing a scan calls a log, and no sentences either.
    rows = [f"job {i:04d} queue=batch-{i % 7} worker=w{i % 13} items={i * 37 % 1000} state=done" for i in range(300)]
    rows[211] = "job 0211 queue=batch-1 worker=w3 items=0 state=STUCK retries=5"
    text = "\n".join(rows) + "\n"
    result = compress(text, store=store, content_type="text")
    assert rows[211] in result.compressed
    assert rows[-1] in result.compressed
    assert result.tokens_after * 3 < result.tokens_before


def test_plain_prose_stays_with_the_prose_compressor(store: Store) -> None:
    sentence = "The archive is read from the start, and each member is listed with the size it has on disk."
    text = "\n".join(f"{sentence} This is note {i} of the manual." for i in range(60)) + "\n"
    from compressors._prose import reads_as_prose

    assert reads_as_prose(text)
    assert not reads_as_prose(
        "\n".join(f"{i} silly placeDep ROOT pkg{i}@1.0.{i} OK for: app want: ^1" for i in range(40))
    )


def test_xml_files_of_this_machine_go_to_config_and_keep_the_element_the_query_names(store: Store) -> None:
    run = generate(SEED, per_category=4, kinds=["xml_file"], slow=False)
    if "xml_file" in run.unavailable:
        pytest.skip(f"no XML files here: {run.skipped}")
    assert run.samples, f"seed {SEED}: no XML sample; skipped {run.skipped}"
    for sample in run.samples:
        where = f"seed {SEED} {sample.name}"
        assert detect(sample.text).content_type == "config", where
        result = compress(sample.text, store=store, query=sample.query)
        # Kept, or found by the one query retrieval the output's handle allows (a question that names only a tag
        # and its holder can be vague in a file of thousands of such elements).
        found = " ".join((result.compressed + store.query(result.hash, sample.query).text).split())
        for needle in sample.needles:
            assert " ".join(needle.split()) in found, f"{where}: {needle!r} lost"


@pytest.mark.parametrize("options", [["-x"], ["-r"], ["-x", "-T"]])
def test_kernel_messages_with_a_facility_or_priority_before_the_stamp_are_a_log_that_keeps_its_end(
    store: Store, options: list[str]
) -> None:
    # `dmesg -x` prints `kern  :info  : [    1.35] ...`, `dmesg -r` `<6>[    1.35] ...`: the stamp still leads
    # the message, after a prefix naming its facility and level (not a table's time column).
    try:
        done = subprocess.run(["dmesg", *options], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"dmesg cannot run here: {exc}")
    text = done.stdout
    if done.returncode != 0 or text.count("\n") < 50:
        pytest.skip(f"dmesg {' '.join(options)} printed {text.count(chr(10))} lines (exit {done.returncode})")
    assert detect(text).content_type == "log"
    result = compress(text, store=store, query="What are the newest entries of this log?")
    assert text.splitlines()[-1].strip()[:200] in result.compressed


def test_a_commands_help_keeps_the_option_the_question_names(store: Store) -> None:
    # `curl --help all`, `tar --help`, `cargo build --help`...: rows of options (the prose path once kept none of
    # them); either path now keeps the entry a question names (`rustcore/src/prose/entries.rs`). `java -X`, whose
    # option rows are few among its lines, reads as text.
    run = generate(SEED, per_category=4, kinds=["cli_help"], slow=False)
    if "cli_help" in run.unavailable or not run.samples:
        pytest.skip(f"no command's help here: {run.skipped}")
    for sample in run.samples:
        where = f"seed {SEED} {sample.name} ({sample.source})"
        result = compress(sample.text, store=store, query=sample.query)
        assert result.compressor in ("listing", "prose", "none"), where
        for needle in sample.needles:
            assert needle in result.compressed, f"{where}: {needle!r} lost"


def test_kernel_settings_dumped_by_sysctl_are_config_and_keep_the_setting_the_question_names(store: Store) -> None:
    run = generate(SEED, per_category=2, kinds=["sysctl_a"], slow=False)
    if "sysctl_a" in run.unavailable or not run.samples:
        pytest.skip(f"sysctl cannot run here: {run.skipped}")
    for sample in run.samples:
        where = f"seed {SEED} {sample.name}"
        assert detect(sample.text).content_type == "config", where
        result = compress(sample.text, store=store, query=sample.query)
        assert result.tokens_after * 5 < result.tokens_before, where
        for needle in sample.needles:
            assert needle in result.compressed, f"{where}: {needle!r} lost"


def test_python_sources_that_are_mostly_a_table_are_code_and_keep_their_classes(store: Store) -> None:
    # The stdlib's single-byte codecs: a few classes and functions, then a 256-row decoding table.
    import encodings

    folder = Path(encodings.__file__).parent
    modules = sorted(folder.glob("cp*.py"))[:12]
    if len(modules) < 4:
        pytest.skip("no codec modules in this Python")
    for path in modules:
        text = path.read_text(encoding="utf-8")
        found = detect(text)
        assert (found.content_type, found.language) == ("code", "python"), path.name
        result = compress(text, store=store)
        classes = [line for line in text.splitlines() if line.startswith("class ")]
        assert classes and all(line in result.compressed for line in classes), path.name
        assert result.tokens_after * 2 < result.tokens_before, path.name
