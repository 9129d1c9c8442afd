"""Proxy benchmark (issue 15): tokens saved and prompt-cache prefix kept over a 20-turn agent conversation, and the
time the proxy adds.

    .venv/bin/python benchmarks/proxy.py [--corpus ../shared/corpus/dev] [--runs 200] [--json OUT]

`headroom proxy` runs as its own process (in a temporary HEADROOM_HOME) in front of the scripted provider
(tests/fake_provider, on loopback); the client is httpx2 with kept-alive connections.

1. Conversation: 20 turns, each a tool call whose result is one dev-corpus sample's output (the samples taken
   evenly by name: every len/20-th, so no sample is picked for how it compresses), sent the way the SDKs send it:
   the whole conversation every turn, keys sorted, the conversation before ``model``/``system``/``tools``. Three
   times: Anthropic Messages, OpenAI Chat Completions and OpenAI Responses (``input`` items). Reported: o200k
   tokens of every string the model reads (system, tool definitions, messages) summed over the 20 requests, as the
   client sent them and as the upstream got them; and the share of requests whose upstream body repeats the
   previous upstream body byte for byte up to the end of its conversation (a prompt-cache hit needs exactly that).
2. Overhead: a 200 KB Anthropic request with about 100 small tool results (nothing to compress; each is scanned),
   straight to the provider and through the proxy, interleaved, ``--runs`` each; p50/p95 of both and the p50 of
   the paired differences. Then time to the first byte of a streamed answer the same way, for a small request and
   for the 200 KB one.
Targets: >= 60% fewer input tokens upstream; 100% of requests keep the prefix; overhead <= 5 ms p50 at 200 KB;
time to first streamed byte within 2 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

import rustcore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fake_provider import FakeProvider  # noqa: E402

TURNS = 20
SYSTEM = "You are a coding agent. Use the tools to inspect the repository, then answer briefly."
TOOL = {
    "name": "Bash",
    "description": "Run a shell command and return its output.",
    "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
}


def pick_samples(corpus: Path, n: int) -> list[tuple[str, str]]:
    names = sorted(d.name for d in corpus.iterdir() if (d / "input.txt").is_file())
    if len(names) < n:
        raise SystemExit(f"{corpus}: {len(names)} samples, {n} needed")
    chosen = [names[i * len(names) // n] for i in range(n)]
    return [(name, (corpus / name / "input.txt").read_text(encoding="utf-8", errors="replace")) for name in chosen]


def anthropic_bodies(samples: list[tuple[str, str]]) -> list[bytes]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Find out why the build and the tests fail."}]
    bodies = []
    for n, (name, output) in enumerate(samples):
        call = f"toolu_{n:04d}"
        messages.append(
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": call, "name": "Bash", "input": {"command": name}}],
            }
        )
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": output}]})
        body = {
            "max_tokens": 1024,
            "messages": messages,
            "model": "claude-bench",
            "system": [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}],
            "tools": [TOOL],
        }
        bodies.append(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return bodies


def chat_bodies(samples: list[tuple[str, str]]) -> list[bytes]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Find out why the build and the tests fail."},
    ]
    function = {"name": "Bash", "description": TOOL["description"], "parameters": TOOL["input_schema"]}
    bodies = []
    for n, (name, output) in enumerate(samples):
        call = f"call_{n:04d}"
        arguments = json.dumps({"command": name})
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": call, "type": "function", "function": {"name": "Bash", "arguments": arguments}}],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call, "content": output})
        body = {"messages": messages, "model": "gpt-bench", "tools": [{"type": "function", "function": function}]}
        bodies.append(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return bodies


def responses_bodies(samples: list[tuple[str, str]]) -> list[bytes]:
    items: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "input_text", "text": "Find out why the build and the tests fail."}]}
    ]
    function = {
        "type": "function",
        "name": "Bash",
        "description": TOOL["description"],
        "parameters": TOOL["input_schema"],
    }
    bodies = []
    for n, (name, output) in enumerate(samples):
        call = f"call_{n:04d}"
        items.append(
            {"type": "function_call", "call_id": call, "name": "Bash", "arguments": json.dumps({"command": name})}
        )
        items.append({"type": "function_call_output", "call_id": call, "output": output})
        body = {"input": items, "instructions": SYSTEM, "model": "gpt-bench", "tools": [function]}
        bodies.append(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return bodies


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("model", "type", "role", "id", "tool_use_id", "tool_call_id", "call_id"):
                yield from strings(v)


def model_tokens(body: bytes) -> int:
    """o200k tokens of every string the model reads in a request."""
    return sum(rustcore.count_tokens(s) for s in strings(json.loads(body)))


def conversation_end(body: bytes, key: str) -> int:
    """Byte offset where the conversation's last element ends (json's own parser finds the array's end)."""
    text = body.decode()
    start = text.index(f'"{key}":') + len(key) + 3
    _, end = json.JSONDecoder().raw_decode(text, start)
    return len(text[: end - 1].rstrip().encode())


