"""Run the fake by hand: `python -m tests.fake_provider [--script steps.json] [--dump DIR]`.

steps.json is a list of {"tool": NAME, "input": {...}} or {"answer": TEXT}. The server prints its URL, serves until
interrupted, and with --dump writes each request's body to DIR/NNN-<api>.json as it was received.
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from . import Answer, FakeProvider, Step, ToolCall


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_provider")
    parser.add_argument("--script", type=Path)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    steps: list[Step] = []
    if args.script:
        for raw in json.loads(args.script.read_text(encoding="utf-8")):
            steps.append(ToolCall(raw["tool"], raw.get("input", {})) if "tool" in raw else Answer(raw["answer"]))
    with FakeProvider(steps) as fake:
        print(fake.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                for i, req in enumerate(fake.requests):
                    name = f"{i:03d}-{req.api}-{req.method}-{req.path.strip('/').replace('/', '_')[:60]}"
                    (args.dump / name).write_bytes(req.body)


if __name__ == "__main__":
    main()
