"""Cost of the semantic index: embedding throughput (fp32 and int8, one thread) and index bytes per MB.

Run from the repository root, with the model in a hub cache:

    HF_HOME=../shared/models/hf-cache HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/embeddings.py

It chunks the corpus samples as the indexer would, checks the vectors first (unit length, int8 within
0.99 cosine of fp32 on these very chunks), then times embedding, then indexes every sample into a
fresh index file and reports the bytes it added per MB of original.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ccr import Chunk, Embedder, EmbedderConfig, VectorIndex, chunk_text

CATEGORY_TYPE = {
    "code": "code",
    "diff": "diff",
    "issue_thread": "markdown",
    "json_api": "json",
    "logs": "log",
    "prose": "markdown",
    "search": "search",
    "test_output": "log",
}
INT8_FILE = "onnx/model_qint8.onnx"


def load_samples(corpus: Path) -> list[tuple[str, str, str]]:
    """(name, content type, text) of each sample folder with an input.txt and a meta.json."""
    samples = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        text = (folder / "input.txt").read_text(encoding="utf-8", errors="replace")
        samples.append((folder.name, CATEGORY_TYPE.get(meta["category"], "text"), text))
    return samples


def needle_ranks(corpus: Path, embedder: Embedder) -> list[tuple[str, int, int]]:
    """(sample, chunks, rank of the best chunk holding a needle) when chunks are ranked by cosine to the query."""
    out = []
    for name, content_type, text in load_samples(corpus):
        meta = json.loads((corpus / name / "meta.json").read_text(encoding="utf-8"))
        chunks = chunk_text(text, content_type)
        ends = np.cumsum([len(c.text) for c in chunks])
        wanted = {
            int(np.searchsorted(ends, at, side="right"))
            for at in (text.find(n[:60]) for n in meta["needles"])
            if at >= 0
        }
        if not wanted:
            continue
        scores = embedder.embed([c.text for c in chunks]) @ embedder.embed_query(meta["query"])
        order = list(np.argsort(-scores, kind="stable"))
        out.append((name, len(chunks), min(order.index(i) for i in wanted) + 1))
    return out


def spread(chunked: list[list[Chunk]], limit: int) -> list[str]:
    """Up to `limit` chunk texts taken round-robin across samples, so every category is represented."""
    picked: list[str] = []
    depth = 0
    while len(picked) < limit and any(depth < len(c) for c in chunked):
        picked.extend(c[depth].text for c in chunked if depth < len(c))
        depth += 1
    return picked[:limit]


def rate(embedder: Embedder, texts: list[str], repeats: int) -> tuple[float, np.ndarray]:
    """Best-of-`repeats` chunks per second, and the vectors."""
    embedder.embed(texts[:8])  # warm-up: first-run allocations are not the steady state
    best = float("inf")
    vectors = np.zeros((0, 0), dtype=np.float32)
    for _ in range(repeats):
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best, vectors


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def index_cost(samples: list[tuple[str, str, str]], embedder: Embedder) -> tuple[list[tuple[str, int, int, int]], int]:
    """Per sample (name, original bytes, chunks, index bytes added to a fresh file), and the bytes all of
    them added to one shared file, where sqlite-vec's fixed cost (a 128-vector block) is spread."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shared_path = Path(tmp) / "shared" / "vectors.sqlite3"
        with VectorIndex(shared_path, model=embedder.config.model) as shared:
            shared_empty = db_bytes(shared_path)
            for n, (name, content_type, text) in enumerate(samples):
                chunks = chunk_text(text, content_type)
                vectors = embedder.embed([c.text for c in chunks])
                path = Path(tmp) / name / "vectors.sqlite3"
                with VectorIndex(path, model=embedder.config.model) as index:
                    empty = db_bytes(path)
                    index.index(f"{n:016x}", chunks, vectors)
                rows.append((name, len(text.encode("utf-8")), len(chunks), db_bytes(path) - empty))
                shared.index(f"{n:016x}", chunks, vectors)
        shared_added = db_bytes(shared_path) - shared_empty
    return rows, shared_added