@contextmanager
def proxy_process(upstream: str, home: Path) -> Iterator[tuple[str, int]]:
    env = {**os.environ, "HEADROOM_HOME": str(home), "HEADROOM_EMBEDDINGS": "0"}
    cmd = [sys.executable, "-P", "-m", "mcp_server.cli", "proxy", "--port", "0", "--quiet"]
    cmd += ["--anthropic-upstream", upstream, "--openai-upstream", upstream]
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        if "headroom proxy on " not in line:
            raise SystemExit(f"the proxy did not start: {line}{process.stderr.read()}")
        found = re.search(r"headroom proxy on (http://[^\s:]+:\d+)", line)
        assert found, line
        yield found.group(1), process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def conversation(
    http: httpx2.Client, fake: FakeProvider, url: str, path: str, bodies: list[bytes], key: str = "messages"
) -> dict[str, Any]:
    start = len(fake.requests)
    elapsed = []
    for body in bodies:
        t = time.perf_counter()
        answer = http.post(url + path, content=body, headers={"x-api-key": "bench", "content-type": "application/json"})
        elapsed.append((time.perf_counter() - t) * 1000)
        answer.raise_for_status()
    upstream = [r.body for r in fake.requests[start:]]
    kept = [
        upstream[k][: conversation_end(upstream[k - 1], key)]
        == upstream[k - 1][: conversation_end(upstream[k - 1], key)]
        for k in range(1, len(upstream))
    ]
    before = sum(model_tokens(b) for b in bodies)
    after = sum(model_tokens(b) for b in upstream)
    results_before = sum(rustcore.count_tokens(s) for s in _results(bodies[-1], key))
    results_after = sum(rustcore.count_tokens(s) for s in _results(upstream[-1], key))
    return {
        "requests": len(bodies),
        "tokens_client": before,
        "tokens_upstream": after,
        "saved_pct": round(100 * (before - after) / before, 1),
        "last_request_results_client": results_before,
        "last_request_results_upstream": results_after,
        "prefix_kept": sum(kept),
        "prefix_checked": len(kept),
        "prefix_kept_pct": round(100 * sum(kept) / len(kept), 1) if kept else 100.0,
        "ms_per_request_p50": round(statistics.median(elapsed), 1),
        "ms_first_compressions_max": round(max(elapsed), 1),
    }


def _results(body: bytes, key: str) -> list[str]:
    out = []
    for m in json.loads(body)[key]:
        if m.get("type") == "function_call_output":
            out.append(m["output"])
        if m.get("role") == "tool":
            out.append(m["content"])
        for b in m["content"] if isinstance(m.get("content"), list) else []:
            if b.get("type") == "tool_result":
                out.append(b["content"])
    return out


