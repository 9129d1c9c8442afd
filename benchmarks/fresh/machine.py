"""The machine's own state as its tools print it: `dpkg -l`, `ps aux`, `dmesg`, `apt-cache show`,
`python -m sysconfig`, `readelf --dyn-syms` of a shared library, `sysctl -a`, `getconf -a` and `ldconfig -p`.

Each question names one row, record or setting drawn with the seed among those the output holds exactly once
(a package, a process id, a variable, a symbol), or asks for an extreme the output decides on its own (the
process with the most resident memory, a unique maximum); the needles are the lines that answer it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

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
from benchmarks.fresh._places import files_under, pick
from benchmarks.fresh.logs import log_question

__all__: list[str] = []


@generator("dpkg_l", "shell_listing")
def dpkg_l(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.tool("dpkg"), "-l"], env={"COLUMNS": "200"}, cache=True)
    rows = [line for line in text.splitlines() if re.match(r"^[a-z][a-z]  \S", line) and len(line.split()) >= 5]
    row = pick(rng, rows, "dpkg -l rows", machine=True)
    name = row.split()[1]
    description = " ".join(row.split()[4:])
    if rng.random() < 0.4 and len(description) >= 12 and text.count(description) == 1:
        query = f"Which installed package is described as “{description}”, and which version is it?"
        rule = "a row drawn with the seed, asked for by its description (which occurs once)"
    else:
        query = f"Which version of {name} is installed, and for which architecture?"
        rule = "a package drawn with the seed among the rows"
    return Found(
        source="dpkg -l (COLUMNS=200)",
        query=query,
        needles=needles_of([row], text, once=True),
        notes=f"The machine's package table; {rule}; needle = its row.",
        text=text,
    )


@generator("ps_aux", "shell_listing")
def ps_aux(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run(["ps", "aux", "--width", "400"])
    lines = text.splitlines()
    rows = [line for line in lines[1:] if len(line.split(None, 10)) == 11]
    if len(rows) < 20:
        raise Unavailable(f"ps aux lists {len(rows)} processes")
    by_rss = sorted(rows, key=lambda line: -int(line.split()[5]))
    if rng.random() < 0.3 and int(by_rss[0].split()[5]) > int(by_rss[1].split()[5]):
        row = by_rss[0]
        query = "Which process uses the most resident memory (RSS), and what is its command line?"
        rule = "needle = the row of the process with the largest RSS (a unique maximum)"
    else:
        row = pick(rng, rows, "processes")
        query = f"What command is process {row.split()[1]} running, and since when?"
        rule = "a process drawn with the seed; needle = its row"
    return Found(
        source="ps aux --width 400",
        query=query,
        needles=needles_of([row], text, once=True),
        notes=f"The machine's process table as printed now; {rule}.",
        text=text,
    )


@generator("dmesg", "logs")
def dmesg(ctx: Context, rng: random.Random) -> Found:
    argv = ["dmesg", *rng.choice(((), ("-x",), ("--decode", "--nopager")))]
    text = ctx.run(argv, cache=True)
    if text.count("\n") < 50:
        raise Unavailable(f"`{' '.join(argv)}` printed {text.count(chr(10))} lines")
    if len(text.encode()) > MAX_INPUT_BYTES:
        text = text[-MAX_INPUT_BYTES // 2 :].split("\n", 1)[-1]
    query, lines, rule = log_question(rng, text.splitlines())
    return Found(
        source=" ".join(argv),
        query=query,
        needles=needles_of(lines[:6], text, once=True),
        notes=f"The kernel's ring buffer (its end when over the size bound); {rule}.",
        text=text,
    )


@generator("apt_cache_show", "config")
def apt_cache_show(ctx: Context, rng: random.Random) -> Found:
    installed = ctx.run([ctx.tool("dpkg-query"), "-W", "-f", "${Package}\n"], cache=True).split()
    if len(installed) < 20:
        raise Unavailable(f"dpkg-query lists {len(installed)} packages")
    chosen = sorted(set(rng.sample(installed, rng.randint(3, 14))))
    text = ctx.run([ctx.tool("apt-cache"), "show", "--no-all-versions", *chosen], ok=lambda c: c in (0, 100))
    records = [block for block in text.split("\n\n") if block.startswith("Package: ")]
    record = pick(rng, records, "apt-cache records")
    fields = record.splitlines()
    package = fields[0].split()[1]
    wanted = [fields[0], *(f for f in fields if f.startswith(("Version: ", "Depends: ", "Pre-Depends: ")))]
    needles = needles_of(wanted, text, once=True)
    if needle_of(fields[0]) not in needles:
        raise Skip(f"the record of {package} is not the only one naming it")
    return Found(
        source=f"apt-cache show --no-all-versions {' '.join(chosen)}",
        query=f"Which version of {package} does the package index hold, and what does it depend on?",
        needles=needles,
        notes="3-14 installed packages drawn with the seed, one of their records drawn with the seed; needles = its "
        "Package, Version and (Pre-)Depends lines, those occurring once.",
        text=text,
    )


@generator("python_sysconfig", "config")
def python_sysconfig(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.python, "-m", "sysconfig"], cache=True)
    settings = [line for line in text.splitlines() if re.match(r'^\t[A-Za-z_]\w* = "', line)]
    candidates = [line for line in settings if unique_in(line.strip(), text) and len(line.strip()) <= 200]
    line = pick(rng, candidates, "settings", machine=True)
    key = line.split()[0]
    return Found(
        source=f"{ctx.python} -m sysconfig",
        query=f"What is {key} set to in this Python's build configuration?",
        needles=needles_of([line], text, once=True),
        notes="The interpreter's paths and build variables; a setting of at most 200 characters drawn with the "
        "seed; needle = its line.",
        text=text,
    )


def _shared_libraries() -> list[Path]:
    out: list[Path] = []
    for root in (Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib/aarch64-linux-gnu"), Path("/usr/lib")):
        if root.is_dir():
            out += [p for p in files_under(root, (), 20_000, 4_000_000) if ".so" in p.name and "/python" not in str(p)]
    return sorted(set(out))


@generator("readelf_symbols", "shell_listing")
def readelf_symbols(ctx: Context, rng: random.Random) -> Found:
    readelf = ctx.tool("readelf")
    for _ in range(6):
        library = pick(rng, _shared_libraries(), "shared libraries", machine=True)
        text = ctx.run([readelf, "-W", "--dyn-syms", str(library)], ok=lambda c: True)
        if len(text.encode()) > MAX_INPUT_BYTES:
            continue
        rows = [line for line in text.splitlines() if re.match(r"^\s*\d+: [0-9a-f]{16}\s+\d+ (FUNC|OBJECT) ", line)]
        defined = [line for line in rows if " UND " not in line and unique_in(line.split()[-1], text)]
        if len(rows) < 40 or not defined:
            continue
        row = pick(rng, defined, "defined symbols")
        symbol = row.split()[-1].split("@")[0]
        return Found(
            source=f"readelf -W --dyn-syms {library}",
            query=f"What are the address, size and binding of the symbol {symbol} in {library.name}?",
            needles=needles_of([row], text, once=True),
            notes="A shared library of the machine drawn with the seed (40+ function/object symbols); a defined "
            "symbol whose versioned name occurs once drawn with the seed; needle = its row.",
            text=text,
        )
    raise Skip("no shared library with 40+ symbols under the size bound in 6 draws")


@generator("sysctl_a", "config")
def sysctl_a(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.tool("sysctl"), "-a"], ok=lambda c: True, cache=True)
    settings = [line for line in text.splitlines() if re.match(r"^[a-z][\w.-]* = ", line)]
    if len(settings) < 100:
        raise Unavailable(f"sysctl -a printed {len(settings)} settings")
    line = pick(rng, [s for s in settings if unique_in(s.split(" = ")[0] + " = ", text)], "settings")
    return Found(
        source="sysctl -a",
        query=f"What is the kernel setting {line.split(' = ')[0]} set to?",
        needles=needles_of([line], text, once=True),
        notes="The kernel's settings as `name = value` lines; a setting whose name occurs once drawn with the "
        "seed; needle = its line.",
        text=text,
    )


@generator("getconf_a", "shell_listing")
def getconf_a(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.tool("getconf"), "-a"], cache=True)
    rows = [line for line in text.splitlines() if len(line.split()) >= 2 and unique_in(line.split()[0] + " ", text)]
    if len(rows) < 50:
        raise Unavailable(f"getconf -a printed {len(rows)} values")
    row = pick(rng, rows, "values")
    return Found(
        source="getconf -a",
        query=f"What value does getconf report for {row.split()[0]}?",
        needles=needles_of([row], text, once=True),
        notes="The system's configuration values (name, then value, in columns); a name that occurs once with a "
        "value drawn with the seed; needle = its row.",
        text=text,
    )


@generator("ldconfig_p", "shell_listing")
def ldconfig_p(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.tool("ldconfig"), "-p"], cache=True)
    rows = [line for line in text.splitlines() if line.startswith("\t") and " => " in line]
    if len(rows) < 50:
        raise Unavailable(f"ldconfig -p printed {len(rows)} libraries")
    sonames = [row.split()[0] for row in rows]
    row = pick(rng, [r for r, name in zip(rows, sonames, strict=True) if sonames.count(name) == 1], "libraries")
    return Found(
        source="ldconfig -p",
        query=f"Where is the library {row.split()[0]} installed, and for which ABI?",
        needles=needles_of([row], text, once=True),
        notes="The dynamic linker's cache; a library listed once drawn with the seed; needle = its row.",
        text=text,
    )
