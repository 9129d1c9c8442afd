"""Real logs: the machine's own (/var/log, npm's debug logs), a verbose pip install of scratch wheels, npm's
debug log of an install of scratch packages, and a scratch batch job logging through Python's `logging`.

A log window is `tail -n N` or `sed -n A,Bp` of a real file, drawn with the seed. The question asks for a
rare event (a line template seen at most 3 times in a window of at least 150 lines, where such lines are at
most a tenth of the window: a pattern the event breaks), the newest entries,
or the errors and failures among routine lines, whichever the window has; the needles are those lines.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import zipfile
from collections import Counter
from pathlib import Path

from benchmarks.fresh._core import MAX_INPUT_BYTES, Context, Found, Skip, generator, needles_of
from benchmarks.fresh._places import pick, read_text

__all__ = ["log_files", "log_question", "template"]

_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z]")
# An error word used as one: a level, or a word followed by a colon or a space (not a quoted option value).
_FAILURE = re.compile(
    r"\b(?:ERROR|FATAL|CRITICAL|PANIC|EMERG)\b|\b(?:[Ee]rror|[Ff]ailed|[Ff]ailure|denied|refused)(?=[:\s])"
)


def template(line: str, words: int = 4) -> tuple[str, ...]:
    """A line's event type: its first `words` tokens that are plain words (no digit, path, version or id)."""
    out = []
    for token in line.split():
        if _WORD.fullmatch(token.strip(",;()[]\"'")):
            out.append(token.strip(",;()[]\"'"))
            if len(out) == words:
                break
    return tuple(out)


def log_files() -> list[Path]:
    """Readable text logs of this machine with at least 50 lines, sorted."""
    roots = [Path("/var/log"), Path.home() / ".npm" / "_logs"]
    out = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder, name)
                if name.endswith((".gz", ".xz", ".zst", ".bz2", ".journal")) or name in ("wtmp", "btmp", "lastlog"):
                    continue
                try:
                    if not path.is_file() or path.stat().st_size < 2000 or not os.access(path, os.R_OK):
                        continue
                except OSError:
                    continue
                text = read_text(path)
                if text is not None and text.count("\n") >= 50:
                    out.append(path)
    return out


def log_question(rng: random.Random, lines: list[str]) -> tuple[str, list[str], str]:
    options: list[tuple[str, list[str], str]] = []
    entries = [line for line in lines if line.strip()]
    templates = Counter(template(line) for line in entries)
    rare = sorted(t for t, n in templates.items() if n <= 3 and len(t) >= 2)
    # A template seen at most 3 times is an event only where the log repeats itself: in a boot log most
    # lines are said once (dmesg: 80% of them), and one of those is a line no reader could tell apart
    # from the others without the question.
    routine = sum(templates[t] for t in rare) <= len(entries) // 10
    if len(entries) >= 150 and rare and routine:
        chosen = rare[rng.randrange(len(rare))]
        hits = [line for line in entries if template(line) == chosen]
        options.append(
            (
                f"When does the log record “{' '.join(chosen)}”, and what does that entry say?",
                hits,
                "a line template (its first 4 plain words) seen at most 3 times in 150+ lines where such lines are at "
                "most a tenth, drawn with the seed; needles = its lines",
            )
        )
    options.append(("What are the newest entries of this log?", entries[-2:], "needles = the last 2 entries"))
    failures = [line for line in entries if _FAILURE.search(line)]
    if 1 <= len(failures) <= 6 and len(entries) >= 10 * len(failures):
        options.append(
            ("Which errors or failures does the log record?", failures, "needles = the 1-6 lines naming an error")
        )
    return options[rng.randrange(len(options))]