def one_per_category(samples: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    seen: dict[str, tuple[str, str, str]] = {}
    for sample in samples:
        seen.setdefault(sample[0].split("_")[0], sample)
    return list(seen.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev"))
    parser.add_argument("--chunks", type=int, default=240, help="chunks to time per model (default 240)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per model; the best counts")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (default 1)")
    parser.add_argument("--quality", action="store_true", help="also rank every sample's chunks (int8, minutes)")
    parser.add_argument("--size-samples", nargs="*", default=[], help="samples to size (default: one per category)")
    args = parser.parse_args(argv)

    samples = load_samples(args.corpus)
    if not samples:
        print(f"no samples under {args.corpus}", file=sys.stderr)
        return 2
    fp32 = Embedder(EmbedderConfig(threads=args.threads))
    int8 = Embedder(EmbedderConfig(file=INT8_FILE, threads=args.threads))
    for embedder in (fp32, int8):
        if not embedder.available():
            print(embedder.status().reason, file=sys.stderr)
            return 2

    chunked = [chunk_text(text, content_type) for _, content_type, text in samples]
    texts = spread(chunked, args.chunks)
    tokens = fp32.token_counts(texts)
    print(f"corpus {args.corpus}: {len(samples)} samples, {sum(len(c) for c in chunked)} chunks")
    print(
        f"timed set: {len(texts)} chunks, {statistics.mean(len(t) for t in texts):.0f} chars and "
        f"{statistics.mean(tokens):.0f} tokens each on average; "
        f"{sum(n >= 256 for n in tokens) / len(tokens):.0%} reach the 256-token window"
    )

    fp32_rate, a = rate(fp32, texts, args.repeats)
    int8_rate, b = rate(int8, texts, args.repeats)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    agreement = (a * b).sum(axis=1)
    assert agreement.min() >= 0.99, f"int8 strays from fp32: min cosine {agreement.min():.4f}"
    print(f"int8 vs fp32 on these chunks: min cosine {agreement.min():.4f}, mean {agreement.mean():.4f}")
    print(f"threads={args.threads}  fp32 {fp32_rate:6.1f} chunks/s   int8 {int8_rate:6.1f} chunks/s")

    sized = [s for s in samples if s[0] in args.size_samples] if args.size_samples else one_per_category(samples)
    rows, shared_added = index_cost(sized, int8)
    print(f"\n{'sample':44} {'original':>10} {'chunks':>7} {'index':>10} {'per MB':>12}")
    for name, original, chunks, added in rows:
        print(f"{name:44} {original:10,} {chunks:7,} {added:10,} {added / (original / 1e6):12,.0f}")
    total = sum(r[1] for r in rows)
    total_chunks = sum(r[2] for r in rows)
    print(
        f"{'all in one file':44} {total:10,} {total_chunks:7,} {shared_added:10,} {shared_added / (total / 1e6):12,.0f}"
    )
    print(
        f"{'raw float32 vectors alone':44} {total:10,} {total_chunks:7,} {total_chunks * fp32.dim * 4:10,} "
        f"{total_chunks * fp32.dim * 4 / (total / 1e6):12,.0f}"
    )
    if args.quality:
        ranks = needle_ranks(args.corpus, int8)
        r = np.array([rank for _, _, rank in ranks])
        print(f"\nsemantic ranking alone, int8, {len(r)} samples: the first chunk holding a needle is")
        print(
            f"  top-1 {np.mean(r <= 1):.0%}  top-3 {np.mean(r <= 3):.0%}  top-5 {np.mean(r <= 5):.0%}  "
            f"MRR {np.mean(1 / r):.3f}"
        )
    print("(a fresh file reserves one 128-vector block, about 200 KB, before the first vector: small samples")
    print(" look costly alone; the shared-file line is the cost per MB once an index holds several originals)")
    print(f"machine: {os.cpu_count()} cores; numbers vary with load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
