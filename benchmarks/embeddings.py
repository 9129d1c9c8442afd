"""The semantic layer measured: embedding throughput (fp32 and int8, one thread), what the vector index and
the search index add per MB of original, and (--quality) retrieval quality, hybrid against lexical only.

Run from the repository root, with the model in a hub cache (`make bench` does, with --quality):

    HF_HOME=../shared/models/hf-cache HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/embeddings.py --quality

It chunks the corpus samples as the indexer would, checks the vectors first (unit length, int8 within
0.99 cosine of fp32 on these very chunks), then times embedding, then indexes samples into a fresh index
file and a fresh store and reports the bytes they added per MB of original. With --quality it stores every
sample in one store, lets the background indexer embed them with the default model, and for each sample's
query reports: whether the needles come back from `Store.query` (2,000 tokens) ranked lexically and hybrid;
whether a needle is in the top hits of `Store.search` across all samples, lexically and hybrid; and where
semantic ranking alone puts the chunk holding a needle.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ccr import Chunk, Embedder, EmbedderConfig, SemanticIndex, Settings, Store, VectorIndex, chunk_text

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


def detected_type(text: str) -> str:
    from compressors import detect

    return detect(text).content_type


def quality(corpus: Path, embedder: Embedder, timeout: float) -> dict[str, dict[str, float]]:
    """Needle recall of query excerpts and search, lexical and hybrid, over every sample in one store."""
    samples = [(folder, json.loads((folder / "meta.json").read_text(encoding="utf-8"))) for folder in _folders(corpus)]
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, Store(Settings(home=Path(tmp))) as store:
        semantic = SemanticIndex(store, embedder, catch_up=False)
        handles = {}
        started = time.perf_counter()
        for folder, _ in samples:
            data = (folder / "input.txt").read_bytes()
            handles[folder.name] = store.put(data, content_type=detected_type(data.decode("utf-8", "replace")))
        if not semantic.flush(timeout):
            raise SystemExit(f"the background indexer did not finish within {timeout:.0f} s")
        print(f"indexed {len(samples)} samples in the background in {time.perf_counter() - started:.0f} s")
        for mode in ("lexical", "hybrid"):
            store.set_semantic(semantic if mode == "hybrid" else None)
            found = total = complete = top1 = top5 = 0
            for folder, meta in samples:
                needles = meta["needles"]
                text = store.query(handles[folder.name], meta["query"], max_tokens=2000).render()
                hits = sum(1 for n in needles if n in text)
                found, total, complete = found + hits, total + len(needles), complete + (hits == len(needles))
                ranks = [
                    k
                    for k, hit in enumerate(store.search(meta["query"], limit=5).hits, start=1)
                    if hit.hash == handles[folder.name] and any(n in "\n".join(t for _, t in hit.rows) for n in needles)
                ]
                top1 += bool(ranks and ranks[0] == 1)
                top5 += bool(ranks)
            out[mode] = {
                "needles": found / total,
                "complete": complete / len(samples),
                "search_top1": top1 / len(samples),
                "search_top5": top5 / len(samples),
            }
        index = semantic._open_index()
        alone = []
        for folder, meta in samples:
            digest = handles[folder.name]
            nearest = index.search(embedder.embed_query(meta["query"]), 4096, [digest])
            lines = store.text(digest).split("\n")
            wanted = {n for needle in meta["needles"] for n, line in enumerate(lines, 1) if needle[:60] in line}
            ranks = [k for k, h in enumerate(nearest, 1) if any(h.start_line <= n <= h.end_line for n in wanted)]
            if ranks:
                alone.append(ranks[0])
        out["semantic alone"] = {
            "top1": sum(r <= 1 for r in alone) / len(alone),
            "top5": sum(r <= 5 for r in alone) / len(alone),
            "mrr": sum(1 / r for r in alone) / len(alone),
        }
        semantic.close()
    return out


def _folders(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if (p / "meta.json").is_file())


def search_index_cost(samples: list[tuple[str, str, str]]) -> tuple[int, int, int]:
    """(original bytes, chunks, bytes the search index added to the store file) for `samples` in one store."""

    def settled_size(path: Path) -> int:
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size

    with tempfile.TemporaryDirectory() as tmp, Store(Settings(home=Path(tmp))) as store:
        handles = [store.put(text, content_type=content_type) for _, content_type, text in samples]
        before = settled_size(store.path)
        chunks = sum(len(store.index_for_search(h) or []) for h in handles)
        after = settled_size(store.path)
        total = sum(len(text.encode("utf-8")) for *_, text in samples)
    return total, chunks, after - before


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
    parser.add_argument(
        "--quality", action="store_true", help="also measure retrieval quality, hybrid vs lexical (minutes)"
    )
    parser.add_argument("--index-timeout", type=float, default=1800, help="seconds to wait for the indexer")
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
    original, search_chunks, search_added = search_index_cost(sized)
    print(
        f"{'search index (store file)':44} {original:10,} {search_chunks:7,} {search_added:10,} "
        f"{search_added / (original / 1e6):12,.0f}"
    )
    if args.quality:
        print(f"\nretrieval quality on {len(samples)} samples ({fp32.config.model}, {fp32.config.file}):")
        results = quality(args.corpus, fp32, args.index_timeout)
        print(f"{'':10} {'query: needles':>15} {'all needles':>12} {'search top-1':>13} {'search top-5':>13}")
        for mode in ("lexical", "hybrid"):
            r = results[mode]
            print(
                f"{mode:10} {r['needles']:15.1%} {r['complete']:12.1%} {r['search_top1']:13.1%} "
                f"{r['search_top5']:13.1%}"
            )
        alone = results["semantic alone"]
        print(
            f"semantic ranking alone, chunk holding a needle: top-1 {alone['top1']:.0%}  top-5 {alone['top5']:.0%}  "
            f"MRR {alone['mrr']:.3f}"
        )
    print("(a fresh file reserves one 128-vector block, about 200 KB, before the first vector: small samples")
    print(" look costly alone; the shared-file line is the cost per MB once an index holds several originals)")
    print(f"machine: {os.cpu_count()} cores; numbers vary with load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
