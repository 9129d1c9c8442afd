"""Traces and debug output of real programs: `strace`'s system calls of a real command, `valgrind`'s memcheck
report on a scratch C program with seeded memory errors, Node's `NODE_DEBUG` output of an HTTP client and
`curl -v` of many URLs on a loopback server.

strace: Python importing a stdlib module (asked which file the module came from) or `cat` of real files and one
that does not exist (asked what its open returned). valgrind: a program whose functions are clean or carry one
memory error each (a write past a block, a read after free, a branch on an uninitialised value, a leak), drawn with
the seed, among routine output; asked which errors are reported and where.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, generator, needles_of
from benchmarks.fresh._places import files_under, pick, stdlib

__all__: list[str] = []

# Words of the seeded path that does not exist.
_PARTS = ("core", "http", "cli", "io", "auth", "cache", "db", "log", "net", "text", "time", "yaml", "orm", "ui")


# An `openat` of a path that succeeded (`= 3`) or failed (`= -1 ENOENT (No such file or directory)`).
_OPENAT = re.compile(r'openat\(AT_FDCWD, "(?P<path>[^"]+)", [^)]*\) = (?P<result>-?\d+)')


@generator(
    "strace_log",
    "logs",
    gap="code (detection) + lines (log): an strace trace reads as prose (4 of 6); without a question no failed "
    "open of the program's own file survives (0 of 6 needles, all within one retrieval)",
)
def strace_log(ctx: Context, rng: random.Random) -> Found:
    """`strace -o FILE` of a real command (options drawn with the seed): Python importing a stdlib module, asked
    which file the module was loaded from; or `cat` of real files and one that does not exist, asked what the open
    of that one returned."""
    strace = ctx.tool("strace")
    folder = ctx.scratch("strace_log")
    trace = folder / "trace.txt"
    options = rng.choice(((), ("-tt",), ("-f", "-tt"), ("-T",), ("-f", "-e", "trace=%file,read,write,close")))
    if rng.random() < 0.5:
        modules = sorted(p.stem for p in files_under(stdlib(), (".py",), 3000, 200_000) if p.parent == stdlib())
        module = pick(
            rng, [m for m in modules if not m.startswith("_") and m not in ("antigravity", "this")], "modules"
        )
        command = [ctx.python, "-c", f"import {module}"]
        ctx.run([strace, *options, "-o", str(trace), *command], cwd=folder, ok=lambda c: True)
        text = trace.read_text(encoding="utf-8", errors="replace")
        # The compiled file (or the source where no cache is written) that the import opened and read.
        loaded = [
            line
            for line in text.splitlines()
            if (m := _OPENAT.search(line)) and int(m["result"]) >= 0
            and re.search(rf"/(?:__pycache__/)?{re.escape(module)}(?:\.cpython-\d+\.pyc|\.py)$", m["path"])
        ]  # fmt: skip
        query = f"From which file did Python load the module {module}?"
        rule = "needle = the openat line of the module's file (its cached .pyc or its .py) that succeeded"
        what = f"python -c 'import {module}'"
    else:
        files = [p for p in files_under(Path("/etc"), (), 100, 50_000) if os.access(p, os.R_OK)]
        chosen = [str(p) for p in rng.sample(files, min(len(files), rng.randint(2, 8)))]
        missing = f"/etc/{rng.choice(_PARTS)}-{rng.choice(_PARTS)}.conf"
        chosen.insert(rng.randrange(len(chosen) + 1), missing)
        ctx.run([strace, *options, "-o", str(trace), "cat", *chosen], cwd=folder, ok=lambda c: c == 1)
        text = trace.read_text(encoding="utf-8", errors="replace")
        loaded = [line for line in text.splitlines() if (m := _OPENAT.search(line)) and m["path"] == missing]
        query = f"What did cat's open of {missing} return?"
        rule = "needle = the openat line of the path that does not exist"
        what = f"cat <{len(chosen) - 1} files of /etc and {missing}>"
    if len(loaded) != 1:
        raise Skip(f"the trace holds {len(loaded)} lines that answer, not one")
    return Found(
        source=f"strace {' '.join(options)} -o trace.txt {what}",
        query=query,
        needles=needles_of(loaded, text),
        notes="A system call trace of a real command drawn with the seed (a stdlib module imported by Python, or "
        f"cat of 2-8 files of /etc and one seeded path that does not exist; strace options drawn too); {rule}.",
        text=text,
    )


_VALGRIND_VERBS = ("parse", "merge", "scale", "count", "load", "split", "encode", "render", "resolve", "trim")
_VALGRIND_NOUNS = ("header", "record", "price", "batch", "window", "token", "range", "query", "label", "column")
# One function a line (each report line names one function and line); {name} and {n} filled in.
_C_FUNCTIONS = {
    None: "static int {name}(int n) {{ int *a = malloc(4 * sizeof(int)); for (int i = 0; i < 4; i++) a[i] = i * n; "
    "int s = a[{k}]; free(a); return s; }}",
    "overflow": "static int {name}(int n) {{ int *a = malloc({size} * sizeof(int)); a[{size}] = n; int s = a[0]; "
    "free(a); return s; }}",
    "use_after_free": "static int {name}(int n) {{ int *a = malloc({size} * sizeof(int)); a[0] = n; free(a); "
    "return a[{k}]; }}",
    "uninitialised": "static int {name}(int n) {{ int x[{size}]; x[0] = n; if (x[{size} - 1] > n) return 1; "
    "return 0; }}",
    "leak": "static int {name}(int n) {{ char *p = malloc({size} * 8 + n); p[0] = 'a'; return p[0]; }}",
}
_DEFECTS = ("overflow", "use_after_free", "uninitialised", "leak")


@generator(
    "valgrind_memcheck",
    "logs",
    gap="code (detection) + lines (log): memcheck's report reads as prose; the stack lines naming the faulty "
    "functions collapse into one template (69% kept, 69% within one retrieval)",
)
def valgrind_memcheck(ctx: Context, rng: random.Random) -> Found:
    gcc, valgrind = ctx.tool("gcc"), ctx.tool("valgrind")
    folder = ctx.scratch("valgrind_memcheck")
    names: list[str] = []
    count = rng.randint(6, 14)
    while len(names) < count:
        name = f"{rng.choice(_VALGRIND_VERBS)}_{rng.choice(_VALGRIND_NOUNS)}"
        if name not in names:
            names.append(name)
    defects = dict.fromkeys(names)
    for name in rng.sample(names, rng.randint(1, 3)):
        defects[name] = rng.choice(_DEFECTS)
    source = ["#include <stdio.h>", "#include <stdlib.h>", ""]
    for name, defect in defects.items():
        source.append(_C_FUNCTIONS[defect].format(name=name, size=rng.randint(2, 9), k=rng.randint(1, 3)))
    rounds = rng.randint(20, 400)
    clean = [n for n, d in defects.items() if d is None] or names[:1]
    loop = " ".join(f"t += {n}(i);" for n in clean)
    once = " ".join(f"t += {n}({rng.randint(1, 9)});" for n, d in defects.items() if d is not None)
    source.append(
        f'int main(void) {{ int t = 0; for (int i = 0; i < {rounds}; i++) {{ {loop} printf("round %d: total %d\\n", '
        f'i, t); }} {once} printf("done: %d\\n", t); return 0; }}'
    )
    program = rng.choice(("service", "worker", "index", "codec", "cache"))
    (folder / f"{program}.c").write_text("\n".join(source) + "\n", encoding="utf-8")
    ctx.run([gcc, "-g", "-O0", "-w", "-o", program, f"{program}.c"], cwd=folder)
    options = rng.choice(((), ("--leak-check=full",), ("-q",), ("--track-origins=yes",), ("-v",)))
    text = ctx.run([valgrind, *options, f"./{program}"], cwd=folder, timeout_s=120)
    lines = text.splitlines()
    # Where each seeded error is reported: the first stack line naming its function (after the error's headline,
    # or in a leak record), and the closing count.
    where = []
    for name, defect in defects.items():
        if defect is None:
            continue
        hits = [line for line in lines if re.match(rf"^==\d+==\s+(?:at|by) 0x[0-9A-F]+: {name} \(", line)]
        where += hits[:1]
    summary = [line for line in lines if "ERROR SUMMARY:" in line][-1:]
    if not where:
        raise Skip("valgrind reported none of the seeded errors (a leak needs --leak-check=full)")
    return Found(
        source=f"valgrind {' '.join(options)} ./{program} (scratch C program, {len(names)} functions, {rounds} rounds)",
        query="Which memory errors does valgrind report, and in which functions?",
        needles=needles_of([*where, *summary], text),
        notes="A scratch C program built with gcc -g -O0: 6-14 functions, 1-3 of them with a memory error drawn "
        "with the seed (a write past a block, a read after free, a branch on an uninitialised value, a leak), "
        "called after 20-400 rounds of clean calls that print a line each; valgrind options drawn too; needles = "
        "the first stack line naming each faulty function and the ERROR SUMMARY line.",
        text=text,
    )


_NODE_CLIENT = """\
const http = require('http');
const plan = JSON.parse(process.argv[2]);
const server = http.createServer((req, res) => {
  res.statusCode = plan.missing.includes(req.url) ? 404 : 200;
  res.end('ok ' + req.url);
});
server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  const get = (path, to) => new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port: to || port, path }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) console.error(`GET ${path} -> ${res.statusCode}`);
        resolve();
      });
    }).on('error', (e) => { console.error(`request ${path} failed: ${e.code} ${e.message}`); resolve(); });
  });
  for (const [path, to] of plan.requests) await get(path, to);
  server.close();
});
"""


@generator(
    "node_debug_log",
    "logs",
    gap="code (detection) + lines (log): NODE_DEBUG output reads as prose; the program's few failure lines among "
    "node's debug lines are dropped (61% with the question, 74% within one retrieval)",
)
def node_debug_log(ctx: Context, rng: random.Random) -> Found:
    """A Node program's own debug output (`NODE_DEBUG=http,net` or `http`, or `net`): an HTTP client and server
    on loopback, 5-60 requests, 1-3 of them answered 404 or sent to a closed port, the failures printed by the
    program among node's debug lines and multi-line object dumps."""
    node = ctx.tool("node")
    folder = ctx.scratch("node_debug_log")
    count = rng.randint(5, 60)
    paths = [f"/{rng.choice(_PARTS)}/{rng.randint(1, 9999)}" for _ in range(count)]
    failing = rng.sample(range(count), rng.randint(1, 3))
    # A closed port: one this process bound and released (nothing listens on it any more).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    plan = {
        "requests": [[p, closed if i in failing and rng.random() < 0.5 else 0] for i, p in enumerate(paths)],
        "missing": [paths[i] for i in failing],
    }
    (folder / "client.js").write_text(_NODE_CLIENT, encoding="utf-8")
    debug = rng.choice(("http,net", "http", "net,http,stream"))
    text = ctx.run([node, "client.js", json.dumps(plan)], cwd=folder, env={"NODE_DEBUG": debug}, timeout_s=60)
    lines = [line for line in text.splitlines() if re.match(r"^(GET \S+ -> \d+|request \S+ failed: )", line)]
    if not lines:
        raise Skip("no request failed")
    return Found(
        source=f"NODE_DEBUG={debug} node client.js ({count} requests on loopback)",
        query="Which requests failed, and why?",
        needles=needles_of(lines, text),
        notes="A Node HTTP client and server on loopback with node's debug log on (modules drawn with the seed); "
        "5-60 requests to seeded paths, 1-3 of them answered 404 or sent to a closed port; needles = the "
        "program's lines reporting those failures.",
        text=text,
    )


