"""JSON as tools and APIs print it: a linter's JSON report (one array, or JSON Lines) and a REST-style list of commits.

`ruff check --output-format=json|json-lines` runs on scratch modules with seeded defects; the question names a
file and a row, never the rule or the message, so the record has to be found by where it points. The commit list
is the project's own history written in the shape of a REST API's commits endpoint (nested author and committer
objects, link fields, parents), the way `gh api repos/O/R/commits` prints it; the question quotes the start of one
commit's subject.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from benchmarks.fresh._core import MAX_INPUT_BYTES, Context, Found, Skip, Unavailable, generator, needles_of
from benchmarks.fresh._places import PROJECT, pick
from benchmarks.fresh.builds import _python_project

# The REST-style list's links point at this host: the history is real, the server is not.
_HOST = "https://api.github.example/repos/headroom/headroom-mcp"
_WEB = "https://github.example/headroom/headroom-mcp"


@generator("ruff_json", "json_api")
def ruff_json(ctx: Context, rng: random.Random) -> Found:
    ruff = ctx.tool("ruff")
    folder, files = _python_project(ctx, rng, "ruff_json")
    style = rng.choice(("json", "json-lines"))
    argv = [ruff, "check", "--isolated", "--no-cache", "--select", "E,F,W,B,UP,SIM", f"--output-format={style}", *files]
    text = ctx.run(argv, cwd=folder, ok=lambda c: c in (0, 1))
    records = json.loads(text) if style == "json" else [json.loads(line) for line in text.splitlines() if line.strip()]
    rows = Counter((r["filename"], r["location"]["row"]) for r in records)
    separator = ": " if style == "json" else ":"
    fitting = []
    for r in records:
        message = f'"message"{separator}{json.dumps(r["message"])}'
        if rows[(r["filename"], r["location"]["row"])] == 1 and text.count(message) == 1:
            fitting.append((r, message))
    record, message = pick(rng, fitting, "diagnostics alone on their row with a message said once")
    name = record["filename"].rsplit("/", 1)[-1]
    return Found(
        source=f"ruff check --output-format={style} (scratch modules)",
        query=f"What does ruff report at row {record['location']['row']} of {name}, and under which rule?",
        needles=needles_of([message], text),
        notes="A diagnostic drawn with the seed among those alone on their file and row whose message occurs once; "
        'the question names the file and the row; needle = its `"message": ...` pair as printed.',
        text=text,
    )


def _commit_records(ctx: Context, rng: random.Random) -> tuple[list[dict[str, Any]], str]:
    if not (PROJECT / ".git").exists():
        raise Unavailable(f"{PROJECT} is not a git checkout")
    fields = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B")
    log = ctx.run(["git", "-C", str(PROJECT), "log", "--format=" + "%x1f".join(fields) + "%x1e"], cache=True)
    entries = [e.strip("\n").split("\x1f") for e in log.split("\x1e") if e.strip()]
    if len(entries) < 10:
        raise Unavailable(f"the checkout holds {len(entries)} commits (a shallow clone?)")
    n = rng.randint(10, 40)
    skip = rng.randrange(len(entries) - n + 1)
    records = []
    for sha, parents, an, ae, ad, cn, ce, cd, message in entries[skip : skip + n]:
        records.append(
            {
                "sha": sha,
                "commit": {
                    "author": {"name": an, "email": ae, "date": ad},
                    "committer": {"name": cn, "email": ce, "date": cd},
                    "message": message.strip(),
                    "url": f"{_HOST}/git/commits/{sha}",
                    "comment_count": 0,
                    "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
                },
                "url": f"{_HOST}/commits/{sha}",
                "html_url": f"{_WEB}/commit/{sha}",
                "comments_url": f"{_HOST}/commits/{sha}/comments",
                "parents": [
                    {"sha": p, "url": f"{_HOST}/commits/{p}", "html_url": f"{_WEB}/commit/{p}"} for p in parents.split()
                ],
            }
        )
    text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise Skip("the commit list is over the size bound")
    return records, text


@generator("api_commits", "json_api")
def api_commits(ctx: Context, rng: random.Random) -> Found:
    records, text = _commit_records(ctx, rng)
    subjects = Counter(r["commit"]["message"].split("\n", 1)[0] for r in records)
    fitting = [r for r in records if subjects[r["commit"]["message"].split("\n", 1)[0]] == 1]
    record = pick(rng, fitting, "commits with a subject of their own")
    words = record["commit"]["message"].split("\n", 1)[0].split()
    quoted = " ".join(words[:8])
    committed = record["commit"]["committer"]["date"]
    return Found(
        source="the project's git log as a REST-style commits list (json.dumps(indent=2); links on a fixture host)",
        query=f"Which commit's subject starts with “{quoted}”, and when was it committed?",
        needles=needles_of([f'"html_url": "{_WEB}/commit/{record["sha"]}"', f'"date": "{committed}"'], text),
        notes="A window of 10-40 commits of the project's history drawn with the seed, written as an API's commit "
        "records; a commit whose subject no other in the window has, drawn with the seed; the question quotes the "
        "subject's first eight words; needles = its html_url and its committer date as printed.",
        text=text,
    )
