from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcp_server.server._pricing import DEFAULT_MODEL, PRICES_PER_MTOK, Pricing


def test_default_pricing_is_the_default_model_at_its_table_price() -> None:
    pricing = Pricing.from_env({})
    assert pricing.model == DEFAULT_MODEL
    assert pricing.usd_per_mtok == PRICES_PER_MTOK[DEFAULT_MODEL]


def test_a_dated_model_id_is_priced_as_its_family() -> None:
    assert Pricing.from_env({"HEADROOM_MODEL": "gpt-4o-mini-2024-07-18"}).model == "gpt-4o-mini"
    assert Pricing.from_env({"HEADROOM_MODEL": "claude-sonnet-4-5-20250929"}).model == "claude-sonnet-4-5"
    assert Pricing.from_env({"HEADROOM_MODEL": "Claude-Opus-4.1"}).model == "claude-opus-4-1"


def test_an_explicit_price_overrides_the_table_and_keeps_the_model_name() -> None:
    pricing = Pricing.from_env({"HEADROOM_MODEL": "my-local-model", "HEADROOM_PRICE_PER_MTOK": "0.5"})
    assert (pricing.model, pricing.usd_per_mtok) == ("my-local-model", 0.5)


def test_an_unknown_model_without_a_price_is_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(ValueError, match=r"HEADROOM_MODEL='mystery-9'.*HEADROOM_PRICE_PER_MTOK.*gpt-4o"):
        Pricing.from_env({"HEADROOM_MODEL": "mystery-9"})


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "inf", "nan"])
def test_an_unusable_price_is_refused_naming_the_variable(raw: str) -> None:
    with pytest.raises(ValueError, match="HEADROOM_PRICE_PER_MTOK"):
        Pricing.from_env({"HEADROOM_PRICE_PER_MTOK": raw})


@given(st.integers(min_value=0, max_value=10**12), st.floats(min_value=0.01, max_value=100))
def test_cost_is_linear_in_tokens(tokens: int, price: float) -> None:
    pricing = Pricing("m", price)
    assert pricing.cost(tokens) == pytest.approx(tokens / 1_000_000 * price)
    assert pricing.cost(2 * tokens) == pytest.approx(2 * pricing.cost(tokens))