def overhead_body(size: int = 200_000) -> bytes:
    """About ``size`` bytes the way an agent sends them: a system prompt, tool schemas and small tool results (each
    a slice of this repository's log, far under the threshold), added until the body reaches ``size``."""
    log = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--format=%h %an %s", "-n", "400"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    tools = [{**TOOL, "name": f"Tool{n}", "description": TOOL["description"] * 8} for n in range(12)]
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Tidy up the module layout."}]
    head = {"max_tokens": 512, "model": "claude-bench", "system": SYSTEM * 40, "tools": tools}
    n = 0
    while len(body := json.dumps({**head, "messages": messages}, separators=(",", ":")).encode()) < size:
        call = f"toolu_{n:04d}"
        use = {"type": "tool_use", "id": call, "name": "Bash", "input": {"command": f"git log {n}"}}
        result = "\n".join(log[(n * 7) % 380 : (n * 7) % 380 + 12])
        messages.append({"role": "assistant", "content": [use]})
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": result}]})
        n += 1
    return body


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_ns(pid: int) -> int:
    """CPU time the process has used (all its threads), in nanoseconds (Linux schedstat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        total += int((task / "schedstat").read_text().split()[0])
    return total


def paired(runs: int, direct: Callable[[], float], proxied: Callable[[], float], pid: int) -> dict[str, float]:
    for _ in range(10):  # warm both paths: connections, the proxy's first scan
        direct(), proxied()
    a, b = [], []
    cpu = 0
    for _ in range(runs):
        a.append(direct())
        before = cpu_ns(pid)
        b.append(proxied())
        cpu += cpu_ns(pid) - before
    return {
        "proxy_cpu_ms_per_request": round(cpu / runs / 1e6, 2),
        "direct_p50_ms": round(statistics.median(a), 2),
        "direct_p95_ms": round(pct(a, 0.95), 2),
        "proxied_p50_ms": round(statistics.median(b), 2),
        "proxied_p95_ms": round(pct(b, 0.95), 2),
        "added_p50_ms": round(statistics.median([y - x for x, y in zip(a, b, strict=True)]), 2),
    }


def timed_post(http: httpx2.Client, url: str, body: bytes) -> Callable[[], float]:
    def run() -> float:
        t = time.perf_counter()
        http.post(url, content=body, headers={"x-api-key": "bench"}).raise_for_status()
        return (time.perf_counter() - t) * 1000

    return run


def timed_first_byte(http: httpx2.Client, url: str, body: bytes) -> Callable[[], float]:
    def run() -> float:
        t = time.perf_counter()
        with http.stream("POST", url, content=body, headers={"x-api-key": "bench"}) as response:
            chunks = response.iter_raw()
            next(chunks)
            first = (time.perf_counter() - t) * 1000
            for _ in chunks:
                pass
        return first

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"proxy benchmark skipped: no corpus at {args.corpus}")
        return 0
    samples = pick_samples(args.corpus, TURNS)
    report: dict[str, Any] = {"samples": [name for name, _ in samples]}
    with (
        tempfile.TemporaryDirectory(prefix="proxy-bench-") as home,
        FakeProvider() as fake,
        proxy_process(fake.url, Path(home)) as (url, pid),
        httpx2.Client(timeout=120) as http,
    ):
        report["anthropic"] = conversation(http, fake, url, "/v1/messages", anthropic_bodies(samples))
        report["openai_chat"] = conversation(http, fake, url, "/v1/chat/completions", chat_bodies(samples))
        report["openai_responses"] = conversation(
            http, fake, url, "/v1/responses", responses_bodies(samples), key="input"
        )
        body = overhead_body()
        stream = json.loads(body)
        stream["stream"] = True
        big_stream = json.dumps(stream, separators=(",", ":")).encode()
        small_stream = json.dumps(
            {
                "max_tokens": 64,
                "messages": [{"role": "user", "content": "hi"}],
                "model": "claude-bench",
                "stream": True,
            }
        ).encode()
        direct, proxied = fake.url + "/v1/messages", url + "/v1/messages"
        report["overhead_200kb"] = {
            "bytes": len(body),
            **paired(args.runs, timed_post(http, direct, body), timed_post(http, proxied, body), pid),
        }
        report["first_byte_small"] = paired(
            args.runs,
            timed_first_byte(http, direct, small_stream),
            timed_first_byte(http, proxied, small_stream),
            pid,
        )
        report["first_byte_200kb"] = paired(
            args.runs, timed_first_byte(http, direct, big_stream), timed_first_byte(http, proxied, big_stream), pid
        )
    report["load"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def print_report(r: dict[str, Any]) -> None:
    print(f"proxy benchmark: {TURNS}-turn conversation over {len(r['samples'])} dev-corpus outputs")
    for api in ("anthropic", "openai_chat", "openai_responses"):
        c = r[api]
        print(
            f"  {api:16} input tokens {c['tokens_client']:>9,} -> {c['tokens_upstream']:>9,} upstream "
            f"({c['saved_pct']:.1f}% fewer; last request's results {c['last_request_results_client']:,} -> "
            f"{c['last_request_results_upstream']:,}); prefix kept in {c['prefix_kept']}/{c['prefix_checked']} "
            f"requests ({c['prefix_kept_pct']:.0f}%); {c['ms_per_request_p50']:.0f} ms p50 per request, "
            f"{c['ms_first_compressions_max']:.0f} ms max (a new result compressed)"
        )
    for key, label in (
        ("overhead_200kb", "200 KB request, nothing to compress"),
        ("first_byte_small", "first streamed byte, small request"),
        ("first_byte_200kb", "first streamed byte, 200 KB request"),
    ):
        o = r[key]
        print(
            f"  {label:38} direct p50 {o['direct_p50_ms']:.2f} ms (p95 {o['direct_p95_ms']:.2f}), proxied p50 "
            f"{o['proxied_p50_ms']:.2f} ms (p95 {o['proxied_p95_ms']:.2f}); added p50 {o['added_p50_ms']:.2f} ms; "
            f"the proxy's CPU {o['proxy_cpu_ms_per_request']:.2f} ms per request"
        )
    print(f"  machine load average while measuring: {r['load']}")


if __name__ == "__main__":
    sys.exit(main())
