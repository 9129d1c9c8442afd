"""What a saved token is worth: a per-model input price table, overridable from the environment.

Savings are tokens that never entered the model's context, so they are priced
at the model's input rate (USD per million tokens, list prices of late 2025).
`HEADROOM_MODEL` picks a row (dated ids such as ``claude-sonnet-4-5-20250929``
match their family), `HEADROOM_PRICE_PER_MTOK` sets the rate outright.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_MODEL", "PRICES_PER_MTOK", "Pricing"]

# Keys are normalised: lower case, dots as dashes.
PRICES_PER_MTOK: Mapping[str, float] = {
    "claude-opus-4-5": 5.00,
    "claude-opus-4-1": 15.00,
    "claude-opus-4": 15.00,
    "claude-sonnet-4-5": 3.00,
    "claude-sonnet-4": 3.00,
    "claude-3-7-sonnet": 3.00,
    "claude-haiku-4-5": 1.00,
    "claude-3-5-haiku": 0.80,
    "gpt-5": 1.25,
    "gpt-5-mini": 0.25,
    "gpt-5-nano": 0.05,
    "gpt-4-1": 2.00,
    "gpt-4-1-mini": 0.40,
    "gpt-4o": 2.50,
    "gpt-4o-mini": 0.15,
    "o3": 2.00,
    "o4-mini": 1.10,
    "gemini-2-5-pro": 1.25,
    "gemini-2-5-flash": 0.30,
}
DEFAULT_MODEL = "claude-sonnet-4-5"


def _normalise(model: str) -> str:
    return model.strip().lower().replace(".", "-").replace("_", "-")


def _lookup(model: str) -> str | None:
    key = _normalise(model)
    if key in PRICES_PER_MTOK:
        return key
    # The longest family name the id starts with: "gpt-4o-mini-2024-07-18" is gpt-4o-mini, not gpt-4o.
    matches = [k for k in PRICES_PER_MTOK if key.startswith(k + "-")]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True, slots=True)
class Pricing:
    """The model savings are priced for and its input rate in USD per million tokens."""

    model: str
    usd_per_mtok: float

    def cost(self, tokens: int) -> float:
        """USD that `tokens` input tokens cost at this rate."""
        return tokens * self.usd_per_mtok / 1_000_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Pricing:
        """The pricing `HEADROOM_MODEL` / `HEADROOM_PRICE_PER_MTOK` ask for (default: claude-sonnet-4-5, $3).

        Raises:
            ValueError: an unknown model without a price, or a price that is not a positive number.
        """
        env = os.environ if env is None else env
        model = (env.get("HEADROOM_MODEL") or "").strip()
        raw_price = (env.get("HEADROOM_PRICE_PER_MTOK") or "").strip()
        if raw_price:
            try:
                price = float(raw_price)
            except ValueError:
                raise ValueError(
                    f"HEADROOM_PRICE_PER_MTOK={raw_price!r} is not a number (USD per million tokens)"
                ) from None
            if not price > 0 or price == float("inf"):
                raise ValueError(f"HEADROOM_PRICE_PER_MTOK={raw_price!r} must be a positive number")
            return cls(model or "custom", price)
        if not model:
            return cls(DEFAULT_MODEL, PRICES_PER_MTOK[DEFAULT_MODEL])
        key = _lookup(model)
        if key is None:
            raise ValueError(
                f"HEADROOM_MODEL={model!r} has no known price; set HEADROOM_PRICE_PER_MTOK too, "
                f"or use one of {', '.join(sorted(PRICES_PER_MTOK))}"
            )
        return cls(key, PRICES_PER_MTOK[key])
