"""Settings come from the environment, with defaults that outlive a long session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccr import Settings


def test_defaults_keep_originals_for_at_least_a_day(tmp_path: Path) -> None:
    s = Settings.from_env({"HEADROOM_HOME": str(tmp_path)})
    assert s.ttl_seconds >= 24 * 3600
    assert s.db_path == tmp_path / "ccr.sqlite3"
    assert s.encoding == "o200k_base"


def test_every_variable_is_read(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "HEADROOM_HOME": str(tmp_path),
            "HEADROOM_TTL_HOURS": "2",
            "HEADROOM_MAX_STORE_MB": "10",
            "HEADROOM_MAX_INPUT_MB": "1",
            "HEADROOM_ENCODING": "cl100k_base",
            "HEADROOM_CLIENT": "cursor",
        }
    )
    assert (s.ttl_seconds, s.max_store_bytes, s.max_input_bytes) == (7200, 10 * 1024**2, 1024**2)
    assert (s.encoding, s.client) == ("cl100k_base", "cursor")


@pytest.mark.parametrize("value", ["soon", "-1", "0"])
def test_unusable_numbers_are_refused_with_the_variable_named(value: str) -> None:
    with pytest.raises(ValueError, match="HEADROOM_TTL_HOURS"):
        Settings.from_env({"HEADROOM_TTL_HOURS": value})


def test_without_headroom_home_the_platform_data_dir_is_used() -> None:
    assert "headroom-mcp" in str(Settings.from_env({}).home)


def test_an_unknown_encoding_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="o200k_base"):
        Settings.from_env({"HEADROOM_ENCODING": "p50k_base"})
