"""The semantic layer measured: what meaning costs on the call path and in memory, and whether it ranks better.

    HF_HOME=../shared/models/hf-cache HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/embeddings.py \\
        --corpus ../shared/corpus/dev [--corpus bench-out/fresh-corpus] [--no-server | --server-only]

`make bench` runs it with the model cache when ../shared/models/hf-cache exists, over the dev corpus and the
fresh samples it generated. Every corpus is a folder of samples (input.txt, meta.json with category, query and
needles). "off" is the default configuration (HEADROOM_EMBEDDINGS unset: lexical ranking); "on" is
HEADROOM_EMBEDDINGS=1 with the model loaded, as a server that started a while ago has it, from the file it loads
by default (an int8 file where the cache holds one). Each sample is stored as `headroom exec` stores what a
command prints, with its command line as the original's source (`exec:CMD`), where its meta.json `source` is a
command line this machine can run (a fresh sample's; a trailing note in parentheses left out); the others (the
dev corpus' files and recordings) as an MCP tool call stores them, without one. Sections:

1. embedding speed on one thread, per model file found: texts/s and KB/s of chunks (the model's 256-token window,
   and the 128 tokens a search candidate is read by), short sentences, one question; int8 against fp32 (cosine);
2. compress() per category, first call on each sample (the vector cache emptied before it), off and on;
3. query retrieval (Store.query, 2,000 tokens) and search (Store.search, all samples in one store) per call, off
   and on, the vector cache emptied before each;
4. search quality: a hit is any needle of the question in the text of the top 1 / top 5 results, with every
   sample in one store (where a question written for one output competes with all the others) and with each
   sample alone in a store, and in one store over the questions no other sample asks in the same words; query
   retrieval quality: needles in the excerpt. Per corpus, off and on (and on with the other model file).
   `--search-only` runs this part alone (search, no retrieval or timings), and lexical ranking once more with
   the outputs stored without their command lines; `--misses FILE` lists what each ranking missed in one store
   and what it showed instead (`--compress-only` runs part 2 alone);
5. indexing: what the background search indexer does per second on one thread (no embedding: meaning is lazy),
   beside what embedding every chunk, the design this replaced, would do;
6. a real server (`headroom mcp serve`) after 10 MB of originals compressed through it and searched: RSS, off
   and on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ccr._embeddings
from ccr import Embedder, EmbedderConfig, SemanticIndex, Settings, Store, chunk_text
from ccr._hub import ModelFilesMissing, ModelRef, resolve_files

FP32 = ccr._embeddings.DEFAULT_EMBED_FILE
RETRIEVE_TOKENS = 2000
# A note after a sample's command line: "cargo test --offline (scratch crate, 101 tests in /tmp/...)".
_NOTE = re.compile(r"\s+\([^()]*\)$")
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=\S*")


@dataclass(frozen=True, slots=True)
class Sample:
    corpus: str
    name: str
    category: str
    query: str
    needles: tuple[str, ...]
    data: bytes
    command: str | None = None

    def source(self, commands: bool) -> str:
        """The source the store records for this sample: `exec:CMD` where it has a command line and `commands`
        is on, else what an MCP tool call records."""
        return f"exec:{self.command}" if commands and self.command else "mcp:compress"

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


def load_samples(folders: Sequence[Path]) -> list[Sample]:
    out = []
    for folder in folders:
        for sample in sorted(p for p in folder.iterdir() if (p / "meta.json").is_file()):
            meta = json.loads((sample / "meta.json").read_text(encoding="utf-8"))
            out.append(
                Sample(
                    folder.name,
                    sample.name,
                    str(meta["category"]),
                    str(meta["query"]),
                    tuple(meta["needles"]),
                    (sample / "input.txt").read_bytes(),
                    command_of(str(meta.get("source", ""))),
                )
            )
    return out


def command_of(source: str) -> str | None:
    """The command line a sample's `source` gives (its trailing note left out), or None when it is not one
    this machine can run (a description, a repository path)."""
    line = _NOTE.sub("", source.strip())
    words = line.split()
    while words and _ASSIGNMENT.fullmatch(words[0]):
        words.pop(0)
    path = os.pathsep.join((os.environ.get("PATH", ""), os.path.dirname(sys.executable)))
    return line if words and shutil.which(words[0], path=path) is not None else None


def model_files() -> tuple[str | None, str | None]:
    """The fp32 file and the first int8 file found in the hub cache (None where absent)."""
    ref = ModelRef(ccr._embeddings.DEFAULT_EMBED_MODEL)

    def cached(name: str) -> bool:
        try:
            resolve_files(ref, (name, "tokenizer.json"), download=False)
        except ModelFilesMissing:
            return False
        return True

    return (FP32 if cached(FP32) else None), next((f for f in ccr._embeddings.INT8_EMBED_FILES if cached(f)), None)


@contextmanager
def meaning(on: bool, file: str = FP32) -> Iterator[Embedder | None]:
    """The process configured as off (default) or on (HEADROOM_EMBEDDINGS=1, model `file` loaded)."""
    saved = {k: os.environ.get(k) for k in ("HEADROOM_EMBEDDINGS", "HEADROOM_EMBED_FILE")}
    os.environ["HEADROOM_EMBEDDINGS"] = "1" if on else "0"
    os.environ["HEADROOM_EMBED_FILE"] = file
    ccr._embeddings._default = None
    try:
        embedder = ccr.default_embedder()
        if on and not embedder.available():
            raise SystemExit(embedder.status().reason)
        yield embedder if on else None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        ccr._embeddings._default = None


def ms(seconds: float) -> float:
    return seconds * 1000


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def row(cells: Sequence[object], widths: Sequence[int]) -> str:
    return " ".join(f"{c!s:>{w}}" if i else f"{c!s:<{w}}" for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


# --- 1. embedding speed --------------------------------------------------------------------------------------


def spread_chunks(samples: Sequence[Sample], limit: int) -> list[str]:
    """Up to `limit` chunk texts taken round-robin across samples, so every kind of output is represented."""
    chunked = [[c.text for c in chunk_text(s.text)] for s in samples]
    picked: list[str] = []
    depth = 0
    while len(picked) < limit and any(depth < len(c) for c in chunked):
        picked.extend(c[depth] for c in chunked if depth < len(c))
        depth += 1
    return picked[:limit]


def sentences_of(samples: Sequence[Sample], limit: int) -> list[str]:
    out: list[str] = []
    for sample in samples:
        if sample.category in ("prose", "issue_thread"):
            out.extend(s.strip() for s in sample.text.split(". ") if 30 <= len(s.strip()) <= 240)
    return list(dict.fromkeys(out))[:limit]


def timed_embed(embedder: Embedder, texts: list[str], max_tokens: int | None) -> float:
    """CPU seconds of this thread (the embedder runs one intra-op thread, on the caller's), so the rate is one
    core's whatever else the machine runs."""
    embedder.clear_cache()
    started = time.thread_time()
    embedder.embed(texts, max_tokens=max_tokens)
    return time.thread_time() - started


def embedding_speed(files: Sequence[str], samples: Sequence[Sample], chunks: int) -> dict[str, dict[str, float]]:
    texts = spread_chunks(samples, chunks)
    sentences = sentences_of(samples, 200)
    questions = list(dict.fromkeys(s.query for s in samples))[:40]
    size = sum(len(t.encode()) for t in texts)
    out: dict[str, dict[str, float]] = {}
    vectors = {}
    for file in files:
        embedder = Embedder(EmbedderConfig(file=file))
        embedder.embed(["warm up"])
        full = timed_embed(embedder, texts, None)
        short = timed_embed(embedder, texts, 128)
        said = timed_embed(embedder, sentences, 48) if sentences else float("nan")
        embedder.clear_cache()
        each = []
        for question in questions:
            started = time.thread_time()
            embedder.embed_query(question)
            each.append(time.thread_time() - started)
        vectors[file] = embedder.embed(texts)
        out[file] = {
            "chunks/s": len(texts) / full,
            "KB/s": size / full / 1000,
            "chunks/s@128": len(texts) / short,
            "KB/s@128": size / short / 1000,
            "sentences/s": len(sentences) / said if sentences else float("nan"),
            "question ms": ms(statistics.median(each)),
        }
    print(
        f"\n1. embedding speed per CPU-second of one thread ({len(texts)} chunks, {size / len(texts):.0f} bytes each "
        f"on average; {len(sentences)} sentences by 48 tokens; {len(questions)} questions; question in CPU ms)"
    )
    widths = (24, 9, 8, 12, 10, 12, 12)
    print(row(("file", "chunks/s", "KB/s", "chunks/s@128", "KB/s@128", "sentences/s", "question ms"), widths))
    for file, r in out.items():
        print(row((file, *(f"{v:.1f}" for v in r.values())), widths))
    if len(files) == 2:
        agreement = (vectors[files[0]] * vectors[files[1]]).sum(axis=1)
        print(f"int8 against fp32 on these chunks: cosine min {agreement.min():.4f}, mean {agreement.mean():.4f}")
    return out


# --- 2-4. the call path and quality --------------------------------------------------------------------------


@dataclass
class Pass:
    """One configuration's figures over all samples."""

    compress_ms: dict[str, list[float]] = field(default_factory=dict)
    compress_cpu: dict[str, list[float]] = field(default_factory=dict)
    query_ms: dict[str, list[float]] = field(default_factory=dict)
    query_cpu: dict[str, list[float]] = field(default_factory=dict)
    search_ms: list[float] = field(default_factory=list)
    search_cpu: list[float] = field(default_factory=list)
    top1: dict[str, int] = field(default_factory=dict)
    top5: dict[str, int] = field(default_factory=dict)
    alone1: dict[str, int] = field(default_factory=dict)  # the sample alone in its store
    alone5: dict[str, int] = field(default_factory=dict)
    needles: dict[str, list[int]] = field(default_factory=dict)  # corpus -> [found, total, samples complete]
    counted: dict[str, int] = field(default_factory=dict)
    # Questions whose words no other sample's question shares ("Which tests failed, and why?" is asked of every
    # test run): [questions, top-5 hits] in one store.
    named: list[int] = field(default_factory=lambda: [0, 0])
    misses: list[str] = field(default_factory=list)  # one store: each missed question and what came instead


def run_pass(
    samples: Sequence[Sample], embedder: Embedder | None, *, timing: bool, retrieval: bool = True, commands: bool = True
) -> Pass:
    """Every sample compressed (when `timing`), then searched and retrieved (when `retrieval`) with its question,
    in one store; stored with its command line where it has one and `commands` is on."""
    from compressors import compress, detect

    out = Pass()
    asked = Counter(s.query for s in samples)
    clear = embedder.clear_cache if embedder is not None else (lambda: None)
    with tempfile.TemporaryDirectory(prefix="headroom-semantic-") as tmp, Store(Settings(home=Path(tmp))) as store:
        semantic = SemanticIndex(store, embedder, catch_up=False, load=False) if embedder is not None else None
        handles: dict[tuple[str, str], str] = {}
        if timing:
            compress(samples[0].data, store=store, query=samples[0].query)  # warm-up: imports, tokenizer tables
        for sample in samples:
            clear()
            started, cpu = time.perf_counter(), time.thread_time()
            if timing:
                handles[sample.corpus, sample.name] = compress(
                    sample.data, store=store, query=sample.query, source=sample.source(commands)
                ).hash
                out.compress_ms.setdefault(sample.category, []).append(ms(time.perf_counter() - started))
                out.compress_cpu.setdefault(sample.category, []).append(ms(time.thread_time() - cpu))
            else:
                handles[sample.corpus, sample.name] = store.put(
                    sample.data, content_type=detect(sample.text).content_type, source=sample.source(commands)
                )
        store.search("warm up")  # indexes every original for search, once
        for sample in samples:
            clear()
            started, cpu = time.perf_counter(), time.thread_time()
            first, any5, shown = hit_ranks(store, sample)
            out.search_ms.append(ms(time.perf_counter() - started))
            out.search_cpu.append(ms(time.thread_time() - cpu))
            out.counted[sample.corpus] = out.counted.get(sample.corpus, 0) + 1
            out.top1[sample.corpus] = out.top1.get(sample.corpus, 0) + first
            out.top5[sample.corpus] = out.top5.get(sample.corpus, 0) + any5
            if asked[sample.query] == 1:
                out.named[0] += 1
                out.named[1] += any5
            if not any5:
                names = {digest: f"{c}/{n}" for (c, n), digest in handles.items()}
                out.misses.append(
                    f"{sample.corpus}/{sample.name}: {sample.query}\n"
                    + "".join(f"   -> {names.get(h, h)} lines {a}-{b}\n" for h, a, b in shown)
                )
            if not retrieval:
                continue
            clear()
            started, cpu = time.perf_counter(), time.thread_time()
            excerpt = store.query(handles[sample.corpus, sample.name], sample.query, max_tokens=RETRIEVE_TOKENS).text
            out.query_ms.setdefault(sample.category, []).append(ms(time.perf_counter() - started))
            out.query_cpu.setdefault(sample.category, []).append(ms(time.thread_time() - cpu))
            found = sum(1 for n in sample.needles if n in excerpt)
            tally = out.needles.setdefault(sample.corpus, [0, 0, 0])
            tally[0] += found
            tally[1] += len(sample.needles)
            tally[2] += found == len(sample.needles)
        if semantic is not None:
            semantic.close()
    for sample in samples:
        with tempfile.TemporaryDirectory(prefix="headroom-semantic-") as tmp, Store(Settings(home=Path(tmp))) as store:
            semantic = SemanticIndex(store, embedder, catch_up=False, load=False) if embedder is not None else None
            store.put(sample.data, content_type=detect(sample.text).content_type, source=sample.source(commands))
            clear()
            first, any5, _ = hit_ranks(store, sample)
            out.alone1[sample.corpus] = out.alone1.get(sample.corpus, 0) + first
            out.alone5[sample.corpus] = out.alone5.get(sample.corpus, 0) + any5
            if semantic is not None:
                semantic.close()
    return out


def hit_ranks(store: Store, sample: Sample) -> tuple[bool, bool, list[tuple[str, int, int]]]:
    """Whether a needle of `sample` is in the first result's text, and in any of the top 5; the top 5 (handle,
    first and last line)."""
    hits = store.search(sample.query, limit=5).hits
    texts = ["\n".join(text for _, text in hit.rows) for hit in hits]
    ranks = [k for k, text in enumerate(texts, 1) if any(n in text for n in sample.needles)]
    return bool(ranks and ranks[0] == 1), bool(ranks), [(h.hash, h.start_line, h.end_line) for h in hits]


def report_times(off: Pass, on: Pass, wall: str, cpu: str) -> None:
    """Per category: median and p95 of wall time and of the calling thread's CPU time, off and on."""
    widths = (14, 4, 16, 16, 16, 16)
    print(row(("category", "n", "off wall med/p95", "on wall med/p95", "off cpu med/p95", "on cpu med/p95"), widths))
    tables = [getattr(off, wall), getattr(on, wall), getattr(off, cpu), getattr(on, cpu)]

    def cell(values: Sequence[float]) -> str:
        return f"{pct(values, 0.5):.1f} / {pct(values, 0.95):.1f}"

    for category in sorted(tables[0]):
        print(row((category, len(tables[0][category]), *(cell(t.get(category, [])) for t in tables)), widths))
    every = [[v for values in t.values() for v in values] for t in tables]
    print(row(("all", len(every[0]), *(cell(values) for values in every)), widths))


def report_quality(passes: dict[str, Pass]) -> None:
    corpora = list(next(iter(passes.values())).counted)
    widths = (24, 14, 4, 14, 14, 14, 10)
    heads = ("ranking", "corpus", "n", "top-1/5 (one)", "top-1/5 alone", "query needles", "all found")
    print(row(heads, widths))
    for label, result in passes.items():
        totals = [0] * 8
        for corpus in [*corpora, "all"]:
            if corpus == "all":
                values = totals
            else:
                found, total, complete = result.needles.get(corpus, [0, 0, 0])
                values = [
                    result.counted[corpus],
                    result.top1[corpus],
                    result.top5[corpus],
                    result.alone1[corpus],
                    result.alone5[corpus],
                    found,
                    total,
                    complete,
                ]
                totals = [a + b for a, b in zip(totals, values, strict=True)]
            n, t1, t5, a1, a5, found, total, complete = values
            query = f"{found / total:.1%}" if total else "-"
            cells = (f"{t1 / n:.1%} / {t5 / n:.1%}", f"{a1 / n:.1%} / {a5 / n:.1%}", query)
            print(row((label, corpus, n, *cells, f"{complete / n:.1%}" if total else "-"), widths))
    for label, result in passes.items():
        n, hits = result.named
        if n:
            print(
                f"{label}: top-5 in one store {hits / n:.1%} of the {n} questions no other sample asks in the same "
                f"words (the rest are asked alike of several outputs; a search cannot know which one the asker means)"
            )


# --- 5. indexing ------------------------------------------------------------------------------------------------


def indexing(samples: Sequence[Sample]) -> tuple[int, float, float]:
    """(bytes, wall seconds, CPU seconds of the thread) the background indexer's work takes for every sample."""
    from compressors import detect

    with tempfile.TemporaryDirectory(prefix="headroom-semantic-") as tmp, Store(Settings(home=Path(tmp))) as store:
        handles = [store.put(s.data, content_type=detect(s.text).content_type, source=s.source(True)) for s in samples]
        started, cpu = time.perf_counter(), time.thread_time()
        for digest in handles:
            store.index_for_search(digest)
        return sum(len(s.data) for s in samples), time.perf_counter() - started, time.thread_time() - cpu


# --- 6. a real server -------------------------------------------------------------------------------------------


def child_pids() -> list[int]:
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                out.append(int(entry))
    return out


def memory_of(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


async def serve_and_measure(samples: Sequence[Sample], on: bool, limit: int) -> dict[str, Any]:
    """The server as configured by default (its model file too), with semantic ranking `on` or off."""
    from mcp import Client, StdioServerParameters

    with tempfile.TemporaryDirectory(prefix="headroom-semantic-") as home:
        env = {**os.environ, "HEADROOM_HOME": home, "HEADROOM_EMBEDDINGS": "1" if on else "0"}
        env.pop("HEADROOM_EMBED_FILE", None)
        for key in ("HF_HOME", "HF_HUB_CACHE"):  # the server runs in `home`: a relative cache path would miss
            if key in env:
                env[key] = os.path.abspath(env[key])
        params = StdioServerParameters(
            command=sys.executable, args=["-P", "-m", "mcp_server", "mcp", "serve"], env=env, cwd=home
        )
        before = set(child_pids())
        sent = calls = 0
        started = time.perf_counter()
        async with Client(params) as client:
            (pid,) = set(child_pids()) - before
            while sent < limit:
                sample = samples[calls % len(samples)]
                content = f"# copy {calls}\n{sample.text}"
                result = await client.call_tool("headroom_compress", {"content": content})
                if result.is_error:
                    raise RuntimeError(f"headroom_compress failed: {result.content}")
                sent += len(content.encode())
                calls += 1
            stored = time.perf_counter() - started
            pending, mode, searches = 1, "", 0
            while pending and searches < 50:
                result = await client.call_tool("headroom_search", {"query": samples[searches].query})
                assert result.structured_content is not None
                pending, mode = result.structured_content["pending"], result.structured_content["mode"]
                searches += 1
            memory = memory_of(pid)
    return {
        "bytes": sent,
        "calls": calls,
        "seconds": stored,
        "searches": searches,
        "rss": memory["VmRSS"],
        "peak": memory["VmHWM"],
        "mode": mode,
    }


# --- main -------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus folder (repeat; default the dev corpus)")
    parser.add_argument("--chunks", type=int, default=200, help="chunks timed per model file (default 200)")
    parser.add_argument("--no-server", action="store_true", help="skip the server memory measurement")
    parser.add_argument("--server-only", action="store_true", help="only the server memory measurement (6)")
    parser.add_argument(
        "--search-only", action="store_true", help="only search quality (4), lexical and hybrid, no timings"
    )
    parser.add_argument("--misses", type=Path, help="write each question search missed (one store) to this file")
    parser.add_argument(
        "--compress-only", action="store_true", help="only compress() per category (2), off and on, no search"
    )
    parser.add_argument("--server-mb", type=float, default=10.0, help="MiB of originals sent to the server (10)")
    args = parser.parse_args(argv)
    folders = [p for p in (args.corpus or [Path("../shared/corpus/dev")]) if p.is_dir()]
    samples = load_samples(folders)
    if not samples:
        print(f"no samples under {', '.join(map(str, args.corpus or []))}", file=sys.stderr)
        return 2
    fp32, int8 = model_files()
    files = [f for f in (fp32, int8) if f]
    load = os.getloadavg()[0]
    sources = ", ".join(f"{f} ({sum(s.corpus == f.name for s in samples)})" for f in folders)
    print(f"semantic layer: {len(samples)} questions from {sources}; machine {os.cpu_count()} cores, load {load:.1f}")
    print(f"{sum(s.command is not None for s in samples)} samples stored with their command line (exec:CMD)")
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", "~/.cache/huggingface"), "hub")
    # What HEADROOM_EMBEDDINGS=1 loads when HEADROOM_EMBED_FILE is unset: int8 where the cache has it.
    default = int8 or fp32
    if default is None:
        print(f"model {ccr._embeddings.DEFAULT_EMBED_MODEL} is not in {hub}: only the lexical figures follow")
    else:
        print(
            f"model {ccr._embeddings.DEFAULT_EMBED_MODEL} present in {hub}: {', '.join(files)} ({default} by default)"
        )
    print(
        "off = the default (HEADROOM_EMBEDDINGS unset: lexical); on = HEADROOM_EMBEDDINGS=1, its default file "
        "loaded; times in ms, wall and CPU of the calling thread, in a warm process, each the first call on its input "
        "(vector cache emptied)"
    )

    if args.server_only:
        return server_memory(samples, default, args.server_mb)
    if args.search_only:
        return search_only(samples, files, default, args.misses)
    if args.compress_only:
        return compress_only(samples, default)
    if files:
        speed = embedding_speed(files, samples, args.chunks)
    with meaning(False) as _:
        off = run_pass(samples, None, timing=True)
    passes = {"lexical (off)": off}
    if default:
        with meaning(True, default) as embedder:
            on = run_pass(samples, embedder, timing=True)
        passes[f"hybrid ({Path(default).name})"] = on
        print("\n2. compress() with the sample's question, per category (ms)")
        report_times(off, on, "compress_ms", "compress_cpu")
        print(f"\n3. query retrieval (Store.query, {RETRIEVE_TOKENS} tokens), per category (ms)")
        report_times(off, on, "query_ms", "query_cpu")
        print(f"search (Store.search, {len(samples)} originals in one store), wall / cpu ms:")
        for label, result in (("off", off), ("on", on)):
            print(
                f"   {label:3} median {pct(result.search_ms, 0.5):.1f} / {pct(result.search_cpu, 0.5):.1f}, "
                f"p95 {pct(result.search_ms, 0.95):.1f} / {pct(result.search_cpu, 0.95):.1f}"
            )
    for other in files:
        if other != default:
            with meaning(True, other) as embedder:
                passes[f"hybrid ({Path(other).name})"] = run_pass(samples, embedder, timing=False)
    print(
        f"\n4. quality: search hits (any needle in the text of the top 1 / top 5 results), all {len(samples)} "
        f"originals in one store (one) or each sample alone in a store (alone); query retrieval needles "
        f"({RETRIEVE_TOKENS} tokens)"
    )
    report_quality(passes)
    write_misses(passes, args.misses)

    size, seconds, cpu = indexing(samples)
    print(
        f"\n5. indexing on one thread: the search index takes {size / cpu / 1000:,.0f} KB of originals per CPU-second "
        f"({size / seconds / 1000:,.0f} KB/s wall; {size / 1e6:.1f} MB); embedding at index time: none (meaning is "
        "computed at question time for the best candidates only)"
    )
    for file in files:
        print(f"   embedding every chunk instead ({file}) would index {speed[file]['KB/s']:.1f} KB per CPU-second")
    return 0 if args.no_server else server_memory(samples, default, args.server_mb)


def search_only(samples: Sequence[Sample], files: Sequence[str], default: str | None, misses: Path | None) -> int:
    with meaning(False) as _:
        passes = {
            "lexical (off)": run_pass(samples, None, timing=False, retrieval=False),
            "lexical, no commands": run_pass(samples, None, timing=False, retrieval=False, commands=False),
        }
    for file in sorted(files, key=lambda f: f != default):
        with meaning(True, file) as embedder:
            passes[f"hybrid ({Path(file).name})"] = run_pass(samples, embedder, timing=False, retrieval=False)
    print(f"\n4. search quality: any needle in the text of the top 1 / top 5 results ({len(samples)} questions)")
    report_quality(passes)
    print(f"search (Store.search, {len(samples)} originals in one store), wall / cpu ms:")
    for label, result in passes.items():
        print(
            f"   {label}: median {pct(result.search_ms, 0.5):.1f} / {pct(result.search_cpu, 0.5):.1f}, "
            f"p95 {pct(result.search_ms, 0.95):.1f} / {pct(result.search_cpu, 0.95):.1f}"
        )
    write_misses(passes, misses)
    return 0


def compress_times(samples: Sequence[Sample], embedder: Embedder | None) -> Pass:
    """compress() of every sample with its question in one warm process, each the first call on its input."""
    from compressors import compress

    out = Pass()
    clear = embedder.clear_cache if embedder is not None else (lambda: None)
    with tempfile.TemporaryDirectory(prefix="headroom-semantic-") as tmp, Store(Settings(home=Path(tmp))) as store:
        semantic = SemanticIndex(store, embedder, catch_up=False, load=False) if embedder is not None else None
        compress(samples[0].data, store=store, query=samples[0].query)  # warm-up: imports, tokenizer tables
        for sample in samples:
            clear()
            started, cpu = time.perf_counter(), time.thread_time()
            compress(sample.data, store=store, query=sample.query)
            out.compress_ms.setdefault(sample.category, []).append(ms(time.perf_counter() - started))
            out.compress_cpu.setdefault(sample.category, []).append(ms(time.thread_time() - cpu))
        if semantic is not None:
            semantic.close()
    return out


def compress_only(samples: Sequence[Sample], default: str | None) -> int:
    with meaning(False) as _:
        off = compress_times(samples, None)
    if default is None:
        on = off
        print("\n2. compress() with the sample's question, per category (ms; no model in the cache: on = off)")
    else:
        with meaning(True, default) as embedder:
            on = compress_times(samples, embedder)
        print("\n2. compress() with the sample's question, per category (ms)")
    report_times(off, on, "compress_ms", "compress_cpu")
    return 0


def write_misses(passes: dict[str, Pass], path: Path | None) -> None:
    if path is None:
        return
    with path.open("w", encoding="utf-8") as out:
        for label, result in passes.items():
            out.write(f"# {label}: {len(result.misses)} questions with no needle in the top 5 (one store)\n")
            out.writelines(f"{miss}\n" for miss in result.misses)
    print(f"wrote the missed questions to {path}")


def server_memory(samples: Sequence[Sample], default: str | None, mib: float) -> int:
    limit = int(mib * 2**20)
    print(
        f"\n6. server (headroom mcp serve) after {limit / 2**20:.0f} MiB of originals compressed and "
        "searched until nothing is pending"
    )
    for on in (False, True) if default else (False,):
        r = asyncio.run(serve_and_measure(samples, on, limit))
        print(
            f"   {'on ' if on else 'off'}: RSS {r['rss'] / 2**20:.0f} MiB (peak {r['peak'] / 2**20:.0f} MiB), "
            f"{r['calls']} compress calls ({r['bytes'] / 2**20:.1f} MiB) in {r['seconds']:.0f} s, "
            f"{r['searches']} searches, last one {r['mode']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
