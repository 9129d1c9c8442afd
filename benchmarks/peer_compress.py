"""Run the peer's MCP compress code path over benchmark inputs; runs inside the peer's own virtualenv.

Usage (what `headroom bench` does when `.venv-peer` exists):

    .venv-peer/bin/python benchmarks/peer_compress.py --manifest in.json --out out.json
    .venv-peer/bin/python benchmarks/peer_compress.py --check

`in.json` is ``{"runs": N, "samples": [{"name": ..., "path": ".../input.txt"}, ...]}``. Each input is
decoded from its exact bytes as UTF-8 (the peer's tool takes a string; line endings are kept) and
handed to the function the peer's ``headroom_compress`` MCP tool runs in its executor:
``HeadroomMCPServer._compress_content``, which wraps the text as one tool message, runs the library
pipeline and stores the original. The tool handler's proxy probe and savings ledger are left out,
which only makes the peer faster. One warm-up call per sample, then `runs` timed calls; the peer's
result cache is cleared before each call so a repeat is not a cache hit. Offline:
``HEADROOM_OFFLINE=1``, and tiktoken reads ``o200k_base`` from a copy an installed package ships
(found below), never from the network.

This file imports nothing from headroom-mcp: the peer's virtualenv does not have it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
ENCODING = "o200k_base"
PEER_DIST = "headroom-ai"
ENTRY_POINT = "headroom.ccr.mcp_server.HeadroomMCPServer._compress_content"
# Packages known to ship tiktoken's cache files (named by the SHA-1 of the download URL).
_KNOWN_SHIPPERS = (("litellm", ("litellm_core_utils", "tokenizers")),)


def tiktoken_cache_file_name(encoding: str) -> str:
    """The file name tiktoken looks for in TIKTOKEN_CACHE_DIR for `encoding`."""
    return hashlib.sha1(TIKTOKEN_URL.format(name=encoding).encode()).hexdigest()


def find_tiktoken_cache_dir(encoding: str = ENCODING) -> Path | None:
    """A folder inside the installed packages that holds tiktoken's cached `encoding` file."""
    wanted = tiktoken_cache_file_name(encoding)
    for package, parts in _KNOWN_SHIPPERS:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location).joinpath(*parts)
            if (folder / wanted).is_file():
                return folder
    for entry in sys.path:
        root = Path(entry)
        if not root.is_dir() or "site-packages" not in root.parts:
            continue
        for dirpath, _dirs, files in os.walk(root):
            if wanted in files:
                return Path(dirpath)
    return None


def prepare_offline() -> dict[str, Any]:
    """Environment for an offline peer; returns what was set, for the report."""
    os.environ["HEADROOM_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HEADROOM_TELEMETRY", "off")
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not cache_dir:
        found = find_tiktoken_cache_dir()
        if found is None:
            raise SystemExit(
                f"peer_compress: no installed package ships tiktoken's {ENCODING} file "
                f"({tiktoken_cache_file_name(ENCODING)}); set TIKTOKEN_CACHE_DIR to a folder holding it"
            )
        cache_dir = str(found)
        os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
    return {"tiktoken_cache_dir": cache_dir, "offline": True}


def clear_peer_caches() -> bool:
    """Empty the result cache of every transform in the peer's pipeline; False when none was found."""
    module = sys.modules.get("headroom.compress")
    pipeline = getattr(module, "_pipeline", None)
    cleared = False
    for transform in getattr(pipeline, "transforms", None) or []:
        cache = getattr(transform, "_cache", None)
        if cache is not None and callable(getattr(cache, "clear", None)):
            cache.clear()
            cleared = True
    return cleared


def make_compressor() -> Any:
    """The peer's tool-side compress function, bound to a server that never probes for a proxy."""
    server_module = importlib.import_module("headroom.ccr.mcp_server")
    server = server_module.HeadroomMCPServer(check_proxy=False)
    return server._compress_content


def _one(compress: Any, text: str, runs: int) -> tuple[dict[str, Any], list[float], bool]:
    result = compress(text)
    times: list[float] = []
    cleared = True
    for _ in range(runs):
        cleared = clear_peer_caches() and cleared
        started = time.perf_counter()
        result = compress(text)
        times.append((time.perf_counter() - started) * 1000)
    return result, times, cleared


def run(manifest: dict[str, Any]) -> dict[str, Any]:
    env = prepare_offline()
    runs = int(manifest.get("runs", 5))
    started = time.perf_counter()
    compress = make_compressor()
    import_ms = (time.perf_counter() - started) * 1000
    samples = []
    all_cleared = True
    for item in manifest["samples"]:
        entry: dict[str, Any] = {"name": item["name"]}
        try:
            # Bytes then decode: text mode would turn CRLF into LF and hand the peer a different input.
            text = Path(item["path"]).read_bytes().decode("utf-8")
            result, times, cleared = _one(compress, text, runs)
        except Exception as exc:  # one failing sample must not hide the others' figures
            entry["error"] = f"{type(exc).__name__}: {exc}"
            samples.append(entry)
            continue
        all_cleared = all_cleared and cleared
        compressed = result.get("compressed", text)
        entry.update(
            compressed=compressed if isinstance(compressed, str) else json.dumps(compressed, ensure_ascii=False),
            median_ms=statistics.median(times) if times else 0.0,
            times_ms=times,
            transforms=list(result.get("transforms") or []),
            hash=result.get("hash"),
            peer_tokens=[result.get("original_tokens"), result.get("compressed_tokens")],
            error=result.get("error"),
        )
        samples.append(entry)
    return {
        "peer": PEER_DIST,
        "version": importlib.metadata.version(PEER_DIST),
        "python": platform.python_version(),
        "entry_point": ENTRY_POINT,
        "runs": runs,
        "cache_cleared": all_cleared,
        "setup_ms": import_ms,
        **env,
        "samples": samples,
    }


def check() -> int:
    """Import the peer offline, count with tiktoken's shipped file and compress a small log once."""
    env = prepare_offline()
    tiktoken = importlib.import_module("tiktoken")
    tiktoken.get_encoding(ENCODING).encode("offline check")
    compress = make_compressor()
    lines = [f"2024-01-01 00:00:{i % 60:02d} INFO worker {i} heartbeat ok" for i in range(400)]
    lines[200] = "2024-01-01 00:03:20 ERROR worker 200 lost connection to db"
    result = compress("\n".join(lines))
    print(
        f"{PEER_DIST} {importlib.metadata.version(PEER_DIST)} works offline "
        f"(tiktoken {ENCODING} from {env['tiktoken_cache_dir']}; "
        f"{result.get('original_tokens')} -> {result.get('compressed_tokens')} tokens on a test log)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--manifest", type=Path, help="JSON file naming the inputs and the number of runs")
    parser.add_argument("--out", type=Path, help="where to write the JSON results")
    parser.add_argument("--check", action="store_true", help="only check that the peer runs offline")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    if args.manifest is None or args.out is None:
        parser.error("give --manifest and --out (or --check)")
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    results = run(manifest)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