_CURL_DRIVER = """\
import functools, http.server, json, subprocess, sys, threading
plan = json.loads(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=plan["root"]))
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
argv = [plan["curl"], "-sv", *plan["options"]]
for path, to in plan["requests"]:
    argv += ["-o", "/dev/null", f"http://127.0.0.1:{to or port}{path}"]
sys.exit(subprocess.run(argv, stderr=subprocess.STDOUT).returncode)
"""


@generator(
    "curl_verbose",
    "logs",
    gap="code (detection) + lines (log): curl -v output reads as markdown (`>` request lines as quotes); the "
    "failing requests' `> GET /path` lines are dropped (40% kept with the question, 40% within one retrieval)",
)
def curl_verbose(ctx: Context, rng: random.Random) -> Found:
    """`curl -sv` of 3-40 URLs on a loopback HTTP server (Python's http.server over scratch files): each transfer's
    `*` info, `>` request and `<` response header lines; 1-3 paths that do not exist (404) and, half the time, one
    URL on a closed port."""
    curl = ctx.tool("curl")
    folder = ctx.scratch("curl_verbose")
    root = folder / "www"
    names = []
    for _ in range(rng.randint(3, 40)):
        name = f"{rng.choice(_PARTS)}/{rng.choice(_PARTS)}-{rng.randint(1, 999)}.{rng.choice(('json', 'txt', 'html'))}"
        if name not in names:
            names.append(name)
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name}\n" * rng.randint(1, 50), encoding="utf-8")
    # Paths shaped like the served ones, so nothing but the server's answer tells them apart.
    missing = [f"/{rng.choice(_PARTS)}/{rng.choice(_PARTS)}-{rng.randint(1000, 1999)}.json" for _ in range(3)]
    missing = sorted(set(missing))[: rng.randint(1, 3)]
    requests: list[list[object]] = [[f"/{n}", 0] for n in names] + [[m, 0] for m in missing]
    if rng.random() < 0.5:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        requests.append([f"/{rng.choice(names)}", closed])
    rng.shuffle(requests)
    options = rng.choice(((), ("--http1.0",), ("-H", "Accept: application/json"), ("-A", "fresh-check/1.0")))
    plan = {"root": str(root), "curl": curl, "options": list(options), "requests": requests}
    (folder / "driver.py").write_text(_CURL_DRIVER, encoding="utf-8")
    text = ctx.run([ctx.python, "driver.py", json.dumps(plan)], cwd=folder, ok=lambda c: c in (0, 7, 22), timeout_s=60)
    lines = text.splitlines()
    failed = [line for line in lines if (m := re.match(r"^> GET (\S+) HTTP", line)) and m[1] in missing]
    failed += [line for line in lines if line.startswith("* Failed to connect to ")]
    failed += [line for line in lines if re.match(r"^< HTTP/1\.\d 404 ", line)][:1]
    if not failed:
        raise Skip("no request failed")
    return Found(
        source=f"curl -sv {' '.join(options)} <{len(requests)} URLs on a loopback http.server>",
        query="Which requests failed, and with what status or error?",
        needles=needles_of(failed, text),
        notes="Scratch files served by Python's http.server on loopback; 3-40 of them, 1-3 paths that do not exist "
        "and (half the time) one URL on a closed port requested by one curl -sv, in an order drawn with the seed; "
        "needles = the `> GET` lines of the missing paths, the `* Failed to connect` line and the 404 status line.",
        text=text,
    )
