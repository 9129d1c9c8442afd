"""The project's own git history: `git log --stat`, `git log -p` and `git diff A..B` over a window drawn by the seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from benchmarks.fresh._core import (
    MAX_INPUT_BYTES,
    Context,
    Found,
    Skip,
    Unavailable,
    generator,
    needle_of,
    needles_of,
    unique_in,
)
from benchmarks.fresh._places import PROJECT, pick

__all__ = ["STAT_ROW", "Hunk", "parse_hunks"]

# Files whose hunks nobody asks about line by line.
_GENERATED = re.compile(r"(^|/)(package-lock\.json|Cargo\.lock|.*\.lock|.*\.min\.js|.*\.svg|.*\.png)$")


def _git(ctx: Context, *args: str) -> str:
    if not (PROJECT / ".git").exists():
        raise Unavailable(f"{PROJECT} is not a git checkout")
    return ctx.run(["git", "-C", str(PROJECT), "-c", "core.pager=cat", "-c", "color.ui=never", *args], cache=True)


def _commits(ctx: Context) -> list[str]:
    hashes = _git(ctx, "log", "--format=%H").split()
    if len(hashes) < 6:
        raise Unavailable(f"the checkout holds {len(hashes)} commits (a shallow clone?)")
    return hashes


def _subject(ctx: Context, commit: str) -> str:
    words = _git(ctx, "log", "-1", "--format=%s", commit).split()
    return " ".join(words[:12]) + (" ..." if len(words) > 12 else "")


def _window(ctx: Context, rng: random.Random, args: list[str], min_n: int, max_n: int) -> tuple[str, list[str]]:
    """`git log <args> -n N --skip S` at a seeded place, N shrunk until the output fits the size bound."""
    total = len(_commits(ctx))
    n = rng.randint(min_n, max_n)
    skip = rng.randrange(max(1, total - n))
    while True:
        argv = ["log", *args, f"-n{n}", f"--skip={skip}"]
        text = _git(ctx, *argv)
        if len(text.encode()) <= MAX_INPUT_BYTES or n == 1:
            return text, argv
        n = max(1, n // 2)


@generator("git_log_stat", "shell_listing")
def git_log_stat(ctx: Context, rng: random.Random) -> Found:
    text, argv = _window(ctx, rng, ["--stat"], 10, 60)
    commits: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("commit "):
            commits.append((line, []))
        elif commits and " | " in line and line.startswith(" "):
            commits[-1][1].append(line)
    fitting = [(head, files) for head, files in commits if 1 <= len(files) <= 6]
    head, files = pick(rng, fitting, "commits changing 1-6 files")
    commit = head.split()[1]
    return Found(
        source=f"git {' '.join(argv)} (in the project checkout)",
        query=f"Which files did the commit {commit[:10]} ({_subject(ctx, commit)}) change, and by how many lines?",
        needles=needles_of(files, text),
        notes="A window of the project's history; a commit changing 1-6 files drawn with the seed; needles = its "
        "file stat lines.",
        text=text,
    )


@dataclass
class Hunk:
    commit: str
    path: str
    header: str
    changes: list[str] = field(default_factory=list)


def parse_hunks(text: str) -> list[Hunk]:
    """Every hunk of a `git diff` / `git log -p` text with its commit (if any), file, header and +/- lines."""
    hunks: list[Hunk] = []
    commit = path = ""
    for line in text.splitlines():
        if line.startswith("commit ") and len(line.split()) >= 2:
            commit = line.split()[1]
        elif line.startswith("diff --git "):
            path = line.rsplit(" b/", 1)[-1]
        elif line.startswith("@@"):
            hunks.append(Hunk(commit, path, line))
        elif hunks and line[:1] in "+-" and not line.startswith(("+++ ", "--- ")):
            hunks[-1].changes.append(line)
    return hunks


def _hunk_needles(hunk: Hunk, text: str) -> tuple[str, ...]:
    """The hunk's +/- lines as needles (first 200 characters), only those occurring once when at least one does."""
    pieces = [p for p in (needle_of(line) for line in hunk.changes) if p is not None and len(p) > 9]
    once = [p for p in pieces if text.count(p) == 1]
    return needles_of(once or pieces, text)


def _draw_hunk(rng: random.Random, text: str) -> Hunk:
    hunks = [h for h in parse_hunks(text) if 2 <= len(h.changes) <= 12 and not _GENERATED.search(h.path)]
    return pick(rng, hunks, "hunks changing 2-12 lines")


