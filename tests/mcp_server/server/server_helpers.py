"""Helpers shared by the server tests (imported by name: the test folders are not packages)."""

from __future__ import annotations

from typing import Any

from mcp_types import CallToolResult


def noisy_log(lines: int = 3000, *, needle: str = "ERROR payment declined for order 4711") -> str:
    """A log a compressor can shrink: repetitive INFO lines with one distinctive error in the middle."""
    rows = [f"2025-01-01T00:00:{i % 60:02d}Z INFO worker-{i % 4} heartbeat ok seq={i}" for i in range(lines)]
    rows[lines // 2] = f"2025-01-01T00:30:00Z {needle}"
    return "\n".join(rows) + "\n"


def text_of(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return dict(result.structured_content)
