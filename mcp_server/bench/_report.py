"""How a benchmark run is shown: aligned tables on a terminal, the same tables as Markdown for the README.

The README is the lead's file: `update_readme` only replaces the text between
the ``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers, keeps a copy of
the previous file, and writes through a temporary file and an atomic rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ccr import InputError
from mcp_server.bench._results import ALL, BenchReport, SystemRun, summarize, time_ratio
from mcp_server.bench._server import ServerNumbers

__all__ = [
    "README_END",
    "README_START",
    "Table",
    "render_markdown",
    "render_terminal",
    "replace_between_markers",
    "report_tables",
    "update_readme",
]

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

Table = tuple[str, list[str], list[list[str]]]
_OURS = "headroom-mcp"


def _pct(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def _ms(value: float, samples: int) -> str:
    return f"{value:.1f}" if samples else "n/a"


def _system_table(run: SystemRun) -> Table:
    title = f"{run.system} {run.version}, {'with the sample query' if run.mode == 'query' else 'no query'}"
    headers = [
        "category",
        "samples",
        "tokens in",
        "tokens out",
        "reduction",
        "needles kept",
        "strict",
        "kept + 1 retrieval",
        "median ms",
        "MB/s",
        "exact round trip",
    ]
    rows = []
    for c in summarize(run):
        exact = "n/a" if c.round_trip_ok is None else f"{c.round_trip_ok}/{c.samples}"
        errors = f" ({c.errors} failed)" if c.errors else ""
        rows.append(
            [
                c.category,
                f"{c.samples}{errors}",
                f"{c.tokens_before:,}",
                f"{c.tokens_after:,}",
                _pct(c.reduction, 1),
                _pct(c.kept_rate),
                _pct(c.strict_rate),
                _pct(c.retrieval_rate),
                _ms(c.median_ms, c.samples),
                f"{c.throughput_mb_s:.1f}" if c.samples else "n/a",
                exact,
            ]
        )
    return title, headers, rows


def _side_by_side(ours: SystemRun, peer: SystemRun) -> Table:
    title = (
        f"side by side, no query (the peer's tool takes none): {ours.system} {ours.version} "
        f"vs {peer.system} {peer.version}, same samples, same run"
    )
    headers = [
        "category",
        "samples",
        "tokens in",
        "ours: reduction",
        "kept",
        "median ms",
        "peer: reduction",
        "kept",
        "median ms",
        "peer time / ours",
    ]
    peer_rows = {c.category: c for c in summarize(peer)}
    rows = []
    for c in summarize(ours):
        p = peer_rows.get(c.category)
        if p is None:
            continue
        ratio = time_ratio(p, c)
        rows.append(
            [
                c.category,
                str(c.samples) if c.samples == p.samples else f"{c.samples}/{p.samples}",
                f"{c.tokens_before:,}",
                _pct(c.reduction, 1),
                _pct(c.kept_rate),
                _ms(c.median_ms, c.samples),
                _pct(p.reduction, 1),
                _pct(p.kept_rate),
                _ms(p.median_ms, p.samples),
                "n/a" if ratio is None else f"{ratio:.1f}x",
            ]
        )
    return title, headers, rows


def _server_table(server: ServerNumbers | None) -> Table | None:
    if server is None:
        return None
    title, headers = "MCP server over stdio (the real server, a subprocess)", ["measure", "value"]
    if not server.measured:
        return title, headers, [["all", f"not measured: {server.reason}"]]
    rows = [["start to initialize response (median)", f"{server.startup_ms or 0:.0f} ms"]]
    for trip in server.round_trips:
        rows.append(
            [
                f"headroom_compress round trip, {trip.label} log (median)",
                f"{trip.median_ms:.1f} ms ({trip.tokens_before:,} -> {trip.tokens_after:,} tokens)",
            ]
        )
    rss = server.idle_rss_bytes
    rows.append(["idle memory (RSS after initialize)", "n/a" if rss is None else f"{rss / 1e6:.0f} MB"])
    return title, headers, rows


def report_tables(report: BenchReport) -> list[Table]:
    """Our table per mode, the side-by-side when the peer ran, the server numbers when measured."""
    tables = [_system_table(run) for run in report.systems if run.system == _OURS]
    ours = report.system(_OURS, "no-query")
    peer = next((run for run in report.systems if run.system != _OURS), None)
    if ours is not None and peer is not None:
        tables.append(_side_by_side(ours, peer))
    server = _server_table(report.server)
    if server is not None:
        tables.append(server)
    return tables


def _widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]


def _header_lines(report: BenchReport) -> list[str]:
    return [
        f"corpus {report.corpus}: {report.samples} samples"
        + (f" ({len(report.problems)} skipped as malformed)" if report.problems else ""),
        f"{report.date}; {report.machine.describe()}",
        f"tokens: {report.encoding}; times: median of {report.runs} runs after a warm-up",
    ]


def _notes(report: BenchReport) -> list[str]:
    notes = [f"{run.label}: {note}" for run in report.systems for note in run.notes]
    if report.peer_error:
        notes.append(f"peer not compared: {report.peer_error}")
    return notes


def render_terminal(report: BenchReport) -> str:
    """The tables aligned for a terminal, numbers right-aligned."""
    out = _header_lines(report)
    for title, headers, rows in report_tables(report):
        widths = _widths(headers, rows)
        out += ["", title]
        out.append(
            "  ".join(
                h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
            )
        )
        for row in rows:
            cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            out.append("  ".join(cells).rstrip())
    notes = _notes(report)
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: BenchReport, command: str | None = None) -> str:
    """The tables as Markdown, headed by the date, the machine and how to reproduce them."""
    out = [f"_{line}_  " for line in _header_lines(report)]
    if command:
        out.append(f"_reproduce: `{command}`_")
    for title, headers, rows in report_tables(report):
        out += ["", f"**{_md_cell(title)}**", ""]
        out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|")
        for row in rows:
            cells = [f"**{c}**" if row[0] == ALL and c else _md_cell(c) for c in row]
            out.append("| " + " | ".join(cells) + " |")
    notes = _notes(report)
    if notes:
        out += ["", *(f"- {_md_cell(n)}" for n in notes)]
    return "\n".join(out) + "\n"


def replace_between_markers(text: str, body: str) -> str:
    """`text` with everything between the bench markers replaced by `body`.

    Raises:
        InputError: the markers are missing, repeated or out of order.
    """
    if text.count(README_START) != 1 or text.count(README_END) != 1:
        raise InputError(f"expected exactly one {README_START} and one {README_END} line")
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    if README_END in head:
        raise InputError(f"{README_END} comes before {README_START}")
    return f"{head}{README_START}\n{body.strip()}\n{README_END}{tail}"


def update_readme(path: Path, body: str, backup_dir: Path | None = None) -> Path | None:
    """Put `body` between the bench markers of `path`; returns the backup written, or None when unchanged.

    The previous file is copied to `backup_dir` (default: beside it) as ``NAME.bak``
    before an atomic replace.

    Raises:
        InputError: `path` cannot be read or written, or lacks the markers (the file is left as it was).
    """
    try:
        old = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    try:
        new = replace_between_markers(old, body)
    except InputError as exc:
        raise InputError(f"{path}: {exc}; add them where the benchmark table belongs") from exc
    if new == old:
        return None
    backup = (backup_dir or path.parent) / f"{path.name}.bak"
    try:
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, backup)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(new)
            shutil.copymode(path, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot update {path}: {exc.strerror or exc}") from exc
    return backup