@generator("git_log_p", "diff")
def git_log_p(ctx: Context, rng: random.Random) -> Found:
    text, argv = _window(ctx, rng, ["-p"], 2, 12)
    hunk = _draw_hunk(rng, text)
    return Found(
        source=f"git {' '.join(argv)} (in the project checkout)",
        query=f"What did the commit {hunk.commit[:10]} ({_subject(ctx, hunk.commit)}) change in {hunk.path}?",
        needles=_hunk_needles(hunk, text),
        notes="A window of the project's history; a hunk changing 2-12 lines (no lock or generated file) drawn "
        "with the seed; needles = its +/- lines, only those occurring once in the output when any does.",
        text=text,
    )


@generator("git_diff", "diff")
def git_diff(ctx: Context, rng: random.Random) -> Found:
    commits = _commits(ctx)
    distance = rng.randint(2, 15)
    start = rng.randrange(distance, len(commits))
    old, new = commits[start], commits[start - distance]
    text = _git(ctx, "diff", f"{old[:12]}..{new[:12]}")
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise Skip(f"git diff {old[:12]}..{new[:12]} is over {MAX_INPUT_BYTES:,} bytes")
    hunk = _draw_hunk(rng, text)
    context = hunk.header.split("@@")[-1].strip()
    where = f" near `{context[:60]}`" if context else ""
    return Found(
        source=f"git diff {old[:12]}..{new[:12]} (in the project checkout)",
        query=f"How did {hunk.path} change between {old[:12]} and {new[:12]}{where}?",
        needles=_hunk_needles(hunk, text),
        notes="Two commits 2-15 apart drawn with the seed; a hunk changing 2-12 lines (no lock or generated "
        "file) drawn with the seed; needles = its +/- lines, only those occurring once when any does.",
        text=text,
    )


@generator("git_blame", "shell_listing")
def git_blame(ctx: Context, rng: random.Random) -> Found:
    files = [p for p in _git(ctx, "ls-files").split() if p.endswith((".py", ".rs", ".md", ".toml", "Makefile"))]
    for _ in range(6):
        path = pick(rng, files, "tracked files")
        if not (PROJECT / path).is_file():
            continue
        text = _git(ctx, "blame", *rng.choice(((), ("-w",), ("--date=short",))), "--", path)
        rows = text.splitlines()
        if len(rows) < 40 or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        # The code after the `(author date line)` part: a row asked for by the text it holds, occurring once.
        code = [(row, row.split(") ", 1)[1].strip()) for row in rows if ") " in row]
        fitting = [(row, line) for row, line in code if len(line) >= 12 and _once(line, rows)]
        if not fitting:
            continue
        row, line = pick(rng, fitting, "lines")
        return Found(
            source=f"git blame {path} (in the project checkout)",
            query=f"Which commit last changed the line `{line[:80]}` of {path}, and when?",
            needles=needles_of([row], text),
            notes="A tracked file of 40+ lines drawn with the seed (blame options too); a line of 12+ characters "
            "whose text occurs once in the file drawn with the seed; needle = its blame row.",
            text=text,
        )
    raise Skip("no tracked file with a fitting line in 6 draws")


def _once(line: str, rows: list[str]) -> bool:
    return sum(line in row for row in rows) == 1


def _range(ctx: Context, rng: random.Random, min_n: int, max_n: int) -> tuple[str, str]:
    """Two commits `min_n`-`max_n` apart at a seeded place (older, newer)."""
    commits = _commits(ctx)
    distance = rng.randint(min_n, max_n)
    start = rng.randrange(distance, len(commits))
    return commits[start], commits[start - distance]


@generator("format_patch", "diff")
def format_patch(ctx: Context, rng: random.Random) -> Found:
    """`git format-patch --stdout A..B`: a patch series as mail (`From <hash> ...`, `From:`, `Date:`,
    `Subject: [PATCH n/m] ...`, the message, `---`, a diffstat, the diff, a `-- ` signature), one per commit."""
    for _ in range(6):
        old, new = _range(ctx, rng, 2, 8)
        text = _git(ctx, "format-patch", "--stdout", f"{old[:12]}..{new[:12]}")
        if len(text.encode()) > MAX_INPUT_BYTES:
            continue
        # The k-th `@@` line is parse_hunks' k-th hunk: each hunk with the Subject line of the patch holding it.
        subjects, subject = [], ""
        for line in text.splitlines():
            if line.startswith("Subject: [PATCH"):
                subject = line
            elif line.startswith("@@"):
                subjects.append(subject)
        # A hunk with a changed line said once in the series: a series repeats lines (a change, then its revert),
        # and the question must name one hunk.
        fitting = [
            (h, s)
            for h, s in zip(parse_hunks(text), subjects, strict=True)
            if 2 <= len(h.changes) <= 12
            and not _GENERATED.search(h.path)
            and any(unique_in(piece, text) for piece in _hunk_needles(h, text))
        ]
        if not fitting:
            continue
        hunk, subject = fitting[rng.randrange(len(fitting))]
        number = subject.split("]", 1)[0].removeprefix("Subject: [")
        context = hunk.header.split("@@")[-1].strip()
        where = f" near `{context[:60]}`" if context else ""
        return Found(
            source=f"git format-patch --stdout {old[:12]}..{new[:12]} (in the project checkout)",
            query=f"What does {number} of this series change in {hunk.path}{where}?",
            needles=_hunk_needles(hunk, text),
            notes="Two commits 2-8 apart drawn with the seed; a hunk changing 2-12 lines (no lock or generated file) "
            "with a changed line said once in the series drawn with the seed, asked by its patch number, file and "
            "hunk context; needles = its +/- lines that occur once.",
            text=text,
        )
    raise Skip("no patch series under the size bound with a fitting hunk in 6 draws")


