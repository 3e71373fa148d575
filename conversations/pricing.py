"""The conversation page's live cost estimate, from the price table (`ModelPrice`, editable by
admins): USD per million tokens, (prompt, completion). An estimate for the reader while a turn
streams; the priced usage records are what the usage report and budgets count."""

from __future__ import annotations

from conversations.usage_selectors import prices


def model_price(model: str | None) -> tuple[float, float] | None:
    """A model missing from the table shows no cost rather than a guess."""
    price = prices().filter(model=(model or "").strip()).first()
    if price is None:
        return None
    return float(price.input_per_million), float(price.output_per_million)
