"""Aggregation, tables, the README section and the plot, on results built by hand."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import pytest

from ccr import InputError
from mcp_server.bench import (
    ALL,
    README_END,
    README_START,
    BenchReport,
    MachineInfo,
    NeedleScore,
    SampleResult,
    SystemRun,
    plot_reduction_vs_retention,
    render_markdown,
    render_terminal,
    replace_between_markers,
    summarize,
    time_ratio,
    update_readme,
)


def result(name: str, category: str, before: int, after: int, kept: int, total: int, ms: float) -> SampleResult:
    return SampleResult(
        name=name,
        category=category,
        bytes=before * 4,
        tokens_before=before,
        tokens_after=after,
        needles=NeedleScore(total, kept, kept, total, ()),
        median_ms=ms,
        round_trip=True,
    )


OURS = SystemRun(
    "headroom-mcp",
    "no-query",
    "0.0.test",
    (
        result("l1", "logs", 1000, 100, 3, 4, 2.0),
        result("l2", "logs", 3000, 900, 4, 4, 6.0),
        result("j1", "json_api", 500, 500, 1, 1, 1.0),
    ),
)
PEER = SystemRun(
    "headroom-ai",
    "no-query",
    "9.9",
    (
        result("l1", "logs", 1000, 500, 1, 4, 20.0),
        result("l2", "logs", 3000, 3000, 4, 4, 30.0),
        result("j1", "json_api", 500, 250, 1, 1, 4.0),
    ),
)


def report(*systems: SystemRun) -> BenchReport:
    return BenchReport(
        corpus="/tmp/corpus",
        date="2025-01-02T03:04:05+00:00",
        machine=MachineInfo(cpu="Test CPU 9000", cores=3, system="Linux", python="3.11"),
        encoding="o200k_base",
        runs=2,
        samples=3,
        problems=(),
        systems=systems,
    )


def test_category_figures_weigh_tokens_and_needles_over_the_samples() -> None:
    rows = {c.category: c for c in summarize(OURS)}
    logs = rows["logs"]
    assert (logs.tokens_before, logs.tokens_after) == (1000 + 3000, 100 + 900)
    assert logs.reduction == pytest.approx(1 - (100 + 900) / (1000 + 3000))
    assert logs.kept_rate == pytest.approx((3 + 4) / (4 + 4))
    assert logs.median_ms == pytest.approx((2.0 + 6.0) / 2)
    every = rows[ALL]
    assert every.samples == 3
    assert every.tokens_before == 1000 + 3000 + 500
    assert every.kept == 3 + 4 + 1
    assert every.round_trip_ok == 3


def test_a_failed_sample_is_counted_apart_and_left_out_of_the_figures() -> None:
    failed = SampleResult("x", "logs", 10, 10, 10, NeedleScore(2, 0, 0, None, ("a", "b")), 0.0, error="boom")
    run = SystemRun("headroom-mcp", "query", "t", (*OURS.samples, failed))
    logs = {c.category: c for c in summarize(run)}["logs"]
    assert (logs.samples, logs.errors, logs.needles) == (2, 1, 8)


def test_time_ratio_divides_the_category_medians() -> None:
    ours = {c.category: c for c in summarize(OURS)}
    peer = {c.category: c for c in summarize(PEER)}
    assert time_ratio(peer["logs"], ours["logs"]) == pytest.approx(((20.0 + 30.0) / 2) / ((2.0 + 6.0) / 2))


def test_the_terminal_table_shows_every_category_and_the_side_by_side() -> None:
    text = render_terminal(report(OURS, PEER))
    for needle in ("logs", "json_api", ALL, "Test CPU 9000, 3 cores", "side by side", "headroom-ai 9.9"):
        assert needle in text
    reduction = f"{(1 - 1000 / 4000) * 100:.1f}%"
    assert reduction in text
    ratio = f"{((20.0 + 30.0) / 2) / ((2.0 + 6.0) / 2):.1f}x"
    assert ratio in text


def test_without_the_peer_there_is_no_side_by_side_and_the_reason_is_shown() -> None:
    plain = render_terminal(report(OURS))
    assert "side by side" not in plain
    missing = dataclasses.replace(report(OURS), peer_error="no .venv-peer")
    assert "peer not compared: no .venv-peer" in render_terminal(missing)


def test_the_markdown_has_a_header_row_and_separator_per_table() -> None:
    md = render_markdown(report(OURS, PEER), command="headroom bench corpus --out bench-out")
    assert "`headroom bench corpus --out bench-out`" in md
    assert "Test CPU 9000" in md and "2025-01-02" in md
    tables = [line for line in md.splitlines() if line.startswith("|---")]
    assert len(tables) == 2
    assert any(line.startswith("| **ALL** |") for line in md.splitlines())


def test_readme_text_between_the_markers_is_replaced_and_the_rest_kept() -> None:
    text = f"# Title\nintro\n{README_START}\nold table\n{README_END}\nafter\n"
    new = replace_between_markers(text, "| new | table |")
    assert new == f"# Title\nintro\n{README_START}\n| new | table |\n{README_END}\nafter\n"


@pytest.mark.parametrize(
    "text",
    [
        "# no markers at all\n",
        f"{README_START}\nonly a start\n",
        f"{README_END}\nend first\n{README_START}\n",
        f"{README_START}\n{README_END}\n{README_START}\n{README_END}\n",
    ],
)
def test_a_readme_without_exactly_one_pair_of_markers_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        replace_between_markers(text, "table")


def test_update_readme_keeps_a_copy_and_leaves_a_bad_file_untouched(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    original = f"# Project\n{README_START}\nold\n{README_END}\n"
    readme.write_text(original, encoding="utf-8")
    backup = update_readme(readme, "new table", backup_dir=tmp_path / "out")
    assert backup == tmp_path / "out" / "README.md.bak"
    assert backup.read_text(encoding="utf-8") == original
    assert "new table" in readme.read_text(encoding="utf-8")
    assert update_readme(readme, "new table") is None

    broken = tmp_path / "OTHER.md"
    broken.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"OTHER\.md"):
        update_readme(broken, "table")
    assert broken.read_text(encoding="utf-8") == "# no markers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OTHER.md", "README.md", "out"]


def test_the_plot_is_a_valid_png(tmp_path: Path) -> None:
    path = plot_reduction_vs_retention([OURS, PEER], tmp_path / "plot.png", title="test")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 100
    assert data[-8:-4] == b"IEND"


def test_a_plot_that_cannot_be_written_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write the plot"):
        plot_reduction_vs_retention([OURS], tmp_path / "missing-dir" / "plot.png")


def test_the_server_table_shows_ours_beside_the_peers_and_says_what_was_not_measured() -> None:
    from mcp_server.bench import ServerNumbers
    from mcp_server.bench._server import RoundTripFigure

    ours = ServerNumbers(
        measured=True,
        startup_ms=412.0,
        first_tools_list_ms=905.0,
        idle_rss_bytes=61_000_000,
        round_trips=(RoundTripFigure(1024, 3.5, 420, 420), RoundTripFigure(1024 * 1024, 88.25, 424_000, 3_900)),
    )
    peer = ServerNumbers(measured=True, startup_ms=1700.0, idle_rss_bytes=72_000_000)
    text = render_terminal(dataclasses.replace(report(OURS, PEER), server=ours, peer_server=peer))
    start = next(line for line in text.splitlines() if line.startswith("start to initialize"))
    assert "412 ms" in start and "1700 ms" in start
    listed = next(line for line in text.splitlines() if line.startswith("start to first tools/list"))
    assert "905 ms" in listed and "n/a" in listed
    one_mb = next(line for line in text.splitlines() if "1 MB log" in line)
    assert "88.2 ms (424,000 -> 3,900 tokens)" in one_mb and "not measured" in one_mb
    assert "n/a" in next(line for line in text.splitlines() if "100 KB log" in line)
    assert "61 MB" in text and "72 MB" in text

    absent = ServerNumbers(measured=False, reason="the server could not be measured: RuntimeError: no answer")
    text = render_terminal(dataclasses.replace(report(OURS), server=absent))
    assert "not measured: the server could not be measured: RuntimeError: no answer" in text