# A diffstat row: ` path/to/file.py | 12 +++---` (git shortens long paths with `...`).
STAT_ROW = re.compile(r"^ (?P<path>\S.*?)\s+\|\s+(?P<count>\d+|Bin) ?[+-]*$")


@generator(
    "git_diff_stat",
    "diff",
    gap="query (diff): the diffstat rows before the first `diff --git` are hidden, also when the question names a file",
)
def git_diff_stat(ctx: Context, rng: random.Random) -> Found:
    """`git diff --stat -p A..B` (or `git show --stat -p C`): the diffstat table before the patch, asked how
    much one file changed."""
    for _ in range(6):
        if rng.random() < 0.5:
            old, new = _range(ctx, rng, 2, 10)
            argv = ["diff", "--stat=120", "-p", f"{old[:12]}..{new[:12]}"]
        else:
            commit = pick(rng, _commits(ctx), "commits")
            argv = ["show", "--stat=120", "-p", commit[:12]]
        text = _git(ctx, *argv)
        if len(text.encode()) > MAX_INPUT_BYTES:
            continue
        rows = [(line, m) for line in text.splitlines() if (m := STAT_ROW.match(line)) and "..." not in m["path"]]
        rows = [(line, m) for line, m in rows if not _GENERATED.search(m["path"]) and text.count(line) == 1]
        if len(rows) < 3:
            continue
        line, match = rows[rng.randrange(len(rows))]
        return Found(
            source=f"git {' '.join(argv)} (in the project checkout)",
            query=f"How many lines changed in {match['path'].strip()} in this diff?",
            needles=needles_of([line], text),
            notes="A range of 2-10 commits or one commit drawn with the seed, 3+ files changed; a diffstat row "
            "(its path shown whole, no lock or generated file) drawn with the seed; needle = that row.",
            text=text,
        )
    raise Skip("no diff under the size bound with 3+ diffstat rows in 6 draws")


@generator("commit_messages", "issue_thread")
def commit_messages(ctx: Context, rng: random.Random) -> Found:
    """`git log --format=fuller` over a window: authored, dated entries of prose that refer to each other (the
    closest thing to a discussion thread this machine holds), asked which entry says a quoted phrase."""
    for _ in range(6):
        text, argv = _window(ctx, rng, ["--format=fuller"], 8, 60)
        lines = text.splitlines()
        entries: list[tuple[str, str, list[str]]] = []
        for line in lines:
            if line.startswith("commit "):
                entries.append((line, "", []))
            elif entries and line.startswith("AuthorDate: "):
                entries[-1] = (entries[-1][0], line, entries[-1][2])
            elif entries and line.startswith("    ") and line.strip():
                entries[-1][2].append(line.strip())
        # A body line past the subject, quoted by its first eight words, found in no other entry.
        options = []
        for commit, date, body in entries:
            for said in body[1:]:
                words = said.split()
                if len(words) >= 10:
                    phrase = " ".join(words[:8])
                    if text.count(phrase) == 1 and date and text.count(date) == 1:
                        options.append((commit, date, phrase))
        if not options:
            continue
        commit, date, phrase = options[rng.randrange(len(options))]
        return Found(
            source=f"git {' '.join(argv)} (in the project checkout)",
            query=f"Which commit says “{phrase}”, and when was it written?",
            needles=needles_of([commit, date], text),
            notes="A window of 8-60 commits of the project's history with their full messages; a message line "
            "past the subject (10+ words) drawn with the seed, quoted by its first eight words, which occur once; "
            "needles = that entry's `commit` line and `AuthorDate:` line.",
            text=text,
        )
    raise Skip("no window with a quotable message line in 6 draws")
