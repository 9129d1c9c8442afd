"""Server start-up, stdio round trips and idle memory of `headroom mcp serve`.

    .venv/bin/python benchmarks/server_start.py [--runs N]

Targets: start < 0.5 s, 100 KB round trip < 50 ms median, idle RSS < 100 MB. Start is timed to the
initialize answer and to the first tools/list answer; both wait for the MCP SDK to load, as a client
lists tools right after initialize (an early initialize answer was tried and dropped: real clients
started no sooner with it).
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.server_measure import (
    DEFAULT_SIZES,
    measure_idle_rss,
    measure_round_trips,
    measure_sdk_import,
    measure_startup,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="repetitions per measurement (default 10)")
    args = parser.parse_args()

    start = measure_startup(runs=args.runs)
    for label, runs in (("initialize answer", start.runs_s), ("first tools/list", start.tools_list_runs_s)):
        print(
            f"start -> {label + ':':<18} median {statistics.median(runs) * 1000:4.0f} ms over {len(runs)} runs "
            f"(min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f})"
        )
    floor = measure_sdk_import(runs=args.runs)
    print(f"(import mcp.server alone:     median {floor.median_s * 1000:4.0f} ms: the first tool list waits for it)")
    print(f"idle RSS after tools/list:    {measure_idle_rss() / 2**20:.1f} MiB")
    for trip in measure_round_trips(DEFAULT_SIZES, runs=args.runs):
        print(
            f"headroom_compress {trip.size_bytes / 1024:>6.0f} KiB: median {trip.median_ms:7.1f} ms round trip, "
            f"{trip.median_pipeline_ms:7.1f} ms in compress() over {len(trip.runs_ms)} calls "
            f"({trip.tokens_before:,} -> {trip.tokens_after:,} tokens)"
        )


if __name__ == "__main__":
    main()
