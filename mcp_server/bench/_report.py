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
    "LEGEND",
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

LEGEND = (
    "reduction: 1 - tokens out / tokens in over the category's samples (o200k_base).",
    "needles kept: found in the output once whitespace runs are collapsed; a needle made only of JSON "
    '`"key": value` pairs also counts when each key and value occurs as a whole token. strict: byte for byte.',
    "kept + 1 retrieval: also found in one `store.query(hash, query, max_tokens=2000)` excerpt "
    "(the sample's question; the peer's retrieve returns only whole originals).",
    "median ms: median over the samples of each sample's median time; MB/s: bytes over the sum of those times.",
    "exact round trip: `store.get(hash)` returned the input byte for byte.",
)
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


def _server_column(server: ServerNumbers | None, rows: int) -> list[str]:
    if server is None:
        return ["n/a"] * rows
    if not server.measured:
        return [f"not measured: {server.reason}"] + [""] * (rows - 1)
    trips = {t.label: t for t in server.round_trips}
    column = [f"{server.startup_ms or 0:.0f} ms"]
    column.append("n/a" if server.first_tools_list_ms is None else f"{server.first_tools_list_ms:.0f} ms")
    for label in _TRIP_LABELS:
        trip = trips.get(label)
        column.append(
            "n/a"
            if trip is None
            else f"{trip.median_ms:.1f} ms ({trip.tokens_before:,} -> {trip.tokens_after:,} tokens)"
        )
    column.append("n/a" if server.idle_rss_bytes is None else f"{server.idle_rss_bytes / 1e6:.0f} MB")
    return column


_TRIP_LABELS = ("1 KB", "100 KB", "1 MB")


def _server_table(report: BenchReport) -> Table | None:
    if report.server is None:
        return None
    labels = [
        "start to initialize answer",
        "start to first tools/list answer",
        *(f"headroom_compress round trip, {label} log" for label in _TRIP_LABELS),
        "idle memory (RSS after initialize)",
    ]
    ours = report.system(_OURS, "no-query") or report.system(_OURS, "query")
    columns = [_server_column(report.server, len(labels))]
    headers = ["measure", f"{_OURS} {ours.version if ours else ''}".strip()]
    peer = next((run for run in report.systems if run.system != _OURS), None)
    if report.peer_server is not None:
        column = _server_column(report.peer_server, len(labels))
        if report.peer_server.measured:
            column[2 : 2 + len(_TRIP_LABELS)] = ["not measured"] * len(_TRIP_LABELS)
        columns.append(column)
        headers.append(f"{peer.system} {peer.version}" if peer else "peer")
    rows = [[label, *(column[i] for column in columns)] for i, label in enumerate(labels)]
    return "MCP server over stdio (real subprocesses; medians)", headers, rows


def report_tables(report: BenchReport) -> list[Table]:
    """Our table per mode, the side-by-side when the peer ran, the server numbers when measured."""
    tables = [_system_table(run) for run in report.systems if run.system == _OURS]
    ours = report.system(_OURS, "no-query")
    peer = next((run for run in report.systems if run.system != _OURS), None)
    if ours is not None and peer is not None:
        tables.append(_side_by_side(ours, peer))
    server = _server_table(report)
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
        f"tokens: {report.encoding}; times: median of {report.runs} runs after a warm-up"
        " (ours: each run keeps a new original)",
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
    out += ["", *(f"- {line}" for line in LEGEND)]
    out += [f"- {_md_cell(n)}" for n in _notes(report)]
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