@generator("system_log", "logs")
def system_log(ctx: Context, rng: random.Random) -> Found:
    path = pick(rng, log_files(), "readable logs under /var/log or ~/.npm/_logs", machine=True)
    total = (read_text(path) or "").count("\n")
    count = rng.randint(150, 6000)
    if count >= total:
        argv = ["cat", str(path)]
    elif rng.random() < 0.5:
        argv = ["tail", "-n", str(count), str(path)]
    else:
        start = rng.randint(1, total - count)
        argv = ["sed", "-n", f"{start},{start + count - 1}p", str(path)]
    text = ctx.run(argv)
    while len(text.encode()) > MAX_INPUT_BYTES:
        text = text[len(text) // 2 :].split("\n", 1)[-1]
        argv = ["tail", "-n", str(text.count("\n")), str(path)]
    query, lines, rule = log_question(rng, text.splitlines())
    return Found(
        source=" ".join(argv),
        query=query,
        needles=needles_of(lines[:6], text),
        notes=f"A log of this machine and a window of it drawn with the seed; {rule}.",
        text=text,
    )


def _wheel(folder: Path, name: str, version: str, requires: list[str]) -> None:
    """A minimal valid wheel: one module, METADATA, WHEEL and RECORD."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: scratch\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(content.encode())}")
    files[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        for path, content in files.items():
            archive.writestr(path, content)


_PARTS = ("core", "http", "cli", "io", "auth", "cache", "db", "log", "net", "text", "time", "yaml", "orm", "ui")


@generator("pip_install_log", "logs")
def pip_install_log(ctx: Context, rng: random.Random) -> Found:
    folder = ctx.scratch("pip_install_log")
    wheels = folder / "wheels"
    wheels.mkdir()
    prefix = rng.choice(("acme", "corp", "proj", "lab", "demo"))
    names = [f"{prefix}_{part}" for part in rng.sample(_PARTS, rng.randint(6, 14))]
    versions = {n: f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}" for n in names}
    conflict = rng.random() < 0.7
    broken = rng.randrange(1, len(names)) if conflict else -1
    for i, name in enumerate(names):
        deps = [f"{d}>={versions[d]}" for d in rng.sample(names[i + 1 :], min(len(names) - i - 1, rng.randint(0, 3)))]
        if i == broken:
            missing = f"{prefix}_{rng.choice([p for p in _PARTS if f'{prefix}_{p}' not in names] or ['extra'])}"
            deps.append(f"{missing}>=1.0")
        _wheel(wheels, name, versions[name], deps)
    verbosity = rng.choice(("-v", "-vv", "-vvv"))
    argv = [ctx.python, "-m", "pip", "install", verbosity, "--no-index", "--find-links", str(wheels)]
    argv += ["--target", str(folder / "target"), "--no-cache-dir", "--disable-pip-version-check", *names[:2]]
    text = ctx.run(argv, env={"PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull}, ok=lambda c: c in (0, 1))
    errors = [line for line in text.splitlines() if line.startswith("ERROR: ")]
    if errors:
        query, lines, rule = "Why did the installation fail?", errors, "needles = the ERROR: lines"
    else:
        lines = [line for line in text.splitlines() if line.startswith("Successfully installed ")]
        query, rule = "Which packages were installed, at which versions?", "needle = the Successfully installed line"
    return Found(
        source=f"pip install {verbosity} --no-index --find-links <{len(names)} scratch wheels> {' '.join(names[:2])}",
        query=query,
        needles=needles_of(lines, text),
        notes="Scratch wheels with a dependency graph drawn with the seed (70%: one requirement that no wheel "
        f"provides); {rule}.",
        text=text,
    )


# A failure npm's debug log records: `14 error code ENOENT`, `9 verbose stack Error: ...`.
_NPM_ERROR = re.compile(r"^\d+ error ")


def _npm_package(folder: Path, name: str, version: str, deps: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    manifest = {"name": name, "version": version, "main": "index.js", "dependencies": deps}
    (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (folder / "index.js").write_text(f"module.exports = {json.dumps(name)};\n", encoding="utf-8")


@generator("npm_debug_log", "logs")
def npm_debug_log(ctx: Context, rng: random.Random) -> Found:
    """`npm install --loglevel silly` of scratch local packages, offline; the sample is npm's debug log file
    (`N level message` lines: a counter and a level word, no time stamps)."""
    npm = ctx.tool("npm")
    folder = ctx.scratch("npm_debug_log")
    prefix = rng.choice(("acme", "corp", "proj", "lab", "demo"))
    names = [f"{prefix}-{part}" for part in rng.sample(_PARTS, rng.randint(6, 14))]
    broken = rng.randrange(len(names)) if rng.random() < 0.5 else -1
    for i, name in enumerate(names):
        deps = {d: f"file:../{d}" for d in rng.sample(names[i + 1 :], min(len(names) - i - 1, rng.randint(0, 2)))}
        if i == broken:
            # A local dependency whose folder does not exist: npm fails with ENOENT and says where.
            deps[f"{prefix}-missing"] = f"file:../{prefix}-missing"
        _npm_package(folder / "packages" / name, name, f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.0", deps)
    app = folder / "app"
    _npm_package(app, f"{prefix}-app", "1.0.0", {n: f"file:../packages/{n}" for n in names})
    logs = folder / "logs"
    # Packed and installed as copies (not links): npm then logs every tarball, placement and file it writes.
    argv = [npm, "install", "--offline", "--install-links", "--loglevel", "silly", "--no-audit", "--no-fund"]
    argv += ["--cache", str(folder / "cache"), "--logs-dir", str(logs), "--logs-max", "1"]
    ctx.run(argv, cwd=app, env={"HOME": str(folder), "npm_config_update_notifier": "false"}, ok=lambda c: True)
    found = sorted(logs.glob("*debug*.log"))
    if not found:
        raise Skip("npm wrote no debug log")
    text = found[-1].read_text(encoding="utf-8", errors="replace")
    errors = [line for line in text.splitlines() if _NPM_ERROR.match(line)]
    if errors:
        query, lines, rule = "Why did npm install fail?", errors[:4], "needles = the first 4 `N error` lines"
    else:
        query, lines, rule = log_question(rng, text.splitlines())
    return Found(
        source=f"npm install --offline --loglevel silly (scratch app with {len(names)} local packages): debug log",
        query=query,
        needles=needles_of(lines[:6], text),
        notes=f"Scratch packages with file: dependencies drawn with the seed (50%: one missing folder); {rule}.",
        text=text,
    )


# Formats people give `logging.basicConfig` (None: its default, `LEVEL:logger:message`).
_PY_FORMATS = (
    None,
    "%(asctime)s %(levelname)s %(name)s: %(message)s",
    "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    "[%(asctime)s] %(levelname)-8s %(name)s %(message)s",
    "%(levelname)s %(name)s %(message)s",
)
# Routine events of a batch job, and the problems it may meet (level, message); %d/%s are drawn per line.
_PY_ROUTINE = (
    ("info", "processed batch %d of %d (%d records)"),
    ("debug", "poll %d: queue depth %d"),
    ("info", "uploaded chunk %d of %s (%d bytes)"),
    ("debug", "cache hit for key %s-%d"),
    ("info", "worker %d finished task %d in %d ms"),
)
_PY_PROBLEMS = (
    ("warning", "retrying upload of %s after timeout (attempt %d)"),
    ("warning", "disk usage at %d%% on volume %s"),
    ("error", "could not open %s: permission denied (errno %d)"),
    ("error", "connection to db-%d refused; giving up on %s"),
    ("critical", "worker %d crashed while writing %s"),
    ("exception", "failed to parse record %d of %s"),
)

_PY_PROBLEM = re.compile(r"\b(?:WARNING|ERROR|CRITICAL)\b")
_PY_JOB = """\
import json, logging, sys
plan = json.load(open(sys.argv[1]))
logging.basicConfig(level=logging.DEBUG, **({"format": plan["format"]} if plan["format"] else {}))
for name, level, message in plan["events"]:
    log = logging.getLogger(name or None)
    if level == "exception":
        try:
            int(message.split()[-1].strip("."))
        except ValueError:
            log.exception(message)
    else:
        getattr(log, level)(message)
"""


def _fill(rng: random.Random, message: str) -> str:
    """`message` with each `%d` a number and each `%s` a file name drawn with the seed (`%%` a percent sign)."""
    picks = {"%d": lambda: str(rng.randint(1, 9999)), "%s": lambda: f"{rng.choice(_PARTS)}_{rng.randint(1, 99)}.dat"}
    return re.sub(r"%[ds%]", lambda m: picks.get(m.group(), lambda: "%")(), message)


@generator("python_logging", "logs")
def python_logging(ctx: Context, rng: random.Random) -> Found:
    """A scratch batch job logging through Python's `logging` (a format drawn among common ones, the default
    `LEVEL:logger:message` among them): routine INFO/DEBUG lines and a few problems, one maybe with a traceback."""
    folder = ctx.scratch("python_logging")
    loggers = ["", *(f"job.{part}" for part in rng.sample(_PARTS, rng.randint(1, 4)))]
    routine = rng.sample(_PY_ROUTINE, rng.randint(2, len(_PY_ROUTINE)))
    events = [
        [rng.choice(loggers), level, _fill(rng, message)]
        for level, message in (rng.choice(routine) for _ in range(rng.randint(300, 4000)))
    ]
    for _ in range(rng.randint(1, 4)):
        level, message = rng.choice(_PY_PROBLEMS)
        text = _fill(rng, message) + (" at offset x1" if level == "exception" else "")
        events.insert(rng.randrange(len(events) + 1), [rng.choice(loggers), level, text])
    fmt = _PY_FORMATS[rng.randrange(len(_PY_FORMATS))]
    (folder / "plan.json").write_text(json.dumps({"format": fmt, "events": events}), encoding="utf-8")
    (folder / "job.py").write_text(_PY_JOB, encoding="utf-8")
    text = ctx.run([ctx.python, "job.py", "plan.json"], cwd=folder)
    lines = text.splitlines()
    problems = [line for line in lines if _PY_PROBLEM.search(line[:60]) or line.startswith("ValueError: ")]
    if rng.random() < 0.25:
        query, wanted, rule = log_question(rng, lines)
    else:
        query, wanted = "Which warnings and errors does the job log?", problems
        rule = "needles = the WARNING, ERROR and CRITICAL lines and a traceback's exception line (the first 6)"
    return Found(
        source=f"python job.py (logging.basicConfig format={fmt!r}, {len(events)} events)",
        query=query,
        needles=needles_of(wanted[:6], text),
        notes=f"A scratch batch job's log: loggers, routine events, 1-4 problems and the format drawn with the seed; "
        f"{rule}.",
        text=text,
    )
