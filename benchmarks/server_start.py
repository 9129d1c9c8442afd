"""Server start-up, stdio round trips and idle memory of `headroom mcp serve`.

    .venv/bin/python benchmarks/server_start.py [--runs N]

Targets: start < 0.5 s, 100 KB round trip < 50 ms median, idle RSS < 100 MB.
"""

from __future__ import annotations

import argparse

from mcp_server.server.measure import (
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
    print(
        f"start -> initialize response: median {start.median_s * 1000:.0f} ms over {len(start.runs_s)} runs "
        f"(min {min(start.runs_s) * 1000:.0f}, max {max(start.runs_s) * 1000:.0f})"
    )
    floor = measure_sdk_import(runs=args.runs)
    print(f"(import mcp.server alone:     median {floor.median_s * 1000:.0f} ms: the SDK's share of that)")
    print(f"idle RSS after initialize:    {measure_idle_rss() / 2**20:.1f} MiB")
    for trip in measure_round_trips(DEFAULT_SIZES, runs=args.runs):
        print(
            f"headroom_compress {trip.size_bytes / 1024:>6.0f} KiB: median {trip.median_ms:7.1f} ms round trip, "
            f"{trip.median_pipeline_ms:7.1f} ms in compress() over {len(trip.runs_ms)} calls "
            f"({trip.tokens_before:,} -> {trip.tokens_after:,} tokens)"
        )


if __name__ == "__main__":
    main()
